/**
 * Runs a rendered stack through upstream's own translators: `aigw translate` (the AI Gateway
 * controller's reconcilers, offline) turns the AI Gateway resources into what the controller would
 * create; `egctl x translate` (Envoy Gateway's translator, offline) turns the union of what the program
 * emits and what aigw generated into resources with the status the controller would set, and xDS.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { parseConfig, type StackConfig } from "../../plan";
import { render } from "../../scripts/render";
import { SECRET_PLACEHOLDER } from "../../config/stackFile";
import { readToolManifest, type BuiltTool, type ToolName } from "../../tools/upstreamTools";
import { extProcServices } from "../e2e/cluster";
import type { KubeObject } from "../e2e/kube";
import { configOfFile } from "../harness";
import { mocks } from "../setup";

export type Obj = Record<string, unknown>;

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
    spec?: Obj;
    status?: Obj;
    [k: string]: unknown;
}

export interface UpstreamTranslation {
    /** `stack dev`, `fixture jwt.yaml`: what failure messages name. */
    label: string;
    config: StackConfig;
    /** Every Kubernetes object the program emits, with test values in place of secrets. */
    emitted: K8sObject[];
    /** What `aigw translate` generated from the AI Gateway resources (not in `emitted`). */
    generated: K8sObject[];
    /** `egctl x translate` output, gateway-api part: every resource with its status. */
    resources: Record<string, K8sObject[] | K8sObject | undefined>;
    /** `egctl x translate` output, xds part: an Envoy config dump per Gateway (`<ns>/<name>`). */
    xds: Record<string, { configs: Obj[] }>;
    /** Emitted objects the offline translation cannot take, each with the reason. */
    untranslated: { object: string; why: string }[];
}

/**
 * Credential types whose BackendSecurityPolicy the AI Gateway controller reconciles by exchanging the
 * secret for a token with the cloud's identity service: a network call the offline translation cannot
 * make. The policy is left out of aigw's input; its
 * AIServiceBackend, Backend and route are still translated.
 */
export const TOKEN_EXCHANGE_CREDENTIALS = new Set(["AzureCredentials", "GCPCredentials"]);

/**
 * Whether the controller exchanges a token with the cloud for this BackendSecurityPolicy: every Azure and
 * GCP policy, and an AWS one with an OIDC exchange (the controller logs in at the OpenID provider and calls
 * STS).
 */
export function exchangesToken(o: K8sObject): boolean {
    if (o.kind !== "BackendSecurityPolicy") return false;
    const type = String(o.spec?.type);
    return TOKEN_EXCHANGE_CREDENTIALS.has(type) || (type === "AWSCredentials" && (o.spec?.awsCredentials as Obj | undefined)?.oidcExchangeToken !== undefined);
}

/**
 * Envoy Gateway translates OIDC only with its HMAC Secret in the controller's namespace, and `egctl x
 * translate` runs the translator with no controller namespace (a Secret cannot have an empty one): the
 * policy's `oidc` section is left out of egctl's input, the rest of the policy is translated.
 */
export const OIDC_UNTRANSLATED = "SecurityPolicy oidc: egctl x translate runs Envoy Gateway's translator without a controller namespace, so the HMAC Secret OIDC needs cannot be found";

/** Why QuotaPolicies are listed as not proven (the unit conformance tests validate them against the pinned CRD). */
export const QUOTA_NOT_PROVEN =
    "QuotaPolicy (provider quotas): enforced by the AI Gateway controller's extension server and its quota rate-limit service (since v1.0); the offline aigw translate runs no extension server and reads no QuotaPolicy, so neither its cost nor its rate-limit actions are in the translation";

/**
 * What the AI Gateway controller's extension server writes into Envoy Gateway's xDS at run time. `egctl x
 * translate` runs Envoy Gateway's translator without an extension manager, so none of it is in the offline
 * translation: each is reported after the run for the objects that set it.
 */
