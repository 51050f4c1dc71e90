import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { McpConfig } from "../config";
import type { ResolvedOAuth } from "../plan/mcp";
import type { GatewayLevelNames } from "../plan/names";
import { mcpManifests } from "./manifests/mcp";
import type { ParentReference } from "../specs";
import { createCustomResource, PlatformReadiness } from "./customResource";

export interface McpGatewayArgs {
    config: McpConfig;
    gateway: { name: string; namespace: string; parentRefs: ParentReference[] };
    /** mcp.oauth with what it leaves unset taken from ai-gateway:auth.jwt: the plan's. */
    oauth?: ResolvedOAuth;
    /** The MCPRoute's and the servers' names, their resources' Pulumi names too (named MCP_COMPONENT): the plan's. */
    names: GatewayLevelNames["mcp"];
    /** A key of ai-gateway:apiKeys as a secret Output. */
    secret: (key: string) => pulumi.Output<string>;
    platform: PlatformReadiness;
    /** What objects in the gateway namespace wait for (the namespace, client authentication). */
    namespaceReady?: pulumi.Resource[];
}

/**
 * The MCP gateway: per server a Backend, its BackendTLSPolicy and the Secret of its credential, then the
 * MCPRoute, which waits for all of them so that no session reaches a server without its credential.
 */
export class McpGateway extends pulumi.ComponentResource {
    public readonly routeName: string;

    constructor(name: string, args: McpGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:mcp:McpGateway", name, {}, opts);
        const namespaceReady = args.namespaceReady ?? [];
        const child = { parent: this, platform: args.platform, dependsOn: namespaceReady };
        const m = mcpManifests({ config: args.config, gateway: args.gateway, oauth: args.oauth, names: args.names });

        const serversReady: pulumi.Resource[] = [];
        for (const { name: server, objects } of m.servers) {
            const logical = args.names.servers.get(server)!.component;
            serversReady.push(createCustomResource(`${logical}-backend`, objects.backend, child));
            if (objects.tlsPolicy) serversReady.push(createCustomResource(`${logical}-tls-policy`, objects.tlsPolicy, child));
            if (objects.secret) {
                // stringData is a secret input: the value stays encrypted in state and is never shown.
                serversReady.push(
                    new k8s.core.v1.Secret(
                        `${logical}-secret`,
                        {
                            metadata: { name: objects.secret.name, namespace: objects.secret.namespace },
                            type: "Opaque",
                            stringData: { [objects.secret.key]: args.secret(objects.secret.apiKey) },
                        },
                        { parent: this, dependsOn: namespaceReady },
                    ),
                );
            }
        }
        createCustomResource(`${name}-route`, m.route, { ...child, dependsOn: [...namespaceReady, ...serversReady] });
        this.routeName = m.route.metadata.name;
        this.registerOutputs({ routeName: this.routeName });
    }
}
