import { childName, dnsLabel } from "../config/names";
import { INFERENCE_EXTENSION } from "../config/versions";
import { ModelBucket } from "./packing";
import type { BackendAuthConfig, BackendConfig, EnvoyProxyConfig, GatewayConfig, InferencePoolConfig } from "../config/schema";

/**
 * The pool a backend routes to: the existing one it names, else `<gateway>-<backend>`, cut (with a hash) to
 * the length under which the chart's Endpoint Picker names stay distinct.
 */
export function inferencePoolName(gateway: string, backend: string, pool: InferencePoolConfig): string {
    return backendObjectNames(gateway, backend, { inferencePool: pool }).pool!;
}

/** The AIGatewayRoute of one bucket, or of one part of a split bucket: `<gateway>-models-07`, `<gateway>-models-07-01`. */
export function routeName(gateway: string, bucket: ModelBucket): string {
    return childName(gateway, "models", bucket.id);
}

/** The names of one model route's objects. */
export interface RouteObjectNames {
    /** The AIGatewayRoute's (routeName), which its generated HTTPRoute takes too: `<gateway>-models-07`. */
    name: string;
    /** The route's own BackendTrafficPolicy's (trafficPolicyName): `<gateway>-models-07-traffic`. */
    trafficPolicy: string;
}

/** The names of each model route's objects, by bucket id. */
export function modelRouteNames(gateway: string, buckets: readonly ModelBucket[]): ReadonlyMap<string, RouteObjectNames> {
    return new Map(
        buckets.map((bucket) => {
            const name = routeName(gateway, bucket);
            return [bucket.id, { name, trafficPolicy: trafficPolicyName(name) }];
        }),
    );
}

/**
 * The names of a passthrough route's objects: `<gateway>-passthrough-<name>`, never `<gateway>-models-<id>` (the
 * AIGatewayRoutes, whose names the controller gives its HTTPRoutes) nor `<gateway>-https-redirect`, and its policy's.
 */
