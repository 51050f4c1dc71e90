import * as assert from "node:assert/strict";
import { buildPlan, parseConfig } from "../plan";
import { rateLimitRuleSetsComputed } from "../plan/rateLimit";
import { evaluate } from "./harness";

/** Budgets everywhere: shared ones, per model (own and defaults), over several routes, and a passthrough route's. */
const BUDGETS: Record<string, unknown> = {
    backends: {
        a: { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80 },
        b: { schema: "OpenAI", hostname: "b.models.svc.cluster.local", port: 80 },
    },
    models: Object.fromEntries(
        Array.from({ length: 12 }, (_, i) => [`m-${i}`, { backends: [{ backend: "a" }, { backend: "b", priority: 1 }], ...(i % 3 === 0 && { rateLimit: { tokens: [{ limit: 1000 + i, window: "1h" }] } }) }]),
    ),
    routing: { routeBuckets: 4 },
    rateLimit: {
        global: { requests: [{ limit: 100, window: "1m" }] },
        perUser: { tokens: [{ limit: 5000, window: "1h" }] },
        defaults: { requests: [{ limit: 10, window: "1m" }] },
    },
    passthrough: { iris: { path: "/v1/models/iris", service: { name: "iris", port: 80 }, rateLimit: { requests: [{ limit: 5, window: "1m" }] } } },
};

describe("one plan per evaluation", () => {
    it("turns the budgets into rate-limit rules once, for validation, the composition root and every route's policy", async () => {
        const before = rateLimitRuleSetsComputed();
        const e = await evaluate(BUDGETS);
        assert.equal(rateLimitRuleSetsComputed() - before, 1);
        // The rules did reach the objects: the Gateway's policy and every route's.
        const policies = e.resources.filter((r) => r.inputs.kind === "BackendTrafficPolicy").map((r) => r.inputs as { spec?: { rateLimit?: { global?: { rules?: unknown[] } } } });
        const withRules = policies.filter((p) => (p.spec?.rateLimit?.global?.rules?.length ?? 0) > 0);
        assert.ok(withRules.length >= 5, `${withRules.length} policies with rules`);
    });

    it("computes the rules again for another configuration, never reusing one that does not apply", async () => {
        const before = rateLimitRuleSetsComputed();
        await evaluate(BUDGETS);
        await evaluate({ ...BUDGETS, rateLimit: { global: { requests: [{ limit: 7, window: "1m" }] } } });
        assert.equal(rateLimitRuleSetsComputed() - before, 2);
    });

    it("resolves the verified identity and what is in use into the plan", () => {
        const plan = buildPlan(parseConfig(BUDGETS));
        assert.equal(plan.rateLimited, true);
        assert.equal(plan.quotas, false);
        assert.equal(plan.inferencePools, false);
        assert.equal(plan.envoyPodsNamespace, "envoy-gateway-system");
        const off = buildPlan(parseConfig({ backends: BUDGETS.backends, models: { m: { backends: [{ backend: "a" }, { backend: "b" }] } } }));
        assert.equal(off.rateLimited, false);
    });
});
