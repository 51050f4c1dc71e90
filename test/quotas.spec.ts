import * as assert from "node:assert/strict";
import { quotaDefinition, quotaPolicySpec } from "../components/manifests/quota";
import { parseConfig } from "../plan";
import { MOCK_PASSWORD, redactSecrets } from "../scripts/mocks";
import { configProblems, controllerValuesBesideSeed, evaluate } from "./harness";
import { catalog } from "./support/conformance";

// Provider quotas (backends.<b>.quotas): the QuotaPolicy on the backend, the quota service that enforces
// it, and what validation refuses.

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const local = (name: string) => ({ schema: "OpenAI", hostname: `${name}.default.svc.cluster.local`, port: 80 });
const stack = (quotas: unknown, extra: Record<string, unknown> = {}) => ({
    backends: { openai: { ...local("openai"), quotas }, spare: local("spare") },
    models: { gpt: { backends: [{ backend: "openai", model: "gpt-4o" }, { backend: "spare", model: "gpt-4o", priority: 1 }] } },
    ...extra,
});

describe("quotas: the QuotaPolicy", () => {
    it("one enforced window is the default bucket, shadow windows are bucket rules in shadow mode, the type is the cost", () => {
        assert.deepEqual(quotaDefinition([{ limit: 2_000_000, window: "1m" }]), { costExpression: "total_tokens", mode: "Shared", defaultBucket: { limit: 2_000_000, duration: "1m" } });
        assert.deepEqual(
            quotaDefinition([
                { limit: 1000, window: "1h", type: "output" },
                { limit: 500, window: "1h", type: "output", shadow: true },
                { limit: 9000, window: "1d", type: "output", shadow: true },
            ]),
            {
                costExpression: "output_tokens",
                mode: "Shared",
                defaultBucket: { limit: 1000, duration: "1h" },
                bucketRules: [
                    { quota: { limit: 500, duration: "1h" }, shadowMode: true },
                    { quota: { limit: 9000, duration: "1d" }, shadowMode: true },
                ],
            },
        );
        assert.deepEqual(quotaDefinition([{ limit: 5, window: "1s", type: "cachedInput", shadow: true }]), {
            costExpression: "cached_input_tokens",
            mode: "Shared",
            bucketRules: [{ quota: { limit: 5, duration: "1s" }, shadowMode: true }],
        });
    });

    it("is emitted on the backend's AIServiceBackend, models in name order, and validates against the pinned CRD", async () => {
        const raw = stack({ "gpt-4o-mini": [{ limit: 10, window: "1d", type: "input", shadow: true }], "gpt-4o": [{ limit: 2_000_000, window: "1m" }] }, {
            models: {
                gpt: { backends: [{ backend: "openai", model: "gpt-4o" }, { backend: "spare", model: "gpt-4o", priority: 1 }] },
                mini: { backends: [{ backend: "openai", model: "gpt-4o-mini" }, { backend: "spare", model: "gpt-4o-mini" }] },
            },
        });
        const e = await evaluate(raw);
        const policy = e.object("QuotaPolicy", "ai-gateway-openai-quota");
        assert.equal(policy.apiVersion, "aigateway.envoyproxy.io/v1alpha1");
        assert.deepEqual(policy.spec, quotaPolicySpec("ai-gateway-openai", parseConfig(raw).backends.openai.quotas!));
        assert.deepEqual(
            (policy.spec.perModelQuotas as { modelName: string }[]).map((q) => q.modelName),
            ["gpt-4o", "gpt-4o-mini"],
        );
        assert.deepEqual(policy.spec.targetRefs, [{ group: "aigateway.envoyproxy.io", kind: "AIServiceBackend", name: "ai-gateway-openai" }]);
        assert.deepEqual(catalog().validate(policy as never), []);
        assert.equal(e.objects("QuotaPolicy").length, 1, "no policy on a backend without quotas");
    });

    it("runs the quota service beside the AI Gateway controller, on the program's Redis, and points the controller at it", async () => {
        const e = await evaluate(stack({ "gpt-4o": [{ limit: 100, window: "1h" }] }));
        const values = e.get(RELEASE, "ai-gateway-release").inputs.values as Values;
        assert.equal(values.controller.quotaRateLimitServiceAddr, "ai-gateway-quota-ratelimit.envoy-ai-gateway-system.svc.cluster.local:8081");
        const service = e.object("Service", "ai-gateway-quota-ratelimit") as Values;
        assert.equal(service.metadata.namespace, "envoy-ai-gateway-system");
        assert.deepEqual(service.spec.ports, [{ name: "grpc", port: 8081, targetPort: "grpc", appProtocol: "grpc" }]);
        const deployment = e.object("Deployment", "ai-gateway-quota-ratelimit") as Values;
        const env = Object.fromEntries((deployment.spec.template.spec.containers[0].env as Values[]).map((v) => [v.name, v.value ?? v.valueFrom]));
        assert.equal(env.REDIS_URL, "redis.redis-system.svc.cluster.local:6379");
        assert.equal(env.CONFIG_TYPE, "GRPC_XDS_SOTW");
        assert.equal(env.CONFIG_GRPC_XDS_NODE_ID, "envoy-ai-gateway-ratelimit");
        assert.equal(env.CONFIG_GRPC_XDS_SERVER_URL, "ai-gateway-controller.envoy-ai-gateway-system.svc.cluster.local:18002");
        // The Redis password reaches the service only through a Secret beside it.
        const secret = e.objects("Secret").find((s) => s.metadata.name === env.REDIS_AUTH.secretKeyRef.name) as Values;
        assert.equal(secret.metadata.namespace, "envoy-ai-gateway-system");
        assert.deepEqual(redactSecrets(secret.stringData), { password: "[secret]" });
        assert.ok(!JSON.stringify(deployment).includes(MOCK_PASSWORD));
        // Redis lets the quota service in, beside Envoy Gateway's ratelimit pods.
        const policy = e.object("NetworkPolicy", "redis-allow-ratelimit") as Values;
        assert.deepEqual(policy.spec.ingress[0].from[1], {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-ai-gateway-system" } },
            podSelector: { matchLabels: deployment.spec.template.metadata.labels },
        });
        // Without quotas (and without budgets) there is neither Redis nor a quota service.
        const none = await evaluate(stack(undefined));
        assert.equal(none.objects("Deployment").length, 0);
        assert.equal(controllerValuesBesideSeed(none.get(RELEASE, "ai-gateway-release").inputs.values), undefined);
    });
});

