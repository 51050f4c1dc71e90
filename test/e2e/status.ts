/**
 * The status checks of the end-to-end stages with controllers: what each object a controller owns must report
 * for it to be in effect, polled until it does or a deadline passes.
 */
import { envoyPodsNamespace } from "../../plan/platform";
import { type Condition, conditionProblems, mergedInto } from "../upstream/expectations";
import { exchangesToken, type K8sObject } from "../upstream/translate";
import { describeObject } from "./cluster";
import type { Controllers } from "./controllers";
import type { Kube, KubeObject, Obj } from "./kube";

/** How long the controllers get to set every status (they take seconds; a slow shared machine, more). */
export const STATUS_TIMEOUT_MS = 180_000;

type Where = "conditions" | "parents" | "ancestors";

/** What each kind's status must say, and where it says it. */
const EXPECTED: Record<string, { where: Where; required: string[] }> = {
    AIGatewayRoute: { where: "conditions", required: ["Accepted"] },
    AIServiceBackend: { where: "conditions", required: ["Accepted"] },
    BackendSecurityPolicy: { where: "conditions", required: ["Accepted"] },
    HTTPRoute: { where: "parents", required: ["Accepted", "ResolvedRefs"] },
    ClientTrafficPolicy: { where: "ancestors", required: ["Accepted"] },
    BackendTrafficPolicy: { where: "ancestors", required: ["Accepted"] },
    SecurityPolicy: { where: "ancestors", required: ["Accepted"] },
    // Set by the AI Gateway controller, per Gateway whose routes reference the pool (ResolvedRefs: its Endpoint Picker's Service exists).
    InferencePool: { where: "parents", required: ["Accepted", "ResolvedRefs"] },
};

const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const conditionsOf = (v: unknown): Condition[] => list((v as Obj | undefined)?.conditions) as unknown as Condition[];

/** Every unmet condition of one stored object, naming it (and its listener, parent or ancestor). */
function objectProblems(label: string, o: KubeObject, stored: Obj | undefined): string[] {
    const what = describeObject(o);
    if (!stored) return [`${label}: ${what}: not found`];
    const status = (stored.status ?? {}) as Obj;
    if (o.kind === "Gateway") {
        // Programmed needs a running Envoy (a kubelet): not expected here.
        const listeners = list(status.listeners);
        return [
            ...conditionProblems(label, what, conditionsOf(status), ["Accepted"]),
            ...(listeners.length === 0 ? [`${label}: ${what}: no listener in its status`] : []),
            ...listeners.flatMap((l) => conditionProblems(label, `${what} listener ${String(l.name)}`, conditionsOf(l), ["Accepted", "ResolvedRefs"])),
        ];
    }
    if (exchangesToken(o as unknown as K8sObject)) {
        // The controller exchanges these credentials for a token with the cloud's identity service at once: with
        // test credentials, and no request allowed off the machine, that fails. It must have tried (a condition
        // says so); the rest of its backend's chain is checked as usual.
        const conditions = conditionsOf(status);
        const tried = conditions.some((c) => (c.type === "Accepted" && c.status === "True") || (c.type === "NotAccepted" && c.reason === "ReconciliationFailed"));
        return tried ? [] : [`${label}: ${what}: no sign the controller tried the token exchange (conditions ${JSON.stringify(conditions)})`];
    }
    const { where, required } = EXPECTED[o.kind];
    if (where === "conditions") return conditionProblems(label, what, conditionsOf(status), required);
    const entries = list(status[where]);
    if (entries.length === 0) return [`${label}: ${what}: no ${where} in its status (attached to nothing)`];
    return entries.flatMap((e) => {
        const ref = (e.parentRef ?? e.ancestorRef ?? {}) as Obj;
        const at = `${where === "parents" ? "parent" : "ancestor"} ${String(ref.kind ?? "Gateway")} ${String(ref.name)}${ref.sectionName ? `/${String(ref.sectionName)}` : ""}`;
        const conditions = conditionsOf(e);
        return conditionProblems(label, `${what} ${at}`, conditions, mergedInto(conditions) ? [] : required);
    });
}

/** The HTTPRoute the AI Gateway controller generates for an AIGatewayRoute (same name and namespace). */
const generatedRoute = (route: KubeObject): KubeObject => ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: route.metadata.name, namespace: route.metadata.namespace } });

/**
 * The label selector (URL-encoded) of a Gateway's Envoy Deployment and Service: Envoy Gateway's own labels (the
 * program's metrics Service carries the owning-gateway ones too).
 */
export function envoyInfraSelector(gateway: KubeObject): string {
    return encodeURIComponent(`app.kubernetes.io/name=envoy,app.kubernetes.io/managed-by=envoy-gateway,gateway.envoyproxy.io/owning-gateway-name=${gateway.metadata.name},gateway.envoyproxy.io/owning-gateway-namespace=${gateway.metadata.namespace ?? "default"}`);
}

