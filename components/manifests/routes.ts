import type { ParentReference, AIGatewayRouteRule, AIGatewayRouteRuleBackendRef, ResponseOverride } from "../../specs";
import { effectiveRetry, type ModelConfig, type RetryConfig } from "../../config/schema";
import { Manifest, manifest } from "../../specs/manifest";
import { mutationSpec } from "./mutation";
import { MODEL_HEADER } from "../../config/aiMetadata";
import { type BackendClusterSections, modelClusterSections } from "./backendTraffic";
import { withLocalLimit } from "./localRateLimit";
import { INFERENCE_POOL_REF } from "./inferencePool";
import { childName, dnsLabel } from "../../config/names";
import { llmRequestCosts, rateLimitSection } from "./rateLimit";
import type { RateLimitRuleSet } from "../../plan/rateLimit";
import type { RateLimitConfig } from "../../config";
import { retrySection, trafficPolicy, type TrafficPolicySections } from "./trafficPolicy";
import { PATTERN_BUCKET_ID, type RouteGroup } from "../../plan/routes";

/** The header the AI Gateway fills from the request body's `model` field, and routes match on. */
export { MODEL_HEADER };
export { retrySection, trafficPolicy, type TrafficPolicySections };

/** Rule name the controller reserves for its own catch-all. */
const RESERVED_RULE_NAME = "route-not-found";

export interface GatewayRef {
    name: string;
    namespace: string;
    /** Where routes attach (see gatewayParentRefs); default: the whole Gateway. */
    parentRefs?: (ParentReference & { kind: "Gateway" })[];
}

/** Rule name of a model: its DNS label (unique, since dnsLabel adds a hash whenever it changed the name). */
export function ruleName(model: string): string {
    const label = dnsLabel(model);
    return label === RESERVED_RULE_NAME ? dnsLabel(`${model} rule`) : label;
}

/**
 * One backendRef with only what the config sets: an unset weight or priority keeps the CRD default (1, 0).
 * An InferencePool is named with its group and kind; an AIServiceBackend without them.
 */
function backendRef(ref: ModelConfig["backends"][number], serviceBackend: (backend: string) => string, inferencePool?: (backend: string) => boolean): AIGatewayRouteRuleBackendRef {
    return {
        name: serviceBackend(ref.backend),
        ...(inferencePool?.(ref.backend) && INFERENCE_POOL_REF),
        ...(ref.model !== undefined && { modelNameOverride: ref.model }),
        ...(ref.weight !== undefined && { weight: ref.weight }),
        ...(ref.priority !== undefined && { priority: ref.priority }),
        ...mutationSpec(ref.headers, ref.body),
    };
}

/** The rule serving one virtual model name. */
export function modelRule(model: string, config: ModelConfig, serviceBackend: (backend: string) => string, inferencePool?: (backend: string) => boolean): AIGatewayRouteRule {
    const { request, streamIdle } = config.timeouts;
    return {
        name: ruleName(model),
        matches: [
            {
                headers: [
                    config.match?.pattern !== undefined
                        ? { type: "RegularExpression", name: MODEL_HEADER, value: config.match.pattern }
                        : { type: "Exact", name: MODEL_HEADER, value: model },
                    ...(config.match?.headers ?? []).map((h) => ({ type: h.type, name: h.name, value: h.value })),
                ],
            },
        ],
        backendRefs: config.backends.map((ref) => backendRef(ref, serviceBackend, inferencePool)),
        timeouts: { request },
        ...(streamIdle !== undefined && { streamIdleTimeout: streamIdle }),
        // The gateway's /v1/models answer: who owns the model, and since when.
        ...(config.ownedBy !== undefined && { modelsOwnedBy: config.ownedBy }),
        ...(config.createdAt !== undefined && { modelsCreatedAt: config.createdAt }),
    };
}

