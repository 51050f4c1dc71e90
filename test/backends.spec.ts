import * as assert from "node:assert/strict";
import { parseConfig, type BackendConfig } from "../plan";
import { backendObjects, BackendObjects, SECRET_KEYS } from "../components/manifests/backends";
import { backendNames } from "../plan/names";
import { configProblems } from "./harness";
import { crdProblems } from "./support/manifests";

// Pure backend builders: what one entry of ai-gateway:backends becomes. No Pulumi here.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const gateway = { name: "ai-gateway", namespace: "ai-gateway" };

/** A backend parsed the way the program sees it, with every secret it names set. */
function backend(raw: Record<string, unknown>, extra: Record<string, unknown> = {}): BackendConfig {
    const auth = raw.auth as { secret?: string; credentialsSecret?: string } | undefined;
    const secret = auth?.secret ?? auth?.credentialsSecret;
    return parseConfig({ backends: { b: raw }, apiKeys: secret ? { [secret]: "value" } : {}, ...extra }).backends.b;
}

// AWS backends on the default credential chain need ai-gateway:aws; its region is the stack's default.
const build = (raw: Record<string, unknown>, key = "openai", awsRegion = "us-east-1") => {
    const config = backend(raw, { aws: { region: awsRegion } });
    return backendObjects({ key, config, gateway, awsRegion, names: backendNames(gateway.name, key, config.auth) });
};

/** CRD problems of every custom resource of a backend. */
const problems = (o: BackendObjects) => crdProblems(o.backend, o.serviceBackend, o.tlsPolicy, o.securityPolicy);

describe("backends: a provider behind TLS with an API key", () => {
    const o = build({ schema: "OpenAI", hostname: "api.openai.com", prefix: "/v1", auth: { type: "APIKey", secret: "openai" } });

    it("Backend: the FQDN endpoint on 443", () => {
        assert.deepEqual(o.backend.metadata, { name: "ai-gateway-openai", namespace: "ai-gateway" });
        assert.deepEqual(o.backend.spec, { endpoints: [{ fqdn: { hostname: "api.openai.com", port: 443 } }] });
    });

    it("AIServiceBackend: schema and prefix, backendRef with kind Backend and group gateway.envoyproxy.io set explicitly", () => {
        assert.deepEqual(o.serviceBackend.spec, {
            schema: { name: "OpenAI", prefix: "/v1" },
            backendRef: { group: "gateway.envoyproxy.io", kind: "Backend", name: "ai-gateway-openai" },
        });
    });

    it("BackendTLSPolicy v1: the host name, system CAs", () => {
        assert.equal(o.tlsPolicy?.apiVersion, "gateway.networking.k8s.io/v1");
        assert.deepEqual(o.tlsPolicy?.metadata, { name: "ai-gateway-openai-tls", namespace: "ai-gateway" });
        assert.deepEqual(o.tlsPolicy?.spec, {
            targetRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: "ai-gateway-openai" }],
            validation: { hostname: "api.openai.com", wellKnownCACertificates: "System" },
        });
    });

    it("BackendSecurityPolicy targets the AIServiceBackend and reads the Secret's apiKey", () => {
        assert.deepEqual(o.securityPolicy?.spec, {
            type: "APIKey",
            targetRefs: [{ group: "aigateway.envoyproxy.io", kind: "AIServiceBackend", name: "ai-gateway-openai" }],
            apiKey: { secretRef: { name: "ai-gateway-openai-apikey", namespace: "ai-gateway" } },
        });
        assert.deepEqual(o.secret, { name: "ai-gateway-openai-apikey", namespace: "ai-gateway", key: "apiKey", apiKey: "openai" });
    });

    it("every object validates against the CRDs", () => {
        assert.deepEqual(problems(o), []);
    });
});

