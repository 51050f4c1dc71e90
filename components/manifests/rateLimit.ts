import type { SpendUnit } from "../../config/schema";
import type { LLMRequestCost, LLMRequestCostType, RateLimitRule, RateLimitSpec } from "../../specs";
import { SPEND_COST_KEYS, TOKEN_COST_KEYS } from "../../config/aiMetadata";

/** The AI Gateway's cost type behind each metadata key of TOKEN_COST_KEYS. */
const TOKEN_COST_TYPES: { readonly [K in keyof typeof TOKEN_COST_KEYS]: LLMRequestCostType } = {
    input: "InputToken",
    output: "OutputToken",
    total: "TotalToken",
    cachedInput: "CachedInputToken",
    reasoning: "ReasoningToken",
};

/**
 * `llmRequestCosts` of every AIGatewayRoute: the AI Gateway writes each count of a response to
 * `io.envoy.ai_gateway:<key>`, where token budgets read the one rateLimit.tokenType names; with
 * `spendCel` (the route's cost in each spend unit in use, when a spend budget is in effect), also the response's cost in each.
 */
export function llmRequestCosts(spendCel?: ReadonlyMap<SpendUnit, string>): LLMRequestCost[] {
    return [
        ...(Object.keys(TOKEN_COST_KEYS) as (keyof typeof TOKEN_COST_KEYS)[]).map((k) => ({
            metadataKey: TOKEN_COST_KEYS[k],
            type: TOKEN_COST_TYPES[k],
        })),
        ...[...(spendCel ?? [])].map(([u, cel]) => ({ metadataKey: SPEND_COST_KEYS[u], type: "CEL" as const, cel })),
    ];
}

/**
 * The `rateLimit` section of a policy holding these rules, or undefined when there are none. `type:
 * Global` is deprecated in the pinned CRD but still honoured, and an Envoy Gateway older than v1.8 needs it.
 */
export function rateLimitSection(rules: RateLimitRule[]): RateLimitSpec | undefined {
    return rules.length > 0 ? { type: "Global", global: { rules } } : undefined;
}
