/**
 * What the platform Helm releases created, against what the program meant, in the end-to-end engine stage: Helm's
 * own record of each release (the `sh.helm.release.v1.<release>.v<n>` Secret: status, chart, manifest), the objects
 * of its manifest as the cluster holds them, and for each value the program gave the release (its inputs in the
 * Pulumi state), the place the chart puts it. A value the templates ignore (a misspelt key) shows up as a difference,
 * and so does a value this file knows no place for: the check is then to be added here.
 */
import { gunzipSync } from "node:zlib";
import { parseAllDocuments, parse } from "yaml";
import type { Values } from "../../config/merge";
import { AI_GATEWAY_CONTROLLER_FLAGS, leafPaths } from "./controllers";
import type { Kube, KubeObject, Obj } from "./kube";
import { notStoredAsSent } from "./kube";

/** Helm's record of a release, as Helm stores it (a Secret holding base64 of gzip of JSON). */
export interface HelmRecord {
    name: string;
    namespace: string;
    version: number;
    status: string;
    chart: { name: string; version: string };
    /** The objects the release's templates rendered. */
    manifest: KubeObject[];
}

/** Decodes a Helm release Secret's `release` (already base64-decoded once by the API's `data`). */
export function decodeHelmRecord(data: string): HelmRecord {
    const json = JSON.parse(gunzipSync(Buffer.from(Buffer.from(data, "base64").toString("utf8"), "base64")).toString("utf8")) as {
        name: string;
        namespace: string;
        version: number;
        info: { status: string };
        chart: { metadata: { name: string; version: string } };
        manifest: string;
    };
    const manifest = parseAllDocuments(json.manifest)
        .map((d) => d.toJS() as KubeObject | null)
        .filter((o): o is KubeObject => o !== null && typeof o === "object" && typeof o.kind === "string");
    return { name: json.name, namespace: json.namespace, version: json.version, status: json.info.status, chart: { name: json.chart.metadata.name, version: json.chart.metadata.version }, manifest };
}

