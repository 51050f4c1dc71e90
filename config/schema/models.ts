import { z } from "zod";
import { doc, tableHints } from "./docs";
import { bodyMutationSchema, headerMutationSchema } from "./mutation";
import { headerFor } from "./security";
import { duration, intBetween } from "./primitives";
import { retryOverrideSchema } from "./retry";
import { regexProblem } from "../policies/regex";
import { headerValueProblem } from "../policies/headers";
import { routeHostnames } from "./gateway";

/**
 * Rate-limit windows are one whole Envoy Gateway unit: the ratelimit service counts in fixed windows of
 * exactly one second, minute, hour, day, month or year (it has no week, and no "5 minutes").
 */
export const WINDOW_UNITS = { s: "Second", m: "Minute", h: "Hour", d: "Day", mo: "Month", y: "Year" } as const;
export type WindowSuffix = keyof typeof WINDOW_UNITS;
export type WindowUnit = (typeof WINDOW_UNITS)[WindowSuffix];

/** Length of each unit as the ratelimit service counts it (a month is about 30 days, a year 365). */
const UNIT_SECONDS: Record<WindowSuffix | "w", number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, mo: 2_592_000, y: 31_536_000 };

const WINDOW = /^(\d+)(s|m|h|d|w|mo|y)$/;
const WINDOW_HINT = "use 1s, 1m, 1h, 1d, 1mo or 1y";

/** `<n><unit>` split; undefined when the text is not a window at all. */
export function parseWindow(window: string): { count: number; suffix: WindowSuffix | "w" } | undefined {
    const m = WINDOW.exec(window);
    return m ? { count: Number(m[1]), suffix: m[2] as WindowSuffix | "w" } : undefined;
}

/** The Envoy Gateway unit of a valid window (`1m` → `Minute`). */
export function windowUnit(window: string): WindowUnit {
    const parsed = parseWindow(window);
    if (!parsed || parsed.count !== 1 || parsed.suffix === "w") throw new Error(`"${window}" is not one whole unit (validation should have caught this)`);
    return WINDOW_UNITS[parsed.suffix];
}

/** `<n><unit>`; whether it is exactly one unit is checked with the limit (see budgetSchema). */
export const windowSchema = z.string({ error: `must be a window; ${WINDOW_HINT}` }).superRefine((v, ctx) => {
    if (!parseWindow(v)?.count) ctx.addIssue({ code: "custom", message: `"${v}" is not a window; ${WINDOW_HINT}` });
});

/** The whole unit closest (on a log scale) to `seconds`. */
export function nearestWindow(seconds: number): WindowSuffix {
    let best: WindowSuffix = "s";
    for (const u of Object.keys(WINDOW_UNITS) as WindowSuffix[]) {
        if (Math.abs(Math.log(seconds / UNIT_SECONDS[u])) < Math.abs(Math.log(seconds / UNIT_SECONDS[best]))) best = u;
    }
    return best;
}

/** Envoy Gateway's largest limit (`limit.requests` is a uint32). */
export const MAX_BUDGET_LIMIT = 4_294_967_295;

/** A budget entry in shadow mode: counted (Redis, metrics, logs), never refused (Envoy Gateway `shadowMode`). */
const shadowField = z
    .boolean()
    .optional()
    .meta(
        doc(
            "`true`: a dry run of this limit (Envoy Gateway `shadowMode`): requests are counted and the rate-limit service's metrics and Envoy's `ratelimit.*` statistics show what it would refuse, but nothing gets a 429; beside an enforced limit of the same window, try a tighter one on live traffic",
            { default: "`false`" },
        ),
    );

const budgetFields = {
    limit: intBetween(1, MAX_BUDGET_LIMIT, `must be at most ${MAX_BUDGET_LIMIT}; use a longer window instead`).describe("the most allowed in each window"),
    window: windowSchema.describe("one whole unit: `1s`, `1m`, `1h`, `1d`, `1mo` or `1y`"),
    shadow: shadowField,
};

