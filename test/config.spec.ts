import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig, parseConfig } from "../plan";
import { configProblems, valueOf, WITH_BUDGET } from "./harness";
import { mocks } from "./setup";

const openai = { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } };
const local = (host: string) => ({ schema: "OpenAI", hostname: host, port: 80 });

describe("config: defaults", () => {
    it("an empty stack gets the pinned platform and one HTTP listener", () => {
        const c = parseConfig({});
        assert.deepEqual(c.platform.envoyGateway, { install: true, version: "v1.8.3", namespace: "envoy-gateway-system", values: {} });
        assert.deepEqual(c.platform.aiGateway, { install: true, version: "v1.1.0", namespace: "envoy-ai-gateway-system", values: {}, mcpSeedRotation: 0, controller: {} });
        assert.equal(c.platform.redis.namespace, "redis-system");
        assert.equal(c.platform.redis.image, "redis:8.2-alpine");
        assert.deepEqual(c.gateway.listeners, [{ name: "http", protocol: "HTTP", port: 80 }]);
        assert.equal(c.gateway.clientTraffic.bufferLimit, "50Mi");
        assert.equal(c.routing.minBackendsPerModel, 2);
        assert.deepEqual(c.retry, {
            numRetries: 3,
            numAttemptsPerPriority: 1,
            perRetryTimeout: "30s",
            backOff: { baseInterval: "100ms", maxInterval: "10s" },
            retryOn: { httpStatusCodes: [500, 502, 503, 504, 404], triggers: ["connect-failure", "retriable-status-codes"] },
        });
        assert.deepEqual(c.rateLimit, { enabled: true, userHeader: "x-user-id", tokenType: "total", failClosed: false, scope: "models" });
    });

    it("a backend on port 443 defaults nothing else away", () => {
        const c = parseConfig({ backends: { openai: { schema: "OpenAI", hostname: "api.openai.com" } } });
        assert.equal(c.backends.openai.port, 443);
    });
});

describe("config: every problem at once, each with path and fix", () => {
    it("reports problems in several keys together", () => {
        const problems = configProblems({
            modles: {},
            platform: { envoyGateway: { version: "latest" } },
            backends: { openai: { ...openai, schema: "OpenAl" } },
            gateway: { listeners: [{ name: "http", protocol: "HTTP", port: 0 }] },
        });
        assert.deepEqual(problems.sort(), [
            'ai-gateway:modles: unknown key; did you mean "ai-gateway:models"?',
            'backends.openai.schema: "OpenAl" is not allowed; did you mean "OpenAI"?',
            "gateway.listeners[0].port: is out of range; use a port from 1 to 65535",
            "platform.envoyGateway.version: is not a chart version; use a release tag such as v1.8.3",
        ]);
    });

    it("the thrown error is a RunError whose message lists every problem", () => {
        try {
            parseConfig({ routing: { minBackendsPerModel: 0 }, retry: { perRetryTimeout: "30 seconds" } });
            assert.fail("accepted");
        } catch (e) {
            assert.ok(e instanceof ConfigError);
            assert.ok(pulumi.RunError.isInstance(e), "RunError: pulumi prints it without a stack trace");
            assert.match(e.message, /2 problems/);
            assert.match(e.message, /routing\.minBackendsPerModel: must be at least 1/);
            assert.match(e.message, /retry\.perRetryTimeout: is not a duration; use a value such as 30s/);
        }
    });

    it("unknown nested keys get a did-you-mean, or the allowed keys", () => {
        assert.deepEqual(configProblems({ gateway: { envoyProxy: { replcas: 2 } } }), ['gateway.envoyProxy.replcas: unknown key; did you mean "replicas"?']);
        const [p] = configProblems({ platform: { redis: { zzz: true } } });
        assert.match(p, /^platform\.redis\.zzz: unknown key; use one of "install", "namespace"/);
    });

    it("wrong types say what was given and what is expected", () => {
        assert.deepEqual(configProblems({ gateway: { envoyProxy: { replicas: "two" } } }), [
            'gateway.envoyProxy.replicas: must be a number, got string "two"; change it to a number',
        ]);
        assert.deepEqual(configProblems({ backends: { b: { hostname: "x.example.com" } } }), [
            'backends.b.schema: is required; use one of "OpenAI", "AWSBedrock", "AWSAnthropic", "AzureOpenAI", "GCPVertexAI", "GCPAnthropic", "Anthropic", "Cohere"',
        ]);
    });

    it("a broken key does not hide cross-field problems of the others", () => {
        const problems = configProblems({
            gateway: { listeners: [{ name: "http", protocol: "HTTP", port: 0 }] },
            backends: { a: { schema: "OpenAI", hostname: "a.default.svc.cluster.local", port: 80 } },
            models: { m: { backends: [{ backend: "nope" }, { backend: "a" }] } },
        });
        assert.deepEqual(problems, [
            "gateway.listeners[0].port: is out of range; use a port from 1 to 65535",
            'models.m.backends[0].backend: no backend "nope"; use a backend of ai-gateway:backends: "a"',
        ]);
    });

    it("a rule that reads a broken key is skipped, so it reports nothing false", () => {
        const problems = configProblems({
            backends: { a: { schema: "OpenAl", hostname: "a.default.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.default.svc.cluster.local", port: 80 } },
            models: { m: { backends: [{ backend: "a" }, { backend: "b" }] } },
        });
        assert.deepEqual(problems, ['backends.a.schema: "OpenAl" is not allowed; did you mean "OpenAI"?']);
    });

    it("keys with dots are quoted in paths, as pulumi config --path spells them", () => {
        const [p] = configProblems({ backends: { "gpt-4.1": { schema: "Nope", hostname: "a.b" } } });
        assert.match(p, /^backends\["gpt-4\.1"\]\.schema: /);
    });
});