describe("backends: in-cluster model servers", () => {
    it("plain HTTP, no credentials: Backend and AIServiceBackend only", () => {
        const o = build({ schema: "OpenAI", hostname: "qwen-primary-predictor-00001.kserve.svc.cluster.local", port: 80, namespace: "kserve" }, "qwen-primary");
        assert.deepEqual(o.backend.spec.endpoints, [{ fqdn: { hostname: "qwen-primary-predictor-00001.kserve.svc.cluster.local", port: 80 } }]);
        assert.equal(o.backend.metadata.namespace, "ai-gateway", "objects stay in the gateway namespace; DNS reaches the service");
        assert.equal(o.tlsPolicy, undefined);
        assert.equal(o.securityPolicy, undefined);
        assert.equal(o.secret, undefined);
        assert.deepEqual(problems(o), []);
    });

    it("TLS follows the port unless set: on for 443, off elsewhere", () => {
        assert.equal(build({ schema: "OpenAI", hostname: "vllm.models.svc", port: 8443, tls: true }).tlsPolicy?.spec.validation.hostname, "vllm.models.svc");
        assert.equal(build({ schema: "OpenAI", hostname: "proxy.internal", tls: false }).tlsPolicy, undefined);
    });

    it("an IPv4 address becomes an ip endpoint; host names are lower-cased for the CRDs", () => {
        assert.deepEqual(build({ schema: "OpenAI", hostname: "10.0.0.12", port: 8000 }).backend.spec.endpoints, [{ ip: { address: "10.0.0.12", port: 8000 } }]);
        assert.deepEqual(build({ schema: "OpenAI", hostname: "API.OpenAI.com" }).backend.spec.endpoints, [{ fqdn: { hostname: "api.openai.com", port: 443 } }]);
    });
});

describe("backends: credentials by auth type", () => {
    const cases: { name: string; raw: Record<string, unknown>; key: string; policy: Record<string, unknown> }[] = [
        {
            name: "AzureAPIKey",
            raw: { schema: "AzureOpenAI", version: "2025-01-01-preview", hostname: "r.openai.azure.com", auth: { type: "AzureAPIKey", secret: "azure" } },
            key: "apiKey",
            policy: { azureAPIKey: { secretRef: { name: "ai-gateway-b-apikey", namespace: "ai-gateway" } } },
        },
        {
            name: "AnthropicAPIKey",
            raw: { schema: "Anthropic", hostname: "api.anthropic.com", auth: { type: "AnthropicAPIKey", secret: "anthropic" } },
            key: "apiKey",
            policy: { anthropicAPIKey: { secretRef: { name: "ai-gateway-b-apikey", namespace: "ai-gateway" } } },
        },
        {
            name: "AWSCredentials with a credentials file",
            raw: { schema: "AWSBedrock", auth: { type: "AWSCredentials", region: "us-east-1", credentialsSecret: "aws", profile: "bedrock" } },
            key: "credentials",
            policy: { awsCredentials: { region: "us-east-1", credentialsFile: { secretRef: { name: "ai-gateway-b-credentials", namespace: "ai-gateway" }, profile: "bedrock" } } },
        },
        {
            name: "AzureCredentials",
            raw: { schema: "AzureOpenAI", version: "2025-01-01-preview", hostname: "r.openai.azure.com", auth: { type: "AzureCredentials", clientID: "c", tenantID: "t", secret: "azure" } },
            key: "client-secret",
            policy: { azureCredentials: { clientID: "c", tenantID: "t", clientSecretRef: { name: "ai-gateway-b-credentials", namespace: "ai-gateway" } } },
        },
        {
            name: "GCPCredentials with a service-account key",
            raw: { schema: "GCPVertexAI", hostname: "us-central1-aiplatform.googleapis.com", auth: { type: "GCPCredentials", projectName: "p", region: "us-central1", secret: "gcp" } },
            key: "service_account.json",
            policy: { gcpCredentials: { projectName: "p", region: "us-central1", credentialsFile: { secretRef: { name: "ai-gateway-b-credentials", namespace: "ai-gateway" } } } },
        },
    ];
    for (const c of cases) {
        it(`${c.name}: the Secret key the controller reads and the matching policy`, () => {
            const o = build(c.raw, "b");
            assert.equal(o.secret?.key, c.key);
            const { type, targetRefs, ...rest } = o.securityPolicy!.spec;
            assert.equal(type, (c.raw.auth as { type: string }).type);
            assert.deepEqual(targetRefs, [{ group: "aigateway.envoyproxy.io", kind: "AIServiceBackend", name: "ai-gateway-b" }]);
            assert.deepEqual(rest, c.policy);
            assert.deepEqual(problems(o), []);
        });
    }

    it("the Secret keys are the ones the AI Gateway controller reads", () => {
        assert.deepEqual(SECRET_KEYS, {
            APIKey: "apiKey",
            AzureAPIKey: "apiKey",
            AnthropicAPIKey: "apiKey",
            AWSCredentials: "credentials",
            AzureCredentials: "client-secret",
            GCPCredentials: "service_account.json",
        });
    });

    it("AWS without a credentials file: the default chain (Pod Identity), no Secret", () => {
        const o = build({ schema: "AWSBedrock", auth: { type: "AWSCredentials" } }, "bedrock", "us-west-2");
        assert.equal(o.secret, undefined);
        assert.deepEqual(o.securityPolicy?.spec.awsCredentials, { region: "us-west-2" });
        assert.deepEqual(problems(o), []);
    });

    it("GCP without a key: Application Default Credentials, no Secret", () => {
        const o = build({ schema: "GCPAnthropic", hostname: "us-east5-aiplatform.googleapis.com", auth: { type: "GCPCredentials", projectName: "p", region: "us-east5" } }, "claude");
        assert.equal(o.secret, undefined);
        assert.deepEqual(o.securityPolicy?.spec.gcpCredentials, { projectName: "p", region: "us-east5" });
        assert.deepEqual(o.serviceBackend.spec.schema, { name: "GCPAnthropic", version: "vertex-2023-10-16" });
    });
});

