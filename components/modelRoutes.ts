import * as pulumi from "@pulumi/pulumi";
import type { ModelConfig, RetryConfig } from "../config";
import type { ProtectionSections } from "./build/protection";
import { GatewayRef, modelRoutes, retrySection, trafficPolicy } from "./build/routes";
import { createCustomResource, PlatformReadiness } from "./specs/customResource";

/** What a route needs from a backend: the name to reference, and what to wait for. */
export interface RoutedBackend {
    serviceBackendName: string;
    ready: pulumi.Resource[];
}

export interface ModelRoutesArgs {
    gateway: GatewayRef;
    models: Record<string, ModelConfig>;
    /** routing.routeBuckets */
    routeBuckets: number;
    retry: RetryConfig;
    /** Timeouts, circuit breaker and health checks (ai-gateway:traffic), in the same policy as the retries. */
    protection?: ProtectionSections;
    /** Every backend the models name, by config key. */
    backends: Record<string, RoutedBackend>;
    platform: PlatformReadiness;
    /** What objects in the gateway namespace wait for (the namespace itself). */
    namespaceReady?: pulumi.Resource[];
}

/**
 * The virtual model names: AIGatewayRoutes of at most 15 rules (one per model, packed by a stable hash,
 * see build/packing.ts), each with the one BackendTrafficPolicy of the HTTPRoute the controller
 * generates for it (retries and priority fallback, and traffic protection when configured).
 */
export class ModelRoutes extends pulumi.ComponentResource {
    /** Names of the AIGatewayRoutes (and of the HTTPRoutes the controller creates from them). */
    public readonly routeNames: string[];

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
        });

        for (const { bucket, route, backends } of routes) {
            const aiRoute = createCustomResource(`${name}-${bucket.id}`, route, {
                parent: this,
                platform: args.platform,
                dependsOn: [...namespaceReady, ...backends.flatMap((key) => backend(key).ready)],
            });
            createCustomResource(`${name}-${bucket.id}-traffic`, trafficPolicy(route, { retry: retrySection(args.retry), ...args.protection }), {
                parent: this,
                platform: args.platform,
                dependsOn: [...namespaceReady, aiRoute],
            });
        }

        this.routeNames = routes.map((r) => r.route.metadata.name);
        this.registerOutputs({ routeNames: this.routeNames });
    }
}