describe("config: values", () => {
    it("a URL where a host name belongs", () => {
        assert.deepEqual(configProblems({ backends: { openai: { ...openai, hostname: "https://api.openai.com/v1" } } }), [
            'backends.openai.hostname: "https://api.openai.com/v1" is a URL, a host name belongs here; use "api.openai.com" (and set port/prefix separately)',
        ]);
    });

    it("ports out of range", () => {
        assert.deepEqual(configProblems({ backends: { b: { ...local("b.default.svc"), port: 70000 } } }), [
            "backends.b.port: is out of range; use a port from 1 to 65535",
        ]);
    });

    it("namespaces must be DNS labels", () => {
        assert.deepEqual(configProblems({ platform: { redis: { namespace: "Redis_System" } } }), [
            "platform.redis.namespace: is not a DNS-1123 label; use lower-case letters, digits and '-', starting and ending with a letter or digit",
        ]);
    });

    it("Redis must be an official 8.x image", () => {
        assert.deepEqual(configProblems({ platform: { redis: { image: "redis:7.2" } } }), [
            "platform.redis.image: must be an official Redis 8 image; use redis:8.2-alpine or a newer 8.x tag",
        ]);
        assert.equal(parseConfig({ platform: { redis: { image: "redis:8.4.1-alpine" } } }).platform.redis.image, "redis:8.4.1-alpine");
    });

    it("unknown auth type with a did-you-mean", () => {
        assert.deepEqual(configProblems({ backends: { openai: { ...openai, auth: { type: "APIKy", secret: "openai" } } }, apiKeys: { openai: "k" } }), [
            'backends.openai.auth.type: "APIKy" is not known; did you mean "APIKey"?',
        ]);
    });

    it("quantities must parse", () => {
        assert.deepEqual(configProblems({ gateway: { clientTraffic: { bufferLimit: "50 MB" } } }), [
            "gateway.clientTraffic.bufferLimit: is not a Kubernetes quantity; use a value such as 50Mi, 1Gi, 500m or 2",
        ]);
    });

    it("rate-limit windows are one whole unit, with the nearest suggested", () => {
        const budget = (window: string) => ({
            backends: { a: local("a.default.svc"), b: local("b.default.svc") },
            models: { m: { backends: [{ backend: "a" }, { backend: "b" }], rateLimit: { requests: [{ limit: 10, window }] } } },
        });
        assert.deepEqual(configProblems(budget("5m")), [
            'models.m.rateLimit.requests[0].window: "5m" is not one whole unit: Envoy Gateway counts per one second, minute, hour, day, month or year; use window 1m with limit 2 (the same rate)',
        ]);
        assert.match(configProblems(budget("90m"))[0], /use window 1h with limit 7 \(the same rate\)$/);
        assert.match(configProblems(budget("30d"))[0], /use window 1mo with limit 10 /);
        assert.deepEqual(configProblems(budget("1w")), [
            'models.m.rateLimit.requests[0].window: "1w" is not one whole unit: Envoy Gateway has no week unit; use window 1mo with limit 43 (the same rate)',
        ]);
        assert.deepEqual(configProblems(budget("5 minutes")), ['models.m.rateLimit.requests[0].window: "5 minutes" is not a window; use 1s, 1m, 1h, 1d, 1mo or 1y']);
        assert.deepEqual(configProblems(budget("0m")), ['models.m.rateLimit.requests[0].window: "0m" is not a window; use 1s, 1m, 1h, 1d, 1mo or 1y']);
        for (const w of ["1s", "1m", "1h", "1d", "1mo", "1y"]) assert.doesNotThrow(() => parseConfig(budget(w)), w);
    });
});

