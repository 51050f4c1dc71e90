import { SPEND_UNITS, windowUnit, type SpendUnit, type BudgetConfig, type ModelConfig, type ModelPrice, type PassthroughRouteConfig, type RateLimitBudgets, type RateLimitConfig } from "../config/schema";
import type { RateLimitCost, RateLimitHeaderMatch, RateLimitRule, RateLimitSelectCondition } from "../specs";
import { AI_GATEWAY_METADATA_NAMESPACE, MODEL_HEADER, SPEND_COST_KEYS, TOKEN_COST_KEYS } from "../config/aiMetadata";
import { spendLimitUnits } from "./spend";

/**
 * Token and request budgets as Envoy Gateway global rate-limit rules (the envoy-ratelimit service
 * counting in Redis), and the token costs the AI Gateway writes for them.
 *
 * How a budget is counted:
 * - a request budget charges 1 when the request arrives, and refuses it (429) once the window is spent;
 * - a token budget charges 0 on the request (so it only checks that the window still has tokens left)
 *   and the response's token count, read from the AI Gateway's metadata, when the response ends. A
 *   response is never cut short: the request that crosses the limit finishes, the next one gets a 429;
 * - a spend budget is a token budget whose count is the response's cost in its unit (micro-dollars, or a
 *   coarser unit for a limit a 32-bit count of micro-dollars cannot hold; see spend.ts), and whose limit
 *   is its dollars in that unit.
 *
 * Every rule is `shared: true`. Envoy Gateway keys a shared rule's counter by the policy that declares
 * it, not by the route or the listener, so one model's budget is the same over HTTP and HTTPS. The
 * budgets of all models together (global, tenants, per user) live in one policy on the Gateway, whose
 * rules Envoy Gateway merges into every model route's own policy under the Gateway policy's name: one
 * counter for every route. A model's own budgets live in the policy of its route (see ModelRoutes). A
 * rule that is not shared would count per generated route and per listener.
 *
 * The Gateway's policy also reaches routes that are not model routes (passthrough routes, whose own
 * policies merge into it, and the MCP route): its rules also require the model header, which only
 * requests for a model carry, so nothing else is counted; with `rateLimit.scope: allRoutes` its request
 * budgets drop that requirement and count every request on those routes too. A passthrough route's own
 * request budgets live in its own policy (see passthrough.ts).
 *
 * No Pulumi here: config validation counts the rules with the same functions.
 */

/** `rateLimit.global.rules` of one BackendTrafficPolicy holds at most this many rules (CRD): a cap per policy. */
export const MAX_RATE_LIMIT_RULES = 256;

/** A request costs 1 on arrival. */
function requestCost(): RateLimitCost {
    return { request: { from: "Number", number: 1 } };
}

/** Nothing on arrival (only a check that something is left), the response's count under `key` when it ends. */
function responseCost(key: string): RateLimitCost {
    return {
        request: { from: "Number", number: 0 },
        response: { from: "Metadata", metadata: { namespace: AI_GATEWAY_METADATA_NAMESPACE, key } },
    };
}

/**
 * One rule per window of each budget: requests first, then tokens, each in the order configured. Request
 * budgets select by `requestSelectors` when given (rateLimit.scope allRoutes: without the model header).
 */
function budgetRules(
    budgets: RateLimitBudgets,
    selectors: RateLimitSelectCondition[],
    tokenType: RateLimitConfig["tokenType"],
    requestSelectors: RateLimitSelectCondition[] = selectors,
): RateLimitRule[] {
    const rule = (budget: BudgetConfig, cost: RateLimitCost, by = selectors): RateLimitRule => ({
        ...(by.some((s) => (s.headers?.length ?? 0) > 0) && { clientSelectors: by }),
        limit: { requests: budget.limit, unit: windowUnit(budget.window) },
        cost,
        shared: true,
        // A dry run: counted and reported, never a 429.
        ...(budget.shadow === true && { shadowMode: true }),
    });
    return [
        ...(budgets.requests ?? []).map((b) => rule(b, requestCost(), requestSelectors)),
        // Each token budget charges its own kind of token, or the stack's rateLimit.tokenType.
        ...(budgets.tokens ?? []).map((b) => rule(b, responseCost(TOKEN_COST_KEYS[b.type ?? tokenType]))),
        ...(budgets.spend ?? []).map((b) => {
            const { count, unit } = spendLimitUnits(b.limit);
            return rule({ limit: count, window: b.window, shadow: b.shadow }, responseCost(SPEND_COST_KEYS[unit]));
        }),
    ];
}