/** The token counts a token budget can charge (the AI Gateway records each of them for every response). */
export const TOKEN_TYPES = ["total", "input", "output", "cachedInput", "reasoning"] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Which limits a window message can rescale, and how: counts stay whole, dollars keep cents. */
interface LimitScale {
    valid(limit: number): boolean;
    rescale(limit: number, factor: number): number;
}
const countScale: LimitScale = {
    valid: (limit) => Number.isInteger(limit) && limit >= 1,
    rescale: (limit, factor) => Math.max(1, Math.round(limit * factor)),
};
const dollarScale: LimitScale = {
    valid: (limit) => limit > 0 && limit <= MAX_SPEND_LIMIT,
    rescale: (limit, factor) => Math.max(0.01, Math.round(limit * factor * 100) / 100),
};

/**
 * One limit per window. A window other than one whole unit is refused with the nearest unit and the
 * limit that keeps the same rate: `10` per `5m` becomes `2` per `1m`.
 */
function wholeWindow(budget: { limit: number; window: string }, ctx: z.core.$RefinementCtx<unknown>, scale: LimitScale = countScale): void {
    const parsed = parseWindow(budget.window);
    // Only a valid limit can be scaled; an invalid one has its own message.
    if (!parsed?.count || (parsed.count === 1 && parsed.suffix !== "w") || !scale.valid(budget.limit)) return;
    const { count, suffix } = parsed;
    const seconds = count * UNIT_SECONDS[suffix];
    const nearest = nearestWindow(seconds);
    const limit = scale.rescale(budget.limit, UNIT_SECONDS[nearest] / seconds);
    const what = suffix === "w" ? "Envoy Gateway has no week unit" : "Envoy Gateway counts per one second, minute, hour, day, month or year";
    ctx.addIssue({
        code: "custom",
        path: ["window"],
        message: `"${budget.window}" is not one whole unit: ${what}; use window 1${nearest} with limit ${limit} (the same rate)`,
    });
}

export const budgetSchema = z.strictObject(budgetFields).superRefine(wholeWindow);

/** A token budget may charge its own kind of token (several kinds side by side); unset: rateLimit.tokenType. */
export const tokenBudgetSchema = z
    .strictObject({
        ...budgetFields,
        type: z
            .enum(TOKEN_TYPES)
            .optional()
            .meta(
                doc(
                    "in every budget block (a model's, `defaults`, `perUser`, each tenant's, `global`): the kind of token this limit counts, so several kinds stand side by side, e.g. `tokens: [{limit: 8000, window: 1m, type: input}, {limit: 2000, window: 1m, type: output}, {limit: 20000, window: 1h}]`; one limit per window and kind",
                    { default: "`rateLimit.tokenType`" },
                ),
            ),
    })
    .superRefine(wholeWindow);

/**
 * Spend budgets count whole units of money in Envoy Gateway's 32-bit counters. Each budget counts in the
 * finest unit that holds its limit: micro-dollars (1e-6 USD) up to $4,294.967295 per window, 1e-5 USD up
 * to $42,949.67295, 1e-4 USD up to $429,496.7295, 1e-3 USD up to $4,294,967.295 and cents up to
 * $42,949,672.95. A response's cost is rounded up to its budget's unit, so a budget is never charged
 * less than was spent, and at most one unit more per response.
 */
export const MICRO_USD_PER_USD = 1_000_000;
/** The units spend budgets count in, as micro-dollars per unit, finest first. */
export const SPEND_UNITS = [1, 10, 100, 1_000, 10_000] as const;
export type SpendUnit = (typeof SPEND_UNITS)[number];
const COARSEST_SPEND_UNIT = SPEND_UNITS[SPEND_UNITS.length - 1];
export const MAX_SPEND_LIMIT = (MAX_BUDGET_LIMIT * COARSEST_SPEND_UNIT) / MICRO_USD_PER_USD;

/** The unit a spend limit counts in: the finest whose count of the limit fits a 32-bit counter. */
export function spendUnitOf(usd: number): SpendUnit {
    return SPEND_UNITS.find((u) => Math.round((usd * MICRO_USD_PER_USD) / u) <= MAX_BUDGET_LIMIT) ?? COARSEST_SPEND_UNIT;
}

/** Decimal places of USD a unit counts (6 for micro-dollars, 2 for cents). */
export function spendUnitDecimals(unit: SpendUnit): number {
    return 6 - Math.round(Math.log10(unit));
}