describe("config: cross-field rules", () => {
    const two = { a: local("qwen-a.default.svc.cluster.local"), b: local("qwen-b.default.svc.cluster.local") };

    it("a model naming an unknown backend gets a did-you-mean", () => {
        const problems = configProblems({
            backends: { "qwen-primary": two.a, "qwen-secondary": two.b },
            models: { "virtual-qwen-model": { backends: [{ backend: "qwen-primary" }, { backend: "qwen-secundary" }] } },
        });
        assert.deepEqual(problems, ['models.virtual-qwen-model.backends[1].backend: no backend "qwen-secundary"; did you mean "qwen-secondary"?']);
    });

    it("the same backend twice in one model with the same model", () => {
        const problems = configProblems({ backends: two, models: { m: { backends: [{ backend: "a" }, { backend: "b" }, { backend: "a" }] } } });
        assert.deepEqual(problems, ['models.m.backends[2].backend: backend "a" is already listed at backends[0]; list each backend and model pair once (the same backend again needs another model)']);
        const same = configProblems({ backends: two, models: { m: { backends: [{ backend: "a", model: "x" }, { backend: "b" }, { backend: "a", model: "x", priority: 1 }] } } });
        assert.deepEqual(same, ['models.m.backends[2].backend: backend "a" with model "x" is already listed at backends[0]; list each backend and model pair once (the same backend again needs another model)']);
    });

    it("the same backend twice with different models: a fallback to a cheaper model at the same provider", () => {
        const c = parseConfig({ backends: two, models: { m: { backends: [{ backend: "a", model: "gpt-4o" }, { backend: "b" }, { backend: "a", model: "gpt-4o-mini", priority: 1 }] } } });
        assert.deepEqual(c.models.m.backends.map((b) => [b.backend, b.model]), [["a", "gpt-4o"], ["b", undefined], ["a", "gpt-4o-mini"]]);
    });

    it("too few backends for high availability, and the setting that changes it", () => {
        assert.deepEqual(configProblems({ backends: two, models: { m: { backends: [{ backend: "a" }] } } }), [
            "models.m.backends: has 1 backend(s), at least 2 are required to keep the model available; add backends or lower ai-gateway:routing.minBackendsPerModel",
        ]);
        assert.doesNotThrow(() => parseConfig({ backends: two, routing: { minBackendsPerModel: 1 }, models: { m: { backends: [{ backend: "a" }] } } }));
    });

    it("a secret missing from apiKeys names the command that sets it", () => {
        assert.deepEqual(configProblems({ backends: { openai } }), [
            `backends.openai.auth.secret: names secret "openai", which is not in ai-gateway:apiKeys; run: pulumi config set --secret --path 'apiKeys.openai' <value>`,
        ]);
        assert.deepEqual(configProblems({ backends: { openai }, apiKeys: { opena: "sk-x" } }), [
            `backends.openai.auth.secret: names secret "openai", which is not in ai-gateway:apiKeys (did you mean "opena"?); run: pulumi config set --secret --path 'apiKeys.openai' <value>`,
        ]);
    });

    it("an apiKeys entry that is not a string is refused without echoing it", () => {
        const problems = configProblems({ apiKeys: { openai: { nested: "sk-do-not-print" } } });
        assert.deepEqual(problems, ["apiKeys.openai: must be a non-empty string; run: pulumi config set --secret --path 'apiKeys.openai' <value>"]);
        assert.ok(!problems.join("\n").includes("sk-do-not-print"));
    });

    it("an existing Redis needs a host when a budget is set", () => {
        assert.deepEqual(configProblems({ ...WITH_BUDGET, platform: { redis: { install: false } } }), [
            "platform.redis.host: is required when platform.redis.install is false and a rate-limit budget is set; set the host name of your Redis (or host:port as platform.redis.url), or set rateLimit.enabled: false",
        ]);
        assert.doesNotThrow(() => parseConfig({ platform: { redis: { install: false } }, rateLimit: { enabled: false } }));
        // On without a budget: nothing to count, so no Redis is needed.
        assert.doesNotThrow(() => parseConfig({ platform: { redis: { install: false } } }));
        assert.deepEqual(configProblems({ platform: { redis: { host: "redis.example.com" } } }), [
            "platform.redis: host, url and passwordSecret describe an existing Redis, but install is true; remove them or set install: false",
        ]);
    });
});

describe("config: apiKeys stay secret", () => {
    it("values come out as secret Outputs, and only names are kept in plain text", async () => {
        const c = parseConfig({ apiKeys: { openai: "sk-known-value-123" } });
        assert.deepEqual(c.apiKeys.names, ["openai"]);
        const key = c.apiKeys.secret("openai");
        assert.equal(await pulumi.isSecret(key), true);
        assert.equal(await valueOf(key), "sk-known-value-123");
        assert.ok(!JSON.stringify({ ...c, apiKeys: c.apiKeys.names }).includes("sk-known-value-123"));
    });
});

