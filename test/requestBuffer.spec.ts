import { modelsTrafficPolicyName } from "../plan/names";
import * as assert from "node:assert/strict";
import { routeGroups } from "./support/routeGroups";
import { rateLimitRuleSet } from "../plan/rateLimit";
import { parseConfig } from "../plan";
import { backendClusterSections } from "../components/manifests/backendTraffic";
import { modelRoutes, modelTrafficPolicies, ruleName } from "../components/manifests/routes";
import { configProblems, evaluate } from "./harness";
import { catalog } from "./support/conformance";

// backends.<b>.requestBuffer: the request body received whole before it is forwarded, so a retry or a
// fallback can resend it; on the route rule of every model that reaches the backend.

const vllm = (name: string, extra: Record<string, unknown> = {}) => ({ schema: "OpenAI", hostname: `${name}.models.svc.cluster.local`, port: 8000, ...extra });
const base = (backends: Record<string, unknown>, models: Record<string, unknown>) => ({ routing: { minBackendsPerModel: 1 }, backends, models });

function policies(raw: Record<string, unknown>) {
    const c = parseConfig(raw);
    const gateway = { name: c.gateway.name, namespace: c.gateway.namespace };
    const routes = modelRoutes({ gateway, models: c.models, groups: routeGroups(c.models, c.routing.routeBuckets, c.retry, undefined, gateway.name), serviceBackend: (k) => k });
    return modelTrafficPolicies({ gateway, sharedPolicy: modelsTrafficPolicyName(gateway.name), models: c.models, routes, retry: c.retry, rateLimit: c.rateLimit, rules: rateLimitRuleSet(c.rateLimit, c.models), clusterSections: (k) => backendClusterSections(c.backends[k], c.rateLimit.userHeader) });
}

describe("backends.<b>.requestBuffer: request bodies buffered whole for retries", () => {
    it("becomes requestBuffer on the model's rule policy, 16Mi by default, beside the route's retry", () => {
        const p = policies(
            base(
                { a: vllm("a", { requestBuffer: {} }), b: vllm("b", { requestBuffer: {} }), c: vllm("c", { requestBuffer: { limit: "4Mi" } }), d: vllm("d") },
                { pair: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] }, small: { backends: [{ backend: "c" }] }, plain: { backends: [{ backend: "d" }] } },
            ),
        );
        assert.deepEqual(p.rules.map((r) => [r.model, r.policy.spec.requestBuffer]), [
            ["pair", { limit: "16Mi" }],
            ["small", { limit: "4Mi" }],
        ]);
        const rule = p.rules[0];
        assert.equal(rule.policy.spec.targetRefs?.[0].sectionName, ruleName("pair"));
        assert.ok(rule.policy.spec.retry !== undefined);
        assert.ok(p.routes.every((r) => r.policy.spec.requestBuffer === undefined));
        assert.equal(parseConfig(base({ a: vllm("a", { requestBuffer: { limit: 1048576 } }) }, { m: { backends: [{ backend: "a" }] } })).backends.a.requestBuffer?.limit, "1048576");
    });

    it("validates against the pinned CRD", async () => {
        const e = await evaluate(base({ a: vllm("a", { requestBuffer: { limit: "32Mi" } }) }, { m: { backends: [{ backend: "a" }] } }));
        const buffered = e.resources.filter((r) => r.inputs.kind === "BackendTrafficPolicy" && (r.inputs.spec as { requestBuffer?: unknown }).requestBuffer !== undefined);
        assert.deepEqual(buffered.map((r) => (r.inputs.spec as { requestBuffer: unknown }).requestBuffer), [{ limit: "32Mi" }]);
        assert.deepEqual(catalog().validate(buffered[0].inputs as never), []);
    });

    it("refuses sizes outside 1Ki-256Mi and what is not whole bytes, all at once", () => {
        assert.deepEqual(
            configProblems(base({ a: vllm("a", { requestBuffer: { limit: "512Mi" } }), b: vllm("b", { requestBuffer: { limit: "1.5Mi" } }), c: vllm("c", { requestBuffer: { limit: 100 } }) }, { m: { backends: [{ backend: "a" }] } })),
            [
                "backends.a.requestBuffer.limit: 512Mi is outside 1Ki to 256Mi; Envoy holds each buffered request in memory, so use e.g. 16Mi",
                'backends.b.requestBuffer.limit: "1.5Mi" is not a whole number of bytes; use a value such as 16Mi or 1048576',
                "backends.c.requestBuffer.limit: 100 is outside 1Ki to 256Mi; Envoy holds each buffered request in memory, so use e.g. 16Mi",
            ],
        );
        assert.equal(configProblems(base({ d: vllm("d", { requestBuffer: { size: "1Mi" } }) }, { m: { backends: [{ backend: "d" }] } })).length, 1);
    });

    it("one model is one rule with one buffer: backends that differ are an error, a backend without it a warning, an unreached one does nothing", () => {
        assert.deepEqual(configProblems(base({ a: vllm("a", { requestBuffer: {} }), b: vllm("b", { requestBuffer: { limit: "1Mi" } }) }, { m: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] } })), [
            "models.m.backends: reach backends a and b, whose requestBuffer differ, and one model is one Envoy cluster with one requestBuffer; give both the same requestBuffer, or route them from different models",
        ]);
        const c = parseConfig(base({ a: vllm("a", { requestBuffer: {} }), b: vllm("b"), z: vllm("z", { requestBuffer: {} }) }, { m: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] } }));
        assert.deepEqual(c.warnings, [
            "backends.z.requestBuffer: does nothing: no model routes to backend z, and it applies on the route rules of the models that do; route a model to it, or remove requestBuffer",
            "models.m.backends: reach a with a requestBuffer and b without, and one model is one Envoy cluster: b gets the requestBuffer of a for this model; set it on b too to say so",
        ]);
    });
});

describe("a model that retries beside a small connection buffer", () => {
    const models = { m: { backends: [{ backend: "a" }] } };
    it("warns that large bodies are never retried, unless its backends buffer them or retries are off", () => {
        const warned = (raw: Record<string, unknown>) => parseConfig(raw).warnings.filter((w) => w.startsWith("models.m.retry"));
        assert.deepEqual(warned({ ...base({ a: vllm("a") }, models), gateway: { clientTraffic: { bufferLimit: "1Mi" } } }), [
            "models.m.retry: retries, but a request body larger than gateway.clientTraffic.bufferLimit (1Mi) is forwarded once and never retried, without an error; set requestBuffer: {} on backend a (16Mi), or raise bufferLimit",
        ]);
        assert.deepEqual(warned({ ...base({ a: vllm("a") }, models), gateway: { clientTraffic: { enabled: false } } }), [
            "models.m.retry: retries, but a request body larger than Envoy's 32 KiB connection buffer (gateway.clientTraffic.enabled is false) is forwarded once and never retried, without an error; set requestBuffer: {} on backend a (16Mi), or raise bufferLimit",
        ]);
        // The default buffer (50Mi), a request buffer on the backend, or no retry: nothing to say.
        assert.deepEqual(warned(base({ a: vllm("a") }, models)), []);
        assert.deepEqual(warned({ ...base({ a: vllm("a", { requestBuffer: {} }) }, models), gateway: { clientTraffic: { bufferLimit: "1Mi" } } }), []);
        assert.deepEqual(warned({ ...base({ a: vllm("a") }, { m: { backends: [{ backend: "a" }], retry: { numRetries: 0 } } }), gateway: { clientTraffic: { bufferLimit: "1Mi" } } }), []);
    });
});
