import type { ParentReference } from "../specs";
import type { ModelConfig, RetryConfig } from "../../config";
import type { AIGatewayRouteRule, AIGatewayRouteRuleBackendRef, BackendTrafficPolicySpec, Retry } from "../specs";
import { Manifest, manifest } from "../specs/customResource";
import { childName, dnsLabel } from "./names";
import { ModelBucket, packModels } from "./packing";

/** The header the AI Gateway fills from the request body's `model` field, and routes match on. */
export const MODEL_HEADER = "x-ai-eg-model";

/** Rule name the controller reserves for its own catch-all. */
const RESERVED_RULE_NAME = "route-not-found";

export interface GatewayRef {
    name: string;
    namespace: string;
    /** Where routes attach (see gatewayParentRefs); default: the whole Gateway. */
    parentRefs?: (ParentReference & { kind: "Gateway" })[];
}

/** The AIGatewayRoute of one bucket: `<gateway>-models-<bucket>`. */
export function routeName(gateway: string, bucket: ModelBucket): string {
    return childName(gateway, "models", bucket.id);
}

/** The one BackendTrafficPolicy of a route's generated HTTPRoute. */
export function trafficPolicyName(route: string): string {
    return childName(route, "traffic");
}

/** Rule name of a model: its DNS label (unique, since dnsLabel adds a hash whenever it changed the name). */
export function ruleName(model: string): string {
    const label = dnsLabel(model);
    return label === RESERVED_RULE_NAME ? dnsLabel(`${model} rule`) : label;
}

/** One backendRef with only what the config sets: an unset weight or priority keeps the CRD default (1, 0). */
function backendRef(ref: ModelConfig["backends"][number], serviceBackend: (backend: string) => string): AIGatewayRouteRuleBackendRef {
    return {
        name: serviceBackend(ref.backend),
        ...(ref.model !== undefined && { modelNameOverride: ref.model }),
        ...(ref.weight !== undefined && { weight: ref.weight }),
        ...(ref.priority !== undefined && { priority: ref.priority }),
    };
}

/** The rule serving one virtual model name. */
export function modelRule(model: string, config: ModelConfig, serviceBackend: (backend: string) => string): AIGatewayRouteRule {
    const { request, backendRequest, streamIdle } = config.timeouts;
    return {
        name: ruleName(model),
        matches: [{ headers: [{ type: "Exact", name: MODEL_HEADER, value: model }] }],
        backendRefs: config.backends.map((ref) => backendRef(ref, serviceBackend)),
        timeouts: { request, ...(backendRequest !== undefined && { backendRequest }) },
        ...(streamIdle !== undefined && { streamIdleTimeout: streamIdle }),
    };
}

export interface ModelRoutesInput {
    gateway: GatewayRef;
    models: Record<string, ModelConfig>;
    /** routing.routeBuckets */
    buckets: number;
    /** Name of the AIServiceBackend of a backend key. */
    serviceBackend: (backend: string) => string;
}

export interface ModelRoute {
    bucket: ModelBucket;
    route: Manifest<"AIGatewayRoute">;
    /** Backend keys the route's rules reference, sorted. */
    backends: string[];
}

/** One AIGatewayRoute per non-empty bucket, rules in model-name order, attached to the gateway. */
export function modelRoutes(input: ModelRoutesInput): ModelRoute[] {
    const { gateway, models } = input;
    return packModels(Object.keys(models), input.buckets).map((bucket) => ({
        bucket,
        route: manifest(
            "AIGatewayRoute",
            { name: routeName(gateway.name, bucket), namespace: gateway.namespace },
            {
                parentRefs: gateway.parentRefs ?? [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.name }],
                rules: bucket.models.map((m) => modelRule(m, models[m], input.serviceBackend)),
            },
        ),
        backends: [...new Set(bucket.models.flatMap((m) => models[m].backends.map((b) => b.backend)))].sort(),
    }));
}

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
export type TrafficPolicySections = Pick<BackendTrafficPolicySpec, "retry" | "rateLimit" | "timeout" | "circuitBreaker" | "healthCheck">;

/**
 * The BackendTrafficPolicy of the HTTPRoute the AI Gateway generates for an AIGatewayRoute (same name,
 * same namespace), or of an HTTPRoute of our own. Only sections that are set appear.
 */
export function trafficPolicy(route: Manifest<"AIGatewayRoute"> | Manifest<"HTTPRoute">, sections: TrafficPolicySections): Manifest<"BackendTrafficPolicy"> {
    const defined = Object.fromEntries(Object.entries(sections).filter(([, v]) => v !== undefined)) as TrafficPolicySections;
    return manifest(
        "BackendTrafficPolicy",
        { name: trafficPolicyName(route.metadata.name), namespace: route.metadata.namespace },
        { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: route.metadata.name }], ...defined },
    );
}
