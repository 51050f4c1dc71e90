import * as assert from "node:assert/strict";
import { routeGroups } from "./support/routeGroups";
import { AI_GATEWAY_METADATA_NAMESPACE, MODEL_HEADER, SPEND_COST_KEY, SPEND_COST_KEYS } from "../config/aiMetadata";
import { rateLimitRules, sharedRateLimitRules, spendUnitsInUse } from "../plan/rateLimit";
import { modelRoutes } from "../components/manifests/routes";
import { MAX_CEL_LENGTH, priceExpression, pricedBackends, spendCel, spendCelProblem, spendLimitUnits } from "../plan/spend";
import { buildPlan, MAX_SPEND_LIMIT, parseConfig, SPEND_UNITS, spendUnitOf } from "../plan";
import { configProblems } from "./harness";
import { costOf, expectedMicroUsd } from "./support/cel";
import { crdProblems } from "./support/manifests";

// Spend budgets (rateLimit.*.spend) and the price tables they charge (backends.<b>.prices): the CEL cost
// every route records, its arithmetic, the rules, and what validation refuses.

const local = (name: string) => ({ schema: "OpenAI", hostname: `${name}.default.svc.cluster.local`, port: 80 });
const gpt4o = { input: 2.5, output: 10, cachedInput: 1.25 };
const priced = {
    openai: { ...local("openai"), prices: { "gpt-4o": gpt4o, "gpt-4o-mini": { input: 0.15, output: 0.6 } } },
    azure: { ...local("azure"), prices: { "gpt-4o-eu": { input: 2.75, output: 11 } } },
};
const spendModel = (spend: unknown) => ({
    backends: [{ backend: "openai", model: "gpt-4o" }, { backend: "azure", model: "gpt-4o-eu", priority: 1 }],
    rateLimit: { spend },
});

/** The extProc's `backend` for the first ref of the first rule of a route (see spend.ts). */
const refName = (ns: string, backend: string) => `${ns}/${backend}/route/ai-gateway-models-0/rule/0/ref/0`;

