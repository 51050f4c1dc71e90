import { childName, dnsLabel } from "../config/names";
import { INFERENCE_EXTENSION } from "../config/versions";
import { ModelBucket } from "./packing";
import type { BackendAuthConfig, BackendConfig, InferencePoolConfig } from "../config/schema";

/**
 * The pool a backend routes to: the existing one it names, else `<gateway>-<backend>`, cut (with a hash) to
 * the length under which the chart's Endpoint Picker names stay distinct.
 */
export function inferencePoolName(gateway: string, backend: string, pool: InferencePoolConfig): string {
    return pool.name ?? dnsLabel(childName(gateway, backend), INFERENCE_EXTENSION.maxPoolName);
}

/** The AIGatewayRoute of one bucket, or of one part of a split bucket: `<gateway>-models-07`, `<gateway>-models-07-01`. */
export function routeName(gateway: string, bucket: ModelBucket): string {
    return childName(gateway, "models", bucket.id);
}

/** The one BackendTrafficPolicy of a route's generated HTTPRoute. */
export function trafficPolicyName(route: string): string {
    return childName(route, "traffic");
}

/**
 * The BackendTrafficPolicy on the Gateway holding the budgets of all models together:
 * `<gateway>-models-traffic` (the name the one policy of all model routes had: an update in place, not a
 * second policy beside it).
 */
export function modelsTrafficPolicyName(gateway: string): string {
    return childName(gateway, "models", "traffic");
}

/** The Envoy Gateway Backend that reaches the external authorization Service. */
export function extAuthBackendName(gateway: string): string {
    return childName(gateway, "ext-auth");
}

/** The Envoy Gateway Backend that reaches an in-cluster JWKS Service. */
export function jwksBackendName(gateway: string): string {
    return childName(gateway, "jwks");
}

/** Kubernetes names of a backend's objects (contract §4: `<gateway>-<backend>`, `-tls`, `-apikey`). */
export type BackendNames = ReturnType<typeof backendNames>;

/** Kubernetes names of a backend's objects (contract §4: `<gateway>-<backend>`, `-tls`, `-apikey`). */
export function backendNames(gateway: string, backend: string, auth: BackendAuthConfig | undefined) {
    const apiKey = auth?.type === "APIKey" || auth?.type === "AzureAPIKey" || auth?.type === "AnthropicAPIKey";
    return {
        /** The Envoy Gateway Backend and the AIServiceBackend. */
        backend: childName(gateway, backend),
        tlsPolicy: childName(gateway, backend, "tls"),
        /** The BackendSecurityPolicy and its Secret. */
        auth: childName(gateway, backend, apiKey ? "apikey" : "credentials"),
        quotaPolicy: childName(gateway, backend, "quota"),
        /** The ConfigMap of a CA given inline (tls.caCertificate.pem). */
        caConfigMap: childName(gateway, backend, "ca"),
    };
}

/** The names of one backend's objects, worked out together for the plan (plan/platform.ts backendPlans). */
export interface BackendObjectNames {
    /** The Pulumi name of the backend's component: `backend-<key>`. */
    component: string;
    /** The Kubernetes names of its objects (backendNames). */
    names: BackendNames;
    /** Its InferencePool's name (inferencePoolName), for an InferencePool backend. */
    pool?: string;
}

/** The names of one backend's objects: its component's, its Kubernetes objects', its pool's. */
export function backendObjectNames(gateway: string, key: string, backend: Pick<BackendConfig, "auth" | "inferencePool">): BackendObjectNames {
    return {
        component: childName("backend", key),
        names: backendNames(gateway, key, backend.auth),
        ...(backend.inferencePool !== undefined && { pool: inferencePoolName(gateway, key, backend.inferencePool) }),
    };
}

/** `<gateway>-mcp`: the MCPRoute, whose generated HTTPRoutes the controller names after it. */
export function mcpRouteName(gateway: string): string {
    return childName(gateway, "mcp");
}

/**
 * What the AI Gateway controller names the objects it generates for MCPRoutes (v1.1.0): `ai-eg-mcp-main-<route>`,
 * `ai-eg-mcp-br-…`, `ai-eg-mcp-brf-…` and the one Backend of its MCP proxy that every MCPRoute of a namespace
 * shares, `ai-eg-mcp-proxy`. No object of the program's may take a name with this prefix.
 */
export const MCP_GENERATED_PREFIX = "ai-eg-mcp-";
export const MCP_PROXY_BACKEND = `${MCP_GENERATED_PREFIX}proxy`;
