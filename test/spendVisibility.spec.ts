import * as assert from "node:assert/strict";
import { SPEND_COST_KEY, SPEND_COST_KEYS } from "../config/aiMetadata";
import { dashboardExpressions, gatewayDashboard } from "../components/manifests/dashboard";
import { accessLogContext, gatewayObservability } from "../components/manifests/observability";
import { GEN_AI_PROVIDER_NAMES, metricPriceConflicts, metricPrices } from "../plan/spendDashboard";
import { buildPlan } from "../plan/plan";
import { parseConfig, SCHEMA_NAMES, type StackConfig } from "../plan";
import { evaluate } from "./harness";

// Spend you can see: the cost of each response in the access log (the same metadata the spend budgets charge), and
// spend panels on the dashboard, priced from the AI Gateway's token metrics (it exports no cost metric).

const local = (name: string, schema = "OpenAI") => ({ schema, hostname: `${name}.models.svc.cluster.local`, port: 80 });
const gpt4o = { input: 2.5, output: 10, cachedInput: 1.25 };
const GATEWAY = { name: "ai-gateway", namespace: "ai-gateway" };

/** A stack with spend budgets: OpenAI with two priced models, a self-hosted vLLM (OpenAI schema) with a default price and a free model, Anthropic. */
function spendStack(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        backends: {
            openai: { ...local("openai"), prices: { "gpt-4o": gpt4o, "gpt-4o-mini": { input: 0.15, output: 0.6 } } },
            vllm: { ...local("vllm"), prices: { "*": { input: 0.1, output: 0.2 }, "free-model": { input: 0, output: 0 } } },
            anthropic: { ...local("anthropic", "Anthropic"), prices: { "claude-sonnet": { input: 3, output: 15 } } },
        },
        models: {
            chat: { backends: [{ backend: "openai", model: "gpt-4o" }, { backend: "anthropic", model: "claude-sonnet", priority: 1 }] },
            mini: { backends: [{ backend: "openai", model: "gpt-4o-mini" }] },
            qwen: { backends: [{ backend: "vllm", model: "qwen3" }] },
            free: { backends: [{ backend: "vllm", model: "free-model" }] },
        },
        rateLimit: { perUser: { spend: [{ limit: 50, window: "1mo" }] } },
        observability: { accessLog: {}, metrics: { perUser: true }, dashboard: {} },
        routing: { minBackendsPerModel: 1 },
        ...extra,
    };
}

const accessLogOf = (c: StackConfig) =>
    gatewayObservability(c.observability, GATEWAY, accessLogContext(buildPlan(c))).telemetry.accessLog?.settings?.[0].format;

describe("spend in the access log", () => {
    it("with spend budgets in micro-dollars, each line carries the response's cost from the metadata the budgets charge", () => {
        const json = accessLogOf(parseConfig(spendStack()))?.json ?? {};
        assert.equal(json[SPEND_COST_KEY], "%DYNAMIC_METADATA(io.envoy.ai_gateway:llm_spend_micro_usd)%");
        assert.deepEqual(Object.keys(json).filter((k) => k.startsWith("llm_spend")), [SPEND_COST_KEY]);
        // The cost sits with the token counts, before the user.
        const keys = Object.keys(json);
        assert.equal(keys.indexOf(SPEND_COST_KEY), keys.indexOf("cached_input_tokens") + 1);
        assert.equal(keys.indexOf("user"), keys.indexOf(SPEND_COST_KEY) + 1);
    });

    it("a budget too large for micro-dollars adds its coarser key; a stack with only large budgets logs only that one", () => {
        const both = parseConfig(spendStack({ rateLimit: { perUser: { spend: [{ limit: 50, window: "1mo" }] }, global: { spend: [{ limit: 20_000, window: "1mo" }] } } }));
        const json = accessLogOf(both)?.json ?? {};
        assert.deepEqual(
            Object.entries(json).filter(([k]) => k.startsWith("llm_spend")),
            [
                [SPEND_COST_KEY, "%DYNAMIC_METADATA(io.envoy.ai_gateway:llm_spend_micro_usd)%"],
                [SPEND_COST_KEYS[10], "%DYNAMIC_METADATA(io.envoy.ai_gateway:llm_spend_10_micro_usd)%"],
            ],
        );
        // The routes record only the units budgets count in: a micro-dollar field would always be "-".
        const large = parseConfig(spendStack({ rateLimit: { global: { spend: [{ limit: 2_000_000, window: "1y" }] } } }));
        assert.deepEqual(Object.keys(accessLogOf(large)?.json ?? {}).filter((k) => k.startsWith("llm_spend")), ["llm_spend_milli_usd"]);
    });

    it("a shadow spend budget is counted, so its cost is logged too; without a spend budget there is no cost field", () => {
        const shadow = parseConfig(spendStack({ rateLimit: { perUser: { spend: [{ limit: 5, window: "1d", shadow: true }] } } }));
        assert.ok(Object.hasOwn(accessLogOf(shadow)?.json ?? {}, SPEND_COST_KEY));
        const none = parseConfig({ ...spendStack({ rateLimit: { perUser: { requests: [{ limit: 5, window: "1m" }] } } }), backends: { openai: local("openai"), vllm: local("vllm"), anthropic: local("anthropic", "Anthropic") } });
        assert.ok(!Object.keys(accessLogOf(none)?.json ?? {}).some((k) => k.startsWith("llm_spend")));
    });

    it("text format: the cost as a key=value pair", () => {
        const text = accessLogOf(parseConfig(spendStack({ observability: { accessLog: { format: "text" } } })))?.text ?? "";
        assert.match(text, / llm_spend_micro_usd=%DYNAMIC_METADATA\(io\.envoy\.ai_gateway:llm_spend_micro_usd\)% user=/);
    });
});

