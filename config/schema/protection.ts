import { z } from "zod";
import { dnsLabel, duration, port, positiveInt } from "./primitives";

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
    path: requestPath,
    interval: duration.default("3s"),
    timeout: duration.default("1s"),
    healthyThreshold: count(2),
    unhealthyThreshold: count(3),
    expectedStatuses: z
        .array(z.number().int().min(100, "is not an HTTP status; use 100-599").max(599, "is not an HTTP status; use 100-599"))
        .min(1, "is empty; list the statuses a healthy endpoint answers, e.g. [200]")
        .default([200]),
});

export const passiveHealthCheckSchema = z.strictObject({
    consecutive5xxErrors: count(5),
    /** 502, 503 and 504 only; unset: not counted on their own. */
    consecutiveGatewayErrors: positiveInt.optional(),
    consecutiveLocalOriginFailures: count(5),
    interval: duration.default("3s"),
    baseEjectionTime: duration.default("30s"),
    maxEjectionPercent: percent.default(10),
});

export const trafficProtectionSchema = z.strictObject({
    /**
     * `connect` and `idle` apply to every route; `request` to passthrough routes only (a model's request
     * timeout is `models.<m>.timeouts.request`, which Envoy Gateway would prefer anyway).
     */
    timeouts: z
        .strictObject({
            connect: duration.default("10s"),
            request: duration.default("60s"),
            idle: duration.default("300s"),
        })
        .optional(),
    /** Per route rule and Envoy pod; Envoy's own limits are 1024 each. */
    circuitBreaker: z
        .strictObject({
            maxConnections: count(100),
            maxPendingRequests: count(50),
            maxParallelRequests: count(200),
            /** Unset: Envoy's 1024. A low value stops priority fallback under load. */
            maxParallelRetries: positiveInt.optional(),
        })
        .optional(),
    healthCheck: z
        .strictObject({
            /** Outlier detection: endpoints that keep failing are ejected for a while. */
            passive: passiveHealthCheckSchema.optional(),
            /** Probes every endpoint; only for routes whose backends all run in the cluster. */
            active: activeHealthCheckSchema.optional(),
        })
        .prefault({}),
});

export const PATH_MATCH_TYPES = ["PathPrefix", "Exact", "RegularExpression"] as const;

export const passthroughRouteSchema = z.strictObject({
    path: z.string().min(1, "is empty; set the request path, e.g. /v1/models/sklearn-iris"),
    /** PathPrefix matches whole path segments: /v1/models/x matches /v1/models/x/infer, not /v1/models/x:predict. */
    pathType: z.enum(PATH_MATCH_TYPES).default("PathPrefix"),
    /** The Kubernetes Service requests go to, unchanged. */
    service: z.strictObject({
        name: dnsLabel,
        /** Unset: the gateway namespace. Another namespace gets a ReferenceGrant there. */
        namespace: dnsLabel.optional(),
        port,
    }),
});

/** Name → a plain HTTPRoute for an endpoint that is not an LLM API (e.g. a KServe predictor). */
export const passthroughSchema = z.record(z.string().min(1, "is empty; name the route"), passthroughRouteSchema);

export type TrafficProtectionConfig = z.output<typeof trafficProtectionSchema>;
export type ActiveHealthCheckConfig = z.output<typeof activeHealthCheckSchema>;
export type PassiveHealthCheckConfig = z.output<typeof passiveHealthCheckSchema>;
export type PassthroughRouteConfig = z.output<typeof passthroughRouteSchema>;