describe("spend: the cost expression", () => {
    const expr = spendCel([
        { backend: "ai-gateway/ai-gateway-openai", prices: { "gpt-4o": gpt4o, "gpt-4o-mini": { input: 0.15, output: 0.6 } } },
        { backend: "ai-gateway/ai-gateway-openai-eu", prices: { "gpt-4o": { input: 5, output: 20 } } },
        { backend: "ai-gateway/ai-gateway-free", prices: { "qwen2.5:1.5b": { input: 0, output: 0 } } },
    ]);

    it("charges micro-dollars, rounded up, against costs computed by hand", () => {
        const openai = refName("ai-gateway", "ai-gateway-openai");
        // 1000 input (200 of them cached) and 500 output tokens of gpt-4o:
        // 800 × 2.5 + 200 × 1.25 + 500 × 10 = 2000 + 250 + 5000 = 7250 micro-dollars, exactly.
        assert.equal(costOf(expr, openai, "gpt-4o", { input: 1000, cached: 200, output: 500 }), 7250n);
        // 7 input and 3 output tokens of gpt-4o-mini: 7 × 0.15 + 3 × 0.6 = 2.85 micro-dollars, charged 3.
        assert.equal(costOf(expr, openai, "gpt-4o-mini", { input: 7, output: 3 }), 3n);
        // gpt-4o-mini has no cached price: cached tokens cost the input price (10 × 0.15 = 1.5 → 2).
        assert.equal(costOf(expr, openai, "gpt-4o-mini", { input: 10, cached: 10, output: 0 }), 2n);
        // One million input tokens at 2.5 USD per 1M: 2.50 USD.
        assert.equal(costOf(expr, openai, "gpt-4o", { input: 1_000_000, output: 0 }), 2_500_000n);
        assert.equal(costOf(expr, openai, "gpt-4o", { input: 0, output: 0 }), 0n);
        // The upstream suite's reference computation agrees on the same samples.
        assert.equal(expectedMicroUsd(gpt4o, { input: 1000, cached: 200, output: 500 }), 7250n);
        assert.equal(expectedMicroUsd({ input: 0.15, output: 0.6 }, { input: 7, output: 3 }), 3n);
    });

    it("looks the price up by the backend that served the response and the model it received", () => {
        const eu = refName("ai-gateway", "ai-gateway-openai-eu");
        // The same model at another backend costs that backend's price (a prefix of another name does not match).
        assert.equal(costOf(expr, eu, "gpt-4o", { input: 1000, output: 500 }), 1000n * 5n + 500n * 20n);
        assert.equal(costOf(expr, refName("ai-gateway", "ai-gateway-free"), "qwen2.5:1.5b", { input: 5000, output: 5000 }), 0n);
        // Unpriced pairs cost 0 (validation refuses them wherever a spend budget counts).
        assert.equal(costOf(expr, eu, "gpt-4o-mini", { input: 1000, output: 500 }), 0n);
        assert.equal(costOf(expr, refName("other", "ai-gateway-openai"), "gpt-4o", { input: 1000, output: 500 }), 0n);
    });

    it("stays exact at the largest prices and token counts (no uint overflow)", () => {
        const max = spendCel([{ backend: "ns/b", prices: { m: { input: 1000, output: 1000, cachedInput: 1000 } } }]);
        const n = 4_294_967_295;
        assert.equal(costOf(max, refName("ns", "b"), "m", { input: n, cached: n, output: n }), 2n * BigInt(n) * 1000n);
        // More cached than input tokens (never reported, but uints must not wrap): only the cached price applies.
        assert.equal(costOf(max, refName("ns", "b"), "m", { input: 1, cached: 5, output: 0 }), 5000n);
    });

    it("a price term per non-zero price, every literal a uint", () => {
        assert.equal(priceExpression({ input: 0, output: 0 }), "0u");
        assert.equal(priceExpression({ input: 0.15, output: 0.6 }), "input_tokens * 150000u + output_tokens * 600000u");
        assert.equal(
            priceExpression(gpt4o),
            "(input_tokens > cached_input_tokens ? input_tokens - cached_input_tokens : 0u) * 2500000u + cached_input_tokens * 1250000u + output_tokens * 10000000u",
        );
        assert.equal(spendCel([]), "((0u) + 999999u) / 1000000u");
    });
});

describe("spend: routes and rules", () => {
    const config = parseConfig({ backends: priced, models: { gpt: spendModel([{ limit: 25, window: "1d" }]), other: { backends: [{ backend: "openai", model: "gpt-4o-mini" }, { backend: "azure", model: "gpt-4o-eu" }] } } });

    it("each route records the cost of the models it serves, at the backends they use", () => {
        const routes = modelRoutes({ gateway: { name: "gw", namespace: "ai" }, models: config.models, groups: buildPlan(config).routes, serviceBackend: (k) => `gw-${k}` });
        assert.equal(routes.length, 1);
        const cost = routes[0].route.spec.llmRequestCosts!.find((c) => c.metadataKey === SPEND_COST_KEY)!;
        assert.equal(cost.type, "CEL");
        // The plan's cost names each backend as the route references it: the AIServiceBackend of the config's Gateway.
        const at = (b: string) => `ai-gateway/ai-gateway-${b}/route/ai-gateway-models-0/rule/1/ref/0`;
        assert.equal(costOf(cost.cel!, at("openai"), "gpt-4o", { input: 100, output: 10 }), 350n);
        assert.equal(costOf(cost.cel!, at("openai"), "gpt-4o-mini", { input: 100, output: 10 }), 21n);
        assert.equal(costOf(cost.cel!, at("azure"), "gpt-4o-eu", { input: 100, output: 10 }), 385n);
        // Without a spend budget in effect no route carries the cost.
        const plain = modelRoutes({ gateway: { name: "gw", namespace: "ai" }, models: config.models, groups: routeGroups(config.models, 1, config.retry, undefined, "gw"), serviceBackend: (k) => `gw-${k}` });
        assert.ok(!plain[0].route.spec.llmRequestCosts!.some((c) => c.metadataKey === SPEND_COST_KEY));
    });

    it("a spend budget is a rule per window, in micro-dollars, charging the response's cost when it ends", () => {
        const c = parseConfig({ backends: priced, models: { gpt: spendModel([{ limit: 25, window: "1d" }, { limit: 2.5, window: "1h" }]) }, rateLimit: { perUser: { spend: [{ limit: 50, window: "1mo" }] } } });
        const rules = rateLimitRules(c.rateLimit, c.models);
        const cost = { request: { from: "Number", number: 0 }, response: { from: "Metadata", metadata: { namespace: AI_GATEWAY_METADATA_NAMESPACE, key: SPEND_COST_KEY } } };
        assert.deepEqual(
            rules.map((r) => [r.limit, r.clientSelectors?.[0].headers?.find((h) => h.name === MODEL_HEADER && h.type === "Exact")?.value ?? "per user", r.cost]),
            [
                [{ requests: 50_000_000, unit: "Month" }, "per user", cost],
                [{ requests: 25_000_000, unit: "Day" }, "gpt", cost],
                [{ requests: 2_500_000, unit: "Hour" }, "gpt", cost],
            ],
        );
    });
});

