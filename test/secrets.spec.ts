import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { toJson, toYaml } from "../scripts/format";
import { isSecretValue, MOCK_PASSWORD, RecordedResource } from "../scripts/mocks";
import { evaluate, Evaluation } from "./harness";

/**
 * Every secret the configuration can carry, with a known value each: none may appear anywhere but
 * inside a Kubernetes Secret's data, and there only as a secret value.
 */
const KNOWN = {
    openai: "sk-known-openai-0001",
    azure: "known-azure-key-0002",
    anthropic: "known-anthropic-key-0003",
    azureClient: "known-azure-client-secret-0004",
    gcp: '{"type": "service_account", "private_key": "known-gcp-key-0005"}',
    awsFile: "[default]\naws_access_key_id = AKIAKNOWN0006\naws_secret_access_key = known-aws-0006",
    redis: "known-redis-password-0007",
    otlp: "Authorization=Bearer known-otlp-token-0008",
    teamA: "known-client-api-key-0009",
    githubPat: "known-mcp-github-pat-0010",
    idp: "known-idp-client-secret-0010",
};

export const SECRET_HEAVY_CONFIG: Record<string, unknown> = {
    platform: { redis: { install: false, host: "redis.shared.svc.cluster.local", passwordSecret: "redis" } },
    // A budget, so the Redis password reaches the rate-limit service.
    rateLimit: { global: { requests: [{ limit: 1000, window: "1m" }] } },
    backends: {
        openai: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } },
        azure: { schema: "AzureOpenAI", version: "2025-01-01-preview", hostname: "example.openai.azure.com", auth: { type: "AzureAPIKey", secret: "azure" } },
        anthropic: { schema: "Anthropic", hostname: "api.anthropic.com", auth: { type: "AnthropicAPIKey", secret: "anthropic" } },
        entra: {
            schema: "AzureOpenAI",
            version: "2025-01-01-preview",
            hostname: "entra.openai.azure.com",
            auth: { type: "AzureCredentials", clientID: "client-id", tenantID: "tenant-id", secret: "azureClient" },
        },
        vertex: { schema: "GCPVertexAI", hostname: "us-central1-aiplatform.googleapis.com", auth: { type: "GCPCredentials", projectName: "p", region: "us-central1", secret: "gcp" } },
        bedrock: { schema: "AWSBedrock", auth: { type: "AWSCredentials", region: "us-east-1", credentialsSecret: "awsFile" } },
        // The OIDC client secret of a token exchange, and a per-request key the clients bring (never a stored secret).
        federated: {
            schema: "GCPVertexAI",
            hostname: "us-central1-aiplatform.googleapis.com",
            auth: {
                type: "GCPCredentials",
                projectName: "example-project",
                region: "us-central1",
                workloadIdentityFederation: { projectID: "example-project", poolName: "pool", providerName: "idp-provider", oidcExchange: { issuer: "https://idp.example.com", clientID: "gw", clientSecret: "idp" } },
            },
            credentialOverride: { fromRequestHeaders: { setBy: "client" } },
        },
    },
    models: {
        chat: { backends: [{ backend: "openai" }, { backend: "azure", priority: 1 }, { backend: "entra", priority: 1 }, { backend: "federated", priority: 1 }] },
        claude: { backends: [{ backend: "anthropic" }, { backend: "bedrock", model: "anthropic.claude-3-haiku-20240307-v1:0", priority: 1 }] },
        gemini: { backends: [{ backend: "vertex" }, { backend: "openai", model: "gpt-4o-mini", priority: 1 }] },
    },
    observability: { tracing: { endpoint: "https://otlp.example.com", headersSecret: "otlp", envoy: { enabled: false } } },
    auth: { apiKeys: { clients: { "team-a": "teamA" } } },
    mcp: { servers: { github: { hostname: "api.githubcopilot.com", auth: { type: "APIKey", secret: "githubPat" } } } },
    apiKeys: KNOWN,
};

/** Every string that would betray a secret: the known values and the parts of the multi-line ones. */
const NEEDLES = [...Object.values(KNOWN), "known-gcp-key-0005", "known-aws-0006", "known-otlp-token-0008", MOCK_PASSWORD];

/** The needles found in a text, as written or escaped inside JSON. */
function leaksIn(text: string): string[] {
    return NEEDLES.filter((n) => text.includes(n) || text.includes(JSON.stringify(n).slice(1, -1)));
}

/** Records console output and direct writes to stdout and stderr until the returned function is called. */
function captureOutput(into: string[]): () => void {
    const methods = ["log", "info", "warn", "error", "debug"] as const;
    const saved = methods.map((m) => console[m]);
    const writes = [process.stdout.write, process.stderr.write];
    for (const m of methods) console[m] = (...args: unknown[]) => void into.push(args.map(String).join(" "));
    const tap = (stream: NodeJS.WriteStream, original: typeof process.stdout.write) =>
        ((chunk: unknown, ...rest: unknown[]) => {
            into.push(String(chunk));
            return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
        }) as typeof process.stdout.write;
    process.stdout.write = tap(process.stdout, writes[0]);
    process.stderr.write = tap(process.stderr, writes[1]);
    return () => {
        methods.forEach((m, i) => (console[m] = saved[i]));
        [process.stdout.write, process.stderr.write] = writes;
    };
}

/** Where a secret may legitimately be: inside a Secret's data, wrapped as a secret value. */
function isSecretObject(r: RecordedResource): boolean {
    return r.type === "kubernetes:core/v1:Secret";
}

describe("secrets: known values never appear in plain text", () => {
    let e: Evaluation;
    /** Everything the program printed while it ran: console and the process's own streams. */
    const printed: string[] = [];
    before(async () => {
        const restore = captureOutput(printed);
        try {
            e = await evaluate(SECRET_HEAVY_CONFIG);
        } finally {
            restore();
        }
    });

    it("nothing printed while the program ran holds them (logs)", () => {
        assert.deepEqual(leaksIn(printed.join("\n")), []);
    });

    it("no resource other than a Secret carries a secret, even wrapped (Helm values, ConfigMaps, custom resources)", () => {
        for (const r of e.resources.filter((x) => !isSecretObject(x))) {
            assert.deepEqual(leaksIn(JSON.stringify(r.inputs)), [], `${r.type} ${r.name}`);
        }
    });

    it("inside Secrets, every value is a secret value (never plain stringData or data)", () => {
        const secrets = e.resources.filter(isSecretObject);
        assert.ok(secrets.length >= 10, `expected a Secret per credential, got ${secrets.length}`);
        for (const s of secrets) {
            for (const field of ["stringData", "data"]) {
                const value = s.inputs[field];
                if (value === undefined) continue;
                assert.ok(isSecretValue(value), `${s.name}.${field} is not marked secret`);
            }
        }
        const found = new Set(secrets.flatMap((s) => leaksIn(JSON.stringify(s.inputs))));
        for (const v of Object.values(KNOWN)) assert.ok(found.has(v), `the Secret for ${v.slice(0, 12)}… exists`);
    });

    it("the render output, YAML and JSON, holds none of them", () => {
        assert.deepEqual(leaksIn(toYaml(e.resources)), []);
        assert.deepEqual(leaksIn(toJson(e.resources)), []);
    });

    it("stack outputs hold none of them, and no output is a secret", async () => {
        const outputs = await new Promise<unknown>((resolve) => pulumi.output(e.outputs).apply(resolve));
        assert.deepEqual(leaksIn(JSON.stringify(outputs)), []);
        assert.equal(await pulumi.isSecret(pulumi.output(e.outputs)), false);
    });
});
