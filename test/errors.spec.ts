import { modelsTrafficPolicyName } from "../plan/names";
import * as assert from "node:assert/strict";
import { routeGroups } from "./support/routeGroups";
import { rateLimitRuleSet } from "../plan/rateLimit";
import { errorResponseOverrides, OPENAI_ERRORS, openAIErrorBody } from "../components/manifests/errors";
import { modelRoutes, modelTrafficPolicies } from "../components/manifests/routes";
import { parseConfig } from "../plan";
import { configProblems, evaluate, stackFileConfig } from "./harness";
import { crdProblems } from "./support/manifests";

// gateway.errors.format: the model routes' own error answers as OpenAI error JSON (responseOverride).

const backends = { a: { schema: "OpenAI", hostname: "a.default.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.default.svc.cluster.local", port: 80 } };
const models = { m: { backends: [{ backend: "a" }, { backend: "b" }] }, any: { backends: [{ backend: "a" }, { backend: "b" }], match: { pattern: ".*" }, retry: { numRetries: 0 } } };
const gateway = { name: "ai-gateway", namespace: "ai-gateway" };

const policies = (raw: Record<string, unknown>) => {
    const c = parseConfig(raw);
    const routes = modelRoutes({ gateway, models: c.models, groups: routeGroups(c.models, c.routing.routeBuckets, c.retry, undefined, gateway.name), serviceBackend: (k) => k });
    return modelTrafficPolicies({ gateway, sharedPolicy: modelsTrafficPolicyName(gateway.name), models: c.models, routes, retry: c.retry, rateLimit: c.rateLimit, rules: rateLimitRuleSet(c.rateLimit, c.models), errors: errorResponseOverrides(c.gateway.errors.format) });
};

describe("errors: OpenAI-format error answers (gateway.errors.format)", () => {
    it("openai: every model route's policy, and a pattern rule's own, answers the seven statuses with OpenAI error JSON (envoy is the default)", () => {
        assert.equal(parseConfig({}).gateway.errors.format, "envoy");
        const p = policies({ backends, models, gateway: { errors: { format: "openai" } } });
        const all = [...p.routes.map((r) => r.policy), ...p.rules.map((r) => r.policy)];
        assert.ok(all.length >= 3);
        for (const policy of all) {
            const overrides = policy.spec.responseOverride!;
            assert.deepEqual(overrides.map((o) => o.match.statusCodes), [401, 403, 404, 413, 429, 503, 504].map((value) => [{ type: "Value", value }]), policy.metadata.name);
            for (const o of overrides) {
                assert.equal(o.response?.contentType, "application/json");
                assert.equal(o.response?.statusCode, undefined, "the status stays");
                assert.equal(o.response?.header, undefined, "no header is set or removed: retry-after and x-ratelimit-* stay");
            }
        }
        assert.deepEqual(crdProblems(...all), []);
    });

    it("each body is what an OpenAI SDK parses: {error: {message, type, code}}, no Envoy command operator", () => {
        for (const e of OPENAI_ERRORS) {
            const body = openAIErrorBody(e);
            assert.doesNotMatch(body, /%/, "no % (Envoy would read it as a command operator)");
            const parsed = JSON.parse(body) as { error: Record<string, unknown> };
            assert.deepEqual(Object.keys(parsed.error), ["message", "type", "code"]);
            assert.ok(typeof parsed.error.message === "string" && parsed.error.message.length > 0);
        }
        assert.equal(openAIErrorBody({ ...OPENAI_ERRORS[0], message: "100% sure" }), '{"error":{"message":"100%% sure","type":"authentication_error","code":"invalid_api_key"}}');
        assert.deepEqual(OPENAI_ERRORS.map((e) => [e.status, e.type, e.code]), [
            [401, "authentication_error", "invalid_api_key"],
            [403, "permission_error", "forbidden"],
            [404, "invalid_request_error", "model_not_found"],
            [413, "invalid_request_error", "request_too_large"],
            [429, "rate_limit_error", "rate_limit_exceeded"],
            [503, "server_error", "service_unavailable"],
            [504, "server_error", "timeout"],
        ]);
    });

    it("envoy keeps today's bodies: no responseOverride anywhere; passthrough routes never get one", async () => {
        const p = policies({ backends, models, gateway: { errors: { format: "envoy" } } });
        for (const policy of [...p.routes.map((r) => r.policy), ...p.rules.map((r) => r.policy)]) assert.equal(policy.spec.responseOverride, undefined);
        const e = await evaluate({ ...stackFileConfig("dev"), passthrough: { iris: { path: "/v1/models/iris", service: { name: "iris", port: 80 } } }, traffic: { timeouts: { request: "60s" } } });
        const passthrough = e.objects("BackendTrafficPolicy").filter((x) => x.metadata.name.includes("-passthrough-"));
        assert.equal(passthrough.length, 1);
        assert.equal(passthrough[0].spec.responseOverride, undefined, "a passthrough service's own errors stay its own");
    });

    it("an unknown format is refused with the choices", () => {
        assert.deepEqual(configProblems({ gateway: { errors: { format: "json" } } }), ['gateway.errors.format: "json" is not allowed; use one of "openai", "envoy"']);
    });
});
