import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackendConfig } from "../config";
import { backendObjects } from "./manifests/backends";
import type { BackendNames } from "../plan/names";
import type { GatewayRef } from "./manifests/routes";
import { createCustomResource, PlatformReadiness } from "./customResource";

export interface ModelBackendArgs {
    /** The backend's key in ai-gateway:backends. */
    key: string;
    config: BackendConfig;
    gateway: GatewayRef;
    /** ai-gateway:aws.region, for AWS backends without their own. */
    awsRegion?: string;
    /** The names of its objects: the plan's. */
    names: BackendNames;
    /** A key of ai-gateway:apiKeys as a secret Output: the credential the auth names. */
    secret: (key: string) => pulumi.Output<string>;
    platform: PlatformReadiness;
    /** What objects in the gateway namespace wait for (the namespace itself). */
    namespaceReady?: pulumi.Resource[];
}

/**
 * One provider or self-hosted model server: Backend (where), AIServiceBackend (which API), and when
 * needed BackendTLSPolicy (system CAs), BackendSecurityPolicy and the Secret it reads, and the QuotaPolicy
 * of its provider quotas.
 */
export class ModelBackend extends pulumi.ComponentResource {
    /** Name of the AIServiceBackend that route rules reference. */
    public readonly serviceBackendName: string;
    /** Every object of this backend. Routes wait for all of them, so no request leaves without its credentials. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: ModelBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:models:ModelBackend", name, {}, opts);
        const objects = backendObjects({ key: args.key, config: args.config, gateway: args.gateway, awsRegion: args.awsRegion, names: args.names });
        const namespaceReady = args.namespaceReady ?? [];
        const child = { parent: this, platform: args.platform, dependsOn: namespaceReady };

        const backend = createCustomResource(`${name}-backend`, objects.backend, child);
        const serviceBackend = createCustomResource(`${name}-service-backend`, objects.serviceBackend, child);
        this.ready = [backend, serviceBackend];
        if (objects.caConfigMap) {
            const m = objects.caConfigMap;
            this.ready.push(new k8s.core.v1.ConfigMap(`${name}-ca`, { metadata: { name: m.name, namespace: m.namespace }, data: m.data }, { parent: this, dependsOn: namespaceReady }));
        }
        if (objects.tlsPolicy) {
            this.ready.push(createCustomResource(`${name}-tls-policy`, objects.tlsPolicy, child));
        }

        let secret: k8s.core.v1.Secret | undefined;
        if (objects.secret) {
            // stringData is a secret input: the value stays encrypted in state and is never shown.
            secret = new k8s.core.v1.Secret(
                `${name}-secret`,
                {
                    metadata: { name: objects.secret.name, namespace: objects.secret.namespace },
                    type: "Opaque",
                    stringData: { [objects.secret.key]: args.secret(objects.secret.apiKey) },
                },
                { parent: this, dependsOn: namespaceReady },
            );
            this.ready.push(secret);
        }
        if (objects.securityPolicy) {
            this.ready.push(
                createCustomResource(`${name}-security-policy`, objects.securityPolicy, {
                    ...child,
                    dependsOn: [...namespaceReady, serviceBackend, ...(secret ? [secret] : [])],
                }),
            );
        }

        if (objects.quotaPolicy) {
            this.ready.push(createCustomResource(`${name}-quota-policy`, objects.quotaPolicy, { ...child, dependsOn: [...namespaceReady, serviceBackend] }));
        }

        this.serviceBackendName = objects.serviceBackend.metadata.name;
        this.registerOutputs({ serviceBackendName: this.serviceBackendName });
    }
}