export interface ModelRoutesInput {
    gateway: GatewayRef;
    models: Record<string, ModelConfig>;
    /** The plan's route groups (plan/routes.ts routeGroups): each route's names, models, host names, retry and spend cost. */
    groups: readonly RouteGroup[];
    /** Name of the AIServiceBackend (or InferencePool) of a backend key. */
    serviceBackend: (backend: string) => string;
    /** Whether a backend key is an InferencePool (its name then is the pool's). */
    inferencePool?: (backend: string) => boolean;
}

export interface ModelRoute {
    bucket: RouteGroup;
    route: Manifest<"AIGatewayRoute">;
    /** Backend keys the route's rules reference, sorted. */
    backends: string[];
}

/**
 * One AIGatewayRoute per route group of the plan (a non-empty bucket, or part of a split bucket, see
 * packing.ts; and see modelBuckets), rules in model-name order, attached to the gateway; the pattern models
 * in one route of their own, in their documented order. Envoy Gateway keeps the order of rules of one route
 * among matches of the same kind, and ranks an exact header match above a regular expression, so exact
 * names always win.
 */
export function modelRoutes(input: ModelRoutesInput): ModelRoute[] {
    const { gateway, models } = input;
    return input.groups.map((bucket) => {
        return {
            bucket,
            route: manifest(
                "AIGatewayRoute",
                { name: bucket.name, namespace: gateway.namespace },
                {
                    parentRefs: gateway.parentRefs ?? [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.name }],
                    ...withHostnames(bucket.hostnames),
                    rules: bucket.models.map((m) => modelRule(m, models[m], input.serviceBackend, input.inferencePool)),
                    // Always: access logs and metrics read the token counts, not only budgets.
                    llmRequestCosts: llmRequestCosts(bucket.spend?.cel),
                },
            ),
            backends: [...new Set(bucket.models.flatMap((m) => models[m].backends.map((b) => b.backend)))].sort(),
        };
    });
}

const withHostnames = (hostnames: string[] | undefined) => (hostnames === undefined ? {} : { hostnames });

export interface ModelTrafficInput {
    gateway: GatewayRef;
    /** The name of the Gateway's policy of the budgets of all models together (the plan's names.modelsTrafficPolicy). */
    sharedPolicy: string;
    models: Record<string, ModelConfig>;
    routes: readonly ModelRoute[];
    /** ai-gateway:retry: a pattern model's own retry completes it (each route's retry is its group's). */
    retry: RetryConfig;
    /** ai-gateway:rateLimit: whether it is on, and its local limit. */
    rateLimit: RateLimitConfig;
    /** The plan's rule set: the shared budgets and each model's own. */
    rules: RateLimitRuleSet;
    /** Timeouts, circuit breaker and health checks (ai-gateway:traffic), in every route's policy. */
    protection?: Omit<TrafficPolicySections, "mergeType" | "retry" | "rateLimit" | "responseOverride">;
    /** The error bodies of every model route (errorResponseOverrides of gateway.errors.format); unset: Envoy's. */
    errors?: ResponseOverride[];
    /** A backend key's loadBalancer and tcpKeepalive sections (backendClusterSections), if it sets any. */
    clusterSections?: (backend: string) => BackendClusterSections | undefined;
}

export interface ModelTrafficPolicies {
    /** On the Gateway: the budgets of all models together; undefined without any. */
    shared?: Manifest<"BackendTrafficPolicy">;
    /** `<route>-traffic` of each route, in the order of the routes. */
    routes: { bucket: RouteGroup; policy: Manifest<"BackendTrafficPolicy"> }[];
    /**
     * `<route>-<rule>-traffic` of each pattern model with a `retry` of its own, on its rule of the
     * patterns' route (in pattern order), and of each model whose backends set a loadBalancer or
     * tcpKeepalive (one Envoy cluster per rule): Envoy Gateway applies a policy on a route rule in place of
     * the route's policy for that rule, so it carries the route's sections too.
     */
    rules: { model: string; route: string; policy: Manifest<"BackendTrafficPolicy"> }[];
}