export const EXTENSION_SERVER_FIELDS: { what: string; applies(o: K8sObject): boolean }[] = [
    {
        what: "AIGatewayRoute spec.rules[].streamIdleTimeout: the extension server writes it into each xDS route as the per-try idle timeout",
        applies: (o) => o.kind === "AIGatewayRoute" && ((o.spec?.rules ?? []) as Obj[]).some((r) => r.streamIdleTimeout !== undefined),
    },
    {
        what: "GatewayConfig spec.forwardProxy: the extension server sets it as the egress proxy of the upstream clusters",
        applies: (o) => o.kind === "GatewayConfig" && o.spec?.forwardProxy !== undefined,
    },
    {
        what: "AWS SigV4 signing host: the extension server writes each upstream endpoint's host into its metadata (upstream_host), and the extProc signs over that host and the region it names (a VPC or FIPS hostname included)",
        applies: (o) => o.kind === "BackendSecurityPolicy" && o.spec?.type === "AWSCredentials",
    },
    {
        what: "guardrails before the AI Gateway's processor: the extension server inserts its processor after the buffer filter, behind the guards' ext_proc filters (the data-plane suite shows it)",
        applies: (o) => o.kind === "EnvoyExtensionPolicy",
    },
];

/**
 * Why routes to InferencePools end at the generated HTTPRoute: Envoy Gateway resolves a pool backendRef only
 * through its extension manager's `backendResources`, whose clusters the AI Gateway's extension server
 * builds at run time; `egctl x translate` runs the translator without an extension manager. Those rules
 * reach egctl without backendRefs (so the route's other rules translate), and the pool backendRef and the
 * extProc's backend entry are checked in aigw's output instead.
 */
export const INFERENCE_POOL_UNTRANSLATED =
    "InferencePool backendRefs: egctl x translate runs Envoy Gateway's translator without the extension manager (backendResources) that resolves them, and the pool's cluster comes from the AI Gateway's extension server at run time; checked up to aigw's HTTPRoute and extProc configuration";

/** A generated HTTPRoute with its InferencePool backendRefs left out (see INFERENCE_POOL_UNTRANSLATED), and which rules lost them. */
function withoutPoolRefs(o: K8sObject): { object: K8sObject; rules: number[] } {
    if (o.kind !== "HTTPRoute") return { object: o, rules: [] };
    const rules = (o.spec?.rules ?? []) as { backendRefs?: { kind?: string }[] }[];
    const pooled = rules.flatMap((r, i) => ((r.backendRefs ?? []).some((b) => b.kind === "InferencePool") ? [i] : []));
    if (pooled.length === 0) return { object: o, rules: [] };
    const spec = { ...o.spec, rules: rules.map((r, i) => (pooled.includes(i) ? { ...r, backendRefs: [] } : r)) };
    return { object: { ...o, spec }, rules: pooled };
}

/** The value every secret gets in the translation (never a real credential). */
export const TEST_SECRET = "upstream-test-secret";

/** Kinds `aigw translate` reads: the AI Gateway resources and what its reconcilers look up. */
const AIGW_INPUT_KINDS = new Set(["AIGatewayRoute", "AIServiceBackend", "BackendSecurityPolicy", "MCPRoute", "Gateway", "Secret", "BackendTLSPolicy"]);
/** Kinds the AI Gateway controller creates. */
const AIGW_OUTPUT_KINDS = new Set(["HTTPRoute", "EnvoyExtensionPolicy", "HTTPRouteFilter", "Backend", "Secret", "BackendTrafficPolicy", "SecurityPolicy"]);
/** Kinds Envoy Gateway's file loader accepts (internal/gatewayapi/resource/load.go, v1.8.3). */
const EGCTL_KINDS = new Set([
    "EnvoyProxy",
    "GatewayClass",
    "Gateway",
    "HTTPRoute",
    "GRPCRoute",
    "TCPRoute",
    "UDPRoute",
    "TLSRoute",
    "Namespace",
    "Service",
    "EnvoyPatchPolicy",
    "ClientTrafficPolicy",
    "BackendTrafficPolicy",
    "SecurityPolicy",
    "HTTPRouteFilter",
    "Backend",
    "Secret",
    "ConfigMap",
    "BackendTLSPolicy",
    "EnvoyExtensionPolicy",
    "ReferenceGrant",
]);

