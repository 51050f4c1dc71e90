import type { McpAuthorizationConfig, McpConfig, McpServerConfig } from "../../config/schema";
import type { MCPRouteAuthorization, MCPRouteBackendRef, MCPRouteOAuth, MCPRouteSecurityPolicy, MCPRouteSpec, ParentReference } from "../../specs";
import { Manifest, manifest } from "../../specs/manifest";
import { endpointOf, type Endpoint } from "./backends";
import { serviceFqdn } from "../../config/names";
import { CLUSTER_DOMAIN } from "../../config/versions";
import type { GatewayLevelNames, McpServerNames } from "../../plan/names";
import type { ResolvedOAuth } from "../../plan/mcp";

/**
 * The MCP gateway (`ai-gateway:mcp`): one MCPRoute on the Gateway, and for each server the Envoy Gateway
 * Backend it runs at, its BackendTLSPolicy and the Secret its credential is read from. The AI Gateway
 * controller turns the MCPRoute into the HTTPRoutes of its MCP proxy. No Pulumi here.
 */

/** The data key of the Secret an MCP server's API key is read from (AI Gateway v1.1.0 controller). */
export const MCP_SECRET_KEY = "apiKey";

/** Where a server is reached. Host names are lower-cased: the CRDs accept nothing else. */
export function mcpServerEndpoint(config: McpServerConfig, gatewayNamespace: string): Endpoint {
    const hostname = config.service
        ? serviceFqdn(config.service.name, config.service.namespace ?? gatewayNamespace, CLUSTER_DOMAIN)
        : config.hostname?.toLowerCase();
    if (hostname === undefined) throw new Error("MCP server without hostname or service (validation should have caught this)");
    return { hostname, port: config.port, tls: config.tls ?? config.port === 443 };
}

function oauthSpec(r: ResolvedOAuth | undefined): MCPRouteOAuth {
    if (r === undefined) throw new Error("mcp.oauth without its resolved settings (the plan's mcpOAuth)");
    if (r.issuer === undefined || r.jwksUri === undefined) throw new Error("mcp.oauth without issuer or jwksUri (validation should have caught this)");
    return {
        issuer: r.issuer,
        audiences: r.audiences,
        // Set explicitly: without it the controller fetches the issuer's metadata to find the keys.
        jwks: { remoteJWKS: { uri: r.jwksUri } },
        protectedResourceMetadata: { resource: r.resource, ...(r.scopes !== undefined && { scopesSupported: r.scopes }) },
    };
}

/** Our rule keys in upstream's shape: tools as `target`, scopes and claims as a JWT `source`. */
function authorizationSpec(authorization: McpAuthorizationConfig): MCPRouteAuthorization {
    return {
        defaultAction: authorization.defaultAction,
        rules: authorization.rules.map((r) => ({
            ...((r.scopes !== undefined || r.claims !== undefined) && {
                source: { jwt: { ...(r.scopes !== undefined && { scopes: r.scopes }), ...(r.claims !== undefined && { claims: r.claims }) } },
            }),
            ...(r.tools !== undefined && { target: { tools: r.tools.map((t) => ({ backend: t.server, tool: t.tool })) } }),
            ...(r.cel !== undefined && { cel: r.cel }),
            action: r.action,
        })),
    };
}

/** The Secret an MCP server's credential is read from, and which ai-gateway:apiKeys entry fills it. */
export interface McpServerSecret {
    name: string;
    namespace: string;
    /** Data key the controller reads. */
    key: string;
    /** Key of ai-gateway:apiKeys holding the value. */
    apiKey: string;
}

export interface McpServerObjects {
    endpoint: Endpoint;
    backend: Manifest<"Backend">;
    tlsPolicy?: Manifest<"BackendTLSPolicy">;
    secret?: McpServerSecret;
}

export interface McpInput {
    config: McpConfig;
    gateway: { name: string; namespace: string; parentRefs: ParentReference[] };
    /** mcp.oauth with what it leaves unset taken from ai-gateway:auth.jwt: the plan's (resolvedOAuth). */
    oauth?: ResolvedOAuth;
    /** The MCPRoute's and the servers' names: the plan's (gatewayLevelNames). */
    names: GatewayLevelNames["mcp"];
}

export interface McpManifests {
    route: Manifest<"MCPRoute">;
    /** Per server, in name order. */
    servers: { name: string; objects: McpServerObjects }[];
}

function serverObjects(gateway: McpInput["gateway"], names: McpServerNames, config: McpServerConfig): McpServerObjects {
    const namespace = gateway.namespace;
    const endpoint = mcpServerEndpoint(config, namespace);
    return {
        endpoint,
        backend: manifest("Backend", { name: names.backend, namespace }, { endpoints: [endpointOf(endpoint)] }),
        tlsPolicy: endpoint.tls
            ? manifest(
                  "BackendTLSPolicy",
                  { name: names.tlsPolicy, namespace },
                  {
                      targetRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: names.backend }],
                      validation: { hostname: endpoint.hostname, wellKnownCACertificates: "System" },
                  },
              )
            : undefined,
        secret: config.auth && { name: names.secret, namespace, key: MCP_SECRET_KEY, apiKey: config.auth.secret },
    };
}

function backendRef(name: string, config: McpServerConfig, objects: McpServerObjects): MCPRouteBackendRef {
    const tools = config.tools && Object.fromEntries(Object.entries(config.tools).filter(([, v]) => v !== undefined));
    return {
        group: "gateway.envoyproxy.io",
        kind: "Backend",
        name,
        path: config.path,
        ...(tools !== undefined && { toolSelector: tools }),
        ...(objects.secret !== undefined && {
            securityPolicy: {
                apiKey: { secretRef: { name: objects.secret.name }, ...(config.auth?.header !== undefined && { header: config.auth.header }) },
            },
        }),
    };
}

export function mcpManifests(input: McpInput): McpManifests {
    const { config, gateway } = input;
    const servers = Object.keys(config.servers)
        .sort()
        .map((name) => ({ name, config: config.servers[name], objects: serverObjects(gateway, input.names.servers.get(name)!, config.servers[name]) }));
    const spec: MCPRouteSpec = {
        parentRefs: gateway.parentRefs,
        path: config.path,
        ...(config.hostnames !== undefined && { hostnames: config.hostnames }),
        backendRefs: servers.map((s) => backendRef(s.name, s.config, s.objects)),
        ...((config.oauth !== undefined || config.authorization !== undefined) && {
            securityPolicy: {
                ...(config.oauth !== undefined && { oauth: oauthSpec(input.oauth) }),
                ...(config.authorization !== undefined && { authorization: authorizationSpec(config.authorization) }),
            } satisfies MCPRouteSecurityPolicy,
        }),
        ...(config.backendSelector !== undefined && {
            backendSelector: { defaultAction: config.backendSelector.defaultAction, rules: config.backendSelector.rules },
        }),
    };
    return {
        route: manifest("MCPRoute", { name: input.names.route, namespace: gateway.namespace }, spec),
        servers: servers.map(({ name, objects }) => ({ name, objects })),
    };
}