/** The BackendTrafficPolicy of one rule (one model) of a route: `<route>-<rule>-traffic`. */
export function ruleTrafficPolicyName(route: string, model: string): string {
    return childName(route, ruleName(model), "traffic");
}

/**
 * The BackendTrafficPolicies of the model routes (see components/modelRoutes.ts for why this shape):
 *
 * - one per generated HTTPRoute, `<route>-traffic`: the route's retry, the traffic protection and the
 *   budgets of the route's own models, with `mergeType: StrategicMerge`, so that Envoy Gateway merges it
 *   into the Gateway's policy instead of putting it in its place;
 * - one on the Gateway, `<gateway>-models-traffic`, with the budgets of all models together (global,
 *   tenants, per user), when there are any: merged into every route, each rule is one counter under this
 *   policy's name whichever route counts it.
 *
 * Each policy holds at most 256 rules: the shared budgets count against the Gateway's, a model's own
 * against its route's (plan/rules/rateLimit.ts). Adding a model changes only its own route's policy.
 */
export function modelTrafficPolicies(input: ModelTrafficInput): ModelTrafficPolicies {
    const { gateway, models, rateLimit, rules: ruleSet } = input;
    // Each model's backend cluster settings (loadBalancer, tcpKeepalive), when its backends set any.
    const clusterSections = new Map(
        input.clusterSections === undefined ? [] : input.routes.flatMap(({ bucket }) => bucket.models.map((m) => [m, modelClusterSections(models[m], input.clusterSections!)] as const)),
    );
    const sharedRules = rateLimitSection(ruleSet.shared);
    // The own rules of these models, in name order (pattern models have none).
    const ownRules = (names: readonly string[]) => [...names].sort().flatMap((m) => ruleSet.models.get(m) ?? []);
    const shared =
        sharedRules && input.routes.length > 0
            ? manifest(
                  "BackendTrafficPolicy",
                  { name: input.sharedPolicy, namespace: gateway.namespace },
                  { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.name }], rateLimit: sharedRules },
              )
            : undefined;
    const routes = input.routes.map(({ bucket, route }) => ({
        bucket,
        policy: trafficPolicy(route, bucket.trafficPolicy, {
            mergeType: "StrategicMerge",
            retry: retrySection(bucket.retry),
            rateLimit: withLocalLimit(rateLimitSection(ownRules(bucket.models)), rateLimit.enabled ? rateLimit.local : undefined),
            ...input.protection,
            responseOverride: input.errors,
        }),
    }));
    // Pattern models share one route, whose rule order is their documented order: a pattern's own retry
    // is a policy on its rule, never a route of its own (the order of two routes would be their age).
    // A model whose backends set cluster settings gets a policy on its rule too. Each merges into the
    // Gateway's policy like the route's; its model's own budgets move with it (pattern models have none).
    const clusters = (model: string) => clusterSections.get(model);
    const rules = input.routes.flatMap(({ bucket, route }) => {
        const patterns = bucket.id === PATTERN_BUCKET_ID;
        // The patterns' group holds its models in their documented order (patternModels).
        return bucket.models
            .filter((m) => (patterns && models[m].retry !== undefined) || clusters(m) !== undefined)
            .map((model) => {
                const retry = patterns ? effectiveRetry(input.retry, models[model].retry) : bucket.retry;
                const sections: TrafficPolicySections = {
                    mergeType: "StrategicMerge",
                    retry: retrySection(retry),
                    rateLimit: withLocalLimit(rateLimitSection(ownRules([model])), rateLimit.enabled ? rateLimit.local : undefined),
                    ...input.protection,
                    responseOverride: input.errors,
                    ...clusters(model),
                };
                return { model, route: route.metadata.name, policy: trafficPolicy(route, ruleTrafficPolicyName(route.metadata.name, model), sections, ruleName(model)) };
            });
    });
    return { ...(shared && { shared }), routes, rules };
}