/** The latest record of every Helm release in the cluster. */
export async function helmRecords(kube: Kube): Promise<HelmRecord[]> {
    const r = await kube.call("GET", "/api/v1/secrets?labelSelector=owner%3Dhelm");
    if (r.status !== 200) throw new Error(`list Helm release Secrets: ${r.status} ${String(r.body.message)}`);
    const latest = new Map<string, HelmRecord>();
    for (const s of (r.body.items ?? []) as { type?: string; data?: { release?: string } }[]) {
        if (s.type !== "helm.sh/release.v1" || !s.data?.release) continue;
        const record = decodeHelmRecord(s.data.release);
        const key = `${record.namespace}/${record.name}`;
        if ((latest.get(key)?.version ?? 0) < record.version) latest.set(key, record);
    }
    return [...latest.values()].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

const asObj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const valueAt = (values: Values, path: string): unknown => path.split(".").reduce<unknown>((o, k) => asObj(o)[k], values);
const find = (objects: KubeObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const differences = (where: string, meant: unknown, created: unknown) => notStoredAsSent(meant, created, where).map((d) => `${d} (the program meant it; the release made something else)`);
const untraced = (chart: string, paths: string[]) =>
    paths.map((p) => `${chart} values ${p}: nothing the chart created shows it (a key its templates ignore?), or test/e2e/releases.ts has no check for it`);

/**
 * gateway-helm: `config.envoyGateway` is merged into Envoy Gateway's configuration file (the `envoy-gateway-config`
 * ConfigMap) over the chart's own; every leaf the program set must be there with its value.
 */
export function envoyGatewayReleaseProblems(values: Values, created: KubeObject[]): string[] {
    const configMap = find(created, "ConfigMap", "envoy-gateway-config");
    const text = asObj(configMap?.data)["envoy-gateway.yaml"];
    if (typeof text !== "string") return ["gateway-helm: no ConfigMap envoy-gateway-config with envoy-gateway.yaml"];
    const config = parse(text) as Obj;
    const problems = differences("config.envoyGateway", valueAt(values, "config.envoyGateway") ?? {}, config);
    return [...problems, ...untraced("gateway-helm", leafPaths(values).filter((p) => p !== "" && !p.startsWith("config.envoyGateway.")))];
}

/**
 * ai-gateway-helm: each value the program sets becomes a flag of the controller's container (`--<flag>=<value>`), an
 * entry of its environment (`controller.extraEnvVars`) or an annotation of its pods (`controller.podAnnotations`).
 */
export function aiGatewayReleaseProblems(values: Values, created: KubeObject[]): string[] {
    const deployment = find(created, "Deployment", "ai-gateway-controller");
    const podTemplate = asObj(asObj(deployment?.spec).template);
    const container = ((asObj(podTemplate.spec).containers ?? []) as { args?: string[]; env?: Obj[] }[])[0];
    if (!container) return ["ai-gateway-helm: no Deployment ai-gateway-controller with a container"];
    const args = container.args ?? [];
    const problems: string[] = [];
    const rest: string[] = [];
    for (const path of leafPaths(values).filter((p) => p !== "")) {
        if (path === "controller.extraEnvVars" || path.startsWith("controller.podAnnotations.")) continue;
        const flag = AI_GATEWAY_CONTROLLER_FLAGS[path];
        if (flag === undefined) rest.push(path);
        // Go's flag package takes -flag and --flag alike; the chart writes -logLevel and --quotaRateLimitServiceAddr.
        else if (!args.includes(`--${flag}=${String(valueAt(values, path))}`) && !args.includes(`-${flag}=${String(valueAt(values, path))}`)) problems.push(`ai-gateway-helm values ${path}: meant --${flag}=${String(valueAt(values, path))}, the controller's arguments are ${JSON.stringify(args.filter((a) => a.startsWith(`--${flag}=`)))}`);
    }
    for (const entry of (valueAt(values, "controller.extraEnvVars") ?? []) as Obj[]) {
        const env = (container.env ?? []).find((e) => e.name === entry.name);
        problems.push(...(env ? differences(`controller.extraEnvVars ${String(entry.name)}`, entry, env) : [`ai-gateway-helm values controller.extraEnvVars ${String(entry.name)}: not in the controller's environment`]));
    }
    const annotations = valueAt(values, "controller.podAnnotations");
    if (annotations !== undefined) problems.push(...differences("controller.podAnnotations", annotations, asObj(podTemplate.metadata).annotations ?? {}));
    return [...problems, ...untraced("ai-gateway-helm", rest)];
}

const crdGroup = (o: KubeObject) => String(asObj(o.spec).group ?? "");

/**
 * gateway-crds-helm: which CRDs the release created (the Gateway API's, in the channel the program chose, and Envoy
 * Gateway's). Its templates render nothing unless a value enables them, so a misspelt key shows as missing CRDs.
 */
export function envoyGatewayCrdsReleaseProblems(values: Values, crds: KubeObject[]): string[] {
    const problems: string[] = [];
    const rest: string[] = [];
    const of = (group: string) => crds.filter((c) => crdGroup(c) === group);
    for (const path of leafPaths(values).filter((p) => p !== "")) {
        const v = valueAt(values, path);
        if (path === "crds.gatewayAPI.enabled" || path === "crds.envoyGateway.enabled") {
            const group = path === "crds.gatewayAPI.enabled" ? "gateway.networking.k8s.io" : "gateway.envoyproxy.io";
            if ((of(group).length > 0) !== (v === true)) problems.push(`gateway-crds-helm values ${path}: ${String(v)}, and the release created ${of(group).length} CRDs of ${group}`);
        } else if (path === "crds.gatewayAPI.channel") {
            const other = of("gateway.networking.k8s.io").filter((c) => asObj(c.metadata.annotations)["gateway.networking.k8s.io/channel"] !== v);
            if (other.length > 0) problems.push(`gateway-crds-helm values ${path}: ${String(v)}, but ${other.map((c) => c.metadata.name).join(", ")} are not of that channel`);
        } else rest.push(path);
    }
    return [...problems, ...untraced("gateway-crds-helm", rest)];
}

/** ai-gateway-crds-helm: no values; it must create the AI Gateway's CRDs. */
export function aiGatewayCrdsReleaseProblems(values: Values, crds: KubeObject[]): string[] {
    const created = crds.filter((c) => crdGroup(c) === "aigateway.envoyproxy.io");
    return [...(created.length === 0 ? ["ai-gateway-crds-helm: the release created no CRD of aigateway.envoyproxy.io"] : []), ...untraced("ai-gateway-crds-helm", leafPaths(values).filter((p) => p !== ""))];
}