describe("spend: budgets at organisation scale", () => {
    it("each budget counts in the finest unit that holds its limit in 32 bits", () => {
        const cases: [number, number, number][] = [
            // [USD, micro-dollars per unit, limit in units]
            [0.000001, 1, 1],
            [25, 1, 25_000_000],
            [4294.967295, 1, 4_294_967_295],
            [4294.96730, 10, 429_496_730],
            [20_000, 10, 2_000_000_000],
            [42_949.67295, 10, 4_294_967_295],
            [42_949.6730, 100, 429_496_730],
            [1_000_000, 1_000, 1_000_000_000],
            [5_000_000, 10_000, 500_000_000],
            [MAX_SPEND_LIMIT, 10_000, 4_294_967_295],
        ];
        for (const [usd, unit, count] of cases) {
            assert.equal(spendUnitOf(usd), unit, `${usd} USD`);
            assert.deepEqual(spendLimitUnits(usd), { count, unit }, `${usd} USD`);
        }
        assert.equal(MAX_SPEND_LIMIT, 42_949_672.95);
        assert.deepEqual(SPEND_UNITS.map((u) => SPEND_COST_KEYS[u]), ["llm_spend_micro_usd", "llm_spend_10_micro_usd", "llm_spend_100_micro_usd", "llm_spend_milli_usd", "llm_spend_10_milli_usd"]);
    });

    it("a $20,000/month global budget renders: its rule counts 0.00001 USD units, and every route records the cost in them, rounded up", () => {
        const c = parseConfig({
            backends: priced,
            models: { gpt: spendModel([{ limit: 25, window: "1d" }]) },
            rateLimit: { global: { spend: [{ limit: 20_000, window: "1mo" }] } },
        });
        const coarse = SPEND_COST_KEYS[10];
        const [global] = sharedRateLimitRules(c.rateLimit);
        assert.deepEqual(global.limit, { requests: 2_000_000_000, unit: "Month" });
        assert.deepEqual(global.cost?.response?.metadata, { namespace: AI_GATEWAY_METADATA_NAMESPACE, key: coarse });
        // The model's own $25/day stays in micro-dollars: both units are recorded, each once.
        assert.deepEqual(spendUnitsInUse(c.rateLimit, c.models), [1, 10]);
        const routes = modelRoutes({ gateway: { name: "gw", namespace: "ai" }, models: c.models, serviceBackend: (k) => `gw-${k}`, groups: buildPlan(c).routes });
        const costs = routes[0].route.spec.llmRequestCosts!.filter((x) => x.type === "CEL");
        assert.deepEqual(costs.map((x) => x.metadataKey), [SPEND_COST_KEY, coarse]);
        const at = `ai-gateway/ai-gateway-openai/route/ai-gateway-models-0/rule/0/ref/0`;
        for (const tokens of [{ input: 7, output: 3 }, { input: 1234, cached: 234, output: 567 }, { input: 4, output: 0 }, { input: 0, output: 0 }]) {
            const micro = expectedMicroUsd(gpt4o, tokens);
            assert.equal(costOf(costs[0].cel!, at, "gpt-4o", tokens), micro);
            // Rounded up from the exact cost: never less than was spent, at most one unit more.
            const charged = costOf(costs[1].cel!, at, "gpt-4o", tokens);
            assert.equal(charged, (micro + 9n) / 10n, JSON.stringify(tokens));
        }
        assert.deepEqual(crdProblems(...routes.map((r) => r.route)), []);
    });

    it("a stack with only large budgets records only the coarse cost", () => {
        const c = parseConfig({ backends: priced, models: { gpt: spendModel([]) }, rateLimit: { tenants: { header: "x-tenant", budgets: { big: { spend: [{ limit: 2_000_000, window: "1y" }] } } } } });
        assert.deepEqual(spendUnitsInUse(c.rateLimit, c.models), [1_000]);
        const routes = modelRoutes({ gateway: { name: "gw", namespace: "ai" }, models: c.models, serviceBackend: (k) => `gw-${k}`, groups: buildPlan(c).routes });
        assert.deepEqual(routes[0].route.spec.llmRequestCosts!.filter((x) => x.type === "CEL").map((x) => x.metadataKey), ["llm_spend_milli_usd"]);
    });
});

