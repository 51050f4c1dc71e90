import type * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../plan/plan";
import { backendClusterSections } from "./manifests/backendTraffic";
import type { ProtectionSections } from "./manifests/protection";
import type { GatewayRef } from "./manifests/routes";
import type { ParentReference } from "../specs";
import { InferencePoolBackend } from "./inferencePoolBackend";
import { ModelBackend } from "./modelBackend";
import { ModelRoutes } from "./modelRoutes";
import type { PlatformReadiness } from "./customResource";

export interface Models {
    backends: Record<string, ModelBackend | InferencePoolBackend>;
    routes: ModelRoutes;
}

/**
 * ai-gateway:backends, ai-gateway:models, ai-gateway:retry, ai-gateway:rateLimit (rules and token costs),
 * ai-gateway:traffic (its sections for the model routes) and the credentials in ai-gateway:apiKeys.
 * Everything lives in the gateway namespace, so no reference crosses a namespace and no
 * ReferenceGrant is needed: in-cluster models elsewhere are reached by their DNS name.
 */
export function buildModels(
    /** The plan: its configuration's backends, models, retry, budgets and keys, its route groups and rules, the pools' releases. */
    plan: Pick<Plan, "config" | "routes" | "rateLimit" | "backends" | "releaseValues" | "names">,
    /** Where the routes attach, beside the Gateway (the composition root's, shared with the other routes). */
    gateway: GatewayRef & { parentRefs: (ParentReference & { kind: "Gateway" })[] },
    /** Timeouts, circuit breaker and health checks (ai-gateway:traffic), in every route's policy beside its retry. */
    protection: ProtectionSections,
    platform: PlatformReadiness,
    /** What objects in the gateway namespace wait for: the namespace, once something creates it. */
    namespaceReady: pulumi.Resource[] = [],
    /** Options of each component (an explicit Kubernetes provider). */
    opts?: pulumi.ComponentResourceOptions,
): Models {
    const config = plan.config;
    const backends: Record<string, ModelBackend | InferencePoolBackend> = {};
    for (const [key, backend] of Object.entries(config.backends)) {
        const own = plan.backends.get(key)!;
        if (own.pool !== undefined) {
            backends[key] = new InferencePoolBackend(own.component, {
                key,
                config: backend,
                gateway,
                pool: own.pool,
                release: plan.releaseValues.pools.get(key),
                version: config.platform.inferenceExtension.version,
                chart: config.platform.inferenceExtension.chart,
                platform,
                namespaceReady,
            }, opts);
            continue;
        }
        backends[key] = new ModelBackend(own.component, {
            key,
            config: backend,
            gateway,
            awsRegion: config.aws?.region,
            names: own.names,
            secret: (name) => config.apiKeys.secret(name),
            platform,
            namespaceReady,
        }, opts);
    }
    const routes = new ModelRoutes("model-routes", {
        gateway,
        models: config.models,
        groups: plan.routes,
        sharedPolicy: plan.names.modelsTrafficPolicy,
        retry: config.retry,
        rateLimit: config.rateLimit,
        rules: plan.rateLimit.rules,
        protection,
        errors: config.gateway.errors.format,
        backends,
        clusterSections: (key) => (config.backends[key] === undefined ? undefined : backendClusterSections(config.backends[key], config.rateLimit.userHeader)),
        platform,
        namespaceReady,
    }, opts);
    return { backends, routes };
}
