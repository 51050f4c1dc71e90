import * as pulumi from "@pulumi/pulumi";
import type { ModelConfig, ModelPrice, RateLimitConfig, RetryConfig } from "../config";
import type { ProtectionSections } from "./manifests/protection";
import { rateLimitSection, routePrices } from "./manifests/rateLimit";
import { GatewayRef, modelRoutes, modelsTrafficPolicyName, retrySection, trafficPolicy } from "./manifests/routes";
import { createCustomResource, PlatformReadiness } from "./specs/customResource";

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
    /** routing.routeBuckets */
    routeBuckets: number;
    retry: RetryConfig;
    rateLimit: RateLimitConfig;
    /** Timeouts, circuit breaker and health checks (ai-gateway:traffic), in the same policy as the retries. */
    protection?: ProtectionSections;
    /** Every backend the models name, by config key. */
    backends: Record<string, RoutedBackend>;
    /** Price tables by backend key (ai-gateway:backends.<b>.prices), which spend budgets charge. */
    prices?: Record<string, Record<string, ModelPrice> | undefined>;
    platform: PlatformReadiness;
    /** What objects in the gateway namespace wait for (the namespace itself). */
    namespaceReady?: pulumi.Resource[];
}

/**
 * The virtual model names: AIGatewayRoutes of at most 15 rules (one per model, packed by the hash of their
 * names: adding or removing a model changes no route but its own, which may split or merge, see
 * manifests/packing.ts), recording the token counts of every response, and ONE BackendTrafficPolicy for
 * all the HTTPRoutes the controller generates from them, holding retries (priority fallback) and every
 * rate-limit rule, and traffic protection (ai-gateway:traffic) when configured.
 *
 * Why one policy for all routes: Envoy Gateway applies a single BackendTrafficPolicy per target (a
 * second one on the same HTTPRoute is refused as Conflicted, and a route-level policy replaces a
 * Gateway-level one unless it merges), so retry and rate limits must share one object. And a `shared`
 * rate-limit counter belongs to the policy that declares it: identical rules in two policies are two
 * counters. A global or tenant budget is one counter only if one policy holds it for every route.
 * Model budgets lose nothing: their rules match the model's name, so each only counts on its model's
 * route. Cost: at most 256 rules in total (validated, config/rules/rateLimit.ts).
 */
export class ModelRoutes extends pulumi.ComponentResource {
    /** Names of the AIGatewayRoutes (and of the HTTPRoutes the controller creates from them). */
    public readonly routeNames: string[];
    /** Name of the BackendTrafficPolicy of the model routes (undefined without models). */
    public readonly trafficPolicyName: string | undefined;

    constructor(name: string, args: ModelRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:models:ModelRoutes", name, {}, opts);
        const namespaceReady = args.namespaceReady ?? [];
        const backend = (key: string) => {
            const b = args.backends[key];
            if (b === undefined) throw new Error(`no backend "${key}" (validation should have caught this)`);
            return b;
        };
        const routes = modelRoutes({
            gateway: args.gateway,
            models: args.models,
            buckets: args.routeBuckets,
            serviceBackend: (key) => backend(key).serviceBackendName,
            inferencePool: (key) => backend(key).inferencePool === true,
            prices: routePrices(args.rateLimit, args.models, args.prices ?? {}),
        });

        const aiRoutes = routes.map(({ bucket, route, backends }) =>
            createCustomResource(`${name}-${bucket.id}`, route, {
                parent: this,
                platform: args.platform,
                dependsOn: [...namespaceReady, ...backends.flatMap((key) => backend(key).ready)],
            }),
        );

        const policy =
            routes.length === 0
                ? undefined
                : trafficPolicy(
                      routes.map((r) => r.route),
                      { retry: retrySection(args.retry), rateLimit: rateLimitSection(args.rateLimit, args.models), ...args.protection },
                      modelsTrafficPolicyName(args.gateway.name),
                  );
        if (policy) {
            createCustomResource(`${name}-traffic`, policy, { parent: this, platform: args.platform, dependsOn: [...namespaceReady, ...aiRoutes] });
        }
        this.trafficPolicyName = policy?.metadata.name;

        this.routeNames = routes.map((r) => r.route.metadata.name);
        this.registerOutputs({ routeNames: this.routeNames, trafficPolicyName: this.trafficPolicyName });
    }
}
