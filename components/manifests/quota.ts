import type { ProviderQuota, TokenType } from "../../config/schema";
import type { QuotaDefinition, QuotaPolicySpec } from "../../specs";

/**
 * Provider quotas (ai-gateway:backends.<b>.quotas) as the AI Gateway's QuotaPolicy on the backend's
 * AIServiceBackend: a cumulative token budget per provider account and model, counted by the AI
 * Gateway's own quota rate-limit service.
 *
 * Per model, the enforced entry is the default bucket, and each shadow entry a bucket rule without client
 * selectors (every request of the model) in shadow mode: upstream allows shadow mode on bucket rules only.
 * Upstream's only mode, Shared, charges every bucket and lets a request through while any one bucket has
 * tokens left, which is why validation allows one enforced entry per model. No Pulumi here.
 */

/** The CEL token count a quota of each type charges (AI Gateway cost variables). */
export const QUOTA_COST_EXPRESSIONS: { readonly [T in TokenType]: string } = {
    total: "total_tokens",
    input: "input_tokens",
    output: "output_tokens",
    cachedInput: "cached_input_tokens",
    reasoning: "reasoning_tokens",
};

/** One model's quota: one enforced window at most, shadow windows beside it. */
export function quotaDefinition(entries: readonly ProviderQuota[]): QuotaDefinition {
    const enforced = entries.filter((e) => e.shadow !== true);
    const shadow = entries.filter((e) => e.shadow === true);
    if (enforced.length > 1) throw new Error("more than one enforced quota per model (validation should have caught this)");
    return {
        costExpression: QUOTA_COST_EXPRESSIONS[entries[0]?.type ?? "total"],
        mode: "Shared",
        ...(enforced.length === 1 && { defaultBucket: { limit: enforced[0].limit, duration: enforced[0].window } }),
        ...(shadow.length > 0 && { bucketRules: shadow.map((e) => ({ quota: { limit: e.limit, duration: e.window }, shadowMode: true })) }),
    };
}

/** The QuotaPolicy of one AIServiceBackend, models in name order (stable output). */
export function quotaPolicySpec(serviceBackend: string, quotas: Readonly<Record<string, readonly ProviderQuota[]>>): QuotaPolicySpec {
    return {
        targetRefs: [{ group: "aigateway.envoyproxy.io", kind: "AIServiceBackend", name: serviceBackend }],
        perModelQuotas: Object.keys(quotas)
            .sort()
            .map((model) => ({ modelName: model, quota: quotaDefinition(quotas[model]) })),
    };
}
