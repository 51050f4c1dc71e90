import { modelsTrafficPolicyName } from "../plan/names";
import * as assert from "node:assert/strict";
import { routeGroups } from "./support/routeGroups";
import { rateLimitRuleSet } from "../plan/rateLimit";
import { parseConfig } from "../plan";
import { modelRoutes, modelTrafficPolicies } from "../components/manifests/routes";
import { configProblems, WITH_BUDGET } from "./harness";

function routePolicies(raw: Record<string, unknown>) {
    const c = parseConfig(raw);
    const gateway = { name: c.gateway.name, namespace: c.gateway.namespace };
    const routes = modelRoutes({ gateway, models: c.models, groups: routeGroups(c.models, c.routing.routeBuckets, c.retry, undefined, gateway.name), serviceBackend: (k) => k });
    return modelTrafficPolicies({ gateway, sharedPolicy: modelsTrafficPolicyName(gateway.name), models: c.models, routes, retry: c.retry, rateLimit: c.rateLimit, rules: rateLimitRuleSet(c.rateLimit, c.models) });
}

describe("rateLimit.local: a per-replica burst limit without Redis", () => {
    it("becomes the local section of every model route's policy, beside the budgets, without the deprecated type", () => {
        const p = routePolicies({ ...WITH_BUDGET, rateLimit: { ...(WITH_BUDGET.rateLimit as object), local: { requests: 50, window: "1s" } }, models: { m: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }], rateLimit: { requests: [{ limit: 5, window: "1m" }] } } } });
        const spec = p.routes[0].policy.spec.rateLimit!;
        assert.deepEqual(spec.local, { rules: [{ limit: { requests: 50, unit: "Second" } }] });
        assert.equal(spec.type, undefined);
        assert.equal(spec.global?.rules.length, 1);
        // The shared budgets stay on the Gateway's policy, untouched.
        assert.deepEqual(p.shared?.spec.rateLimit?.type, "Global");
        const alone = routePolicies({ backends: WITH_BUDGET.backends, models: WITH_BUDGET.models, rateLimit: { local: { requests: 600, window: "1m" } } });
        assert.deepEqual(alone.routes[0].policy.spec.rateLimit, { local: { rules: [{ limit: { requests: 600, unit: "Minute" } }] } });
        assert.equal(alone.shared, undefined);
        assert.equal(parseConfig({ backends: WITH_BUDGET.backends, models: WITH_BUDGET.models, rateLimit: { local: { requests: 600, window: "1m" } } }).rateLimit.local?.window, "1m");
    });

    it("refuses what Envoy's local limit cannot count, all at once, and a local limit with rate limiting off", () => {
        assert.deepEqual(configProblems({ rateLimit: { local: { requests: 0, window: "5m" } } }), [
            "rateLimit.local.requests: must be at least 1; use 1 or more",
            'rateLimit.local.window: "5m" is not 1s, 1m or 1h, the windows of a local burst limit; use one of them and scale requests',
        ]);
        assert.deepEqual(configProblems({ rateLimit: { local: { requests: 4_294_967_296, window: "1s" } } }), ["rateLimit.local.requests: must be at most 4294967295 (Envoy's 32-bit limit); lower it"]);
        assert.deepEqual(configProblems({ ...WITH_BUDGET, rateLimit: { enabled: false, local: { requests: 5, window: "1s" } } }), [
            "rateLimit.local: is set, but rateLimit.enabled is false, which switches every limit off; remove it, or set rateLimit.enabled: true",
        ]);
    });
});
