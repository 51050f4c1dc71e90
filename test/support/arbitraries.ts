/**
 * fast-check generators of raw stack configuration (what Pulumi.<stack>.yaml holds under ai-gateway:):
 * valid ones across every key, and single mutations that make one invalid.
 */
import fc from "fast-check";

type Raw = Record<string, unknown>;

/** Names a plain JavaScript object already has (inherited): they must work as names like any other. */
const INHERITED_NAMES = ["constructor", "toString", "valueOf", "hasOwnProperty", "__defineGetter__", "isPrototypeOf"];

/** Model names as clients send them, with the characters that make naming hard. */
const modelName = fc.oneof(
    fc.constantFrom("gpt-4o-mini", "gpt-4.1", "Qwen/Qwen3-1.7B", "anthropic.claude-3-haiku-20240307-v1:0", "llama3.1:8b", "Mixtral-8x7B", "openai/gpt-oss-20b"),
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9._:/-]{0,30}$/),
    fc.constantFrom(...INHERITED_NAMES),
);

/** Backend keys: free-form config keys (they are sanitised into Kubernetes names). */
const backendKey = fc.oneof({ arbitrary: fc.stringMatching(/^[a-z]([a-z0-9-]{0,13}[a-z0-9])?$/), weight: 4 }, fc.constantFrom(...INHERITED_NAMES));

const window = fc.constantFrom("1s", "1m", "1h", "1d");
const budgets = fc.record(
    { requests: fc.array(fc.record({ limit: fc.integer({ min: 1, max: 100000 }), window }), { maxLength: 2 }), tokens: fc.array(fc.record({ limit: fc.integer({ min: 1, max: 1000000 }), window }), { maxLength: 2 }) },
    { requiredKeys: [] },
).map((b) => ({
    // One limit per window in a budget.
    ...(b.requests ? { requests: uniqueBy(b.requests, (x) => x.window) } : {}),
    ...(b.tokens ? { tokens: uniqueBy(b.tokens, (x) => x.window) } : {}),
}));

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
    const seen = new Set<string>();
    return items.filter((t) => !seen.has(key(t)) && seen.add(key(t)) !== undefined);
}

interface BackendKind {
    backend: Raw;
    secret?: string;
    aws?: boolean;
}

/** A DNS label made of a backend key, for the host names the generated backends use. */
const dnsPart = (key: string) => key.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "b";

/** A backend of one of the kinds the product supports, with the secret it needs. */
const backendOf = (key: string): fc.Arbitrary<BackendKind> =>
    fc.oneof(
        fc.record({ port: fc.constantFrom(80, 8000, 8080), ns: fc.constantFrom("default", "kserve", "models") }).map(({ port, ns }) => ({
            backend: { schema: "OpenAI", hostname: `${dnsPart(key)}-predictor.${ns}.svc.cluster.local`, port },
        })),
        fc.constant({ backend: { schema: "OpenAI", hostname: "api.openai.com", prefix: "/v1", auth: { type: "APIKey", secret: `${key}-key` } }, secret: `${key}-key` }),
        fc.constant({ backend: { schema: "Anthropic", hostname: "api.anthropic.com", auth: { type: "AnthropicAPIKey", secret: `${key}-key` } }, secret: `${key}-key` }),
        fc.constant({
            backend: { schema: "AzureOpenAI", version: "2025-01-01-preview", hostname: `${dnsPart(key)}.openai.azure.com`, auth: { type: "AzureAPIKey", secret: `${key}-key` } },
            secret: `${key}-key`,
        }),
        fc.constant({
            backend: { schema: "GCPVertexAI", hostname: "us-central1-aiplatform.googleapis.com", auth: { type: "GCPCredentials", projectName: "proj", region: "us-central1", secret: `${key}-sa` } },
            secret: `${key}-sa`,
        }),
        fc.constant({ backend: { schema: "AWSBedrock", auth: { type: "AWSCredentials" } }, aws: true }),
    );

