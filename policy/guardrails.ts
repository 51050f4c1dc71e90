import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

/**
 * The production guardrails, as stack policies over what the program registers: they read the Kubernetes
 * objects the engine is about to create, so they hold whatever config produced them. Pure functions of
 * the resources: test/policy.spec.ts runs them on the stacks' own resources.
 */

/** A Kubernetes object as the policy sees it (inputs, secrets already unwrapped by the policy SDK). */
interface KubeObject {
    kind: string;
    metadata: { name: string; namespace?: string };
    spec: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {});
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function kubeObject(r: PolicyResource): KubeObject | undefined {
    const props = asObject(r.props);
    const kind = asString(props.kind);
    const metadata = asObject(props.metadata);
    const name = asString(metadata.name);
    if (!r.type.startsWith("kubernetes:") || kind === undefined || name === undefined) return undefined;
    return { kind, metadata: { name, namespace: asString(metadata.namespace) }, spec: asObject(props.spec) };
}

const objectsOf = (resources: PolicyResource[], kind: string) => resources.map(kubeObject).filter((o): o is KubeObject => o?.kind === kind);
const id = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ?? "default"}/${o.metadata.name}`;
const sameNamespace = (a: KubeObject, b: KubeObject) => (a.metadata.namespace ?? "default") === (b.metadata.namespace ?? "default");
/** Whether a policy's targetRefs name this object (same namespace, kind and name). */
const targets = (policy: KubeObject, kind: string, target: KubeObject) =>
    sameNamespace(policy, target) && asList(policy.spec.targetRefs).some((t) => asObject(t).kind === kind && asObject(t).name === target.metadata.name);

const IN_CLUSTER = /\.svc(\.cluster\.local)?\.?$/i;
const PRIVATE_IPV4 = /^(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/;

/** Hosts of a Backend that leave the cluster. */
function externalHosts(backend: KubeObject): string[] {
    return asList(backend.spec.endpoints).flatMap((e) => {
        const fqdn = asString(asObject(asObject(e).fqdn).hostname);
        const ip = asString(asObject(asObject(e).ip).address);
        if (fqdn !== undefined) return IN_CLUSTER.test(fqdn) ? [] : [fqdn];
        if (ip !== undefined) return PRIVATE_IPV4.test(ip) ? [] : [ip];
        return [];
    });
}

export const externalBackendTls: StackValidationPolicy = {
    name: "tls-to-external-backends",
    description: "Every Backend outside the cluster is reached over TLS with its certificate checked (a BackendTLSPolicy or the Backend's own tls).",
    validateStack: ({ resources }, report) => {
        const tlsPolicies = objectsOf(resources, "BackendTLSPolicy");
        for (const backend of objectsOf(resources, "Backend")) {
            const hosts = externalHosts(backend);
            if (hosts.length === 0) continue;
            const ownTls = asObject(backend.spec.tls);
            if (ownTls.insecureSkipVerify === true) {
                report(`${id(backend)} skips checking the certificate of ${hosts.join(", ")}; remove insecureSkipVerify`);
            } else if (!tlsPolicies.some((p) => targets(p, "Backend", backend)) && Object.keys(ownTls).length === 0) {
                report(`${id(backend)} sends requests to ${hosts.join(", ")} without TLS; use port 443 or tls: true on the backend in ai-gateway:backends`);
            }
        }
    },
};

const AUTH_SECTIONS = ["jwt", "apiKeyAuth", "oidc", "extAuth", "basicAuth"];

/** The Service type of a Gateway's Envoy: its EnvoyProxy's, else its class's, else Envoy Gateway's default. */
function serviceType(gateway: KubeObject, resources: PolicyResource[]): string {
    const proxies = objectsOf(resources, "EnvoyProxy");
    const classes = objectsOf(resources, "GatewayClass");
    const ownRef = asObject(asObject(gateway.spec.infrastructure).parametersRef);
    const gatewayClass = classes.find((c) => c.metadata.name === gateway.spec.gatewayClassName);
    const classRef = asObject(gatewayClass?.spec.parametersRef);
    const proxy =
        (ownRef.kind === "EnvoyProxy" ? proxies.find((p) => p.metadata.name === ownRef.name && sameNamespace(p, gateway)) : undefined) ??
        (classRef.kind === "EnvoyProxy" ? proxies.find((p) => p.metadata.name === classRef.name && p.metadata.namespace === classRef.namespace) : undefined);
    const service = asObject(asObject(asObject(proxy?.spec.provider).kubernetes).envoyService);
    return asString(service.type) ?? "LoadBalancer";
}

export const exposedGatewayAuth: StackValidationPolicy = {
    name: "client-auth-on-exposed-gateways",
    description: "A Gateway reachable from outside the cluster (LoadBalancer or NodePort Service) authenticates its clients.",
    validateStack: ({ resources }, report) => {
        const securityPolicies = objectsOf(resources, "SecurityPolicy");
        for (const gateway of objectsOf(resources, "Gateway")) {
            const type = serviceType(gateway, resources);
            if (type !== "LoadBalancer" && type !== "NodePort") continue;
            const authenticated = securityPolicies.some((p) => targets(p, "Gateway", gateway) && AUTH_SECTIONS.some((s) => p.spec[s] !== undefined));
            if (!authenticated) {
                report(`${id(gateway)} is exposed through a ${type} Service and authenticates no client; set ai-gateway:auth (jwt, apiKeys, oidc or extAuth), or use a ClusterIP Service behind something that does`);
            }
        }
    },
};

/** Headers the gateway itself derives from the request (the model name from the body), never the client's. */
const GATEWAY_DERIVED = /^x-ai-eg-/i;

/** Headers a SecurityPolicy or ClientTrafficPolicy sets from what the gateway verified. */
function verifiedHeaders(resources: PolicyResource[]): Set<string> {
    const out = new Set<string>();
    const add = (v: unknown) => {
        const h = asString(v);
        if (h) out.add(h.toLowerCase());
    };
    for (const p of objectsOf(resources, "SecurityPolicy")) {
        for (const provider of asList(asObject(p.spec.jwt).providers)) for (const c of asList(asObject(provider).claimToHeaders)) add(asObject(c).header);
        add(asObject(p.spec.apiKeyAuth).forwardClientIDHeader);
        for (const h of asList(asObject(p.spec.extAuth).headersToBackend)) add(h);
    }
    for (const p of objectsOf(resources, "ClientTrafficPolicy")) {
        for (const h of asList(asObject(asObject(p.spec.headers).earlyRequestHeaders).set)) add(asObject(h).name);
    }
    return out;
}

/** Headers whose client copies the gateway removes before anything reads them. */
function strippedHeaders(resources: PolicyResource[]): Set<string> {
    const out = new Set<string>();
    for (const p of objectsOf(resources, "ClientTrafficPolicy")) {
        for (const h of asList(asObject(asObject(p.spec.headers).earlyRequestHeaders).remove)) if (typeof h === "string") out.add(h.toLowerCase());
    }
    return out;
}

export const budgetsOnVerifiedIdentity: StackValidationPolicy = {
    name: "budgets-on-verified-identity",
    description: "Rate-limit budgets select clients only by headers the gateway sets from verified identity, with the clients' own copies removed.",
    validateStack: ({ resources }, report) => {
        const verified = verifiedHeaders(resources);
        const stripped = strippedHeaders(resources);
        for (const policy of objectsOf(resources, "BackendTrafficPolicy")) {
            const rateLimit = asObject(policy.spec.rateLimit);
            const rules = [...asList(asObject(rateLimit.global).rules), ...asList(asObject(rateLimit.local).rules)];
            const headers = new Set<string>();
            for (const rule of rules) for (const selector of asList(asObject(rule).clientSelectors)) for (const h of asList(asObject(selector).headers)) {
                const name = asString(asObject(h).name)?.toLowerCase();
                if (name && !GATEWAY_DERIVED.test(name)) headers.add(name);
            }
            for (const header of [...headers].sort()) {
                if (!verified.has(header)) {
                    report(`${id(policy)} counts budgets per ${header}, which no client authentication sets: any client can pick its own budget; set ai-gateway:auth so that it fills ${header} from a verified identity`);
                } else if (!stripped.has(header)) {
                    report(`${id(policy)} counts budgets per ${header}, whose client copy the gateway does not remove first; keep gateway.clientTraffic enabled`);
                }
            }
        }
    },
};

/** What a credential looks like in text: provider keys, cloud keys, private keys, bearer tokens, URL passwords. */
const CREDENTIAL_PATTERNS: readonly [string, RegExp][] = [
    ["an OpenAI-style API key", /\bsk-[A-Za-z0-9_-]{20,}/],
    ["an Anthropic API key", /\bsk-ant-[A-Za-z0-9_-]{20,}/],
    ["an AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
    ["a Google API key", /\bAIza[0-9A-Za-z_-]{35}\b/],
    ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ["a bearer token", /\bBearer\s+[A-Za-z0-9._~+/=-]{20,}/i],
    ["a password in a URL", /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i],
];

/** Paths of string values under `value` that look like a credential, with what they look like (never the value). */
function credentialPaths(value: unknown, path: string, out: string[]): void {
    if (typeof value === "string") {
        const found = CREDENTIAL_PATTERNS.find(([, pattern]) => pattern.test(value));
        if (found) out.push(`${path || "(value)"} looks like ${found[0]}`);
    } else if (Array.isArray(value)) {
        value.forEach((v, i) => credentialPaths(v, `${path}[${i}]`, out));
    } else if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) credentialPaths(v, path ? `${path}.${k}` : k, out);
    }
}

const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]);

export const noPlainTextCredentials: StackValidationPolicy = {
    name: "no-plain-text-credentials",
    description: "Credentials live only in Kubernetes Secrets fed from ai-gateway:apiKeys, never in other objects, Helm values or annotations.",
    validateStack: ({ resources }, report) => {
        for (const r of resources) {
            // A Secret holds credentials by design; a provider's own settings (a kubeconfig) are the engine's. The
            // program's components hold only their children's outputs (checked on the children), some of them not
            // known until deployment: reading those would stop the policy during a preview. So do the stack's outputs.
            if (r.type === "kubernetes:core/v1:Secret" || r.type.startsWith("pulumi:providers:") || r.type.startsWith("ai-gateway:") || r.type === "pulumi:pulumi:Stack") continue;
            const found: string[] = [];
            // A Helm release's or chart's inputs that can hold a credential; its outputs (the release's status, the
            // chart's objects, checked as children) are not known in a preview.
            const props = HELM_TYPES.has(r.type) ? { values: r.props.values, repositoryOpts: r.props.repositoryOpts } : r.props;
            credentialPaths(props, "", found);
            for (const f of found) report(`${r.type} ${r.name}: ${f}, in plain text; keep it in ai-gateway:apiKeys (pulumi config set --secret --path 'apiKeys.<name>' ...) and refer to it by name`);
        }
    },
};

export const GUARDRAILS: StackValidationPolicy[] = [externalBackendTls, exposedGatewayAuth, budgetsOnVerifiedIdentity, noPlainTextCredentials];

