import { z } from "zod";
import { doc } from "./docs";
import { dnsLabel, duration, port, positiveInt } from "./primitives";
import { budgetSchema } from "./models";

/**
 * ai-gateway:traffic (traffic protection) and ai-gateway:passthrough. Every section of
 * ai-gateway:traffic is opt-in: an absent section leaves Envoy's defaults; a present one fills its
 * unset fields with the values of the seed `envoy-gateway/` config set.
 */

const percent = z
    .number()
    .int("must be a whole number; remove the fraction")
    .min(0, "must not be negative; use a percentage from 0 to 100")
    .max(100, "is above 100; use a percentage from 0 to 100");
const count = (fallback: number) => positiveInt.default(fallback);

/** An absolute request path. */
const requestPath = z.string().regex(/^\/\S*$/, "is not a request path; start it with '/', e.g. /v1/models/sklearn-iris");

export const activeHealthCheckSchema = z.strictObject({
    /** HTTP GET probe path on every endpoint, e.g. /health; required. */
    path: requestPath.describe("HTTP GET probe path on every endpoint, e.g. `/health`"),
    interval: duration.default("3s").describe("time between probes"),
    timeout: duration.default("1s").meta(doc("how long a probe may take", { join: true })),
    healthyThreshold: count(2).describe("probes in a row that mark an endpoint healthy or unhealthy"),
    unhealthyThreshold: count(3).meta(doc("failed probes in a row that mark an endpoint unhealthy", { join: true })),
    expectedStatuses: z
        .array(z.number().int().min(100, "is not an HTTP status; use 100-599").max(599, "is not an HTTP status; use 100-599"))
        .min(1, "is empty; list the statuses a healthy endpoint answers, e.g. [200]")
        .default([200])
        .describe("statuses a healthy endpoint answers"),
});

export const passiveHealthCheckSchema = z.strictObject({
    consecutive5xxErrors: count(5).describe("5xx answers in a row that eject an endpoint (outlier detection)"),
    /** 502, 503 and 504 only; unset: not counted on their own. */
    consecutiveGatewayErrors: positiveInt.optional().describe("502/503/504 in a row that eject it"),
    consecutiveLocalOriginFailures: count(5).describe(
        "connect failures, timeouts and resets in a row; they are counted apart from the backend's 5xx answers (`splitExternalLocalOriginErrors`, without which Envoy ignores this field), so `consecutive5xxErrors` counts only what the backend answered",
    ),
    interval: duration
        .default("3s")
        .describe("how often ejection is analysed, how long an endpoint stays out (longer each time), how much of a route may be out"),
    baseEjectionTime: duration.default("30s").meta(doc("how long an ejected endpoint stays out (longer each time)", { join: true })),
    maxEjectionPercent: percent.default(10).meta(doc("how much of a route may be out, in percent", { join: true })),
});

export const trafficProtectionSchema = z.strictObject({
    /**
     * `connect` and `idle` apply to every route; `request` to passthrough routes only (a model's request
     * timeout is `models.<m>.timeouts.request`, which Envoy Gateway would prefer anyway).
     */
    timeouts: z
        .strictObject({
            connect: duration.default("10s").describe("TCP connect timeout to a backend (`timeout.tcp.connectTimeout`); not `0s`"),
            request: duration.default("60s").describe("whole request, **passthrough routes only** (see below)"),
            idle: duration
                .default("300s")
                .describe("an upstream connection without requests is closed after this long (`timeout.http.connectionIdleTimeout`)"),
        })
        .optional()
        .describe("timeouts towards the backends"),
    /** Per route rule and Envoy pod; Envoy's own limits are 1024 each. */
    circuitBreaker: z
        .strictObject({
            maxConnections: count(100).describe("connections to a route's backends, per Envoy pod"),
            maxPendingRequests: count(50).describe("requests queued for a connection"),
            maxParallelRequests: count(200).describe("requests in flight"),
            /** Unset: Envoy's 1024. A low value stops priority fallback under load. */
            maxParallelRetries: positiveInt
                .optional()
                .meta(
                    doc("retries in flight; a low value (the seed has 10) stops priority fallback exactly when a provider fails under load", {
                        default: "Envoy: 1024",
                    }),
                ),
        })
        .optional()
        .describe("circuit breaker, per route rule and Envoy pod"),
    healthCheck: z
        .strictObject({
            /** Outlier detection: endpoints that keep failing are ejected for a while. */
            passive: passiveHealthCheckSchema.optional().describe("outlier detection: endpoints that keep failing are ejected for a while"),
            /** Probes every endpoint; only for routes whose backends all run in the cluster. */
            active: activeHealthCheckSchema.optional().describe("probes every endpoint; only for routes whose backends all run in the cluster"),
        })
        .prefault({})
        .describe("passive and active health checks of the backends' endpoints"),
});

