import { priceTables } from "../plan/spend";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { authSecretName } from "./manifests/backends";
import { backendClusterSections } from "./manifests/backendTraffic";
import { gatewayParentRefs } from "./manifests/gateway";
import { childName } from "../config/names";
import { INFERENCE_EXTENSION } from "../config/versions";
import { protectionSections } from "./manifests/protection";
import { guardrailRequestBuffer } from "../plan/guardrails";
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
    config: Pick<StackConfig, "gateway" | "backends" | "models" | "routing" | "retry" | "rateLimit" | "traffic" | "aws" | "apiKeys"> & Partial<Pick<StackConfig, "guardrails">> & { platform?: Pick<StackConfig["platform"], "inferenceExtension"> },
    platform: PlatformReadiness,
    /** What objects in the gateway namespace wait for: the namespace, once something creates it. */
    namespaceReady: pulumi.Resource[] = [],
    /** Options of each component (an explicit Kubernetes provider). */
    opts?: pulumi.ComponentResourceOptions,
): Models {
    // Routes live beside the Gateway, so their parentRefs need no namespace.
    const parentRefs = gatewayParentRefs(config.gateway).map(({ namespace: _same, ...ref }) => ref);
    const gateway = { name: config.gateway.name, namespace: config.gateway.namespace, parentRefs };
    const backends: Record<string, ModelBackend | InferencePoolBackend> = {};
    for (const [key, backend] of Object.entries(config.backends)) {
        if (backend.inferencePool !== undefined) {
            backends[key] = new InferencePoolBackend(childName("backend", key), {
                key,
                config: backend,
                gateway,
                version: config.platform?.inferenceExtension.version ?? INFERENCE_EXTENSION.version,
                chart: config.platform?.inferenceExtension.chart,
                platform,
                namespaceReady,
            }, opts);
            continue;
        }
        const secret = authSecretName(backend.auth);
        backends[key] = new ModelBackend(childName("backend", key), {
            key,
            config: backend,
            gateway,
            awsRegion: config.aws?.region,
            credentials: secret !== undefined ? config.apiKeys.secret(secret) : undefined,
            platform,
            namespaceReady,
        }, opts);
    }
    const routes = new ModelRoutes("model-routes", {
        gateway,
        models: config.models,
        routeBuckets: config.routing.routeBuckets,
        retry: config.retry,
        rateLimit: config.rateLimit,
        // Guardrails need the buffer filter on the listener (plan/guardrails.ts), so every model route buffers.
        protection: { ...protectionSections(config.traffic), ...(Object.keys(config.guardrails ?? {}).length > 0 && { requestBuffer: guardrailRequestBuffer(config.gateway) }) },
        errors: config.gateway.errors.format,
        hostnames: config.gateway.hostnames,
        backends,
        prices: priceTables(config.backends),
        clusterSections: (key) => (config.backends[key] === undefined ? undefined : backendClusterSections(config.backends[key], config.rateLimit.userHeader)),
        platform,
        namespaceReady,
    }, opts);
    return { backends, routes };
}
