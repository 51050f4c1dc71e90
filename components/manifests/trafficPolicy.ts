import type { RetryConfig } from "../../config/schema";
import type { BackendTrafficPolicySpec, Retry } from "../../specs";
import { Manifest, manifest } from "../../specs/manifest";

/**
 * The BackendTrafficPolicy of a route, whichever kind: the model routes' (routes.ts) and the passthrough
 * routes' (passthrough.ts) are built here, each from the sections its builder sets.
 */

/** The `retry` section: priority fallback and retries, as the tutorial sets them. */
export function retrySection(retry: RetryConfig): Retry {
    return {
        numRetries: retry.numRetries,
        numAttemptsPerPriority: retry.numAttemptsPerPriority,
        perRetry: {
            timeout: retry.perRetryTimeout,
            backOff: { baseInterval: retry.backOff.baseInterval, maxInterval: retry.backOff.maxInterval },
        },
        retryOn: { httpStatusCodes: [...retry.retryOn.httpStatusCodes], triggers: [...retry.retryOn.triggers] },
    };
}

/**
 * Sections of a route's BackendTrafficPolicy. Envoy Gateway applies only one policy per target, so
 * retries, rate limits, timeouts and circuit breaking must all go into this one object.
 */
export type TrafficPolicySections = Pick<
    BackendTrafficPolicySpec,
    "mergeType" | "retry" | "rateLimit" | "timeout" | "circuitBreaker" | "healthCheck" | "responseOverride" | "loadBalancer" | "tcpKeepalive" | "requestBuffer"
>;

/**
 * The BackendTrafficPolicy `name` of HTTPRoutes: those the AI Gateway generates for AIGatewayRoutes (same names,
 * same namespace) or our own. Only sections that are set appear.
 */
export function trafficPolicy(
    routes: Manifest<"AIGatewayRoute"> | Manifest<"HTTPRoute"> | readonly Manifest<"AIGatewayRoute">[],
    name: string,
    sections: TrafficPolicySections,
    /** A rule of the one route (its name): the policy applies to that rule only, in place of the route's. */
    sectionName?: string,
): Manifest<"BackendTrafficPolicy"> {
    const targets: readonly (Manifest<"AIGatewayRoute"> | Manifest<"HTTPRoute">)[] = "metadata" in routes ? [routes] : routes;
    if (targets.length === 0) throw new Error("a traffic policy needs at least one route");
    const defined = Object.fromEntries(Object.entries(sections).filter(([, v]) => v !== undefined)) as TrafficPolicySections;
    return manifest(
        "BackendTrafficPolicy",
        { name, namespace: targets[0].metadata.namespace },
        {
            targetRefs: targets.map((r) => ({ group: "gateway.networking.k8s.io" as const, kind: "HTTPRoute" as const, name: r.metadata.name, ...(sectionName !== undefined && { sectionName }) })),
            ...defined,
        },
    );
}