// ---------------------------------------------------------------------------------------------------------------
// A small evaluator for the spend panels' PromQL (instant vectors of rates): `sum by (l) (<term> or <term> ...) * a / b`,
// each term `rate(metric{matchers}[$__rate_interval]) * <number>`, optionally inside `topk(n, ...)`. Written here
// from the PromQL semantics, independent of the builder, so that a wrong selector or price shows as a wrong number.
// ---------------------------------------------------------------------------------------------------------------

interface Series {
    labels: Record<string, string>;
    /** Tokens per second. */
    rate: number;
}

function matches(labels: Record<string, string>, matchers: string): boolean {
    for (const m of matchers.matchAll(/([a-z_]+)(=~|!~|!=|=)("(?:[^"\\]|\\.)*")/g)) {
        const [, name, op, literal] = m;
        const value = JSON.parse(literal) as string;
        const actual = labels[name] ?? "";
        const ok = op === "=" ? actual === value : op === "!=" ? actual !== value : new RegExp(`^(?:${value})$`).test(actual) === (op === "=~");
        if (!ok) return false;
    }
    return true;
}

function evaluateSpend(expr: string, series: Series[]): Map<string, number> {
    const top = /^topk\((\d+), (.*)\)$/.exec(expr);
    const body = top ? top[2] : expr;
    const m = /^sum by \(([a-z_]+)\) \((.*)\) \* (\d+) \/ (\d+)$/.exec(body);
    assert.ok(m, `not the expected shape: ${expr}`);
    const [, by, inner, mul, div] = m;
    // `or`: the union, the left-hand side winning for a label set both sides have.
    const picked = new Map<string, number>();
    for (const term of inner.split(" or ")) {
        const t = /^rate\(gen_ai_client_token_usage_sum\{(.*)\}\[\$__rate_interval\]\) \* (-?[\d.]+)$/.exec(term);
        assert.ok(t, `not a priced rate: ${term}`);
        for (const s of series.filter((x) => matches(x.labels, t[1]))) {
            const key = JSON.stringify(Object.entries(s.labels).sort());
            if (!picked.has(key)) picked.set(key, s.rate * Number(t[2]));
        }
    }
    const out = new Map<string, number>();
    for (const [key, value] of picked) {
        const group = Object.fromEntries(JSON.parse(key) as [string, string][])[by] ?? "";
        out.set(group, (out.get(group) ?? 0) + value);
    }
    for (const [k, v] of out) out.set(k, (v * Number(mul)) / Number(div));
    if (top) return new Map([...out].sort((a, b) => b[1] - a[1]).slice(0, Number(top[1])));
    return out;
}