export const keyOf = (o: K8sObject): string => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** The rendered object with a test value wherever render printed a secret (base64 under `data`). */
function withTestSecrets(v: unknown, underData = false): unknown {
    if (v === SECRET_PLACEHOLDER) return underData ? Buffer.from(TEST_SECRET).toString("base64") : TEST_SECRET;
    if (Array.isArray(v)) return v.map((x) => withTestSecrets(x, underData));
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withTestSecrets(x, underData || k === "data")]));
    }
    return v;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** A Helm release the program installs: its name, namespace and values (test values in place of secrets). */
export interface RenderedRelease {
    name: string;
    namespace: string;
    values: Obj;
}

/**
 * Every Kubernetes object the program registers for a stack file (cloud resources left out), and its Helm
 * releases apart.
 */
export async function renderStack(file: string): Promise<{ objects: K8sObject[]; releases: RenderedRelease[] }> {
    const result = await render({ stack: basename(file), file, format: "json" }, mocks);
    if (result.code !== 0) throw new Error(`render of ${file} failed:\n${result.stderr}`);
    const { resources } = JSON.parse(result.stdout) as { resources: { type: string; inputs: Obj }[] };
    const objects = resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.type !== HELM_RELEASE && typeof r.inputs.kind === "string")
        .map((r) => withTestSecrets(r.inputs) as K8sObject);
    const releases = resources
        .filter((r) => r.type === HELM_RELEASE)
        .map((r) => ({ name: String(r.inputs.name), namespace: String(r.inputs.namespace), values: withTestSecrets(r.inputs.values ?? {}) as Obj }));
    return { objects, releases };
}

/** Every Kubernetes object the program registers for a stack file (Helm releases and cloud resources left out). */
export async function renderObjects(file: string): Promise<K8sObject[]> {
    return (await renderStack(file)).objects;
}

// YAML 1.1 quoting, as render writes: the translators read YAML 1.1, where a bare `n`, `no` or `on` (a model name,
// a map key) is a boolean.
function yamlStream(objects: K8sObject[]): string {
    return objects.map((o) => `---\n${stringify(o, { version: "1.1" })}`).join("");
}

function parseStream(text: string, what: string): K8sObject[] {
    return parseAllDocuments(text).flatMap((d) => {
        if (d.errors.length > 0) throw new Error(`${what}: unreadable YAML: ${d.errors[0].message}`);
        const o = d.toJS() as K8sObject | null;
        return o && typeof o === "object" && typeof o.kind === "string" ? [o] : [];
    });
}

function runTool(bin: string, args: string[], what: string): string {
    const result = spawnSync(bin, args, { encoding: "utf8", maxBuffer: 512 * 1024 * 1024, timeout: 120_000 });
    if (result.error) throw new Error(`${what}: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${what} exited ${result.status}:\n${result.stderr.slice(0, 4000)}`);
    return result.stdout;
}

/**
 * A generated object as the controller would send it: the fake client's bookkeeping (owner references
 * without a uid, an empty status, a resource version) is what the API server fills in, not content.
 */
function asApplied(o: K8sObject): K8sObject {
    const { status: _status, ...rest } = o;
    const { ownerReferences: _owners, resourceVersion: _version, creationTimestamp: _created, managedFields: _fields, ...metadata } = o.metadata as K8sObject["metadata"] & Obj;
    return { ...rest, metadata } as K8sObject;
}

/** A SecurityPolicy without its `oidc` section (see OIDC_UNTRANSLATED). */
function withoutOidc(o: K8sObject): K8sObject {
    if (o.kind !== "SecurityPolicy" || o.spec?.oidc === undefined) return o;
    const { oidc: _oidc, ...spec } = o.spec;
    return { ...o, spec };
}

/**
 * A Secret as the API server stores it: `stringData` merged into `data` (egctl reads `data` only). Test
 * values differ per key, as real ones do (Envoy Gateway refuses two API-key clients with one key).
 */
