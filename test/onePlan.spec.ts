import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { buildPlan, parseConfig } from "../plan";
import { rateLimitRuleSetsComputed } from "../plan/rateLimit";
import { spendCelsComputed } from "../plan/spend";
import { backendNames } from "../plan/names";
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

    it("makes each route's spend cost once per spend unit in use, for validation (its size) and the route that records it", async () => {
        const priced = { prices: { "*": { input: 1, output: 2 } } };
        const spend = {
            ...BUDGETS,
            backends: { a: { ...(BUDGETS.backends as Record<string, object>).a, ...priced }, b: { ...(BUDGETS.backends as Record<string, object>).b, ...priced } },
            // Two units: micro-dollars for the per-user budget, a coarser one for the global.
            rateLimit: { perUser: { spend: [{ limit: 5, window: "1d" }] }, global: { spend: [{ limit: 20_000, window: "1mo" }] } },
        };
        const before = spendCelsComputed();
        const e = await evaluate(spend);
        const routes = e.resources.filter((r) => r.inputs.kind === "AIGatewayRoute").map((r) => r.inputs as { spec: { llmRequestCosts: { type: string }[] } });
        assert.equal(routes.length, 4);
        const costs = routes.flatMap((r) => r.spec.llmRequestCosts.filter((c) => c.type === "CEL"));
        assert.equal(costs.length, 4 * 2, "each route records its cost in both units");
        assert.equal(spendCelsComputed() - before, 4 * 2);
    });

    it("resolves the verified identity and what is in use into the plan", () => {
        const plan = buildPlan(parseConfig(BUDGETS));
        assert.equal(plan.rateLimited, true);
        assert.equal(plan.quotas, false);
        assert.equal(plan.inferencePools, false);
        assert.equal(plan.envoyPodsNamespace, "envoy-gateway-system");
        // The route groups, the budgets' rules and the backends' names the builders read.
        assert.deepEqual(plan.routes.flatMap((g) => g.models).sort(), Object.keys(plan.config.models).sort());
        assert.ok(plan.routes.every((g) => g.retry === plan.config.retry));
        assert.equal(plan.rateLimit.passthrough.get("iris")?.length, 1);
        assert.equal(plan.rateLimit.rules.models.get("m-0")?.length, 2, "its own token budget and the defaults' request budget");
        assert.deepEqual(plan.backends.get("a"), { component: "backend-a", names: backendNames("ai-gateway", "a", undefined) });
        // Each route's names, and the shared policy's.
        assert.deepEqual(plan.routes.map((g) => [g.name, g.trafficPolicy]), plan.routes.map((g) => [`ai-gateway-models-${g.id}`, `ai-gateway-models-${g.id}-traffic`]));
        assert.equal(plan.names.modelsTrafficPolicy, "ai-gateway-models-traffic");
        assert.ok(plan.routes.every((g) => g.spend === undefined), "no spend budget: no cost");
        const off = buildPlan(parseConfig({ backends: BUDGETS.backends, models: { m: { backends: [{ backend: "a" }, { backend: "b" }] } } }));
        assert.equal(off.rateLimited, false);
        assert.equal(off.guardrailRequestBuffer, undefined);
        assert.deepEqual(off.dashboardPrices, []);
        assert.deepEqual(off.releaseValues.mcpSessionSeeds, { seed: 0 });
        assert.equal(off.releaseValues.pools.size, 0);
    });

    it("works out the dashboard's prices, the guardrails' request buffer and the charts' values into the plan", () => {
        const plan = buildPlan(
            parseConfig({
                backends: {
                    a: { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80, prices: { "*": { input: 1, output: 2 } } },
                    pool: { schema: "OpenAI", inferencePool: { selector: { app: "vllm" }, endpointPicker: { values: { inferenceExtension: { replicas: 3 } } } } },
                },
                models: { m: { backends: [{ backend: "a" }], rateLimit: { spend: [{ limit: 5, window: "1d" }] } }, p: { backends: [{ backend: "pool" }] } },
                routing: { minBackendsPerModel: 1 },
                gateway: { clientTraffic: { bufferLimit: "2Mi" } },
                guardrails: { pii: { service: { name: "guard", port: 9002 }, phases: ["request"] } },
                platform: { aiGateway: { mcpSeedRotation: 3, controller: { replicas: 2 } } },
            }),
        );
        assert.deepEqual(plan.dashboardPrices.map((p) => [p.backend, p.model]), [["a", "*"]]);
        assert.deepEqual(plan.guardrailRequestBuffer, { limit: String(2 * 1024 ** 2) });
        assert.deepEqual(plan.releaseValues.mcpSessionSeeds, { seed: 3, fallback: 2 });
        const controller = plan.releaseValues.aiGateway.controller as Record<string, unknown>;
        assert.equal(controller.replicaCount, 2);
        assert.ok(controller.podAnnotations, "the pool's restart annotation");
        const release = plan.releaseValues.pools.get("pool");
        assert.equal(release?.name, plan.backends.get("pool")?.pool?.name);
        assert.deepEqual((release?.values.inferenceExtension as Record<string, unknown>).replicas, 3, "the user's endpoint picker values last");
    });
});

/**
 * What the plan works out, by the module that works it out: the composition root builds the plan, and no
 * component or builder calls any of these again; each reads the plan's slice it is handed.
 */