describe("config: loadConfig reads the running stack", () => {
    afterEach(() => pulumi.runtime.setAllConfig({}, []));

    it("reads every ai-gateway:* key, JSON-parses structured values and ignores other namespaces", () => {
        pulumi.runtime.setAllConfig(
            {
                "ai-gateway:gateway": JSON.stringify({ name: "edge", namespace: "edge" }),
                "ai-gateway:apiKeys": JSON.stringify({ openai: "sk-1" }),
                "kubernetes:context": "kind-dev",
            },
            ["ai-gateway:apiKeys"],
        );
        const warnings: string[] = [];
        const c = loadConfig((w) => warnings.push(w));
        assert.equal(c.gateway.name, "edge");
        assert.deepEqual(c.apiKeys.names, ["openai"]);
        assert.equal(warnings.length, 1, "the LoadBalancer on a kind context");
        void mocks;
    });

    it("a misspelt top-level key stops the program", () => {
        pulumi.runtime.setAllConfig({ "ai-gateway:modles": JSON.stringify({}) }, []);
        assert.throws(() => loadConfig(), /ai-gateway:modles: unknown key; did you mean "ai-gateway:models"\?/);
    });
});

describe("config: warnings", () => {
    it("loadConfig hands every warning to its sink (pulumi.log.warn during pulumi up) and still returns the config", () => {
        const backends = { a: { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.models.svc.cluster.local", port: 80 } };
        pulumi.runtime.setAllConfig({
            "ai-gateway:backends": JSON.stringify(backends),
            "ai-gateway:models": JSON.stringify({ m: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] } }),
            "ai-gateway:retry": JSON.stringify({ numRetries: 5, perRetryTimeout: "30s" }),
            "ai-gateway:gateway": JSON.stringify({ envoyProxy: { service: { type: "NodePort" } } }),
            "kubernetes:context": "kind-dev",
        });
        const seen: string[] = [];
        const config = loadConfig((w) => seen.push(w));
        assert.deepEqual(seen, config.warnings);
        assert.equal(seen.length, 1);
        assert.match(seen[0], /^ai-gateway:models\.m\.timeouts\.request: /, "a stack file's key");
        pulumi.runtime.setAllConfig({});
    });

    it("a LoadBalancer on a kind cluster is warned: the Gateway would never get an address, and pulumi up would wait for it", () => {
        const warned = (gateway: Record<string, unknown>, context = "kind-dev") => {
            const seen: string[] = [];
            pulumi.runtime.setAllConfig({ "ai-gateway:gateway": JSON.stringify(gateway), "kubernetes:context": context });
            loadConfig((w) => seen.push(w));
            pulumi.runtime.setAllConfig({});
            return seen;
        };
        assert.deepEqual(warned({}), [
            "ai-gateway:gateway.envoyProxy.service.type: LoadBalancer on the kind cluster kind-dev, which has no load balancer: the Gateway gets no address, and pulumi up waits for it (waitUntilProgrammed) until it times out; use type NodePort, as the dev stack does, or run a load balancer such as cloud-provider-kind",
        ]);
        assert.deepEqual(warned({ envoyProxy: { enabled: false, service: { type: "NodePort" } } }), [
            "ai-gateway:gateway.envoyProxy.enabled: false (Envoy Gateway's default Service is a LoadBalancer) on the kind cluster kind-dev, which has no load balancer: the Gateway gets no address, and pulumi up waits for it (waitUntilProgrammed) until it times out; set gateway.envoyProxy.enabled: true with service.type NodePort, as the dev stack does, or run a load balancer such as cloud-provider-kind",
        ]);
        assert.deepEqual(warned({ envoyProxy: { service: { type: "NodePort" } } }), []);
        assert.deepEqual(warned({ waitUntilProgrammed: false }), []);
        assert.deepEqual(warned({}, "arn:aws:eks:us-west-2:123456789012:cluster/prod"), []);
    });

    it("a stack without kubernetes:context (or kubeconfig) is warned: it would deploy to whatever context is current", () => {
        const seen: string[] = [];
        pulumi.runtime.setAllConfig({});
        loadConfig((w) => seen.push(w));
        assert.deepEqual(seen, [
            "kubernetes:context: is not set, so pulumi up deploys to whatever kubectl context is current; pin the stack's cluster: pulumi config set kubernetes:context <context>",
        ]);
        for (const key of ["kubernetes:context", "kubernetes:kubeconfig"]) {
            const none: string[] = [];
            pulumi.runtime.setAllConfig({ [key]: "x" });
            loadConfig((w) => none.push(w));
            assert.deepEqual(none, [], key);
        }
        pulumi.runtime.setAllConfig({});
    });
});
