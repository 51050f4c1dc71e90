import { z } from "zod";
import { doc } from "./docs";
import { duration, intBetween, positiveInt } from "./primitives";
import { rateLimitBudgetsSchema, TOKEN_TYPES } from "./models";

/** Upper bound on routing.routeBuckets: each bucket can become an AIGatewayRoute, an HTTPRoute and a policy. */
export const MAX_ROUTE_BUCKETS = 1024;

export const routingSchema = z.strictObject({
    /** Every model needs this many backends, to stay available when one fails. */
    minBackendsPerModel: positiveInt.default(2).describe("backends every model needs (high availability)"),
    /**
     * Models are spread over this many buckets by a hash of their name; a bucket of more than 15 models
     * splits by further hash bits, so no count has to be tuned. Changing it moves every model once.
     */
    routeBuckets: intBetween(1, MAX_ROUTE_BUCKETS, `must be at most ${MAX_ROUTE_BUCKETS}; use a power of two such as 16, 64 or 256`)
        .default(16)
        .describe(
            "hash buckets models are packed into (1–1024); a bucket of more than 15 models splits into routes of its own by further hash bits, so any count serves any number of models. Changing it moves every model once",
        ),
});

export const RETRY_TRIGGERS = [
    "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream",
    "retriable-status-codes", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
] as const;

/** Retries of one request: more would only hold a client and a connection for nothing. */
export const MAX_RETRIES = 100;

export const retrySchema = z.strictObject({
    numRetries: intBetween(0, MAX_RETRIES, `must be at most ${MAX_RETRIES}; lower it (each retry waits up to perRetryTimeout)`)
        .default(3)
        .describe("retries after the first attempt"),
    /** Attempts on one priority before falling back to the next. */
    numAttemptsPerPriority: intBetween(0, MAX_RETRIES, `must be at most ${MAX_RETRIES}; lower it`)
        .default(1)
        .describe("attempts at one priority before the next retry moves to the next priority"),
    perRetryTimeout: duration
        .default("30s")
        .describe(
            "limit of every attempt, the first included, until the backend starts answering; a non-streamed completion starts only when it is finished, so raise it for long ones",
        ),
    backOff: z
        .strictObject({
            baseInterval: duration.default("100ms").describe("the first back-off; each next one doubles, with jitter"),
            maxInterval: duration.default("10s").describe("the longest back-off, at least `baseInterval`"),
        })
        .prefault({})
        .meta(doc("jittered exponential back-off between retries", { row: true })),
    retryOn: z
        .strictObject({
            httpStatusCodes: z
                .array(z.number().int().min(100, "is not an HTTP status; use 100-599").max(599, "is not an HTTP status; use 100-599"))
                .default([500, 502, 503, 504, 404])
                .describe("statuses that are retried (add `429` to fall back when a provider rate-limits you)"),
            triggers: z
                .array(z.enum(RETRY_TRIGGERS))
                .default(["connect-failure", "retriable-status-codes"])
                .describe("Envoy retry triggers (`5xx`, `reset`, `gateway-error`, …); add `reset` for time-to-first-token failover with `timeouts.streamIdle`"),
        })
        .prefault({})
        .describe("what is retried"),
});


/** A request header name (Envoy compares names case-insensitively). */
const headerName = (example: string) => z.string().regex(/^[A-Za-z0-9-]+$/, `is not a header name; use e.g. ${example}`);

export const rateLimitSchema = z.strictObject({
    /** Off: no rules, no token costs, no Redis and no rate-limit settings in Envoy Gateway. */
    enabled: z
        .boolean()
        .default(true)
        .describe(
            "`false`: no rules, no Redis (where the program would run it) and no rate-limit settings in Envoy Gateway; a budget, `failClosed` or `timeout` set anyway is an error. On without a single budget: the same, no Redis and no rate-limit service (Envoy Gateway deploys it whenever its settings exist), and `failClosed` or `timeout` is an error",
        ),
    /** Header identifying the user; each distinct value gets its own budget. */
    userHeader: headerName("x-user-id")
        .default("x-user-id")
        .describe(
            "header naming the user; each distinct value has budgets of its own. With client authentication the gateway fills it from the verified identity (`auth.jwt.userClaim`, or the API-key client's name) and removes what clients send; without, it is what the client sends, and per-user budgets get a warning. Never a header that carries a credential (`authorization`, cookies, the API-key header)",
        ),
    /** Which token count charges token budgets that do not name their own `type`. */
    tokenType: z
        .enum(TOKEN_TYPES)
        .default("total")
        .describe("the count a token budget charges unless it names its own `type`: `total`, `input`, `output`, `cachedInput` or `reasoning` tokens"),
    /** Per user and model, for models that set none of their own (per kind: requests, tokens). */
    defaults: rateLimitBudgetsSchema.optional().describe("`{requests, tokens, spend}` per user and model, for every model that leaves that kind unset"),
    /** Per user across all models together. */
    perUser: rateLimitBudgetsSchema.optional().describe("`{requests, tokens, spend}` per user, all models together"),
    /** Per tenant (all its users and models together), keyed by the value of `header`. */
    tenants: z
        .strictObject({
            header: headerName("x-tenant").default("x-tenant").describe("header naming the tenant"),
            budgets: z
                .record(z.string(), rateLimitBudgetsSchema)
                .default({})
                .describe("`<tenant>: {requests, tokens, spend}` per tenant (the header's exact value), all its users and models together"),
        })
        .optional()
        .describe("budgets per tenant"),
    /** Everyone together: all users, tenants and models. */
    global: rateLimitBudgetsSchema.optional().describe("`{requests, tokens, spend}` for all traffic together"),
    /** Refuse requests (500) while the rate-limit service cannot answer, instead of letting them through. */
    failClosed: z
        .boolean()
        .default(false)
        .describe("while Redis or the ratelimit service is unreachable: `false` lets requests through unlimited, `true` refuses them (500)"),
    /** How long Envoy waits for the rate-limit service (Envoy Gateway's default: 20ms). */
    timeout: duration
        .optional()
        .meta(doc("how long Envoy waits for the ratelimit service before `failClosed` decides", { default: "(Envoy Gateway: `20ms`)" })),
});

export type RoutingConfig = z.output<typeof routingSchema>;
export type RetryConfig = z.output<typeof retrySchema>;
export type RateLimitConfig = z.output<typeof rateLimitSchema>;
