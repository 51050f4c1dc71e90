import { z } from "zod";
import { duration, intBetween, positiveInt } from "./primitives";
import { rateLimitBudgetsSchema, TOKEN_TYPES } from "./models";

/** Upper bound on routing.routeBuckets: each bucket can become an AIGatewayRoute, an HTTPRoute and a policy. */
export const MAX_ROUTE_BUCKETS = 1024;

export const routingSchema = z.strictObject({
    /** Every model needs this many backends, to stay available when one fails. */
    minBackendsPerModel: positiveInt.default(2),
    /**
     * Models are spread over this many AIGatewayRoutes by a hash of their name, so a model never moves
     * when others come and go. Changing it moves every model once.
     */
    routeBuckets: intBetween(1, MAX_ROUTE_BUCKETS, `must be at most ${MAX_ROUTE_BUCKETS}; use a power of two such as 16, 64 or 256`).default(16),
});

export const RETRY_TRIGGERS = [
    "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream",
    "retriable-status-codes", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
] as const;

/** Retries of one request: more would only hold a client and a connection for nothing. */
export const MAX_RETRIES = 100;

export const retrySchema = z.strictObject({
    numRetries: intBetween(0, MAX_RETRIES, `must be at most ${MAX_RETRIES}; lower it (each retry waits up to perRetryTimeout)`).default(3),
    /** Attempts on one priority before falling back to the next. */
    numAttemptsPerPriority: intBetween(0, MAX_RETRIES, `must be at most ${MAX_RETRIES}; lower it`).default(1),
    perRetryTimeout: duration.default("30s"),
    backOff: z
        .strictObject({ baseInterval: duration.default("100ms"), maxInterval: duration.default("10s") })
        .prefault({}),
    retryOn: z
        .strictObject({
            httpStatusCodes: z
                .array(z.number().int().min(100, "is not an HTTP status; use 100-599").max(599, "is not an HTTP status; use 100-599"))
                .default([500, 502, 503, 504, 404]),
            triggers: z.array(z.enum(RETRY_TRIGGERS)).default(["connect-failure", "retriable-status-codes"]),
        })
        .prefault({}),
});


/** A request header name (Envoy compares names case-insensitively). */
const headerName = (example: string) => z.string().regex(/^[A-Za-z0-9-]+$/, `is not a header name; use e.g. ${example}`);

export const rateLimitSchema = z.strictObject({
    /** Off: no rules, no token costs, no Redis and no rate-limit settings in Envoy Gateway. */
    enabled: z.boolean().default(true),
    /** Header identifying the user; each distinct value gets its own budget. */
    userHeader: headerName("x-user-id").default("x-user-id"),
    /** Which token count charges token budgets that do not name their own `type`. */
    tokenType: z.enum(TOKEN_TYPES).default("total"),
    /** Per user and model, for models that set none of their own (per kind: requests, tokens). */
    defaults: rateLimitBudgetsSchema.optional(),
    /** Per user across all models together. */
    perUser: rateLimitBudgetsSchema.optional(),
    /** Per tenant (all its users and models together), keyed by the value of `header`. */
    tenants: z
        .strictObject({
            header: headerName("x-tenant").default("x-tenant"),
            budgets: z.record(z.string(), rateLimitBudgetsSchema).default({}),
        })
        .optional(),
    /** Everyone together: all users, tenants and models. */
    global: rateLimitBudgetsSchema.optional(),
    /** Refuse requests (500) while the rate-limit service cannot answer, instead of letting them through. */
    failClosed: z.boolean().default(false),
    /** How long Envoy waits for the rate-limit service (Envoy Gateway's default: 20ms). */
    timeout: duration.optional(),
});

export type RoutingConfig = z.output<typeof routingSchema>;
export type RetryConfig = z.output<typeof retrySchema>;
export type RateLimitConfig = z.output<typeof rateLimitSchema>;