export const PATH_MATCH_TYPES = ["PathPrefix", "Exact", "RegularExpression"] as const;

export const passthroughRouteSchema = z.strictObject({
    path: z.string().min(1, "is empty; set the request path, e.g. /v1/models/sklearn-iris").describe("request path"),
    /** PathPrefix matches whole path segments: /v1/models/x matches /v1/models/x/infer, not /v1/models/x:predict. */
    pathType: z
        .enum(PATH_MATCH_TYPES)
        .default("PathPrefix")
        .describe(
            "`PathPrefix` (whole segments: `/v1/models/x` matches `/v1/models/x` and `/v1/models/x/infer`, not `/v1/models/x:predict`), `Exact`, or `RegularExpression` (RE2)",
        ),
    /** The Kubernetes Service requests go to, unchanged. */
    service: z
        .strictObject({
            name: dnsLabel.describe("the Service requests go to, unchanged"),
            /** Unset: the gateway namespace. Another namespace gets a ReferenceGrant there. */
            namespace: dnsLabel
                .optional()
                .meta(doc("the Service's namespace; another than the gateway's gets a ReferenceGrant there", { default: "the gateway namespace" })),
            port: port.describe("the Service's port"),
        })
        .describe("the Kubernetes Service requests go to"),
    /** Request budgets of this route alone, per user; tokens and spend need a model, so they are refused with the reason. */
    rateLimit: z
        .strictObject({
            requests: z.array(budgetSchema).optional().describe("request budgets, one limit per window: each request to this route costs 1 when it arrives, per user (`rateLimit.userHeader`)"),
            tokens: z.unknown().optional().describe("not here: a passthrough route has no model, so nothing counts its tokens (an error says so)"),
            spend: z.unknown().optional().describe("not here: a passthrough route has no model and no price, so nothing counts its cost (an error says so)"),
        })
        .superRefine((b, ctx) => {
            for (const kind of ["tokens", "spend"] as const) {
                if (b[kind] === undefined) continue;
                ctx.addIssue({
                    code: "custom",
                    path: [kind],
                    message: `a passthrough route has no model, so the AI Gateway records no ${kind === "tokens" ? "token count" : "cost"} for its responses and a ${kind} budget would count nothing; use requests here, or put the ${kind} budget on a model (models.<m>.rateLimit)`,
                });
            }
        })
        .optional()
        .describe("`{requests}`: request budgets of this route alone, per user; see also `rateLimit.scope: allRoutes` for the per-user, tenant and global request budgets"),
});

/** Name → a plain HTTPRoute for an endpoint that is not an LLM API (e.g. a KServe predictor). */
export const passthroughSchema = z.record(z.string().min(1, "is empty; name the route"), passthroughRouteSchema);

export type TrafficProtectionConfig = z.output<typeof trafficProtectionSchema>;
export type ActiveHealthCheckConfig = z.output<typeof activeHealthCheckSchema>;
export type PassiveHealthCheckConfig = z.output<typeof passiveHealthCheckSchema>;
export type PassthroughRouteConfig = z.output<typeof passthroughRouteSchema>;
