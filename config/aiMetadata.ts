import type { SpendUnit } from "./schema";

/**
 * Names the AI Gateway shares between its extProc, Envoy metadata and our policies. Named once here:
 * the route costs, the rate-limit rules and the access log must agree on every one of them.
 */

/** Header the extProc sets from the request body's `model`; routes match on it. */
export const MODEL_HEADER = "x-ai-eg-model";

/** Envoy dynamic-metadata namespace where the AI Gateway writes token counts and routing facts. */
export const AI_GATEWAY_METADATA_NAMESPACE = "io.envoy.ai_gateway";

/** Metadata keys of the `llmRequestCosts` every route declares. */
export const TOKEN_COST_KEYS = {
    input: "llm_input_token",
    output: "llm_output_token",
    total: "llm_total_token",
    cachedInput: "llm_cached_input_token",
    reasoning: "llm_reasoning_token",
} as const;

/** Metadata key of the cost of a response in micro-dollars (1e-6 USD), which spend budgets charge. */
export const SPEND_COST_KEY = "llm_spend_micro_usd";

/**
 * Metadata key of the cost of a response in each spend unit (micro-dollars per unit, see SPEND_UNITS):
 * a budget too large for micro-dollars charges a coarser one. Only the units some budget counts in are written.
 */
export const SPEND_COST_KEYS: { readonly [U in SpendUnit]: string } = {
    1: SPEND_COST_KEY,
    10: "llm_spend_10_micro_usd",
    100: "llm_spend_100_micro_usd",
    1_000: "llm_spend_milli_usd",
    10_000: "llm_spend_10_milli_usd",
};

/** Metadata keys the AI Gateway itself writes for each request. */
export const REQUEST_METADATA_KEYS = {
    backend: "backend_name",
    modelNameOverride: "model_name_override",
    responseModel: "response_model",
} as const;
