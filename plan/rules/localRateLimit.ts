import type { Rule } from "../../config/rules/types";

/** `rateLimit.local`: enforced by Envoy alone, yet only where rate limiting is on and there is a model route. */
export const localRateLimitSettings: Rule = (config, ctx) => {
    const local = config.rateLimit.local;
    if (local === undefined) return;
    if (!config.rateLimit.enabled) {
        ctx.add(["rateLimit", "local"], "is set, but rateLimit.enabled is false, which switches every limit off; remove it, or set rateLimit.enabled: true");
    } else if (Object.keys(config.models).length === 0) {
        ctx.warn(["rateLimit", "local"], "limits the model routes, and there is no model; add a model, or remove rateLimit.local");
    }
};