const PLAN_FACTS: Record<string, readonly string[]> = {
    "plan/plan": ["buildPlan"],
    "plan/rateLimit": [
        "rateLimitPlan",
        "rateLimitRuleSet",
        "rateLimitRules",
        "rateLimitInUse",
        "modelRateLimitRules",
        "sharedRateLimitRules",
        "passthroughRateLimitRules",
        "routeSpend",
        "routePrices",
        "spendUnitsInUse",
        "spendInUse",
    ],
    "plan/routes": ["routeGroups", "modelBuckets", "routeHostnames", "routeRetry", "patternModels"],
    "plan/spend": ["pricedBackends", "spendCel", "spendCels", "spendCelProblem", "routeSpendCosts"],
    "plan/platform": ["backendPlans", "installedPools", "envoyPodsNamespace", "installedControllerName", "quotasInUse", "inferencePoolsInUse", "quotaServiceAddress"],
    "plan/names": ["backendObjectNames", "backendNames", "inferencePoolName", "gatewayLevelNames", "gatewayNames", "mcpRouteName", "mcpServerNames", "routeName", "modelRouteNames", "modelsTrafficPolicyName", "trafficPolicyName", "passthroughRouteNames"],
    "plan/identity": ["withVerifiedUser", "withIdentityHeadersStripped"],
    "plan/aws": ["envoyAwsIdentity", "envoyServiceAccountName"],
    "plan/mcp": ["resolvedOAuth"],
    "plan/guardrails": ["guardrailPlans", "guardrailRequestBuffer"],
    "plan/spendDashboard": ["metricPrices"],
    "plan/observability": ["metricsRequestHeaderAttributes"],
    "plan/controller": ["typedControllerValues", "typedValuesTree"],
    "plan/chartValues": ["releaseValues", "aiGatewayValues", "inferencePoolChartValues"],
    "config/merge": ["mergeValues"],
};
/**
 * What a builder still computes for a value that waits on an Output: Envoy Gateway's values hold the Redis URL of the
 * Redis the program installs, with the user's values merged over it, so they are merged in its component.
 */
const WAITS_ON_OUTPUTS: Record<string, readonly string[]> = {
    "components/manifests/platformValues.ts": ["config/merge.mergeValues"],
};
/** The composition root: the one place that builds the plan. */
const ROOT_OF_PLAN = "components/stack.ts";

const ROOT = join(__dirname, "..");

function sources(dir: string): string[] {
    return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
    );
}

/** `<file> calls <module>.<name>` for every value import of a plan fact by a component or builder. */
function recomputed(files: readonly string[], read: (file: string) => string = (f) => readFileSync(join(ROOT, f), "utf8")): string[] {
    return files.flatMap((file) =>
        [...read(file).matchAll(/^import\s+(type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)";/gm)].flatMap(([, typeOnly, names, spec]) => {
            if (typeOnly || !spec.startsWith(".")) return [];
            const module = relative(ROOT, join(ROOT, dirname(file), spec));
            const facts = PLAN_FACTS[module] ?? [];
            return names
                .split(",")
                .map((n) => n.trim())
                .filter((n) => !n.startsWith("type ") && facts.includes(n.split(/\s+as\s+/)[0]))
                .filter((n) => !(file === ROOT_OF_PLAN && module === "plan/plan"))
                .filter((n) => !(WAITS_ON_OUTPUTS[file] ?? []).includes(`${module}.${n}`))
                .map((n) => `${file} calls ${module}.${n}`);
        }),
    );
}

describe("one plan, passed down", () => {
    it("no component or builder works out again what the plan carries (names, rules, route groups, what is in use)", () => {
        const files = sources("components");
        assert.ok(files.includes(ROOT_OF_PLAN) && files.length > 40, `${files.length} files`);
        assert.deepEqual(recomputed(files), []);
    });

    it("the check sees a builder that computes a plan fact again", () => {
        const builder = "components/manifests/routes.ts";
        const text = `import { modelBuckets } from "../../plan/routes";\nimport type { RateLimitRuleSet } from "../../plan/rateLimit";\nimport { buildPlan as again } from "../../plan/plan";\n`;
        assert.deepEqual(recomputed([builder], () => text), [`${builder} calls plan/routes.modelBuckets`, `${builder} calls plan/plan.buildPlan as again`]);
    });

    it("the check sees a component that merges chart values or works out a guardrail's buffer again, and lets Envoy Gateway's values wait on the Redis URL", () => {
        const pool = "components/manifests/inferencePool.ts";
        const root = ROOT_OF_PLAN;
        const egValues = "components/manifests/platformValues.ts";
        const texts: Record<string, string> = {
            [pool]: `import { mergeValues, type Values } from "../../config/merge";\n`,
            [root]: `import { guardrailRequestBuffer } from "../plan/guardrails";\nimport { metricPrices } from "../plan/spendDashboard";\n`,
            [egValues]: `import { mergeValues, Values } from "../../config/merge";\nimport { aiGatewayValues } from "../../plan/chartValues";\n`,
        };
        assert.deepEqual(recomputed([pool, root, egValues], (f) => texts[f]), [
            `${pool} calls config/merge.mergeValues`,
            `${root} calls plan/guardrails.guardrailRequestBuffer`,
            `${root} calls plan/spendDashboard.metricPrices`,
            `${egValues} calls plan/chartValues.aiGatewayValues`,
        ]);
    });
});
