import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClientAuthConfig } from "../config";
import { clientAuthManifests, OIDC_CLIENT_SECRET_KEY } from "./manifests/security";
import { createCustomResource, PlatformReadiness } from "./customResource";

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
 * client API keys, OIDC login, external authorization, address lists, and CORS), with the Backends
 * of an in-cluster JWKS and of the authorization service, the Secrets of client keys and of the OIDC
 * client, and the ConfigMap of client-certificate CAs given inline.
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

        /** An Opaque Secret from secret Outputs: encrypted in state, never shown. */
        const opaqueSecret = (suffix: string, where: { name: string; namespace: string }, data: Record<string, pulumi.Output<string>>) =>
            new k8s.core.v1.Secret(
                `${name}-${suffix}`,
                { metadata: { name: where.name, namespace: where.namespace }, type: "Opaque", stringData: pulumi.secret(pulumi.all(data)) },
                { parent: this, dependsOn: namespaceReady },
            );
        const backend = (suffix: string, manifest: typeof m.jwksBackend) =>
            manifest && before.push(createCustomResource(`${name}-${suffix}`, manifest, { parent: this, platform: args.platform, dependsOn: namespaceReady }));

        backend("jwks-backend", m.jwksBackend);
        backend("ext-auth-backend", m.extAuthBackend);
        if (m.apiKeySecret) {
            // One Secret holding every client's key.
            before.push(opaqueSecret("api-keys", m.apiKeySecret, Object.fromEntries(Object.entries(m.apiKeySecret.keys).map(([client, key]) => [client, args.secret(key)]))));
        }
        if (m.oidcSecret) before.push(opaqueSecret("oidc-client", m.oidcSecret, { [OIDC_CLIENT_SECRET_KEY]: args.secret(m.oidcSecret.key) }));
        const after: pulumi.Resource[] = [];
        if (m.clientCaConfigMap) {
            // Read by the ClientTrafficPolicy, which Envoy Gateway reconciles again once it exists.
            after.push(
                new k8s.core.v1.ConfigMap(
                    `${name}-client-ca`,
                    { metadata: { name: m.clientCaConfigMap.name, namespace: m.clientCaConfigMap.namespace }, data: m.clientCaConfigMap.data },
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
        this.ready = [policy, ...after];
        this.registerOutputs({ securityPolicyName: this.securityPolicyName });
    }
}
