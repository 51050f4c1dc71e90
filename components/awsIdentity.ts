import { PodIdentityAssociation } from "@pulumi/aws/eks";
import { Role, RolePolicy } from "@pulumi/aws/iam";
import { Provider } from "@pulumi/aws/provider";
import * as pulumi from "@pulumi/pulumi";
import type { AwsConfig } from "../config";
import { bedrockInvokePolicy, IRSA_ROLE_ANNOTATION, roleTrustPolicy } from "./manifests/aws";
import type { EnvoyAwsIdentity } from "../plan/aws";

export interface BedrockAccessArgs {
    /** ai-gateway:aws */
    config: AwsConfig;
    /** The Envoy pods' ServiceAccount and namespace (components/manifests/aws.ts `envoyAwsIdentity`), the same the EnvoyProxy pins. */
    identity: EnvoyAwsIdentity;
}

/**
 * An IAM role the Envoy pods assume to call Bedrock: its trust (EKS Pod Identity or IRSA), its invoke
 * permissions (unless aws.roleArn names an existing role) and, for Pod Identity, the association in the cluster. Every AWS resource goes through
 * one provider for `ai-gateway:aws.region`, never the ambient AWS settings.
 */
export class BedrockAccess extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;
    /** Annotations the Envoy pods' ServiceAccount needs (IRSA's role ARN); empty for Pod Identity. */
    public readonly serviceAccountAnnotations: Record<string, pulumi.Output<string>>;
    /** What must exist before the first Envoy pod starts: credentials are injected when a pod is created. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: BedrockAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:aws:BedrockAccess", name, {}, opts);
        const { config, identity } = args;

        // Every AWS resource goes through this provider; with IRSA and an existing role there is none.
        let provider: Provider | undefined;
        const child = () => {
            provider ??= new Provider(
                `${name}-provider`,
                { region: config.region, ...(Object.keys(config.tags).length > 0 && { defaultTags: { tags: config.tags } }) },
                { parent: this },
            );
            return { parent: this, provider };
        };

        let roleArn: pulumi.Input<string>;
        if (config.roleArn !== undefined) {
            // An existing role: its trust and permissions are the user's (validation refuses settings for them).
            roleArn = config.roleArn;
            this.ready = [];
        } else {
            const role = new Role(
                `${name}-role`,
                {
                    ...(config.roleName !== undefined && { name: config.roleName }),
                    description: `Envoy AI Gateway: Bedrock calls of the Envoy pods (${identity.namespace}/${identity.serviceAccount})`,
                    assumeRolePolicy: JSON.stringify(roleTrustPolicy(config, identity)),
                },
                child(),
            );
            const invoke = new RolePolicy(`${name}-invoke`, { role: role.name, name: "bedrock-invoke", policy: JSON.stringify(bedrockInvokePolicy(config.modelArns)) }, child());
            this.ready = [role, invoke];
            roleArn = role.arn;
        }
        this.roleArn = pulumi.output(roleArn);

        if (identity.mechanism === "podIdentity" && config.eksClusterName !== undefined) {
            const association = new PodIdentityAssociation(
                `${name}-pod-identity`,
                { clusterName: config.eksClusterName, namespace: identity.namespace, serviceAccount: identity.serviceAccount, roleArn },
                child(),
            );
            this.ready.push(association);
            this.serviceAccountAnnotations = {};
        } else {
            this.serviceAccountAnnotations = { [IRSA_ROLE_ANNOTATION]: this.roleArn };
        }

        this.registerOutputs({ roleArn: this.roleArn });
    }
}
