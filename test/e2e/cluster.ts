/**
 * What every end-to-end stage does to a fresh API server before its own checks: the pinned CRDs, and the
 * rendered objects in an order a cluster accepts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { KINDS } from "../../specs/manifest";
import { crdDirectory } from "../support/conformance";
import type { Kube, KubeObject } from "./kube";

/** Every CustomResourceDefinition of the pinned versions (tools/upstreamCrds.ts, or AI_GATEWAY_CRD_DIR). */
export function pinnedCrds(): KubeObject[] {
    const dir = crdDirectory();
    return (readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as KubeObject | null))
        .filter((o): o is KubeObject => o?.kind === "CustomResourceDefinition");
}

/**
 * Applies the pinned CRDs and waits (60 s at most) until each is Established; reads discovery again.
 * Returns the problems: refusals and CRDs never Established.
 */
export async function applyCrds(kube: Kube): Promise<string[]> {
    const crds = pinnedCrds();
    if (crds.length < 20) return [`only ${crds.length} CRDs found in ${crdDirectory()}`];
    const refused: string[] = [];
    for (const crd of crds) {
        const r = await kube.apply(crd);
        if (r.status >= 300) refused.push(`${crd.metadata.name}: ${r.status} ${String(r.body.message)}`);
    }
    if (refused.length > 0) return refused;
    const deadline = Date.now() + 60_000;
    let pending = crds.map((c) => c.metadata.name);
    while (pending.length > 0 && Date.now() < deadline) {
        const still: string[] = [];
        for (const name of pending) {
            const stored = await kube.get({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name } });
            const conditions = (stored?.status as { conditions?: { type: string; status: string }[] })?.conditions ?? [];
            if (!conditions.some((c) => c.type === "Established" && c.status === "True")) still.push(name);
        }
        pending = still;
        if (pending.length > 0) await new Promise((r) => setTimeout(r, 500));
    }
    await kube.discover();
    return pending.map((name) => `${name}: not Established within 60 s`);
}

/**
 * Namespaces first, then the program's registration order (its dependency order). Namespaces the objects
 * name but the program does not create (a passthrough target's, the monitoring stack's) are the cluster's:
 * they are created too, as a real cluster would have them.
 */
export function applyOrder(objects: KubeObject[]): KubeObject[] {
    const created = new Set(objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
    const theClusters = [...new Set(objects.map((o) => o.metadata.namespace).filter((ns): ns is string => ns !== undefined && !created.has(ns)))].sort();
    return [
        ...theClusters.map((name): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })),
        ...objects.filter((o) => o.kind === "Namespace"),
        ...objects.filter((o) => o.kind !== "Namespace"),
    ];
}

/** Kinds whose CRDs come from elsewhere (the Prometheus operator's ServiceMonitor): not in the pinned set. */
const EXTERNAL_API_VERSIONS = new Set(Object.values(KINDS).filter((k) => k.crds === "external").map((k) => k.apiVersion));

/** The objects a cluster with the pinned CRDs can take (the Prometheus operator's left out). */
export function applicable(objects: KubeObject[]): KubeObject[] {
    return applyOrder(objects).filter((o) => !EXTERNAL_API_VERSIONS.has(o.apiVersion));
}

export const describeObject = (o: KubeObject): string => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

/**
 * The Services passthrough routes send to that the program does not create (the user's applications, in
 * their own namespaces): a cluster has them, so a route can resolve its references. ClusterIP, the port the
 * route names, no endpoints.
 */
export function clusterServices(objects: KubeObject[]): KubeObject[] {
    type Rules = { rules?: { backendRefs?: ServiceRef[] }[] };
    return missingServices(objects, "HTTPRoute", (spec) => ((spec as Rules | undefined)?.rules ?? []).flatMap((r) => r.backendRefs ?? []));
}

/**
 * The Services the stack's external processors (EnvoyExtensionPolicy backendRefs: the guardrails' guards) run behind
 * and the program does not create, as a cluster has them.
 */
export function extProcServices(objects: KubeObject[]): KubeObject[] {
    type Policy = { extProc?: { backendRefs?: ServiceRef[] }[] };
    return missingServices(objects, "EnvoyExtensionPolicy", (spec) => ((spec as Policy | undefined)?.extProc ?? []).flatMap((p) => p.backendRefs ?? []));
}

/** A backend reference of a route or policy; a Service when kind and group are unset or Service and "". */
export type ServiceRef = { kind?: string; group?: string; name: string; namespace?: string; port?: number };

/**
 * The Services that objects of `kind` reference (by `refs` of their spec, in their own namespace unless the
 * reference names another) and `objects` do not hold: ClusterIP, the ports the references name, no endpoints.
 */
export function missingServices(objects: KubeObject[], kind: string, refs: (spec: unknown) => ServiceRef[]): KubeObject[] {
    const have = new Set(objects.filter((o) => o.kind === "Service").map((o) => `${o.metadata.namespace ?? "default"}/${o.metadata.name}`));
    const ports = new Map<string, Set<number>>();
    for (const holder of objects.filter((o) => o.kind === kind)) {
        for (const ref of refs(holder.spec)) {
            if ((ref.kind ?? "Service") !== "Service" || (ref.group ?? "") !== "" || ref.port === undefined) continue;
            const key = `${ref.namespace ?? holder.metadata.namespace ?? "default"}/${ref.name}`;
            if (!have.has(key)) ports.set(key, (ports.get(key) ?? new Set()).add(ref.port));
        }
    }
    return [...ports.entries()].sort().map(([key, p]) => {
        const [namespace, name] = key.split("/");
        return {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name, namespace },
            spec: { type: "ClusterIP", ports: [...p].sort((a, b) => a - b).map((port) => ({ name: `port-${port}`, port, protocol: "TCP" })) },
        };
    });
}

/**
 * The rendered objects with a distinct test value for every secret key (`<test value>-<secret>-<key>`):
 * one value everywhere would make, say, two clients' API keys equal, which Envoy Gateway refuses.
 */
export function distinctTestSecrets(objects: KubeObject[], testValue: string): KubeObject[] {
    const b64 = (v: string) => Buffer.from(v).toString("base64");
    return objects.map((o) => {
        if (o.kind !== "Secret") return o;
        const distinct = (field: "data" | "stringData", encode: (v: string) => string) => {
            const values = o[field] as Record<string, string> | undefined;
            if (!values) return undefined;
            return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === encode(testValue) ? encode(`${testValue}-${o.metadata.name}-${k}`) : v]));
        };
        const data = distinct("data", b64);
        const stringData = distinct("stringData", (v) => v);
        return { ...o, ...(data && { data }), ...(stringData && { stringData }) };
    });
}
