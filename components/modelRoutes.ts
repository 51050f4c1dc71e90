import * as pulumi from "@pulumi/pulumi";
import type { ErrorFormat, ModelConfig, RateLimitConfig, RetryConfig } from "../config";
import { errorResponseOverrides } from "./manifests/errors";
import type { ProtectionSections } from "./manifests/protection";
import type { RateLimitRuleSet } from "../plan/rateLimit";
import type { RouteGroup } from "../plan/routes";
import type { BackendClusterSections } from "./manifests/backendTraffic";
import { GatewayRef, modelRoutes, modelTrafficPolicies, type TrafficPolicySections } from "./manifests/routes";
import { createCustomResource, PlatformReadiness } from "./customResource";

/** What a route needs from a backend: the name to reference, and what to wait for. */
export interface RoutedBackend {
    /** The AIServiceBackend, or the InferencePool when `inferencePool` is true. */
    serviceBackendName: string;
    inferencePool?: boolean;
    ready: pulumi.Resource[];
}

export interface ModelRoutesArgs {
    gateway: GatewayRef;
    models: Record<string, ModelConfig>;
    /** The plan's route groups: each route's names, models, host names, retry and spend cost. */
    groups: readonly RouteGroup[];
    /** The name of the Gateway's policy of the budgets of all models together (the plan's names.modelsTrafficPolicy). */
    sharedPolicy: string;
    /** ai-gateway:retry, which a pattern model's own retry completes. */
    retry: RetryConfig;
    rateLimit: RateLimitConfig;
    /** The plan's rule set: the shared budgets and each model's own. */
    rules: RateLimitRuleSet;
    /** Timeouts, circuit breaker and health checks (ai-gateway:traffic), in every route's policy beside its retry. */
    protection?: ProtectionSections & Pick<TrafficPolicySections, "requestBuffer">;
    /** Every backend the models name, by config key. */
    backends: Record<string, RoutedBackend>;
    /** gateway.errors.format: the model routes' error bodies (default `openai`). */
    errors?: ErrorFormat;
    /** A backend key's loadBalancer and tcpKeepalive (manifests/backendTraffic.ts), on the rules of the models reaching it. */
    clusterSections?: (backend: string) => BackendClusterSections | undefined;
    platform: PlatformReadiness;
    /** What objects in the gateway namespace wait for (the namespace itself). */
    namespaceReady?: pulumi.Resource[];
}

/**
 * The virtual model names: AIGatewayRoutes of at most 15 rules (one per model, packed by the hash of their
 * names: adding or removing a model changes no route but its own, which may split or merge, see
 * plan/packing.ts; models with a `retry` of their own in routes of their own), recording the token
 * counts of every response, and their BackendTrafficPolicies (manifests/routes.ts modelTrafficPolicies):
 * one per generated HTTPRoute with its retry, traffic protection and its models' budgets, merged into
 * one on the Gateway with the budgets of all models together.
 *
 * Why this shape: Envoy Gateway applies a single BackendTrafficPolicy per route (a second one on the same
 * HTTPRoute is refused as Conflicted), and a route's policy replaces the Gateway's unless it sets
 * `mergeType`. A `shared` rate-limit counter belongs to the policy that declares it: identical rules in
 * two policies are two counters. So a global, tenant or per-user budget is one counter only if one policy
 * holds it, and the one policy that reaches every model route while each route keeps a retry of its own is
 * the Gateway's, merged into each route's. Envoy Gateway merges the Gateway's rules into a route under the
 * Gateway policy's name, so their counters stay one. A model's own budgets match its name, so they live in
 * its route's policy. The cap of 256 rules is per policy: the shared budgets, and each route's models.
 */
export class ModelRoutes extends pulumi.ComponentResource {
    /** Names of the AIGatewayRoutes (and of the HTTPRoutes the controller creates from them). */
    public readonly routeNames: string[];
    /** Name of the Gateway's BackendTrafficPolicy of the budgets of all models together (undefined without any). */
    public readonly trafficPolicyName: string | undefined;
    /** Names of the BackendTrafficPolicies of the routes, one per route. */
    public readonly routeTrafficPolicyNames: string[];

    constructor(name: string, args: ModelRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:models:ModelRoutes", name, {}, opts);
        const namespaceReady = args.namespaceReady ?? [];
        const backend = (key: string) => {
            const b = args.backends[key];
            if (b === undefined) throw new Error(`no backend "${key}" (validation should have caught this)`);
            return b;
        };
        const errors = errorResponseOverrides(args.errors ?? "openai");
        const routes = modelRoutes({
            gateway: args.gateway,
            models: args.models,
            groups: args.groups,
            serviceBackend: (key) => backend(key).serviceBackendName,
            inferencePool: (key) => backend(key).inferencePool === true,
        });

        const policies = modelTrafficPolicies({
            gateway: args.gateway,
            sharedPolicy: args.sharedPolicy,
            models: args.models,
            routes,
            retry: args.retry,
            rateLimit: args.rateLimit,
            rules: args.rules,
            protection: args.protection,
            errors,
            clusterSections: args.clusterSections,
        });

        const aiRoutes = routes.map(({ bucket, route, backends }) =>
            createCustomResource(`${name}-${bucket.id}`, route, {
                parent: this,
                platform: args.platform,
                dependsOn: [...namespaceReady, ...backends.flatMap((key) => backend(key).ready)],
            }),
        );
        policies.routes.forEach(({ bucket, policy }, i) => {
            createCustomResource(`${name}-${bucket.id}-traffic`, policy, { parent: this, platform: args.platform, dependsOn: [...namespaceReady, aiRoutes[i]] });
        });
        // A pattern model's own retry, or a model's backend cluster settings: a policy on its rule.
        policies.rules.forEach(({ route, policy }) => {
            const i = routes.findIndex((r) => r.route.metadata.name === route);
            createCustomResource(`${name}-${policy.metadata.name}`, policy, { parent: this, platform: args.platform, dependsOn: [...namespaceReady, aiRoutes[i]] });
        });
        if (policies.shared) {
            // Same Pulumi name as the one policy of all routes it replaces: an update, not a replacement.
            createCustomResource(`${name}-traffic`, policies.shared, { parent: this, platform: args.platform, dependsOn: [...namespaceReady, ...aiRoutes] });
        }
        this.trafficPolicyName = policies.shared?.metadata.name;
        this.routeTrafficPolicyNames = [...policies.routes.map((r) => r.policy.metadata.name), ...policies.rules.map((r) => r.policy.metadata.name)];

        this.routeNames = routes.map((r) => r.route.metadata.name);
        this.registerOutputs({ routeNames: this.routeNames, trafficPolicyName: this.trafficPolicyName, routeTrafficPolicyNames: this.routeTrafficPolicyNames });
    }
}