describe("backends: AWS defaults", () => {
    it("the Bedrock runtime host of the region, TLS on, from auth.region before ai-gateway:aws.region", () => {
        const o = build({ schema: "AWSBedrock", auth: { type: "AWSCredentials", region: "eu-central-1" } }, "bedrock", "us-west-2");
        assert.deepEqual(o.endpoint, { hostname: "bedrock-runtime.eu-central-1.amazonaws.com", port: 443, tls: true });
        assert.equal(o.tlsPolicy?.spec.validation.hostname, "bedrock-runtime.eu-central-1.amazonaws.com");
        assert.deepEqual(o.securityPolicy?.spec.awsCredentials, { region: "eu-central-1" });
        assert.deepEqual(o.serviceBackend.spec.schema, { name: "AWSBedrock" });
    });

    it("AWSAnthropic gets the bedrock-2023-05-31 schema version unless set", () => {
        const auth = { type: "AWSCredentials", region: "us-east-1" };
        assert.deepEqual(build({ schema: "AWSAnthropic", auth }).serviceBackend.spec.schema, { name: "AWSAnthropic", version: "bedrock-2023-05-31" });
        assert.equal(build({ schema: "AWSAnthropic", version: "bedrock-2024-01-01", auth }).serviceBackend.spec.schema.version, "bedrock-2024-01-01");
    });

    it("Cohere gets the v2 schema version unless set: the AI Gateway's rerank path is /<version>/rerank (Cohere serves /v2/rerank)", () => {
        const auth = { type: "APIKey", secret: "cohere" };
        assert.deepEqual(build({ schema: "Cohere", hostname: "api.cohere.com", auth }).serviceBackend.spec.schema, { name: "Cohere", version: "v2" });
        assert.equal(build({ schema: "Cohere", hostname: "api.cohere.com", version: "v3", auth }).serviceBackend.spec.schema.version, "v3");
    });
});