describe("spend: validation", () => {
    it("a spend budget on a model whose backend has no price for the model it receives names the price to add", () => {
        const backends = { ...priced, azure: local("azure") };
        assert.deepEqual(configProblems({ backends, models: { gpt: spendModel([{ limit: 25, window: "1d" }]) } }), [
            'models.gpt.backends[1]: sends "gpt-4o-eu" to backend azure, which has no price for it, and spend budgets count this model (models.gpt.rateLimit.spend); add backends.azure.prices.gpt-4o-eu: {input: <USD per 1M tokens>, output: <USD per 1M tokens>} (0 for a free model)',
        ]);
        // Stack-wide spend budgets count every model: the model's own name, sent as is, needs a price too.
        assert.deepEqual(configProblems({ backends: priced, models: { "gpt-4o": { backends: [{ backend: "openai" }, { backend: "azure" }] } }, rateLimit: { global: { spend: [{ limit: 1000, window: "1d" }] } } }), [
            'models.gpt-4o.backends[1]: sends "gpt-4o" to backend azure, which has no price for it, and spend budgets count this model (rateLimit.global.spend); add backends.azure.prices.gpt-4o: {input: <USD per 1M tokens>, output: <USD per 1M tokens>} (0 for a free model)',
        ]);
    });

    it("bounds: limits in whole units of their spend unit within a 32-bit counter, prices per 1M tokens", () => {
        const at = (spend: unknown, prices: unknown = { "gpt-4o": gpt4o }) =>
            configProblems({
                backends: { openai: { ...local("openai"), prices }, spare: { ...local("spare"), prices: { "gpt-4o": gpt4o } } },
                models: { gpt: { backends: [{ backend: "openai", model: "gpt-4o" }, { backend: "spare", model: "gpt-4o", priority: 1 }], rateLimit: { spend } } },
            });
        assert.deepEqual(at([{ limit: 50_000_000, window: "1mo" }]), [
            "models.gpt.rateLimit.spend[0].limit: must be at most 42949672.95 USD (a 32-bit count of cents, the coarsest unit spend budgets count in); use a shorter window, e.g. 1d instead of 1mo",
        ]);
        assert.deepEqual(at([{ limit: 20_000.000001, window: "1mo" }]), [
            "models.gpt.rateLimit.spend[0].limit: has more than 5 decimal places: a limit of this size counts in units of 0.00001 USD; round it to 20000.00000",
        ]);
        assert.deepEqual(at([{ limit: 1_000_000.5001, window: "1y" }]), [
            "models.gpt.rateLimit.spend[0].limit: has more than 3 decimal places: a limit of this size counts in units of 0.001 USD; round it to 1000000.500",
        ]);
        assert.deepEqual(at([{ limit: 0, window: "1d" }]), ["models.gpt.rateLimit.spend[0].limit: must be more than 0; use an amount in USD such as 25"]);
        assert.deepEqual(at([{ limit: 0.0000001, window: "1d" }]), ["models.gpt.rateLimit.spend[0].limit: has more than 6 decimal places; spend budgets count whole micro-dollars, round it"]);
        assert.deepEqual(at([{ limit: "25", window: "1d" }]), ['models.gpt.rateLimit.spend[0].limit: must be a number, got string "25"; change it to a number']);
        assert.deepEqual(at([{ limit: 20, window: "2d" }]), ['models.gpt.rateLimit.spend[0].window: "2d" is not one whole unit: Envoy Gateway counts per one second, minute, hour, day, month or year; use window 1d with limit 10 (the same rate)']);
        assert.deepEqual(at([{ limit: 1, window: "1d" }, { limit: 2, window: "1d" }]), ["models.gpt.rateLimit.spend[1].window: 1d already has a limit at spend[0]; give each window one limit (keep the one you mean)"]);
        assert.deepEqual(at([{ limit: 1, window: "1d" }], { "gpt-4o": { input: 2.5, output: 10, cachedInput: -1 } }), [
            "backends.openai.prices.gpt-4o.cachedInput: must not be negative; use a price in USD per 1M tokens (0 for a free model)",
        ]);
        assert.deepEqual(at([{ limit: 1, window: "1d" }], { "gpt-4o": { input: 2500, output: 10 } }), [
            "backends.openai.prices.gpt-4o.input: must be at most 1000 USD per 1M tokens; check the unit (prices are per 1M tokens, not per token or per 1K)",
        ]);
        assert.deepEqual(at([{ limit: 1, window: "1d" }], { "gpt-4o": { input: 0.0000001, output: 10 } }), [
            "backends.openai.prices.gpt-4o.input: has more than 6 decimal places; round it to 0.000001 USD per 1M tokens",
        ]);
        assert.deepEqual(at([{ limit: 1, window: "1d" }], { "gpt-4o": { input: 2.5 } }), ["backends.openai.prices.gpt-4o.output: must be a price in USD per 1M tokens; use a number such as 2.5 (0 for a free model)"]);
        const table = Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`m-${i}`, { input: 1, output: 1 }]));
        assert.deepEqual(at([{ limit: 1, window: "1d" }], table), ["backends.openai.prices: lists more than 1024 models; price only the models this backend receives"]);
    });

    it("warns about prices no spend budget reads, and about pattern models that forward any name", () => {
        const noBudget = parseConfig({ backends: priced, models: { gpt: { backends: [{ backend: "openai", model: "gpt-4o" }, { backend: "azure", model: "gpt-4o-eu" }] } } });
        assert.deepEqual(noBudget.warnings.filter((w) => w.includes("prices")), [
            "backends.openai.prices: are read by spend budgets only, and no spend budget is set, so they change nothing; add one (e.g. rateLimit.perUser.spend: [{limit: 50, window: 1mo}]), or remove them",
            "backends.azure.prices: are read by spend budgets only, and no spend budget is set, so they change nothing; add one (e.g. rateLimit.perUser.spend: [{limit: 50, window: 1mo}]), or remove them",
        ]);
        const unread = parseConfig({ backends: priced, models: { gpt: spendModel([{ limit: 25, window: "1d" }]) } });
        assert.deepEqual(unread.warnings.filter((w) => w.includes("prices")), [
            'backends.openai.prices.gpt-4o-mini: is never charged: no model that a spend budget counts sends "gpt-4o-mini" to this backend; correct the name to the one a models.<m>.backends entry sends (its model:), or remove it',
        ]);
    });

    it("a pattern model that forwards any name needs the backend's default price (prices[\"*\"]), which then charges every unlisted name", () => {
        const pattern = (openai: Record<string, unknown>) => ({
            backends: { ...priced, openai },
            models: { any: { match: { pattern: "^gpt-.*" }, backends: [{ backend: "openai" }, { backend: "azure", model: "gpt-4o-eu" }] } },
            rateLimit: { perUser: { spend: [{ limit: 10, window: "1d" }] } },
        });
        assert.deepEqual(configProblems(pattern(priced.openai)), [
            'models.any.backends[0]: forwards whatever model name the client sends (a pattern model without model:), and backend openai has no default price, so every name not in backends.openai.prices would cost nothing to the spend budgets that count it (rateLimit.perUser.spend); add backends.openai.prices["*"]: {input: <USD per 1M tokens>, output: <USD per 1M tokens>} for the names without a price of their own, or set model: to the name the backend receives',
        ]);
        const withDefault = { ...priced.openai, prices: { ...(priced.openai as { prices: object }).prices, "*": { input: 10, output: 30 } } };
        const config = parseConfig(pattern(withDefault));
        assert.deepEqual(config.warnings.filter((w) => w.startsWith("models.")), []);
        const [bucket] = modelRoutes({ gateway: { name: "ai-gateway", namespace: "ai-gateway" }, models: config.models, groups: routeGroups(config.models, 1, config.retry, undefined, "ai-gateway"), serviceBackend: (k) => `ai-gateway-${k}` });
        const cel = spendCel(pricedBackends(config.models, bucket.bucket.models, (k) => config.backends[k]?.prices, (k) => `ai-gateway/ai-gateway-${k}`));
        const backend = "ai-gateway/ai-gateway-openai/route/r/rule/0/ref/0";
        // An unlisted name costs the default price (1M input tokens at $10 = 10,000,000 micro-dollars); a listed one its own.
        assert.equal(costOf(cel, backend, "gpt-5-preview", { input: 1_000_000, output: 0 }), 10_000_000n);
        assert.equal(costOf(cel, backend, "gpt-4o", { input: 1_000_000, output: 0 }), BigInt(Math.round((priced.openai as { prices: Record<string, { input: number }> }).prices["gpt-4o"].input * 1_000_000)));
    });
});

