import { z } from "zod";
import { doc } from "./docs";
import { duration, intBetween, positiveInt } from "./primitives";
export { effectiveRetry, MAX_RETRIES, RETRY_TRIGGERS, retryOverrideSchema, retrySchema, type RetryConfig, type RetryOverride } from "./retry";
import { rateLimitBudgetsSchema, TOKEN_TYPES } from "./models";
import { headerNameProblem } from "../policies/headers";
import { localRateLimitSchema } from "./localRateLimit";

/** Which routes the shared request budgets count (rateLimit.scope). */
export const RATE_LIMIT_SCOPES = ["models", "allRoutes"] as const;

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

/** A request header name (Envoy compares names case-insensitively). */
const headerName = (example: string) =>
    z.string().superRefine((v, ctx) => {
        const problem = /^[A-Za-z0-9-]+$/.test(v) ? headerNameProblem(v, "identity") : `is not a header name; use e.g. ${example}`;
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    });

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
    /** Which routes the per-user, tenant and global request budgets count. */
    scope: z
        .enum(RATE_LIMIT_SCOPES)
        .default("models")
        .describe(
            "which requests the `perUser`, `tenants` and `global` request budgets count: `models` (requests for a model) or `allRoutes` (also the passthrough and MCP routes); token and spend budgets count model requests only, either way",
        ),
    /** A per-replica burst limit, enforced by each Envoy alone (no Redis). */
    local: localRateLimitSchema.optional(),
    /** Refuse requests (500) while the rate-limit service cannot answer, instead of letting them through. */
    failClosed: z
        .boolean()
        .default(false)
        .describe("while Redis or the ratelimit service is unreachable: `false` lets requests through unlimited, `true` refuses them (500)"),
    /** What the provider-quota filter does while the quota service cannot answer (the controller's `quotaRateLimitFailureModeDeny`). */
    quotaFailClosed: z
        .boolean()
        .optional()
        .meta(
            doc(
                "while the quota service (provider `quotas`) or its Redis is unreachable: `false` lets requests through past the quotas, `true` refuses them (AI Gateway controller `quotaRateLimitFailureModeDeny`)",
                { default: "(AI Gateway: `false`)" },
            ),
        ),
    /** How long Envoy waits for the rate-limit service (Envoy Gateway's default: 20ms). */
    timeout: duration
        .optional()
        .meta(doc("how long Envoy waits for the ratelimit service before `failClosed` decides", { default: "(Envoy Gateway: `20ms`)" })),
});

export type RoutingConfig = z.output<typeof routingSchema>;
export type RateLimitConfig = z.output<typeof rateLimitSchema>;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];
