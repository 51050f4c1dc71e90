import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { RedisConfig } from "../config";
import {
    REDIS_NAME,
    REDIS_PASSWORD_KEY,
    redisDeploymentSpec,
    redisLabels,
    redisNetworkPolicySpec,
    redisServiceSpec,
    redisUrl,
} from "./manifests/redis";

export interface RedisArgs {
    config: RedisConfig;
    /** Namespace of Envoy Gateway's ratelimit pods, the only clients allowed in. */
    envoyGatewayNamespace: string;
    /** The AI Gateway's quota service, also let in when provider quotas are set. */
    quotaService?: { namespace: string; labels: Record<string, string> };
}

/** The rate-limit store: one password-protected Redis reachable only from the ratelimit service. */
export class Redis extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** `host:port` for Envoy Gateway's rate-limit backend. */
    public readonly url: pulumi.Output<string>;
    /** The generated password, a secret. */
    public readonly password: pulumi.Output<string>;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:platform:Redis", name, {}, opts);
        const { config } = args;
        const child = { parent: this };

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: config.namespace } }, child);
        const ns = namespace.metadata.name;

        const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, child);
        // The engine marks `result` secret; saying so here keeps it secret everywhere it flows.
        this.password = pulumi.secret(password.result);

        const secret = new k8s.core.v1.Secret(
            `${name}-auth`,
            { metadata: { name: `${REDIS_NAME}-auth`, namespace: ns, labels: redisLabels() }, type: "Opaque", stringData: { [REDIS_PASSWORD_KEY]: this.password } },
            child,
        );
        new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            { metadata: { name: REDIS_NAME, namespace: ns, labels: redisLabels() }, spec: redisDeploymentSpec(config, `${REDIS_NAME}-auth`) },
            { ...child, dependsOn: [secret] },
        );
        const service = new k8s.core.v1.Service(
            `${name}-service`,
            { metadata: { name: REDIS_NAME, namespace: ns, labels: redisLabels() }, spec: redisServiceSpec(config) },
            child,
        );
        new k8s.networking.v1.NetworkPolicy(
            `${name}-network-policy`,
            { metadata: { name: `${REDIS_NAME}-allow-ratelimit`, namespace: ns, labels: redisLabels() }, spec: redisNetworkPolicySpec(config, args.envoyGatewayNamespace, args.quotaService) },
            child,
        );

        this.namespace = ns;
        this.url = pulumi.all([service.metadata.name, ns]).apply(([svc, n]) => redisUrl(svc, n, config.port));
        this.registerOutputs({ namespace: this.namespace, url: this.url, password: this.password });
    }
}