const gatewayArb = fc.record({
    https: fc.boolean(),
    replicas: fc.integer({ min: 1, max: 5 }),
    hpa: fc.boolean(),
    pdb: fc.boolean(),
    serviceType: fc.constantFrom("LoadBalancer", "NodePort", "ClusterIP"),
    logLevel: fc.constantFrom("debug", "info", "warn", "error"),
    clientTraffic: fc.boolean(),
    gatewayConfig: fc.boolean(),
    gatewayClass: fc.boolean(),
    name: fc.constantFrom("ai-gateway", "edge", "llm-gw"),
    namespace: fc.constantFrom("ai-gateway", "llm", "gateway-prod"),
});

/** A complete valid configuration. */
export const validConfig: fc.Arbitrary<Raw> = fc
    .record({
        gateway: gatewayArb,
        backendKeys: fc.uniqueArray(backendKey, { minLength: 2, maxLength: 6 }),
        models: fc.uniqueArray(modelName, { maxLength: 20, selector: (m) => m.toLowerCase() }),
        rateLimit: fc.boolean(),
        jwt: fc.boolean(),
        traffic: fc.boolean(),
        observability: fc.boolean(),
        seed: fc.integer({ min: 0, max: 1 << 30 }),
        budgets: fc.array(budgets, { minLength: 20, maxLength: 20 }),
        fallback: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        // Prices for every model a backend receives and a spend budget per user; provider quotas.
        spend: fc.boolean(),
        quotas: fc.boolean(),
        price: fc.record({ input: fc.integer({ min: 0, max: 1_000_000 }), output: fc.integer({ min: 0, max: 1_000_000 }), cached: fc.option(fc.integer({ min: 0, max: 1_000_000 })) }),
    })
    .chain((c) =>
        fc.tuple(...c.backendKeys.map((k) => backendOf(k))).map((kinds) => {
            const backends: Raw = {};
            const apiKeys: Raw = {};
            let aws = false;
            c.backendKeys.forEach((k, i) => {
                backends[k] = kinds[i].backend;
                if (kinds[i].secret) apiKeys[kinds[i].secret!] = `secret-value-${i}`;
                aws ||= kinds[i].aws === true;
            });
            const models: Raw = {};
            // Prices in millionths of a USD per 1M tokens, the finest a price takes.
            const price = { input: c.price.input / 1e6, output: c.price.output / 1e6, ...(c.price.cached !== null && { cachedInput: c.price.cached / 1e6 }) };
            const priceOf = (key: string, name: string) => {
                const b = backends[key] as Raw;
                b.prices = { ...(b.prices as Raw | undefined), [name]: price };
            };
            c.models.forEach((m, i) => {
                const a = c.backendKeys[(c.seed + i) % c.backendKeys.length];
                const b = c.backendKeys[(c.seed + i + 1) % c.backendKeys.length];
                models[m] = {
                    backends: [
                        { backend: a, model: `${m}-a`, weight: 70 },
                        c.fallback[i] ? { backend: b, model: `${m}-b`, priority: 1 } : { backend: b, weight: 30 },
                    ],
                    ...(c.rateLimit && (c.budgets[i].requests || c.budgets[i].tokens) ? { rateLimit: c.budgets[i] } : {}),
                };
                if (c.rateLimit && c.spend) {
                    priceOf(a, `${m}-a`);
                    priceOf(b, c.fallback[i] ? `${m}-b` : m);
                }
                if (c.quotas) {
                    const q = backends[a] as Raw;
                    q.quotas = { ...(q.quotas as Raw | undefined), [`${m}-a`]: i % 2 === 0 ? [{ limit: 100000, window: "1m" }] : [{ limit: 5000000, window: "1d", type: "total", shadow: true }] };
                }
            });
            const g = c.gateway;
            const raw: Raw = {
                gateway: {
                    name: g.name,
                    namespace: g.namespace,
                    // Client credentials never cross plain HTTP where an HTTPS listener is there to take them.
                    ...(g.https && { redirectToHttps: true }),
                    listeners: [
                        { name: "http", protocol: "HTTP", port: 80 },
                        ...(g.https ? [{ name: "https", protocol: "HTTPS", port: 443, hostname: "llm.example.com", tls: { certificateRefs: [{ name: `${g.name}-tls` }] } }] : []),
                    ],
                    envoyProxy: {
                        replicas: g.replicas,
                        service: { type: g.serviceType },
                        logging: { level: g.logLevel },
                        ...(g.hpa ? { hpa: { enabled: true, minReplicas: g.replicas, maxReplicas: g.replicas + 3 } } : {}),
                        ...(g.pdb && g.replicas > 1 ? { pdb: { enabled: true, maxUnavailable: 1 } } : {}),
                    },
                    // With client auth, the ClientTrafficPolicy removes the identity headers clients send.
                    clientTraffic: { enabled: g.clientTraffic || c.jwt },
                    gatewayClass: { enabled: g.gatewayClass },
                    gatewayConfig: { enabled: g.gatewayConfig || c.observability },
                },
                backends,
                models,
                // One bucket for up to 20 models splits into routes by further hash bits.
                routing: { routeBuckets: c.seed % 3 === 0 ? 1 : 64 },
                rateLimit: { enabled: c.rateLimit, ...(c.rateLimit && c.spend && c.models.length > 0 && { perUser: { spend: [{ limit: 50, window: "1mo" }] } }) },
                apiKeys,
            };
            if (aws) raw.aws = { region: "us-west-2", eksClusterName: "prod", podIdentity: true };
            // A LoadBalancer in front of provider credentials needs client auth, or the explicit opt-out.
            if (!c.jwt) raw.auth = { none: true };
            if (c.jwt) {
                raw.auth = {
                    jwt: {
                        issuer: "https://auth.example.com",
                        jwksUri: "https://auth.example.com/.well-known/jwks.json",
                        claimToHeaders: [{ claim: "tenant", header: "x-tenant" }],
                        allow: { claim: "tenant", values: ["tenant-a", "tenant-b"] },
                    },
                    // Address lists beside the tenant claim, on every other configuration.
                    ...(c.seed % 2 === 0 ? { ipAllow: ["10.0.0.0/8", "2001:db8::/32"], ipDeny: ["10.13.0.0/16"] } : {}),
                };
            }
            if (c.traffic) raw.traffic = { timeouts: {}, circuitBreaker: {}, healthCheck: { passive: {} } };
            if (c.observability) raw.observability = { accessLog: { format: "json" }, metrics: { prometheus: true } };
            return raw;
        }),
    );