/** A model's budgets: each kind its own, or rateLimit.defaults' when the model leaves that kind unset. */
export function modelBudgets(model: ModelConfig, defaults: RateLimitBudgets | undefined): RateLimitBudgets {
    return {
        requests: model.rateLimit?.requests ?? defaults?.requests ?? [],
        tokens: model.rateLimit?.tokens ?? defaults?.tokens ?? [],
        spend: model.rateLimit?.spend ?? defaults?.spend ?? [],
    };
}

/** The spend units enforced budgets count in, finest first: every route records the cost of each response in each. */
export function spendUnitsInUse(config: RateLimitConfig, models: Record<string, ModelConfig>): SpendUnit[] {
    return spendUnitsOf(rateLimitRuleSet(config, models));
}

/** The spend units the rules of a rule set count in, finest first. */
function spendUnitsOf(set: RateLimitRuleSet): SpendUnit[] {
    const keys = new Set([...set.shared, ...[...set.models.values()].flat()].map((r) => r.cost?.response?.metadata?.key));
    return SPEND_UNITS.filter((u) => keys.has(SPEND_COST_KEYS[u]));
}

/** Whether some spend budget is enforced: then every route records the cost of each response. */
export function spendInUse(config: RateLimitConfig, models: Record<string, ModelConfig>): boolean {
    return spendUnitsInUse(config, models).length > 0;
}

/** What the model routes record for the spend budgets: the units in use (each route's cost is plan/routes.ts routeSpendCosts'). */
export interface RouteSpend {
    spendUnits: SpendUnit[];
}

/** A request for a model: the AI Gateway sets the model header on every one, and on nothing else. */
export const MODEL_PRESENT = { name: MODEL_HEADER, type: "RegularExpression" as const, value: ".+" };

/**
 * The budgets of all models together, in a fixed order: global, tenants (by name), per user. Each also
 * requires MODEL_PRESENT, since their policy targets the Gateway. Empty when rate limiting is off.
 */
export function sharedRateLimitRules(config: RateLimitConfig): RateLimitRule[] {
    if (!config.enabled) return [];
    const { tokenType, userHeader } = config;
    const rules: RateLimitRule[] = [];
    // rateLimit.scope allRoutes: request budgets count every request the Gateway's policy reaches.
    const shared = (budgets: RateLimitBudgets, headers: RateLimitHeaderMatch[]) =>
        budgetRules(budgets, [{ headers: [...headers, MODEL_PRESENT] }], tokenType, config.scope === "allRoutes" ? [{ headers }] : undefined);
    if (config.global) rules.push(...shared(config.global, []));
    if (config.tenants) {
        const { header, budgets } = config.tenants;
        for (const tenant of Object.keys(budgets).sort()) {
            rules.push(...shared(budgets[tenant], [{ name: header, type: "Exact", value: tenant }]));
        }
    }
    if (config.perUser) rules.push(...shared(config.perUser, [{ name: userHeader, type: "Distinct" }]));
    return rules;
}

/** A passthrough route's own request budgets (`passthrough.<r>.rateLimit`), per user, in its own policy. Empty when rate limiting is off. */
export function passthroughRateLimitRules(config: RateLimitConfig, route: PassthroughRouteConfig): RateLimitRule[] {
    if (!config.enabled || route.rateLimit === undefined) return [];
    return budgetRules({ requests: route.rateLimit.requests ?? [] }, [{ headers: [{ name: config.userHeader, type: "Distinct" }] }], config.tokenType);
}

/**
 * The budgets turned into rules, once per configuration: the shared rules, and each exact model's own (or the
 * defaults), per user and model, in model-name order. Validation, the route builders and the composition root
 * read this one set (a configuration is not changed once validated); the count of computations is
 * rateLimitRuleSetsComputed().
 */
export interface RateLimitRuleSet {
    /** sharedRateLimitRules: the budgets of all models together, in the Gateway's policy. */
    shared: RateLimitRule[];
    /** Each exact model's rules, by model name, in name order (pattern models have none). */
    models: ReadonlyMap<string, RateLimitRule[]>;
}

const ruleSets = new WeakMap<RateLimitConfig, WeakMap<Record<string, ModelConfig>, RateLimitRuleSet>>();
let ruleSetsComputed = 0;

/** How many rule sets this process has computed: one per evaluated configuration (a test holds it there). */
export function rateLimitRuleSetsComputed(): number {
    return ruleSetsComputed;
}

