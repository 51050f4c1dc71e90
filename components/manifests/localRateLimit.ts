import { LOCAL_WINDOWS, type LocalRateLimitConfig } from "../../config/schema";
import type { RateLimitSpec } from "../../specs";

/**
 * `rateLimit.local` as the `local` section beside a route policy's budgets: one rule without selectors,
 * Envoy Gateway's route-level token bucket, so each xDS route (each model) of each replica has its own.
 * The deprecated `type` is left out with it, since Envoy Gateway then reads only the section it names.
 */
export function withLocalLimit(section: RateLimitSpec | undefined, local: LocalRateLimitConfig | undefined): RateLimitSpec | undefined {
    if (local === undefined) return section;
    return {
        ...(section?.global !== undefined && { global: section.global }),
        local: { rules: [{ limit: { requests: local.requests, unit: LOCAL_WINDOWS[local.window] } }] },
    };
}
