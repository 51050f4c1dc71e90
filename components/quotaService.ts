import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { QUOTA_SERVICE_LABELS, quotaServiceDeploymentSpec, quotaServiceSpec } from "./manifests/quotaService";
import { QUOTA_SERVICE_NAME } from "../plan/platform";
import { REDIS_PASSWORD_KEY } from "./manifests/redis";

export interface QuotaServiceArgs {
    /** The AI Gateway controller's namespace (its xDS server is there). */
    namespace: string;
    redisUrl: pulumi.Input<string>;
    /** The Redis password, a secret; copied into a Secret beside the service. */
    redisPassword?: pulumi.Input<string>;
    /** The AI Gateway release (its namespace and controller come first). */
    dependsOn: pulumi.Resource[];
}

/** The AI Gateway's quota rate-limit service (see manifests/quotaService.ts): what enforces QuotaPolicies. */
export class QuotaService extends pulumi.ComponentResource {
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: QuotaServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:platform:QuotaService", name, {}, opts);
        const child = { parent: this, dependsOn: args.dependsOn };
        const metadata = (n: string) => ({ name: n, namespace: args.namespace, labels: { ...QUOTA_SERVICE_LABELS } });
        const secretName = `${QUOTA_SERVICE_NAME}-redis-auth`;
        const secret =
            args.redisPassword === undefined
                ? undefined
                : new k8s.core.v1.Secret(`${name}-redis-auth`, { metadata: metadata(secretName), type: "Opaque", stringData: { [REDIS_PASSWORD_KEY]: args.redisPassword } }, child);
        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: metadata(QUOTA_SERVICE_NAME),
                spec: pulumi.output(args.redisUrl).apply((redisUrl) =>
                    quotaServiceDeploymentSpec({ namespace: args.namespace, redisUrl, redisAuth: secret ? { secretName, secretKey: REDIS_PASSWORD_KEY } : undefined }),
                ),
            },
            { ...child, dependsOn: [...args.dependsOn, ...(secret ? [secret] : [])] },
        );
        const service = new k8s.core.v1.Service(`${name}-service`, { metadata: metadata(QUOTA_SERVICE_NAME), spec: quotaServiceSpec() }, child);
        this.ready = [deployment, service];
        this.registerOutputs({});
    }
}