describe("spend: what the AI Gateway's CEL parser takes", () => {
    it("a route whose spend cost would nest too deep is refused with the fix", () => {
        const prices = { ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`m-${String(i).padStart(3, "0")}`, { input: 1, output: 2 }])), "*": { input: 1, output: 2 } };
        const problems = configProblems({
            backends: { a: { ...local("a"), prices }, b: { ...local("b"), prices } },
            models: { any: { match: { pattern: "^m-.*" }, backends: [{ backend: "a" }, { backend: "b" }] } },
            rateLimit: { global: { spend: [{ limit: 100, window: "1d" }] } },
        });
        assert.deepEqual(problems, [
            "models: any share one AIGatewayRoute, and its spend cost looks up 2 backends and up to 201 models of one backend, nested deeper than the 200 levels allowed here (the AI Gateway's CEL parser stops at 250); spread models over more routes (raise routing.routeBuckets), or give pattern models a model: so they are not priced by every name their backends list",
        ]);
    });

    it("the bounds hold for the largest routes that pass (checked against cel-go's parser limits)", () => {
        // 15 models (a full route) at 13 backends each with cached prices: within both bounds.
        const backends = Array.from({ length: 13 }, (_, b) => ({
            backend: `ai-gateway/ai-gateway-backend-${b}`,
            prices: Object.fromEntries(Array.from({ length: 15 }, (_, m) => [`model-${m}`, gpt4o])),
        }));
        assert.equal(spendCelProblem(backends, spendCel(backends), 1), undefined);
        assert.ok(spendCel(backends).length < MAX_CEL_LENGTH);
    });
});