async function envoyInfraProblems(label: string, kube: Kube, gateway: KubeObject, namespace: string): Promise<string[]> {
    const selector = envoyInfraSelector(gateway);
    const out: string[] = [];
    for (const [kind, path] of [
        ["Deployment", `/apis/apps/v1/namespaces/${namespace}/deployments`],
        ["Service", `/api/v1/namespaces/${namespace}/services`],
    ]) {
        const r = await kube.call("GET", `${path}?labelSelector=${selector}`);
        if (list(r.body.items).length !== 1) out.push(`${label}: ${describeObject(gateway)}: ${list(r.body.items).length} Envoy ${kind}s in ${namespace}, expected 1 (status ${r.status})`);
    }
    return out;
}

/**
 * Statuses come from Envoy Gateway's Gateway API translation, before its xDS translation calls the extension
 * server: that call is proven by the AI Gateway controller's log, where it inserts its ext_proc filter into a
 * listener of the Gateway (Envoy Gateway names xDS listeners `<namespace>/<gateway>/<listener>`).
 */
function extensionProblems(label: string, aiGatewayLog: string, gateway: KubeObject): string[] {
    const inserted = aiGatewayLog
        .split("\n")
        // The controller logs as console lines (`"listener": "…"`) or as JSON (`"listener":"…"`, logFormat: json).
        .some((l) => l.includes("inserting AI Gateway extproc filter into listener") && [": ", ":"].some((sep) => l.includes(`"listener"${sep}"${gateway.metadata.namespace ?? "default"}/${gateway.metadata.name}/`)));
    return inserted ? [] : [`${label}: ${describeObject(gateway)}: Envoy Gateway never had the AI Gateway's extension server insert its ext_proc filter into a listener`];
}

/**
 * Routes to InferencePools reach the extension server only through Envoy Gateway's extension manager
 * (`backendResources`): proven by the AI Gateway controller's log, where it adds each pool's Endpoint Picker
 * ext_proc filter to the xDS.
 */
function inferencePoolExtensionProblems(label: string, aiGatewayLog: string, pools: KubeObject[]): string[] {
    const lines = aiGatewayLog.split("\n").filter((l) => l.includes("adding inference pool ext proc filter"));
    return pools
        .filter((p) => !lines.some((l) => l.includes(`"pool": "${p.metadata.name}"`)))
        .map((p) => `${label}: ${describeObject(p)}: the AI Gateway's extension server never added its Endpoint Picker's ext_proc filter`);
}

/** The Gateways and the objects of kinds a controller reports status on, and the HTTPRoutes generated from AIGatewayRoutes. */
export function checkedObjects(objects: KubeObject[]): KubeObject[] {
    return [...objects.filter((o) => o.kind === "Gateway" || Object.hasOwn(EXPECTED, o.kind)), ...objects.filter((o) => o.kind === "AIGatewayRoute").map(generatedRoute)];
}

/** Kinds whose status the checks read (besides Gateways). */
export const STATUS_KINDS = Object.keys(EXPECTED);

export interface StatusContext {
    /** The controllers' logs and whether one has exited (stage 2's processes, or stage 3's kubelet). */
    controllers: Pick<Controllers, "log" | "exited"> | undefined;
    /** Envoy Gateway's release namespace and values (where it puts each Gateway's Envoy). */
    envoyGatewayValues: { namespace: string; values: Obj };
    /** Overridden conditions the configuration means (see isIntendedOverride). */
    intended: (problem: string) => boolean;
}

/** Polls until every checked object reports what it must (or a controller exits, or STATUS_TIMEOUT_MS passes); returns what is still missing. */
export async function waitForStatuses(label: string, kube: Kube, checked: KubeObject[], { controllers, envoyGatewayValues, intended }: StatusContext): Promise<string[]> {
    const deadline = Date.now() + STATUS_TIMEOUT_MS;
    for (;;) {
        const problems: string[] = [];
        for (const o of checked) problems.push(...objectProblems(label, o, await kube.get(o)).filter((p) => !intended(p)));
        for (const gw of checked.filter((o) => o.kind === "Gateway")) {
            problems.push(...(await envoyInfraProblems(label, kube, gw, envoyPodsNamespace(envoyGatewayValues, gw.metadata.namespace ?? "default"))));
            problems.push(...extensionProblems(label, controllers?.log("ai-gateway-controller") ?? "", gw));
        }
        problems.push(...inferencePoolExtensionProblems(label, controllers?.log("ai-gateway-controller") ?? "", checked.filter((o) => o.kind === "InferencePool")));
        const exited = controllers?.exited();
        if (exited) problems.push(exited);
        if (problems.length === 0 || exited || Date.now() > deadline) return problems;
        await new Promise((r) => setTimeout(r, 2000));
    }
}
