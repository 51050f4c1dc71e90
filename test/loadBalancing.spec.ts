import { modelsTrafficPolicyName } from "../plan/names";
import * as assert from "node:assert/strict";
import { rateLimitRuleSet } from "../plan/rateLimit";
import { routeGroups } from "./support/routeGroups";
import { parseConfig } from "../plan";
import { backendClusterSections } from "../components/manifests/backendTraffic";
import { modelRoutes, modelTrafficPolicies, ruleName } from "../components/manifests/routes";
import { configProblems } from "./harness";

const JWT = { auth: { jwt: { issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys" } } };
const vllm = (extra: Record<string, unknown> = {}) => ({ schema: "OpenAI", hostname: "vllm.models.svc.cluster.local", port: 8000, ...extra });
const base = (backends: Record<string, unknown>, models: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ routing: { minBackendsPerModel: 1 }, backends, models, ...JWT, ...rest });

function policies(raw: Record<string, unknown>) {
    const c = parseConfig(raw);
    const gateway = { name: c.gateway.name, namespace: c.gateway.namespace };
    const routes = modelRoutes({ gateway, models: c.models, groups: routeGroups(c.models, c.routing.routeBuckets, c.retry, undefined, gateway.name), serviceBackend: (k) => k });
    return modelTrafficPolicies({
        gateway,
        sharedPolicy: modelsTrafficPolicyName(gateway.name),
        models: c.models,
        routes,
        retry: c.retry,
        rateLimit: c.rateLimit,
        rules: rateLimitRuleSet(c.rateLimit, c.models),
        clusterSections: (k) => backendClusterSections(c.backends[k], c.rateLimit.userHeader),
    });
}

describe("backends.<b>.loadBalancer and tcpKeepalive: on the route rules of the models that reach the backend", () => {
    it("hashOn user hashes the verified user header, in a policy on the model's own rule that keeps the route's sections and the model's budgets", () => {
        const p = policies(
            base(
                { qwen: vllm({ loadBalancer: { type: "ConsistentHash", hashOn: "user" } }), other: vllm({ hostname: "other.models.svc.cluster.local" }) },
                { qwen: { backends: [{ backend: "qwen" }], rateLimit: { requests: [{ limit: 10, window: "1m" }] } }, plain: { backends: [{ backend: "other" }] } },
            ),
        );
        assert.deepEqual(p.rules.map((r) => r.model), ["qwen"]);
        const spec = p.rules[0].policy.spec;
        assert.deepEqual(spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: p.rules[0].route, sectionName: ruleName("qwen") }]);
        assert.deepEqual(spec.loadBalancer, { type: "ConsistentHash", consistentHash: { type: "Header", header: { name: "x-user-id" } } });
        assert.equal(spec.mergeType, "StrategicMerge");
        const route = p.routes.find((r) => r.policy.spec.targetRefs?.[0].name === p.rules[0].route)!.policy.spec;
        assert.deepEqual(spec.retry, route.retry);
        // The model's own budget moves into its rule's policy (which replaces the route's for that rule).
        assert.equal(spec.rateLimit?.global?.rules.length, 1);
        assert.equal(JSON.stringify(spec.rateLimit).includes('"value":"qwen"'), true);
        for (const r of p.routes) assert.equal(r.policy.spec.loadBalancer, undefined);
    });

    it("a header, slow start, zone awareness and keepalive become their sections; a model's other backends share them", () => {
        const lb = { type: "LeastRequest", slowStart: "60s" };
        const p = policies(
            base(
                { a: vllm({ loadBalancer: lb, tcpKeepalive: {} }), b: vllm({ hostname: "b.models.svc.cluster.local", loadBalancer: lb, tcpKeepalive: {} }), h: vllm({ hostname: "h.x.svc.cluster.local", loadBalancer: { type: "ConsistentHash", hashOn: { header: "x-session-id" } } }), z: vllm({ hostname: "z.x.svc.cluster.local", loadBalancer: { type: "RoundRobin", zoneAware: { minEndpoints: 3, percentage: 50 } } }) },
                { m: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] }, s: { backends: [{ backend: "h" }] }, zoned: { backends: [{ backend: "z" }] } },
            ),
        );
        const of = (model: string) => p.rules.find((r) => r.model === model)!.policy.spec;
        assert.deepEqual(of("m").loadBalancer, { type: "LeastRequest", slowStart: { window: "60s" } });
        assert.deepEqual(of("zoned").loadBalancer, { type: "RoundRobin", zoneAware: { preferLocal: { minEndpointsThreshold: 3, percentageEnabled: 50 } } });
        assert.deepEqual(of("m").tcpKeepalive, { idleTime: "60s", interval: "15s", probes: 4 });
        assert.deepEqual(of("s").loadBalancer, { type: "ConsistentHash", consistentHash: { type: "Header", header: { name: "x-session-id" } } });
        assert.equal(of("s").tcpKeepalive, undefined);
    });

    it("refuses what would do nothing or hash a client's word, each problem at once with its fix", () => {
        const problems = configProblems({
            routing: { minBackendsPerModel: 1 },
            backends: {
                u: vllm({ loadBalancer: { type: "ConsistentHash", hashOn: "user" } }),
                n: vllm({ loadBalancer: { type: "ConsistentHash" } }),
                r: vllm({ loadBalancer: { type: "Random", slowStart: "30s", hashOn: "user" } }),
                z: vllm({ loadBalancer: { type: "ConsistentHash", hashOn: { header: "authorization" }, zoneAware: {} } }),
                s: vllm({ loadBalancer: { type: "RoundRobin", slowStart: "2h" } }),
                pool: { schema: "OpenAI", inferencePool: { name: "vllm-llama3" }, loadBalancer: { type: "RoundRobin" } },
            },
            models: { m: { backends: [{ backend: "u" }] } },
        });
        assert.deepEqual(problems, [
            'backends.n.loadBalancer.hashOn: is required with ConsistentHash; set hashOn: user (the verified user) or hashOn: {header: x-session-id}',
            "backends.r.loadBalancer.hashOn: does nothing with Random, which hashes nothing; set type: ConsistentHash, or remove hashOn",
            "backends.r.loadBalancer.slowStart: is not supported with Random (Envoy ramps up only RoundRobin and LeastRequest); use one of those, or remove slowStart",
            'backends.z.loadBalancer.hashOn.header: "authorization" carries a credential, which a match would have to spell out in the stack file; match another header, and authenticate clients with ai-gateway:auth',
            "backends.z.loadBalancer.zoneAware: is not supported with ConsistentHash (Envoy Gateway refuses preferring the local zone there); remove zoneAware, or use another type",
            "backends.s.loadBalancer.slowStart: 2h is outside 1s to 1h; use e.g. 60s, about as long as a new replica takes to warm up",
            "backends.pool.loadBalancer: is not used with inferencePool: the pool's Endpoint Picker decides which pod serves each request; remove loadBalancer, or remove inferencePool",
        ]);
        assert.deepEqual(
            configProblems({ routing: { minBackendsPerModel: 1 }, backends: { u: vllm({ loadBalancer: { type: "ConsistentHash", hashOn: "user" } }) }, models: { m: { backends: [{ backend: "u" }] } }, auth: { none: true } }),
            [
                "backends.u.loadBalancer.hashOn: hashes the user the gateway verified (in x-user-id), and ai-gateway:auth verifies none, so it would hash what each client sends; turn on auth.jwt, auth.apiKeys, auth.oidc.accessToken, auth.clientCertificates.userFrom or auth.extAuth, or hash on a header: hashOn: {header: x-session-id}",
            ],
        );
        assert.deepEqual(
            configProblems(
                base(
                    { a: vllm({ loadBalancer: { type: "RoundRobin" } }), b: vllm({ hostname: "b.models.svc.cluster.local", loadBalancer: { type: "LeastRequest" } }) },
                    { m: { backends: [{ backend: "a" }, { backend: "b" }] } },
                ),
            ),
            ["models.m.backends: reach backends a and b, whose loadBalancer differ, and one model is one Envoy cluster with one loadBalancer; give both the same loadBalancer, or route them from different models"],
        );
        const zoned = { type: "RoundRobin", zoneAware: {} };
        assert.deepEqual(
            configProblems(base({ a: vllm({ loadBalancer: zoned }), b: vllm({ hostname: "b.models.svc.cluster.local", loadBalancer: zoned }) }, { m: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] } })),
            [
                "models.m.backends: reach backend a, whose loadBalancer.zoneAware makes Envoy Gateway build one cluster per backend of the model: priorities would become an even split and a retry would stay on the backend first picked; use zoneAware on backends of single-backend models only, or remove it",
            ],
        );
    });

    it("warns where a backend's setting reaches another backend, or no model at all", () => {
        const w = parseConfig(
            base(
                { a: vllm({ tcpKeepalive: {} }), b: vllm({ hostname: "b.models.svc.cluster.local" }), idle: vllm({ hostname: "idle.models.svc.cluster.local", loadBalancer: { type: "Random" } }) },
                { m: { backends: [{ backend: "a" }, { backend: "b" }] } },
            ),
        ).warnings;
        assert.deepEqual(w.filter((x) => x.startsWith("backends.") || x.startsWith("models.")), [
            "backends.idle.loadBalancer: does nothing: no model routes to backend idle, and it applies on the route rules of the models that do; route a model to it, or remove loadBalancer",
            "models.m.backends: reach a with a tcpKeepalive and b without, and one model is one Envoy cluster: b gets the tcpKeepalive of a for this model; set it on b too to say so",
        ]);
    });
});