function asStored(o: K8sObject): K8sObject {
    if (o.kind !== "Secret" || typeof o.stringData !== "object" || o.stringData === null) return o;
    const { stringData, ...rest } = o;
    const value = (k: string, v: string) => (v === TEST_SECRET ? `${v}-${k}` : v);
    const encoded = Object.fromEntries(Object.entries(stringData as Record<string, string>).map(([k, v]) => [k, Buffer.from(value(k, v)).toString("base64")]));
    return { ...rest, data: { ...(o.data as Record<string, string> | undefined), ...encoded } };
}

let certificate: { crt: string; key: string } | undefined;

/** A throwaway self-signed certificate (openssl), for listener certificates the cluster would hold. */
function testCertificate(): { crt: string; key: string } {
    if (certificate) return certificate;
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-cert-"));
    try {
        const args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=upstream-test", "-keyout", join(dir, "tls.key"), "-out", join(dir, "tls.crt")];
        const result = spawnSync("openssl", args, { encoding: "utf8" });
        if (result.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${result.error?.message ?? result.stderr}`);
        certificate = { crt: readFileSync(join(dir, "tls.crt"), "utf8"), key: readFileSync(join(dir, "tls.key"), "utf8") };
        return certificate;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * What the cluster holds beside the program's objects: the TLS Secrets HTTPS listeners name (the user's,
 * from cert-manager or kubectl), and the Services of the guardrails' guards. Services that passthrough routes name
 * come from egctl's `--add-missing-resources`.
 */
export function environmentObjects(emitted: K8sObject[]): K8sObject[] {
    const have = new Set(emitted.map(keyOf));
    const out: K8sObject[] = [];
    for (const gateway of emitted.filter((o) => o.kind === "Gateway")) {
        const listeners = (gateway.spec?.listeners ?? []) as { tls?: { certificateRefs?: { name: string; namespace?: string }[] } }[];
        for (const ref of listeners.flatMap((l) => l.tls?.certificateRefs ?? [])) {
            const secret: K8sObject = {
                apiVersion: "v1",
                kind: "Secret",
                type: "kubernetes.io/tls",
                metadata: { name: ref.name, namespace: ref.namespace ?? gateway.metadata.namespace },
                data: { "tls.crt": Buffer.from(testCertificate().crt).toString("base64"), "tls.key": Buffer.from(testCertificate().key).toString("base64") },
            };
            if (!have.has(keyOf(secret))) {
                have.add(keyOf(secret));
                out.push(secret);
            }
        }
    }
    // The CAs and client certificates backends name (backends.<b>.tls), which the user keeps in the cluster.
    const add = (o: K8sObject) => {
        if (have.has(keyOf(o))) return;
        have.add(keyOf(o));
        out.push(o);
    };
    const b64 = (v: string) => Buffer.from(v).toString("base64");
    for (const policy of emitted.filter((o) => o.kind === "BackendTLSPolicy")) {
        const refs = ((policy.spec?.validation as { caCertificateRefs?: { kind: string; name: string }[] } | undefined)?.caCertificateRefs ?? []);
        for (const ref of refs) {
            const metadata = { name: ref.name, namespace: policy.metadata.namespace };
            if (ref.kind === "ConfigMap") add({ apiVersion: "v1", kind: "ConfigMap", metadata, data: { "ca.crt": testCertificate().crt } });
            else add({ apiVersion: "v1", kind: "Secret", type: "Opaque", metadata, data: { "ca.crt": b64(testCertificate().crt) } });
        }
    }
    for (const backend of emitted.filter((o) => o.kind === "Backend")) {
        const ref = (backend.spec?.tls as { clientCertificateRef?: { name: string } } | undefined)?.clientCertificateRef;
        if (ref === undefined) continue;
        add({
            apiVersion: "v1",
            kind: "Secret",
            type: "kubernetes.io/tls",
            metadata: { name: ref.name, namespace: backend.metadata.namespace },
            data: { "tls.crt": b64(testCertificate().crt), "tls.key": b64(testCertificate().key) },
        });
    }
    // The guardrails' guards (EnvoyExtensionPolicy backends), which the user runs: egctl's --add-missing-resources adds
    // only the Services routes name.
    for (const svc of extProcServices(emitted as KubeObject[])) add(svc as K8sObject);
    return out;
}

let manifest: Record<ToolName, BuiltTool> | undefined;
export function tools(): Record<ToolName, BuiltTool> {
    manifest ??= readToolManifest("upstream");
    return manifest;
}

/** Renders a stack file and translates it with the pinned upstream tools. */
export async function translateStackFile(file: string, label: string): Promise<UpstreamTranslation> {
    const config = parseConfig(configOfFile(file));
    const emitted = await renderObjects(file);
    const { aigw, egctl } = tools();
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-upstream-"));
    try {
        const aiNamespaces = new Set(emitted.filter((o) => o.apiVersion.startsWith("aigateway.envoyproxy.io/")).map((o) => o.metadata.namespace));
        // aigw keys objects by kind and name only: hand it the Secrets of the AI Gateway resources' namespaces.
        const untranslated = [
            ...emitted.filter(exchangesToken).map((o) => {
                const oidc = JSON.stringify(o.spec).includes('"oidcExchangeToken"') ? " after an OIDC login at the OpenID provider" : "";
                return { object: keyOf(o), why: `BackendSecurityPolicy type ${String(o.spec?.type)}: the controller exchanges the secret for a token with the cloud${oidc}, which an offline translation cannot` };
            }),
            // aigw translate hands its reconcilers routes, backends, policies, Secrets and Gateways only; the
            // quota rate limits are written by the controller's extension server and quota service (v1.1.0).
            ...emitted.filter((o) => o.kind === "QuotaPolicy").map((o) => ({ object: keyOf(o), why: QUOTA_NOT_PROVEN })),
            ...EXTENSION_SERVER_FIELDS.flatMap((f) => emitted.filter((o) => f.applies(o)).map((o) => ({ object: keyOf(o), why: f.what }))),
        ];
        const aigwInput = emitted.filter((o) => AIGW_INPUT_KINDS.has(o.kind) && !exchangesToken(o) && (o.kind !== "Secret" || aiNamespaces.has(o.metadata.namespace)));
        writeFileSync(join(dir, "aigw-in.yaml"), yamlStream(aigwInput));
        const aigwOut = parseStream(runTool(aigw.bin, ["translate", join(dir, "aigw-in.yaml")], `${label}: aigw translate`), `${label}: aigw translate`);
        const emittedKeys = new Set(emitted.map(keyOf));
        const generated = aigwOut.filter((o) => AIGW_OUTPUT_KINDS.has(o.kind) && !emittedKeys.has(keyOf(o))).map(asApplied);

        // The extProc's own configuration (a Secret without a namespace in aigw's output) is not Envoy Gateway's to read.
        for (const o of emitted.filter((x) => x.kind === "SecurityPolicy" && x.spec?.oidc !== undefined)) untranslated.push({ object: keyOf(o), why: OIDC_UNTRANSLATED });
        const forEgctl = generated.filter((o) => o.metadata.namespace !== undefined).map(withoutPoolRefs);
        for (const { object, rules } of forEgctl.filter((g) => g.rules.length > 0)) {
            untranslated.push({ object: `${keyOf(object)} rules ${rules.join(", ")}`, why: INFERENCE_POOL_UNTRANSLATED });
        }
        const union = [...emitted.filter((o) => EGCTL_KINDS.has(o.kind)).map(asStored).map(withoutOidc), ...forEgctl.map((g) => g.object), ...environmentObjects(emitted)];
        writeFileSync(join(dir, "egctl-in.yaml"), yamlStream(union));
        const out = runTool(
            egctl.bin,
            ["x", "translate", "--from", "gateway-api", "--to", "gateway-api,xds", "--add-missing-resources", "-o", "json", "-f", join(dir, "egctl-in.yaml")],
            `${label}: egctl x translate`,
        );
        const { xds, ...resources } = JSON.parse(out) as { xds?: UpstreamTranslation["xds"] } & UpstreamTranslation["resources"];
        return { label, config, emitted, generated, resources, xds: xds ?? {}, untranslated };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
