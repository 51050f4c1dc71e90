import { holdsSecret, RecordedResource, redactSecrets } from "./mocks";
import { SECRET_PLACEHOLDER } from "../config/stackFile";

type Obj = Record<string, unknown>;

/** YAML 1.1 quoting, so kubectl (a YAML 1.1 reader) never takes "no" or "on" for a boolean. */
const YAML_OPTIONS = { version: "1.1", sortMapEntries: true } as const;

const RELEASE = "kubernetes:helm.sh/v3:Release";
/** A manifest applied from a file or URL (a component, not a custom resource, so listed apart). */
const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";

/** Order in which kubectl should create kinds: namespaces and config before workloads, CRs last. */
const KIND_ORDER = ["Namespace", "ServiceAccount", "Secret", "ConfigMap", "Role", "RoleBinding", "Deployment", "Service", "NetworkPolicy"];

function isKubernetesObject(r: RecordedResource): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && r.type !== RELEASE;
}

function clean(inputs: Obj): Obj {
    // Only inputs with a secret are copied (most hold none: a large render's specs need no second copy).
    const redacted = holdsSecret(inputs) ? (redactSecrets(inputs, SECRET_PLACEHOLDER) as Obj) : inputs;
    // Provider bookkeeping, not part of the object.
    const { compat: _compat, ...rest } = redacted;
    return rest;
}

/** The object as kubectl would receive it. */
function manifestOf(r: RecordedResource): Obj {
    const { apiVersion, kind, metadata, ...rest } = clean(r.inputs);
    return { apiVersion, kind, metadata, ...rest };
}

function sortKey(m: Obj): [number, string, string, string] {
    const kind = String(m.kind);
    const meta = (m.metadata ?? {}) as Obj;
    const rank = KIND_ORDER.indexOf(kind);
    return [rank < 0 ? KIND_ORDER.length : rank, kind, String(meta.namespace ?? ""), String(meta.name ?? "")];
}

function compare(a: Obj, b: Obj): number {
    const ka = sortKey(a);
    const kb = sortKey(b);
    for (let i = 0; i < ka.length; i++) {
        if (ka[i] < kb[i]) return -1;
        if (ka[i] > kb[i]) return 1;
    }
    return 0;
}

/** The YAML library is loaded only for YAML output: `--format json` (and `npm run bench`) never pays for it. */
function stringify(value: unknown, options: { version: "1.1"; sortMapEntries?: boolean }): string {
    return (require("yaml") as typeof import("yaml")).stringify(value, options);
}

function commented(text: string): string {
    return text
        .trimEnd()
        .split("\n")
        .map((l) => `#   ${l}`)
        .join("\n");
}

/**
 * A Secret's line in the header: it is left out of the stream, since its values are not in the render (an
 * encrypted value cannot be decrypted offline; a generated one exists only after `pulumi up`).
 */
function secretComment(m: Obj): string {
    const meta = (m.metadata ?? {}) as Obj;
    const keys = [...Object.keys((m.stringData ?? {}) as Obj), ...Object.keys((m.data ?? {}) as Obj)].sort();
    return `# Secret ${String(meta.namespace ?? "default")}/${String(meta.name)} (keys: ${keys.join(", ") || "none"}) is left out: its values are secret and not in this render; create it before applying`;
}

/** The stack outputs a render can know (what `pulumi stack output` shows after `pulumi up`). */
export interface RenderedOutputs {
    models: string[];
    firstCallCommand?: string;
    /** Known only from the Gateway's status after `pulumi up`. */
    url?: string;
    gatewayAddressCommand: string;
}

/** What the URL output says in a render, where the Gateway has no status yet. */
export const URL_AFTER_UP = "known after pulumi up (the Gateway's address); see gatewayAddressCommand";

/** The stack outputs as YAML comments, for the end of a render. */
export function outputsComment(outputs: RenderedOutputs): string {
    const lines = [
        "# Stack outputs (pulumi stack output):",
        `#   models: ${outputs.models.join(", ") || "none"}`,
        `#   url: ${outputs.url ?? URL_AFTER_UP}`,
        `#   gatewayAddressCommand: ${outputs.gatewayAddressCommand}`,
        ...(outputs.firstCallCommand !== undefined ? ["#   firstCallCommand:", ...outputs.firstCallCommand.split("\n").map((l) => `#     ${l}`)] : []),
    ];
    return `${lines.join("\n")}\n`;
}

/**
 * Multi-document YAML for `kubectl apply --server-side -f -`; releases, cloud resources and the Secrets
 * left out of the stream as comments first, the stack outputs as comments last.
 */
export function toYaml(resources: RecordedResource[], outputs?: RenderedOutputs): string {
    const header: string[] = [];
    for (const r of resources.filter((x) => x.type === CONFIG_FILE)) {
        header.push(`# Manifest ${r.name}: every object of ${String(clean(r.inputs).file)}`);
    }
    for (const r of resources.filter((x) => x.custom && !isKubernetesObject(x))) {
        const inputs = clean(r.inputs);
        if (r.type === RELEASE) {
            header.push(`# Helm release ${r.name}: ${String(inputs.chart)} ${String(inputs.version)} as "${String(inputs.name)}" in namespace ${String(inputs.namespace)}`);
            const values = inputs.values;
            if (values !== undefined && (typeof values !== "object" || Object.keys(values as Obj).length > 0)) {
                header.push("# values:", commented(stringify(values, YAML_OPTIONS)));
            }
        } else {
            header.push(`# ${r.type} ${r.name}`, commented(stringify(inputs, YAML_OPTIONS)));
        }
    }
    const objects = resources.filter(isKubernetesObject).map(manifestOf).sort(compare);
    header.push(...objects.filter((m) => m.kind === "Secret").map(secretComment));
    const docs = objects.filter((m) => m.kind !== "Secret").map((m) => `---\n${stringify(m, { version: YAML_OPTIONS.version }).trimEnd()}`);
    return [...header, ...docs].join("\n") + (docs.length || header.length ? "\n" : "") + (outputs ? outputsComment(outputs) : "");
}

/** `{"resources": [...], "outputs": {...}}`, resources in registration order (product contract §3). */
export function toJson(resources: RecordedResource[], outputs?: RenderedOutputs): string {
    const entries = resources.map((r) => ({
        type: r.type,
        name: r.name,
        inputs: clean(r.inputs),
        parent: r.parent,
        dependsOn: r.dependsOn,
    }));
    return JSON.stringify({ resources: entries, ...(outputs && { outputs: { ...outputs, url: outputs.url ?? null } }) }, null, 2) + "\n";
}