/** Whether a dollar amount has at most `decimals` decimal places (within floating-point noise). */
export function hasAtMostDecimals(value: number, decimals: number): boolean {
    const scaled = value * 10 ** decimals;
    return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

/** USD per window of a spend budget: positive, whole units of its spend unit, and within one 32-bit counter. */
const spendLimit = z
    .number({ error: "must be an amount in USD; use a number such as 25 or 2.50" })
    .positive("must be more than 0; use an amount in USD such as 25")
    .max(MAX_SPEND_LIMIT, `must be at most ${MAX_SPEND_LIMIT} USD (a 32-bit count of cents, the coarsest unit spend budgets count in); use a shorter window, e.g. 1d instead of 1mo`)
    .superRefine((v, ctx) => {
        const unit = spendUnitOf(v);
        const decimals = spendUnitDecimals(unit);
        if (hasAtMostDecimals(v, decimals)) return;
        ctx.addIssue({
            code: "custom",
            message:
                unit === 1
                    ? "has more than 6 decimal places; spend budgets count whole micro-dollars, round it"
                    : `has more than ${decimals} decimal places: a limit of this size counts in units of ${(unit / MICRO_USD_PER_USD).toFixed(decimals)} USD; round it to ${v.toFixed(decimals)}`,
        });
    });

/** A spend budget: USD per window, charged each response's cost from its backend's price table. */
export const spendBudgetSchema = z
    .strictObject({
        limit: spendLimit.describe(
            "the most USD spent in each window, at most `42949672.95`; counted in micro-dollars up to `4294.967295`, and in a unit ten times coarser for each tenfold larger limit (`42949.67295` in 0.00001 USD, `429496.7295` in 0.0001 USD, `4294967.295` in 0.001 USD, above that in cents), with as many decimals as its unit",
        ),
        window: windowSchema.describe("one whole unit: `1s`, `1m`, `1h`, `1d`, `1mo` or `1y`"),
        shadow: shadowField,
    })
    .superRefine((b, ctx) => wholeWindow(b, ctx, dollarScale));

/**
 * Request, token and spend budgets. Each list holds one limit per window; every window is enforced.
 * Unset and empty differ for a model: unset inherits rateLimit.defaults, `[]` means no budget of that kind.
 */
export const rateLimitBudgetsSchema = z
    .strictObject({
        /** Requests: each request costs 1 when it arrives. */
        requests: z.array(budgetSchema).optional().describe("request budgets, one limit per window: each request costs 1 when it arrives"),
        /** Tokens (each entry's `type`, else rateLimit.tokenType): charged when the response ends. */
        tokens: z
            .array(tokenBudgetSchema)
            .optional()
            .describe("token budgets, one limit per window and kind: charged when the response ends (each entry's `type`, else `rateLimit.tokenType`)"),
        /** Dollars: each response is charged its cost from the prices of the backend that served it. */
        spend: z
            .array(spendBudgetSchema)
            .optional()
            .describe("spend budgets in USD, one limit per window: each response is charged its cost at the prices of the backend that served it (`backends.<b>.prices`)"),
    })
    .meta(tableHints({ row: true }));

/** An AIGatewayRoute rule takes at most 128 backendRefs (CRD). */
export const MAX_MODEL_BACKENDS = 128;
export const MAX_PRIORITY = MAX_MODEL_BACKENDS - 1;

/** Gateway API caps backend weights at one million. */
export const MAX_WEIGHT = 1_000_000;

export const modelBackendSchema = z.strictObject({
    backend: z
        .string()
        .min(1, "is empty; name a key of ai-gateway:backends")
        .describe(
            "a key of `ai-gateway:backends`; a backend may appear twice in a model only with different `model`s (a fallback to another model at the same provider, e.g. `gpt-4o` then `gpt-4o-mini` at priority 1)",
        ),
    /** Model name sent to this backend (modelNameOverride). Unset: the name the client sent. */
    model: z
        .string()
        .min(1, "is empty; set the backend's model name or remove the key")
        .optional()
        .meta(doc("model name sent to this backend", { default: "the name the client sent" })),
    /** Share of traffic among the backends of the same priority. Unset: 1. */
    weight: intBetween(0, MAX_WEIGHT, `must be at most ${MAX_WEIGHT}; scale the weights down`)
        .optional()
        .meta(doc("share of traffic among the backends of the same priority, 0–1000000", { default: "`1`" })),
    /** Header and body edits for this model at this backend; they win over the backend's own on the same name. */
    headers: headerMutationSchema
        .optional()
        .describe(
            "the same edits for this model at this backend; on the same header or field they win over the backend's own (as the AI Gateway merges them)",
        ),
    body: bodyMutationSchema
        .optional()
        .meta(doc("body edits for this model at this backend (`{set, remove}`, as the backend's `body`); they win over the backend's own", { join: true })),
    /** 0 = primary, 1 = first fallback, … Unset: 0. Levels have no gaps, so at most one per backend. */
    priority: intBetween(0, MAX_PRIORITY, `must be at most ${MAX_PRIORITY}: a model has at most ${MAX_MODEL_BACKENDS} backends and priorities have no gaps; lower it`)
        .optional()
        .meta(doc("`0` serves; `1` takes over when a request to priority 0 fails, and so on", { default: "`0`" })),
});

/** RFC 3339, as the gateway's /v1/models answer carries it (`2024-05-13T00:00:00Z`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** One more header a request must carry to reach this model, e.g. the header that selects a tenant's deployment. */
const extraHeaderMatch = z
    .strictObject({
        name: headerFor("match").describe("header name"),
        value: z
            .string()
            .min(1, "is empty; give the header value to match")
            .max(4096, "is longer than 4096 characters; shorten it")
            .describe("value to match: the exact value, or an RE2 expression"),
        type: z.enum(["Exact", "RegularExpression"]).default("Exact").describe("`Exact` or `RegularExpression` (RE2, without lookaround)"),
    })
    .superRefine((h, ctx) => {
        const value = h.type === "Exact" ? headerValueProblem(h.value) : undefined;
        if (value !== undefined) ctx.addIssue({ code: "custom", path: ["value"], message: value });
        const problem = h.type === "RegularExpression" ? regexProblem(h.value, "envoy", "use type Exact") : undefined;
        if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
    });

export const modelSchema = z.strictObject({
    /** More than the model name a request must match (each header a match of its own, all required). */
    match: z
        .strictObject({
            headers: z
                .array(extraHeaderMatch)
                .min(1, "is empty; list a header to match, or remove match")
                .max(15, "lists more than 15 headers, the most a match takes besides the model name; list fewer")
                .optional()
                .describe(
                    "`[{name, value, type: Exact|RegularExpression}]`: headers a request must carry besides the model name to reach this model (e.g. `{name: x-team, value: team-x}` for a tenant's own deployment of the same name); at most 15, never `x-ai-eg-model`, RE2 without lookaround",
                ),
            /**
             * RE2 over the requested model name: this entry serves every name it matches (`.*` is a
             * catch-all); the key is then only the entry's name. Exact names always win over patterns.
             */
            pattern: z
                .string()
                .min(1, "is empty; give an RE2 expression over the requested model name, e.g. ^(qwen|llama)-.*")
                .max(1024, "is longer than 1024 characters; shorten it")
                .superRefine((v, ctx) => {
                    const problem = regexProblem(v, "envoy");
                    if (problem) ctx.addIssue({ code: "custom", message: problem });
                })
                .optional()
                .describe(
                    "RE2 over the requested model name: this entry serves every name it matches (`\".*\"` is a catch-all), the key being only its name; leave `model` unset on its backends to pass the requested name through. Exact names always win over patterns (Envoy Gateway ranks an exact header match above an expression); patterns share one AIGatewayRoute (`<gateway>-models-patterns`, at most 15) and are tried in `match.order` (0 to 1000, unset 0; give a catch-all the highest), then key order. Not with `match.headers`, nor with a `rateLimit` of its own (its rule could not tell its requests from an exact model's); `rateLimit.defaults` do not apply to it (a warning says so), `perUser`, tenant and global budgets do",
                ),
            /** Among patterns, lower first (then by key): give a catch-all the highest. */
            order: intBetween(0, 1000, "must be at most 1000; lower it")
                .optional()
                .meta(doc("the position of a pattern model among the patterns", { default: "`0`" })),
        })
        .optional()
        .describe("more than the model name a request must match"),
    /** `owned_by` of this model in the gateway's /v1/models answer (the AI Gateway's default: "Envoy AI Gateway"). */
    ownedBy: z
        .string()
        .min(1, "is empty; name the owner, e.g. openai, or remove the key")
        .max(256, "is longer than 256 characters; shorten it")
        .optional()
        .meta(
            doc(
                "the model's `owned_by` and `created` (an RFC 3339 time in quotes, e.g. `\"2024-05-13T00:00:00Z\"`) in the gateway's `/v1/models` answer",
                { default: "`Envoy AI Gateway`" },
            ),
        ),
    /** `created` of this model in /v1/models, as an RFC 3339 time. */
    createdAt: z
        .string({ error: 'must be an RFC 3339 time in quotes; use e.g. "2024-05-13T00:00:00Z"' })
        .refine((v) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)), 'is not an RFC 3339 time; use e.g. "2024-05-13T00:00:00Z"')
        .optional()
        .meta(
            doc("the model's `created` in the gateway's `/v1/models` answer: an RFC 3339 time in quotes, e.g. `\"2024-05-13T00:00:00Z\"`", {
                join: true,
                default: "none",
            }),
        ),
    backends: z
        .array(modelBackendSchema)
        .max(MAX_MODEL_BACKENDS, `lists more than ${MAX_MODEL_BACKENDS} backends, the most an AIGatewayRoute rule takes; list fewer`)
        .meta(doc("the backends that serve this model, with their weights and priorities", { expand: true })),
    rateLimit: rateLimitBudgetsSchema
        .optional()
        .describe(
            "per-user budgets for this model, `{requests, tokens, spend}` (see Rate limiting); each kind it sets replaces that kind of `rateLimit.defaults`, `[]` means none",
        ),
    /** Host names this model answers on, in place of gateway.hostnames: its route is one of its own host names. */
    hostnames: routeHostnames(
        "this model answers on, in place of `gateway.hostnames` (e.g. `[team-a.llm.example.com]`): it shares an AIGatewayRoute only with models of the same host names and retry, so each host's `/v1/models` lists its own models. Not on a pattern model",
    ).optional(),
    /** This model's retries: its route gets a traffic policy of its own (see components/modelRoutes.ts). */
    retry: retryOverrideSchema.optional().meta(
        doc(
            "this model's retries, in place of `ai-gateway:retry`: the same keys (`numRetries`, `numAttemptsPerPriority`, `perRetryTimeout`, `backOff`, `retryOn`), each one it leaves unset taken from `ai-gateway:retry`; `{numRetries: 0}` = no retry. On a pattern model it is a BackendTrafficPolicy on its rule of the patterns' route (`<gateway>-models-patterns-<rule>-traffic`), so the patterns keep their order",
            { row: true, default: "`ai-gateway:retry`" },
        ),
    ),
    timeouts: z
        .strictObject({
            /**
             * Whole request, retries included. LLM calls outlive Envoy's 15s default and the AI Gateway's
             * 60s: a long non-streamed completion easily takes longer.
             */
            request: duration
                .default("120s")
                .describe(
                    "the whole request, retries included (`0s` = none); Envoy's 15s and the AI Gateway's 60s are short for long completions",
                ),
            /** Refused (see plan/rules/models.ts): Envoy Gateway would make it the whole request's timeout. */
            backendRequest: duration
                .optional()
                .describe(
                    "refused: Envoy Gateway makes it the whole request's deadline (in place of `timeouts.request`) on routes that retry through a traffic policy, as model routes do; limit one attempt with `ai-gateway:retry.perRetryTimeout`",
                ),
            /**
             * No byte from the backend for this long resets the attempt: before the first byte a retry can
             * fall over to the next priority (time-to-first-token failover), later the client gets a 504.
             */
            streamIdle: duration
                .optional()
                .describe(
                    "no byte from the backend for this long ends the attempt: before the first byte a retry falls over to the next priority (time-to-first-token failover), later the client gets a 504",
                ),
        })
        .prefault({})
        .describe("timeouts of this model's requests"),
});

export const modelsSchema = z.record(z.string(), modelSchema);

export type ModelConfig = z.output<typeof modelSchema>;
export type BudgetConfig = z.output<typeof budgetSchema>;
export type SpendBudgetConfig = z.output<typeof spendBudgetSchema>;
export type RateLimitBudgets = z.output<typeof rateLimitBudgetsSchema>;