export function passthroughRouteNames(gateway: string, name: string): RouteObjectNames {
    const route = childName(gateway, "passthrough", name);
    return { name: route, trafficPolicy: trafficPolicyName(route) };
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
export interface BackendNames {
    /** The Envoy Gateway Backend and the AIServiceBackend. */
    backend: string;
    tlsPolicy: string;
    /** The BackendSecurityPolicy and its Secret. */
    auth: string;
    quotaPolicy: string;
    /** The ConfigMap of a CA given inline (tls.caCertificate.pem). */
    caConfigMap: string;
}

/** Kubernetes names of a backend's objects (contract §4: `<gateway>-<backend>`, `-tls`, `-apikey`). */
export function backendNames(gateway: string, backend: string, auth: BackendAuthConfig | undefined): BackendNames {
    return backendObjectNames(gateway, backend, { auth }).names;
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

/**
 * The names of one backend's objects: its component's, its Kubernetes objects', its pool's. The one place
 * these names are made (backendNames and inferencePoolName read them from here), every one in a row.
 */
export function backendObjectNames(gateway: string, key: string, backend: Pick<BackendConfig, "auth" | "inferencePool">): BackendObjectNames {
    const { auth, inferencePool: pool } = backend;
    const apiKey = auth?.type === "APIKey" || auth?.type === "AzureAPIKey" || auth?.type === "AnthropicAPIKey";
    return {
        component: childName("backend", key),
        names: {
            backend: childName(gateway, key),
            tlsPolicy: childName(gateway, key, "tls"),
            auth: childName(gateway, key, apiKey ? "apikey" : "credentials"),
            quotaPolicy: childName(gateway, key, "quota"),
            caConfigMap: childName(gateway, key, "ca"),
        },
        // `<gateway>-<backend>`, cut (with a hash) to the length under which the chart's Endpoint Picker names stay distinct.
        ...(pool !== undefined && { pool: pool.name ?? dnsLabel(childName(gateway, key), INFERENCE_EXTENSION.maxPoolName) }),
    };
}

/** `<gateway>-mcp`: the MCPRoute, whose generated HTTPRoutes the controller names after it. */
export function mcpRouteName(gateway: string): string {
    return namesOfGateway(gateway).mcp.route;
}

/** The names of one MCP server's objects (gatewayLevelNames). */
export function mcpServerNames(gateway: string, server: string): McpServerNames {
    return namesOfGateway(gateway, [server]).mcp.servers.get(server)!;
}

/** The names that follow from the Gateway's name alone (its namespace and class left empty). */
function namesOfGateway(gateway: string, mcpServers: readonly string[] = []): GatewayLevelNames {
    return gatewayLevelNames({ name: gateway, namespace: "", className: "" }, mcpServers);
}

const MCP_ROUTE = "mcp";
/** The Pulumi name of the MCP gateway's component (components/mcpGateway.ts). */
export const MCP_COMPONENT = "mcp-gateway";
const ENVOY_SERVICE_ACCOUNT = "envoy";

/** Kubernetes names of the gateway core objects. Other components (routes, policies) use these too. */
export interface GatewayNames {
    namespace: string;
    gateway: string;
    gatewayClass: string;
    envoyProxy: string;
    gatewayConfig: string;
    clientTrafficPolicy: string;
    httpsRedirect: string;
}

/** The names that follow from the Gateway's settings alone, worked out together for the plan. */
export interface GatewayLevelNames {
    /** The gateway core objects'. */
    core: GatewayNames;
    /**
     * The ServiceAccount the Envoy pods run as: `envoyProxy.serviceAccountName`, else `<gateway>-envoy`.
     * Envoy Gateway's own name hashes the Gateway's namespace and name; a pinned one is what IAM can bind to.
     */
    envoyServiceAccount: string;
    /** The BackendTrafficPolicy on the Gateway with the budgets of all models together (modelsTrafficPolicyName). */
    modelsTrafficPolicy: string;
    /** Each model route's objects' (modelRouteNames), by bucket id. */
    routes: ReadonlyMap<string, RouteObjectNames>;
    /** Each passthrough route's objects' (passthroughRouteNames), by key. */
    passthrough: ReadonlyMap<string, RouteObjectNames>;
    /** The MCPRoute's (mcpRouteName), and each MCP server's objects' (mcpServerNames), by server key. */
    mcp: { route: string; servers: ReadonlyMap<string, McpServerNames> };
}

/**
 * Kubernetes names of an MCP server's objects. The Backend carries the server's own name: the MCP proxy shows
 * every tool as `<backend>__<tool>` and backend selector rules see it as `request.mcp.backend`.
 */
export interface McpServerNames {
    /** What the Pulumi names of the server's resources start with: `mcp-gateway-<server>`, under the MCP component (MCP_COMPONENT). */
    component: string;
    backend: string;
    tlsPolicy: string;
    secret: string;
}

/** Names derive from `name` only (and a pinned ServiceAccount), so they stay put when any other key changes. */
export function gatewayLevelNames(
    config: Pick<GatewayConfig, "name" | "namespace" | "className"> & { envoyProxy?: Pick<EnvoyProxyConfig, "serviceAccountName"> },
    /** The keys of mcp.servers. */
    mcpServers: readonly string[] = [],
    /** The model routes' buckets (plan/routes.ts routeGroups). */
    routeBuckets: readonly ModelBucket[] = [],
    /** The keys of ai-gateway:passthrough. */
    passthroughRoutes: readonly string[] = [],
): GatewayLevelNames {
    const { name } = config;
    const routes = modelRouteNames(name, routeBuckets);
    return {
        core: {
            namespace: config.namespace,
            gateway: name,
            gatewayClass: config.className,
            envoyProxy: name,
            gatewayConfig: childName(name, "config"),
            clientTrafficPolicy: childName(name, "client-traffic"),
            httpsRedirect: childName(name, "https-redirect"),
        },
        envoyServiceAccount: config.envoyProxy?.serviceAccountName ?? childName(name, ENVOY_SERVICE_ACCOUNT),
        modelsTrafficPolicy: modelsTrafficPolicyName(name),
        routes,
        passthrough: new Map(passthroughRoutes.map((key) => [key, passthroughRouteNames(name, key)])),
        mcp: {
            route: childName(name, MCP_ROUTE),
            servers: new Map(
                mcpServers.map((server): [string, McpServerNames] => [
                    server,
                    { component: childName(MCP_COMPONENT, server), backend: server, tlsPolicy: childName(name, MCP_ROUTE, server, "tls"), secret: childName(name, MCP_ROUTE, server, "apikey") },
                ]),
            ),
        },
    };
}

/** Kubernetes names of the gateway core objects (gatewayLevelNames). */
export function gatewayNames(config: Pick<GatewayConfig, "name" | "namespace" | "className">): GatewayNames {
    return gatewayLevelNames(config).core;
}

/**
 * What the AI Gateway controller names the objects it generates for MCPRoutes (v1.1.0): `ai-eg-mcp-main-<route>`,
 * `ai-eg-mcp-br-…`, `ai-eg-mcp-brf-…` and the one Backend of its MCP proxy that every MCPRoute of a namespace
 * shares, `ai-eg-mcp-proxy`. No object of the program's may take a name with this prefix.
 */
export const MCP_GENERATED_PREFIX = "ai-eg-mcp-";
export const MCP_PROXY_BACKEND = `${MCP_GENERATED_PREFIX}proxy`;