/** One mistake, and the config path its problem must name. */
interface Mutation {
    path: RegExp;
    apply(raw: Raw): Raw;
}

const clone = (raw: Raw): Raw => JSON.parse(JSON.stringify(raw)) as Raw;
const firstKey = (map: unknown) => Object.keys(map as Raw)[0];

const MUTATIONS: Mutation[] = [
    { path: /^ai-gateway:modles$/, apply: (r) => ({ ...r, modles: {} }) },
    { path: /^gateway\.listeners\[0\]\.port$/, apply: (r) => withPath(r, ["gateway", "listeners", 0, "port"], 70000) },
    { path: /^gateway\.envoyProxy\.replicas$/, apply: (r) => withPath(r, ["gateway", "envoyProxy", "replicas"], 0) },
    { path: /^backends\..+\.hostname$/, apply: (r) => withPath(r, ["backends", firstKey(r.backends), "hostname"], "https://api.example.com/v1") },
    { path: /^backends\..+\.schema$/, apply: (r) => withPath(r, ["backends", firstKey(r.backends), "schema"], "OpenAl") },
    { path: /^backends\..+\.port$/, apply: (r) => withPath(r, ["backends", firstKey(r.backends), "port"], -1) },
    {
        path: /^models\..+\.backends\[0\]\.backend$/,
        apply: (r) => withPath(r, ["models", "added-model"], { backends: [{ backend: "no-such-backend" }, { backend: firstKey(r.backends) }] }),
    },
    {
        path: /^models\..+\.backends\[0\]\.weight$/,
        apply: (r) => withPath(r, ["models", "added-model"], { backends: [{ backend: firstKey(r.backends), weight: -5 }, { backend: Object.keys(r.backends as Raw)[1] }] }),
    },
    {
        path: /^models\..+\.rateLimit\.requests\[0\]\.window$/,
        apply: (r) =>
            withPath(withPath(r, ["rateLimit", "enabled"], true), ["models", "added-model"], {
                backends: [{ backend: firstKey(r.backends) }, { backend: Object.keys(r.backends as Raw)[1] }],
                rateLimit: { requests: [{ limit: 10, window: "5m" }] },
            }),
    },
    { path: /^retry\.perRetryTimeout$/, apply: (r) => withPath(r, ["retry", "perRetryTimeout"], "30 seconds") },
    { path: /^platform\.redis\.namespace$/, apply: (r) => withPath(r, ["platform", "redis", "namespace"], "Redis_System") },
    { path: /^auth\.jwt\.jwksUri$/, apply: (r) => withPath(r, ["auth"], { jwt: { issuer: "https://a.example.com", jwksUri: "http://a.example.com/jwks.json" } }) },
    {
        path: /^backends\.added\.auth\.secret$/,
        apply: (r) => withPath(r, ["backends", "added"], { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "never-set" } }),
    },
    // A key JavaScript objects reserve, where names go: refused, never swallowed.
    { path: /^models\.__proto__$/, apply: (r) => withPath(r, ["models", "__proto__"], { backends: [{ backend: firstKey(r.backends) }, { backend: Object.keys(r.backends as Raw)[1] }] }) },
    { path: /^backends\.__proto__$/, apply: (r) => withPath(r, ["backends", "__proto__"], { schema: "OpenAI", hostname: "x.models.svc.cluster.local", port: 80 }) },
    // Huge numbers: refused at once, never an allocation or a loop of that size.
    {
        path: /^models\.added-model\.backends\[1\]\.priority$/,
        apply: (r) => withPath(r, ["models", "added-model"], { backends: [{ backend: firstKey(r.backends) }, { backend: Object.keys(r.backends as Raw)[1], priority: 200_000_000 }] }),
    },
    { path: /^retry\.numRetries$/, apply: (r) => withPath(r, ["retry", "numRetries"], 1e12) },
    { path: /^gateway\.envoyProxy\.replicas$/, apply: (r) => withPath(r, ["gateway", "envoyProxy", "replicas"], 2 ** 40) },
    { path: /^rateLimit\.global\.requests\[0\]\.limit$/, apply: (r) => withPath(r, ["rateLimit", "global"], { requests: [{ limit: 1e15, window: "1m" }] }) },
    // Long strings.
    {
        path: /^models\["?x{5000}"?\]$|^models\.x{5000}$/,
        apply: (r) => withPath(r, ["models", "x".repeat(5000)], { backends: [{ backend: firstKey(r.backends) }, { backend: Object.keys(r.backends as Raw)[1] }] }),
    },
    { path: /^auth\.ipAllow\[0\]$/, apply: (r) => withPath(r, ["auth"], { ipAllow: ["10.0.0.1"] }) },
    { path: /^auth\.extAuth\.url$/, apply: (r) => withPath(r, ["auth"], { extAuth: { url: "https://authz.example.com/check" } }) },
    { path: /^auth\.clientCertificates\.ca\.pem$/, apply: (r) => withPath(r, ["auth"], { clientCertificates: { ca: { pem: "-----BEGIN PRIVATE KEY-----" } } }) },
    { path: /^auth\.cors\.allowOrigins\[0\]$/, apply: (r) => withPath(r, ["auth"], { cors: { allowOrigins: [`https://${"a".repeat(40)}!`] } }) },
];

function withPath(raw: Raw, path: (string | number)[], value: unknown): Raw {
    const out = clone(raw);
    let node: Record<string | number, unknown> = out;
    for (const seg of path.slice(0, -1)) {
        if (typeof node[seg] !== "object" || node[seg] === null) node[seg] = {};
        node = node[seg] as Record<string | number, unknown>;
    }
    // defineProperty: an assignment to "__proto__" would set the prototype instead of adding the key.
    Object.defineProperty(node, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
    return out;
}

/** A valid configuration with one mistake, and the path the refusal must name. */
export const invalidConfig: fc.Arbitrary<{ raw: Raw; path: RegExp }> = fc
    .tuple(validConfig, fc.integer({ min: 0, max: MUTATIONS.length - 1 }))
    .map(([raw, i]) => ({ raw: MUTATIONS[i].apply(raw), path: MUTATIONS[i].path }));
