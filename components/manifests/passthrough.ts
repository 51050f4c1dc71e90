import type { PassthroughRouteConfig, RateLimitConfig } from "../../config";
import type { ParentReference, RateLimitRule } from "../../specs";
import { Manifest, manifest } from "../../specs/manifest";
import { hasSections, type ProtectionSections } from "./protection";
import { rateLimitSection } from "./rateLimit";
import { trafficPolicy } from "./trafficPolicy";
import { isCatchAll, catchAllPathRegexes } from "../../plan/passthrough";
import type { RouteObjectNames } from "../../plan/names";

export interface PassthroughInput {
    /** The route's and its policy's names: the plan's (plan.names.passthrough). */
    names: RouteObjectNames;
    config: PassthroughRouteConfig;
    gateway: { name: string; namespace: string; parentRefs: ParentReference[] };
    /** traffic.timeouts.request, when traffic timeouts are on. */
    requestTimeout?: string;
    /** Timeouts, circuit breaker and health checks for the route's policy. */
    protection: ProtectionSections;
    /** ai-gateway:rateLimit: with `scope: allRoutes` the Gateway's shared budgets count this route too. */
    rateLimit?: RateLimitConfig;
    /** The route's own request budgets (`passthrough.<r>.rateLimit`) as rules: the plan's (plan.rateLimit.passthrough). */
    rules?: readonly RateLimitRule[];
}

export interface PassthroughManifests {
    route: Manifest<"HTTPRoute">;
    /** Only when the Service lives outside the gateway namespace. */
    referenceGrant?: Manifest<"ReferenceGrant">;
    /** Only when traffic protection sets anything: the one BackendTrafficPolicy of this HTTPRoute. */
    trafficPolicy?: Manifest<"BackendTrafficPolicy">;
}

export function passthroughManifests(input: PassthroughInput): PassthroughManifests {
    const { config, gateway } = input;
    const routeName = input.names.name;
    const serviceNamespace = config.service.namespace ?? gateway.namespace;
    const crossNamespace = serviceNamespace !== gateway.namespace;

    const route = manifest(
        "HTTPRoute",
        { name: routeName, namespace: gateway.namespace },
        {
            parentRefs: gateway.parentRefs,
            rules: [
                {
                    // The catch-all `/` leaves the AI Gateway's endpoints to the model routes (see catchAllPathRegexes).
                    matches: isCatchAll(config)
                        ? catchAllPathRegexes().map((value) => ({ path: { type: "RegularExpression" as const, value } }))
                        : [{ path: { type: config.pathType, value: config.path } }],
                    backendRefs: [
                        {
                            group: "",
                            kind: "Service",
                            name: config.service.name,
                            ...(crossNamespace && { namespace: serviceNamespace }),
                            port: config.service.port,
                        },
                    ],
                    ...(input.requestTimeout !== undefined && { timeouts: { request: input.requestTimeout } }),
                },
            ],
        },
    );

    // The Service's namespace must allow this one reference, and nothing more.
    const referenceGrant = crossNamespace
        ? manifest(
              "ReferenceGrant",
              { name: routeName, namespace: serviceNamespace },
              {
                  from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: gateway.namespace }],
                  to: [{ group: "", kind: "Service", name: config.service.name }],
              },
          )
        : undefined;

    // A policy of the route's own replaces the Gateway's for it, unless it merges: whenever it holds
    // budgets (their counters and the shared ones side by side) or the shared budgets count this route.
    const rateLimit = input.rules && rateLimitSection([...input.rules]);
    const merge = rateLimit !== undefined || (input.rateLimit?.enabled === true && input.rateLimit.scope === "allRoutes");
    const sections = { ...input.protection, ...(rateLimit && { rateLimit }) };
    const policy = hasSections(input.protection) || rateLimit !== undefined ? trafficPolicy(route, input.names.trafficPolicy, { ...(merge && { mergeType: "StrategicMerge" as const }), ...sections }) : undefined;
    return { route, referenceGrant, trafficPolicy: policy };
}
