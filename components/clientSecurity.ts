import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClientAuthConfig } from "../config";
import { clientAuthManifests } from "./manifests/security";
import { createCustomResource, PlatformReadiness } from "./specs/customResource";

export interface ClientSecurityArgs {
    gateway: { name: string; namespace: string };
    auth: ClientAuthConfig;
    /** The value of each ai-gateway:apiKeys key, as a secret Output (for client API keys). */
    secret: (key: string) => pulumi.Output<string>;
    platform: PlatformReadiness;
    /** What objects in the gateway namespace wait for (the namespace itself). */
    namespaceReady?: pulumi.Resource[];
}

/**
 * Who may call the gateway: one SecurityPolicy on the Gateway (JWT with tenant authorization, or
 * client API keys, and CORS), with the Backend of an in-cluster JWKS and the Secret of client keys.
 */
export class ClientSecurity extends pulumi.ComponentResource {
    public readonly securityPolicyName: string;
    /** Routes wait for these, so no route is ever served before authentication is in place. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: ClientSecurityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:security:ClientSecurity", name, {}, opts);
        const m = clientAuthManifests(args.gateway, args.auth);
        const namespaceReady = args.namespaceReady ?? [];
        const before: pulumi.Resource[] = [];

        if (m.jwksBackend) {
            before.push(createCustomResource(`${name}-jwks-backend`, m.jwksBackend, { parent: this, platform: args.platform, dependsOn: namespaceReady }));
        }
        if (m.apiKeySecret) {
            const { keys } = m.apiKeySecret;
            // One secret Output holding every client's key: encrypted in state, never shown.
            const data = pulumi.secret(pulumi.all(Object.fromEntries(Object.entries(keys).map(([client, key]) => [client, args.secret(key)]))));
            before.push(
                new k8s.core.v1.Secret(
                    `${name}-api-keys`,
                    { metadata: { name: m.apiKeySecret.name, namespace: m.apiKeySecret.namespace }, type: "Opaque", stringData: data },
                    { parent: this, dependsOn: namespaceReady },
                ),
            );
        }
        const policy = createCustomResource(`${name}-policy`, m.securityPolicy, {
            parent: this,
            platform: args.platform,
            dependsOn: [...namespaceReady, ...before],
        });

        this.securityPolicyName = m.securityPolicy.metadata.name;
        this.ready = [policy];
        this.registerOutputs({ securityPolicyName: this.securityPolicyName });
    }
}