describe("backends: names", () => {
    it("<gateway>-<backend>, -tls, -apikey / -credentials, -quota, -ca, all DNS labels", () => {
        assert.deepEqual(backendNames("ai-gateway", "openai", { type: "APIKey", secret: "openai" }), {
            backend: "ai-gateway-openai",
            tlsPolicy: "ai-gateway-openai-tls",
            auth: "ai-gateway-openai-apikey",
            quotaPolicy: "ai-gateway-openai-quota",
            caConfigMap: "ai-gateway-openai-ca",
        });
        assert.equal(backendNames("ai-gateway", "bedrock", { type: "AWSCredentials" }).auth, "ai-gateway-bedrock-credentials");
    });

    it("unique and stable for keys with '/', ':', '.' and capitals, and short enough when long", () => {
        const keys = ["Qwen/Qwen3-1.7B", "qwen-qwen3-1-7b", "anthropic.claude-3-haiku-20240307-v1:0", "OpenAI", "openai", "x".repeat(80), "x".repeat(81)];
        const names = keys.map((k) => backendNames("ai-gateway", k, { type: "APIKey", secret: "s" }));
        for (const n of names) for (const v of Object.values(n)) assert.match(v, DNS_LABEL), assert.ok(v.length <= 63, v);
        for (const role of ["backend", "tlsPolicy", "auth", "quotaPolicy"] as const) assert.equal(new Set(names.map((n) => n[role])).size, keys.length, role);
        assert.deepEqual(backendNames("ai-gateway", "Qwen/Qwen3-1.7B", undefined), backendNames("ai-gateway", "Qwen/Qwen3-1.7B", undefined));
    });
});

describe("header and body mutation", () => {
    const raw = (extra: Record<string, unknown>) => ({
        apiKeys: { k: "v" },
        auth: { none: true },
        backends: { o: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "k" }, ...extra }, l: { schema: "OpenAI", hostname: "l.m.svc.cluster.local", port: 80 } },
    });

    it("a backend's headers and body become its AIServiceBackend's headerMutation and bodyMutation (values JSON-encoded)", () => {
        const c = parseConfig(raw({ headers: { set: { "x-org": "platform" }, remove: ["x-debug"] }, body: { set: { service_tier: "default", n: 2, store: false }, remove: ["user"] } }));
        const o = backendObjects({ key: "o", config: c.backends.o, gateway, names: backendNames(gateway.name, "o", c.backends.o.auth) });
        assert.deepEqual(o.serviceBackend.spec.headerMutation, { set: [{ name: "x-org", value: "platform" }], remove: ["x-debug"] });
        assert.deepEqual(o.serviceBackend.spec.bodyMutation, {
            set: [
                { path: "service_tier", value: '"default"' },
                { path: "n", value: "2" },
                { path: "store", value: "false" },
            ],
            remove: ["user"],
        });
        assert.deepEqual(problems(o), []);
        const bare = parseConfig(raw({})).backends.o;
        const plain = backendObjects({ key: "o", config: bare, gateway, names: backendNames(gateway.name, "o", bare.auth) });
        assert.equal(plain.serviceBackend.spec.headerMutation, undefined);
        assert.equal(plain.serviceBackend.spec.bodyMutation, undefined);
    });

    it("refused: the routing, request and credential headers, the model field, more than 16 entries, one name both set and removed", () => {
        const many = Object.fromEntries([...Array(17).keys()].map((i) => [`x-h${i}`, "v"]));
        assert.deepEqual(
            configProblems(raw({ headers: { set: { Authorization: "x", ...many }, remove: ["host", "x-h1"] }, body: { set: { model: "x" }, remove: ["model"] } })),
            [
                "backends.o.headers.set: sets more than 16 headers, the most the AI Gateway takes; set fewer",
                `backends.o.headers.set.Authorization: "Authorization" carries a credential, which only the backend's auth (or ai-gateway:auth) sets; use a header of your own`,
                `backends.o.headers.remove[0]: "host" frames the request itself and must stay as the client and the gateway set it; use a header of your own`,
                `backends.o.headers.remove[1]: "x-h1" is also set; either set it or remove it`,
                "backends.o.body.set.model: is the model name, which the backend's model sets (modelNameOverride); use model there instead",
                `backends.o.body.remove[0]: "model" is the model name, which routing needs; keep it`,
                `backends.o.body.remove[0]: "model" is also set; either set it or remove it`,
            ],
        );
    });
});
