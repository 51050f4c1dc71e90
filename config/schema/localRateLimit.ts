import { z } from "zod";
import { intBetween } from "./primitives";
import { MAX_BUDGET_LIMIT } from "./models";

/**
 * `rateLimit.local`: a burst limit each Envoy replica enforces on its own, without Redis or the rate-limit
 * service (Envoy's local rate limit: a token bucket per model route in each replica).
 */

/** Envoy's local token bucket refills once per window; longer windows would hold a burst for hours. */
export const LOCAL_WINDOWS = { "1s": "Second", "1m": "Minute", "1h": "Hour" } as const;
export type LocalWindow = keyof typeof LOCAL_WINDOWS;

export const localRateLimitSchema = z
    .strictObject({
        requests: intBetween(1, MAX_BUDGET_LIMIT, `must be at most ${MAX_BUDGET_LIMIT} (Envoy's 32-bit limit); lower it`).describe(
            "requests one Envoy replica lets through per model in each window; the next get a 429 until the bucket refills",
        ),
        window: z
            .string({ error: "must be a window; use 1s, 1m or 1h" })
            .superRefine((v, ctx) => {
                if (!Object.hasOwn(LOCAL_WINDOWS, v)) ctx.addIssue({ code: "custom", message: `"${v}" is not 1s, 1m or 1h, the windows of a local burst limit; use one of them and scale requests` });
            })
            .transform((v) => v as LocalWindow)
            .describe("`1s`, `1m` or `1h`: how often the bucket refills to `requests`"),
    })
    .describe(
        "a burst limit without Redis: each Envoy replica lets at most `requests` per model through in each `window` (Envoy's local rate limit), before and beside the budgets; with N replicas the gateway as a whole allows up to N × `requests`",
    );

export type LocalRateLimitConfig = z.output<typeof localRateLimitSchema>;