/** The rule set of this rate-limit configuration and these models, computed on first use. */
export function rateLimitRuleSet(config: RateLimitConfig, models: Record<string, ModelConfig>): RateLimitRuleSet {
    let byModels = ruleSets.get(config);
    if (byModels === undefined) ruleSets.set(config, (byModels = new WeakMap()));
    let set = byModels.get(models);
    if (set === undefined) {
        ruleSetsComputed++;
        set = { shared: sharedRateLimitRules(config), models: ownModelRules(config, models) };
        byModels.set(models, set);
    }
    return set;
}

/** Each exact model's own budgets (or the defaults) as rules, per user and model. Empty when rate limiting is off. */
function ownModelRules(config: RateLimitConfig, models: Record<string, ModelConfig>): Map<string, RateLimitRule[]> {
    const rules = new Map<string, RateLimitRule[]>();
    if (!config.enabled) return rules;
    const user = { name: config.userHeader, type: "Distinct" as const };
    // A pattern model has no budget of its own: a rule could not tell its requests from those of exact
    // models whose names it also matches (plan/rules/rateLimit.ts refuses one).
    for (const model of Object.keys(models)
        .filter((m) => models[m].match?.pattern === undefined)
        .sort()) {
        rules.set(model, budgetRules(modelBudgets(models[model], config.defaults), [{ headers: [user, { name: MODEL_HEADER, type: "Exact" as const, value: model }] }], config.tokenType));
    }
    return rules;
}

/**
 * The own budgets (or the defaults) of these models, per user and model, by model name. Empty when rate
 * limiting is off.
 */
export function modelRateLimitRules(config: RateLimitConfig, models: Record<string, ModelConfig>, names: readonly string[] = Object.keys(models)): RateLimitRule[] {
    const own = rateLimitRuleSet(config, models).models;
    return [...names].sort().flatMap((model) => own.get(model) ?? []);
}

/** Every rule of every policy: the shared ones, then each model's, then each passthrough route's. Empty when rate limiting is off. */
export function rateLimitRules(config: RateLimitConfig, models: Record<string, ModelConfig>, passthrough: Record<string, PassthroughRouteConfig> = {}): RateLimitRule[] {
    return [
        ...rateLimitRuleSet(config, models).shared,
        ...modelRateLimitRules(config, models),
        ...Object.keys(passthrough)
            .sort()
            .flatMap((r) => passthroughRateLimitRules(config, passthrough[r])),
    ];
}

/**
 * Whether anything is rate limited: on, and at least one budget somewhere. Only then are Redis and
 * Envoy Gateway's rate-limit service installed (no pods that would serve nothing).
 */
export function rateLimitInUse(config: RateLimitConfig, models: Record<string, ModelConfig>, passthrough: Record<string, PassthroughRouteConfig> = {}): boolean {
    return rateLimitRules(config, models, passthrough).length > 0;
}

/**
 * The budgets of a configuration, resolved once for the plan (plan.ts): the rule set, each passthrough
 * route's own rules, whether any budget is in effect, and what the model routes record for spend budgets.
 * Builders read these; none computes a rule again.
 */
export interface RateLimitPlan {
    /** The shared rules and each exact model's own (rateLimitRuleSet). */
    rules: RateLimitRuleSet;
    /** Each passthrough route's own request budgets as rules, by route name, in name order. */
    passthrough: ReadonlyMap<string, RateLimitRule[]>;
    /** Some budget is in effect (rateLimitInUse): Redis and Envoy Gateway's rate-limit service are installed. */
    inUse: boolean;
    /** The spend units the model routes record the cost of each response in. */
    spend: RouteSpend;
}

/** The budgets of a validated configuration as the plan carries them. */
export function rateLimitPlan(config: {
    rateLimit: RateLimitConfig;
    models: Record<string, ModelConfig>;
    passthrough: Record<string, PassthroughRouteConfig>;
    backends: Readonly<Record<string, { prices?: Record<string, ModelPrice> }>>;
}): RateLimitPlan {
    const rules = rateLimitRuleSet(config.rateLimit, config.models);
    const passthrough = new Map(
        Object.keys(config.passthrough)
            .sort()
            .map((r) => [r, passthroughRateLimitRules(config.rateLimit, config.passthrough[r])]),
    );
    const inUse = rules.shared.length > 0 || [...rules.models.values(), ...passthrough.values()].some((r) => r.length > 0);
    const spendUnits = spendUnitsOf(rules);
    return { rules, passthrough, inUse, spend: { spendUnits } };
}