describe("quotas: validation", () => {
    it("applies only where a route names the model it sends the backend: a quota nothing sends so is refused with the fix", () => {
        assert.deepEqual(configProblems(stack({ "gpt-4": [{ limit: 100, window: "1h" }] })), [
            'backends.openai.quotas.gpt-4: no model sends "gpt-4" to backend openai (as a models.<m>.backends entry\'s model:), so its QuotaPolicy would never apply; use a name it receives ("gpt-4o"), or remove it',
        ]);
        assert.deepEqual(
            configProblems({ backends: { openai: { ...local("openai"), quotas: { "gpt-4o": [{ limit: 100, window: "1h" }] } }, spare: local("spare") }, models: { "gpt-4o": { backends: [{ backend: "openai" }, { backend: "spare" }] } } }),
            ['models.gpt-4o.backends[0]: sends "gpt-4o" to backend openai without model:, and the QuotaPolicy of backends.openai.quotas.gpt-4o applies only where a route names the model it sends (modelNameOverride); add model: "gpt-4o" to this entry'],
        );
    });

    it("one enforced window and one token count per model; windows, limits and types within what a QuotaPolicy takes", () => {
        assert.deepEqual(configProblems(stack({ "gpt-4o": [{ limit: 100, window: "1h" }, { limit: 1000, window: "1d" }] })), [
            'backends.openai.quotas.gpt-4o[1]: is a second enforced quota for "gpt-4o" (the first is [0]): a QuotaPolicy lets a request through while any of a model\'s windows has tokens left, so two enforced windows would limit nothing as written; keep one, and set shadow: true on the others to watch them',
        ]);
        assert.deepEqual(configProblems(stack({ "gpt-4o": [{ limit: 100, window: "1h", shadow: true }, { limit: 1000, window: "1d", type: "output", shadow: true }] })), [
            "backends.openai.quotas.gpt-4o[1].type: is output, but [0] charges total: a QuotaPolicy charges one token count per model; use total here too",
        ]);
        // v1.1.0's quota service refuses only when every window is spent, and a shadow window never is.
        assert.deepEqual(configProblems(stack({ "gpt-4o": [{ limit: 100, window: "1h" }, { limit: 1000, window: "1d", shadow: true }] })), [
            "backends.openai.quotas.gpt-4o[1]: is a shadow window beside the enforced [0], which would then refuse nothing: AI Gateway v1.1.0's quota service refuses a request only when every window of the model is spent, and a shadow window never is; remove this window, or set shadow: true on [0] too to watch both without enforcing",
        ]);
        assert.deepEqual(configProblems(stack({ "gpt-4o": [{ limit: 100, window: "5m" }] })), [
            'backends.openai.quotas.gpt-4o[0].window: "5m" is not one of 1s, 1m, 1h, 1d, the only windows a QuotaPolicy counts in; use one of them and scale the limit to keep the same rate',
        ]);
        assert.deepEqual(configProblems(stack({ "gpt-4o": [{ limit: 0, window: "1h" }] })), ["backends.openai.quotas.gpt-4o[0].limit: must be at least 1; use a token count, or remove the entry"]);
        assert.deepEqual(configProblems(stack({ "gpt-4o": [{ limit: 5_000_000_000, window: "1d" }] })), [
            "backends.openai.quotas.gpt-4o[0].limit: must be at most 4294967295 (the quota service's 32-bit counter); use a shorter window",
        ]);
        assert.deepEqual(configProblems(stack({ "gpt-4o": [] })), ["backends.openai.quotas.gpt-4o: is empty; list a quota, or remove the model"]);
        const many = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`m-${i}`, [{ limit: 1, window: "1h" }]]));
        assert.deepEqual(configProblems(stack(many)), ["backends.openai.quotas: lists more than 128 models, the most one QuotaPolicy takes (perModelQuotas); list fewer"]);
        assert.deepEqual(configProblems(stack({ "gpt-4o": [{ limit: 10, window: "1h", shadow: "yes" }] })).length, 1);
    });

    it("an existing Redis must be named; a controller the program does not install is a warning with its setting", () => {
        assert.deepEqual(configProblems(stack({ "gpt-4o": [{ limit: 100, window: "1h" }] }, { platform: { redis: { install: false } } })), [
            "platform.redis.host: is required when platform.redis.install is false and a backend sets quotas (the quota service counts in Redis); set the host name of your Redis (or host:port as platform.redis.url), or remove the quotas",
        ]);
        const warnings = parseConfig(stack({ "gpt-4o": [{ limit: 100, window: "1h" }] }, { platform: { aiGateway: { install: false } } })).warnings;
        assert.deepEqual(warnings.filter((w) => w.startsWith("backends.")), [
            "backends.openai.quotas: are enforced by the quota service the program runs at ai-gateway-quota-ratelimit.envoy-ai-gateway-system.svc.cluster.local:8081, and the AI Gateway controller is not installed by this program; set its Helm value controller.quotaRateLimitServiceAddr to that address, or QuotaPolicies are checked against a service that does not exist and never refuse anything",
        ]);
    });
});
