import * as assert from "node:assert/strict";
import { MAX_RATE_LIMIT_RULES, MODEL_PRESENT } from "../plan/rateLimit";
import { MAX_RULES_PER_ROUTE } from "../plan/packing";
import type { AIGatewayRouteSpec, BackendTrafficPolicySpec, RateLimitRule } from "../specs";
import { customResources, evaluate } from "./harness";
import { catalog } from "./support/conformance";

// Budgets at scale: 3,000 models, each with its own request and token budgets, beside per-user, tenant
// and global budgets, through the whole program (validation, components, Pulumi mocks: a few seconds)
// and the pinned CRDs. The upstream translators take a 130-model case of the same shape
// (test/upstream/fixtures/budgets-at-scale.yaml): aigw translate alone takes over two minutes for 3,000.

const MODELS = 3000;
const local = (name: string) => ({ schema: "OpenAI", hostname: `${name}.models.svc.cluster.local`, port: 80, namespace: "models" });

describe("budgets at scale: 3,000 models with budgets of their own, and shared budgets", function () {
    this.timeout(60_000);
    const names = [...Array(MODELS).keys()].map((i) => `org-${i % 7}/model-${i}`);
    const raw = {
        auth: { none: true },
        backends: { a: local("a"), b: local("b") },
        models: Object.fromEntries(
            names.map((m, i) => [m, { backends: [{ backend: "a" }, { backend: "b", priority: 1 }], rateLimit: { requests: [{ limit: 10 + i, window: "1m" }], tokens: [{ limit: 100_000 + i, window: "1h" }] } }]),
        ),
        rateLimit: {
            perUser: { requests: [{ limit: 1000, window: "1d" }], tokens: [{ limit: 5_000_000, window: "1d" }] },
            tenants: { budgets: { acme: { requests: [{ limit: 50_000, window: "1h" }] }, globex: { tokens: [{ limit: 9_000_000, window: "1d" }] } } },
            global: { requests: [{ limit: 100_000, window: "1m" }] },
        },
    };
    type Obj<S> = { metadata: { name: string }; spec: S };
    let policies: Obj<BackendTrafficPolicySpec>[];
    let routes: Obj<AIGatewayRouteSpec>[];
    let crdProblems: string[];
    before(async () => {
        const e = await evaluate(raw);
        policies = e.objects("BackendTrafficPolicy") as unknown as Obj<BackendTrafficPolicySpec>[];
        routes = e.objects("AIGatewayRoute") as unknown as Obj<AIGatewayRouteSpec>[];
        crdProblems = customResources(e).flatMap((o) => catalog().validate(o));
    });

    const rulesOf = (p: Obj<BackendTrafficPolicySpec>): RateLimitRule[] => p.spec.rateLimit?.global?.rules ?? [];
    const exactModel = (r: RateLimitRule) => r.clientSelectors?.[0].headers?.find((h) => h.type === "Exact" && h.name === MODEL_PRESENT.name)?.value;

    it("validate: 6,005 rules in all, far more than the 256 one policy holds, and no policy over 256", () => {
        assert.equal(policies.flatMap(rulesOf).length, 2 * MODELS + 5);
        for (const p of policies) assert.ok(rulesOf(p).length <= MAX_RATE_LIMIT_RULES, p.metadata.name);
    });

    it("every route at most 15 rules and its own policy; every model on exactly one route", () => {
        const served = routes.flatMap((r) => r.spec.rules.map((rule) => rule.matches![0].headers![0].value));
        assert.deepEqual(served.sort(), [...names].sort());
        for (const r of routes) assert.ok(r.spec.rules.length <= MAX_RULES_PER_ROUTE, r.metadata.name);
        const targets = policies.flatMap((p) => p.spec.targetRefs!.map((t) => `${t.kind}/${t.name}`));
        assert.deepEqual(targets.sort(), [...routes.map((r) => `HTTPRoute/${r.metadata.name}`), "Gateway/ai-gateway"].sort());
    });

    it("every budget is exactly one rule, so one counter: a model's own in the policy of its route, the shared ones once on the Gateway", () => {
        const policyOfRoute = new Map(policies.map((p) => [p.spec.targetRefs![0].name, p.metadata.name]));
        const routeOfModel = new Map(routes.flatMap((r) => r.spec.rules.map((rule) => [rule.matches![0].headers![0].value, r.metadata.name] as const)));
        const where = new Map<string, string[]>();
        for (const p of policies) {
            for (const r of rulesOf(p)) {
                assert.equal(r.shared, true, `${p.metadata.name}: a rule that is not shared counts per route and listener`);
                const key = `${exactModel(r) ?? "shared"} ${r.limit.requests}/${r.limit.unit}`;
                where.set(key, [...(where.get(key) ?? []), p.metadata.name]);
            }
        }
        names.forEach((m, i) => {
            const own = policyOfRoute.get(routeOfModel.get(m)!);
            assert.deepEqual(where.get(`${m} ${10 + i}/Minute`), [own], m);
            assert.deepEqual(where.get(`${m} ${100_000 + i}/Hour`), [own], m);
        });
        const shared = [...where].filter(([k]) => k.startsWith("shared "));
        assert.deepEqual(shared.map(([, p]) => p), Array(5).fill(["ai-gateway-models-traffic"]));
        for (const r of rulesOf(policies.find((p) => p.metadata.name === "ai-gateway-models-traffic")!)) {
            assert.ok(r.clientSelectors![0].headers!.some((h) => h.type === MODEL_PRESENT.type && h.value === MODEL_PRESENT.value), "only requests for a model count");
        }
    });

    it("every custom resource validates against the pinned CRDs", () => {
        assert.deepEqual(crdProblems, []);
    });
});
