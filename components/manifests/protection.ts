import type { TrafficProtectionConfig } from "../../config";
import type { BackendTimeout, CircuitBreaker, HealthCheck } from "../../specs";
import type { TrafficPolicySections } from "./trafficPolicy";

/**
 * Traffic protection (`ai-gateway:traffic`): timeouts, circuit breaking and health checks, as sections
 * of the one BackendTrafficPolicy of each route (retries and rate limits join the same object). No
 * Pulumi here.
 */

export type ProtectionSections = Pick<TrafficPolicySections, "timeout" | "circuitBreaker" | "healthCheck">;

/**
 * The sections every route's policy carries; only configured sections appear. The request timeout is
 * never among them: Envoy Gateway lets a route rule's own `timeouts.request` win over the policy's, so
 * it lives on the rule (models.<m>.timeouts.request for model routes, traffic.timeouts.request for
 * passthrough routes) and nothing here can fight it.
 */
export function protectionSections(traffic: TrafficProtectionConfig): ProtectionSections {
    return {
        timeout: timeout(traffic.timeouts),
        circuitBreaker: circuitBreaker(traffic.circuitBreaker),
        healthCheck: healthCheck(traffic.healthCheck),
    };
}

/** Whether any section is set (an empty policy is not worth an object). */
export function hasSections(sections: object): boolean {
    return Object.values(sections).some((v) => v !== undefined);
}

function timeout(t: TrafficProtectionConfig["timeouts"]): BackendTimeout | undefined {
    if (t === undefined) return undefined;
    return { tcp: { connectTimeout: t.connect }, http: { connectionIdleTimeout: t.idle } };
}

function circuitBreaker(cb: TrafficProtectionConfig["circuitBreaker"]): CircuitBreaker | undefined {
    if (cb === undefined) return undefined;
    return {
        maxConnections: cb.maxConnections,
        maxPendingRequests: cb.maxPendingRequests,
        maxParallelRequests: cb.maxParallelRequests,
        ...(cb.maxParallelRetries !== undefined && { maxParallelRetries: cb.maxParallelRetries }),
    };
}

function healthCheck(hc: TrafficProtectionConfig["healthCheck"]): HealthCheck | undefined {
    const { passive, active } = hc;
    if (passive === undefined && active === undefined) return undefined;
    return {
        ...(passive !== undefined && {
            passive: {
                consecutive5XxErrors: passive.consecutive5xxErrors,
                ...(passive.consecutiveGatewayErrors !== undefined && { consecutiveGatewayErrors: passive.consecutiveGatewayErrors }),
                // Envoy counts local-origin failures (connect errors, timeouts, resets) on their own only when
                // they are split from the backend's 5xx answers; without the split the field does nothing.
                splitExternalLocalOriginErrors: true,
                consecutiveLocalOriginFailures: passive.consecutiveLocalOriginFailures,
                interval: passive.interval,
                baseEjectionTime: passive.baseEjectionTime,
                maxEjectionPercent: passive.maxEjectionPercent,
            },
        }),
        ...(active !== undefined && {
            active: {
                type: "HTTP" as const,
                interval: active.interval,
                timeout: active.timeout,
                healthyThreshold: active.healthyThreshold,
                unhealthyThreshold: active.unhealthyThreshold,
                http: { path: active.path, method: "GET", expectedStatuses: [...active.expectedStatuses] },
            },
        }),
    };
}