/** The extProc's token series of one request stream: tokens per second of each type. */
function tokens(provider: string, original: string, request: string, user: string, perSecond: Partial<Record<"input" | "cached_input" | "output" | "reasoning", number>>): Series[] {
    return Object.entries(perSecond).map(([type, rate]) => ({
        labels: { gen_ai_operation_name: "chat", gen_ai_provider_name: provider, gen_ai_original_model: original, gen_ai_request_model: request, gen_ai_response_model: request, user_id: user, gen_ai_token_type: type },
        rate: rate!,
    }));
}

const close = (actual: number | undefined, expected: number, what: string) => assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} USD per hour, expected ${expected}`);

describe("spend on the dashboard", () => {
    const c = parseConfig(spendStack());
    const panels = gatewayDashboard({ gateway: GATEWAY, perUser: true, prices: metricPrices(c) }).panels;
    const exprOf = (title: string) => {
        const p = panels.find((x) => x.title === title);
        assert.ok(p, `no panel ${title}; panels: ${panels.map((x) => x.title).join(", ")}`);
        return p.targets[0].expr;
    };
    // Per second: alice sends chat to gpt-4o (1000 input of which 200 cached, 500 output, 100 of them reasoning) and to the
    // fallback; bob uses mini, the self-hosted qwen3 (vLLM's default price) and the free model.
    const traffic = [
        ...tokens("openai", "chat", "gpt-4o", "alice", { input: 1000, cached_input: 200, output: 500, reasoning: 100 }),
        ...tokens("anthropic", "chat", "claude-sonnet", "alice", { input: 100, output: 10 }),
        ...tokens("openai", "mini", "gpt-4o-mini", "bob", { input: 7, output: 3 }),
        ...tokens("openai", "qwen", "qwen3", "bob", { input: 1000, output: 1000 }),
        ...tokens("openai", "free", "free-model", "bob", { input: 5000, output: 5000 }),
    ];
    // USD per second, by hand: gpt-4o 800 × 2.5 + 200 × 1.25 + 500 × 10 = 7250e-6 (reasoning tokens are part of output);
    // claude-sonnet 100 × 3 + 10 × 15 = 450e-6; gpt-4o-mini 7 × 0.15 + 3 × 0.6 = 2.85e-6; qwen3 at vLLM's default
    // 1000 × 0.1 + 1000 × 0.2 = 300e-6; the free model 0.
    const perHour = (microPerSecond: number) => (microPerSecond * 3600) / 1e6;

    it("spend by model: the token metrics times each backend's prices, cached tokens at their own price, USD per hour", () => {
        const byModel = evaluateSpend(exprOf("Spend by model (USD per hour)"), traffic);
        close(byModel.get("chat"), perHour(7250 + 450), "chat (gpt-4o and its Anthropic fallback)");
        close(byModel.get("mini"), perHour(2.85), "mini");
        close(byModel.get("qwen"), perHour(300), "qwen (the default price of backend vllm)");
        assert.equal(byModel.get("free") ?? 0, 0, "free: a model priced 0 is not charged the backend's default price");
    });

    it("spend by user (top 10): the same prices by the verified user label", () => {
        const expr = exprOf("Spend by user (top 10, USD per hour)");
        assert.match(expr, /^topk\(10, sum by \(user_id\)/);
        const byUser = evaluateSpend(expr, traffic);
        close(byUser.get("alice"), perHour(7250 + 450), "alice");
        close(byUser.get("bob"), perHour(2.85 + 300), "bob");
    });

    it("reads only the token metric and its labels, and every price without an exponent", () => {
        for (const expr of dashboardExpressions(gatewayDashboard({ gateway: GATEWAY, perUser: true, prices: metricPrices(c) })).filter((e) => e.includes("* 3600"))) {
            assert.doesNotMatch(expr, /\de[-+]?\d/, "a number PromQL reads the same way everywhere");
            for (const metric of expr.match(/[a-z_]+(?=\{)/g) ?? []) assert.equal(metric, "gen_ai_client_token_usage_sum");
        }
    });

    it("without a spend budget, or with only free models, there is no spend panel; without per-user metrics, none by user", () => {
        const titles = (raw: Record<string, unknown>, perUser = true) =>
            gatewayDashboard({ gateway: GATEWAY, perUser, prices: metricPrices(parseConfig(raw)) })
                .panels.map((p) => p.title)
                .filter((t) => t.startsWith("Spend"));
        assert.deepEqual(titles(spendStack()), ["Spend by model (USD per hour)", "Spend by user (top 10, USD per hour)"]);
        assert.deepEqual(titles(spendStack(), false), ["Spend by model (USD per hour)"]);
        assert.deepEqual(titles({ ...spendStack({ rateLimit: { perUser: { requests: [{ limit: 5, window: "1m" }] } } }) }), []);
        const free = spendStack();
        (free.backends as Record<string, Record<string, unknown>>).openai.prices = { "gpt-4o": { input: 0, output: 0 }, "gpt-4o-mini": { input: 0, output: 0 } };
        (free.backends as Record<string, Record<string, unknown>>).anthropic.prices = { "claude-sonnet": { input: 0, output: 0 } };
        (free.backends as Record<string, Record<string, unknown>>).vllm.prices = { "*": { input: 0, output: 0 }, "free-model": { input: 0, output: 0 } };
        assert.deepEqual(titles(free), []);
    });

    it("every schema has the provider name the v1.1.0 extProc gives it", () => {
        assert.deepEqual(Object.keys(GEN_AI_PROVIDER_NAMES).sort(), [...SCHEMA_NAMES].sort());
        assert.deepEqual(new Set(Object.values(GEN_AI_PROVIDER_NAMES)).size, SCHEMA_NAMES.length);
    });

    it("two backends of one provider pricing one model differently: a warning names the price the panels use", () => {
        const raw = spendStack();
        (raw.backends as Record<string, unknown>).openai2 = { ...local("openai2"), prices: { "gpt-4o": { input: 5, output: 20 } } };
        (raw.models as Record<string, unknown>).chat2 = { backends: [{ backend: "openai2", model: "gpt-4o" }] };
        const parsed = parseConfig(raw);
        assert.deepEqual(metricPriceConflicts(metricPrices(parsed)), [{ provider: "openai", model: "gpt-4o", backends: ["openai", "openai2"] }]);
        assert.deepEqual(
            parsed.warnings.filter((w) => w.startsWith("observability.dashboard")),
            [
                'observability.dashboard: its spend panels price "gpt-4o" of provider openai at backends.openai.prices, though backends.openai2 price it differently: the AI Gateway\'s token metrics name the provider and the model, not the backend (spend budgets are not affected); give those backends the same price for "gpt-4o", or send each backend a model name of its own (models.<m>.backends[].model)',
            ],
        );
        // The same price twice is no conflict; without a dashboard, nothing to warn about.
        (raw.backends as Record<string, Record<string, unknown>>).openai2.prices = { "gpt-4o": gpt4o };
        assert.deepEqual(parseConfig(raw).warnings.filter((w) => w.startsWith("observability.dashboard")), []);
        (raw.backends as Record<string, Record<string, unknown>>).openai2.prices = { "gpt-4o": { input: 5, output: 20 } };
        assert.deepEqual(parseConfig({ ...raw, observability: { metrics: {} } }).warnings.filter((w) => w.startsWith("observability")), []);
    });

    it("the program: the EnvoyProxy's access log and the dashboard ConfigMap carry the spend", async () => {
        const e = await evaluate(spendStack());
        const [proxy] = e.objects("EnvoyProxy");
        const json = (proxy.spec as { telemetry: { accessLog: { settings: { format: { json: Record<string, string> } }[] } } }).telemetry.accessLog.settings[0].format.json;
        assert.equal(json[SPEND_COST_KEY], "%DYNAMIC_METADATA(io.envoy.ai_gateway:llm_spend_micro_usd)%");
        const dashboards = e.objects("ConfigMap").filter((o) => o.metadata.name === "ai-gateway-dashboard");
        assert.equal(dashboards.length, 1);
        const data = (dashboards[0] as unknown as { data: Record<string, string> }).data;
        const titles = (JSON.parse(data["ai-gateway.json"]) as { panels: { title: string }[] }).panels.map((p) => p.title);
        assert.ok(titles.includes("Spend by model (USD per hour)") && titles.includes("Spend by user (top 10, USD per hour)"), titles.join(", "));
    });
});
