import { z } from "zod";
import { doc } from "./docs";
import { duration, intBetween } from "./primitives";

export const RETRY_TRIGGERS = [
    "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream",
    "retriable-status-codes", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
] as const;

/** Retries of one request: more would only hold a client and a connection for nothing. */
export const MAX_RETRIES = 100;

/**
 * Each field once, without its default: ai-gateway:retry adds the defaults, a model's `retry` leaves
 * them out (what it does not set comes from ai-gateway:retry, see effectiveRetry).
 */
const fields = {
    numRetries: intBetween(0, MAX_RETRIES, `must be at most ${MAX_RETRIES}; lower it (each retry waits up to perRetryTimeout)`),
    numAttemptsPerPriority: intBetween(0, MAX_RETRIES, `must be at most ${MAX_RETRIES}; lower it`),
    perRetryTimeout: duration,
    baseInterval: duration,
    maxInterval: duration,
    httpStatusCodes: z.array(z.number().int().min(100, "is not an HTTP status; use 100-599").max(599, "is not an HTTP status; use 100-599")),
    triggers: z.array(z.enum(RETRY_TRIGGERS)),
};

/** What each key means, the same in ai-gateway:retry and in a model's `retry`. */
const MEANING = {
    numRetries: "retries after the first attempt",
    numAttemptsPerPriority: "attempts at one priority before the next retry moves to the next priority",
    perRetryTimeout:
        "limit of every attempt, the first included, until the backend starts answering; a non-streamed completion starts only when it is finished, so raise it for long ones",
    backOff: "jittered exponential back-off between retries",
    baseInterval: "the first back-off; each next one doubles, with jitter",
    maxInterval: "the longest back-off, at least `baseInterval`",
    retryOn: "what is retried",
    httpStatusCodes: "statuses that are retried (add `429` to fall back when a provider rate-limits you)",
    triggers: "Envoy retry triggers (`5xx`, `reset`, `gateway-error`, …); add `reset` for time-to-first-token failover with `timeouts.streamIdle`",
};

export const retrySchema = z.strictObject({
    numRetries: fields.numRetries.default(3).describe(MEANING.numRetries),
    /** Attempts on one priority before falling back to the next. */
    numAttemptsPerPriority: fields.numAttemptsPerPriority
        .default(1)
        .describe(MEANING.numAttemptsPerPriority),
    perRetryTimeout: fields.perRetryTimeout
        .default("30s")
        .describe(MEANING.perRetryTimeout),
    backOff: z
        .strictObject({
            baseInterval: fields.baseInterval.default("100ms").describe(MEANING.baseInterval),
            maxInterval: fields.maxInterval.default("10s").describe(MEANING.maxInterval),
        })
        .prefault({})
        .meta(doc(MEANING.backOff, { row: true })),
    retryOn: z
        .strictObject({
            httpStatusCodes: fields.httpStatusCodes
                .default([500, 502, 503, 504, 404])
                .describe(MEANING.httpStatusCodes),
            triggers: fields.triggers
                .default(["connect-failure", "retriable-status-codes"])
                .describe(MEANING.triggers),
        })
        .prefault({})
        .describe(MEANING.retryOn),
});

/** A model's own retry: the shape of ai-gateway:retry, every field optional. */
export const retryOverrideSchema = z.strictObject({
    numRetries: fields.numRetries.optional().describe(MEANING.numRetries),
    numAttemptsPerPriority: fields.numAttemptsPerPriority.optional().describe(MEANING.numAttemptsPerPriority),
    perRetryTimeout: fields.perRetryTimeout.optional().describe(MEANING.perRetryTimeout),
    backOff: z
        .strictObject({ baseInterval: fields.baseInterval.optional().describe(MEANING.baseInterval), maxInterval: fields.maxInterval.optional().describe(MEANING.maxInterval) })
        .optional()
        .describe(MEANING.backOff),
    retryOn: z
        .strictObject({ httpStatusCodes: fields.httpStatusCodes.optional().describe(MEANING.httpStatusCodes), triggers: fields.triggers.optional().describe(MEANING.triggers) })
        .optional()
        .describe(MEANING.retryOn),
});

export type RetryConfig = z.output<typeof retrySchema>;
export type RetryOverride = z.output<typeof retryOverrideSchema>;

/** The retry a model's route gets: what the model's `retry` sets, everything else from ai-gateway:retry. */
export function effectiveRetry(stack: RetryConfig, own: RetryOverride | undefined): RetryConfig {
    if (own === undefined) return stack;
    return {
        numRetries: own.numRetries ?? stack.numRetries,
        numAttemptsPerPriority: own.numAttemptsPerPriority ?? stack.numAttemptsPerPriority,
        perRetryTimeout: own.perRetryTimeout ?? stack.perRetryTimeout,
        backOff: {
            baseInterval: own.backOff?.baseInterval ?? stack.backOff.baseInterval,
            maxInterval: own.backOff?.maxInterval ?? stack.backOff.maxInterval,
        },
        retryOn: {
            httpStatusCodes: own.retryOn?.httpStatusCodes ?? stack.retryOn.httpStatusCodes,
            triggers: own.retryOn?.triggers ?? stack.retryOn.triggers,
        },
    };
}
