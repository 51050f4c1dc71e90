import { arnCovers, bedrockModelUses, defaultChainBackends, envoyAwsIdentity, envoyServiceAccountName, requiredModelArns } from "../aws";
import { formatPath } from "../../config/errors";
import type { Rule } from "../../config/rules/types";
import { awsPartition } from "../../config/schema/aws";

/**
 * ai-gateway:aws and the backends that need an AWS identity: something must give the Envoy pods
 * credentials, in exactly one way, bound to a ServiceAccount the program can pin, allowed to call the
 * models the routes send.
 */
export const awsIdentitySettings: Rule = (config, ctx) => {
    const { aws } = config;
    if (aws === undefined) {
        // Without ai-gateway:aws no identity is created and the default chain finds nothing in the pods.
        for (const name of defaultChainBackends(config.backends)) {
            ctx.add(
                ["backends", name, "auth"],
                "uses the AWS default credential chain (no credentialsSecret or oidcExchange), but ai-gateway:aws is not set, so the Envoy pods get no AWS credentials; on EKS set ai-gateway:aws {region, eksClusterName, podIdentity: true}, elsewhere set auth.credentialsSecret to a credentials file in ai-gateway:apiKeys, or auth.oidcExchange",
            );
        }
        return;
    }

    // An ARN of another partition than the region's names a role or provider the region's STS never accepts.
    const partitionOf = (arn: string) => arn.split(":")[1];
    const arns: [(string | number)[], string | undefined, string][] = [
        [["aws", "roleArn"], aws.roleArn, aws.region],
        [["aws", "irsa", "oidcProviderArn"], aws.irsa?.oidcProviderArn, aws.region],
        ...Object.entries(config.backends).map(([name, b]): [(string | number)[], string | undefined, string] => [
            ["backends", name, "auth", "oidcExchange", "roleArn"],
            b.auth?.type === "AWSCredentials" ? b.auth.oidcExchange?.roleArn : undefined,
            (b.auth?.type === "AWSCredentials" ? b.auth.region : undefined) ?? aws.region,
        ]),
    ];
    for (const [path, arn, region] of arns) {
        if (arn !== undefined && partitionOf(arn) !== awsPartition(region)) {
            ctx.add(path, `is in partition ${partitionOf(arn)}, and region ${region} is in ${awsPartition(region)}, whose STS never accepts it; use the ARN of the role or provider in ${awsPartition(region)} (arn:${awsPartition(region)}:iam::...)`);
        }
    }
    if (aws.podIdentity && aws.irsa !== undefined) {
        ctx.add(["aws", "irsa"], "cannot be used together with podIdentity: true, the Envoy pods get one identity; remove irsa, or set podIdentity: false");
    }
    if (aws.roleArn === undefined) {
        if (aws.irsa !== undefined && aws.irsa.oidcProviderArn === undefined) {
            ctx.add(
                ["aws", "irsa", "oidcProviderArn"],
                "is required; set the ARN of the cluster's IAM OIDC provider, e.g. arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE",
            );
        }
    } else {
        // The program neither creates nor changes an existing role: settings of the role it would create do nothing.
        const unused: [string[], boolean][] = [
            [["roleName"], aws.roleName !== undefined],
            [["modelArns"], aws.modelArns !== undefined],
            [["irsa", "oidcProviderArn"], aws.irsa?.oidcProviderArn !== undefined],
            // With IRSA and an existing role, no AWS resource is created at all.
            [["tags"], !aws.podIdentity && Object.keys(aws.tags).length > 0],
        ];
        for (const [path, set] of unused) {
            if (set) ctx.add(["aws", ...path], "does nothing with aws.roleArn: the program creates no role and leaves the existing one's trust and permissions as they are; remove it, or remove roleArn to let the program create the role");
        }
    }
    if (aws.podIdentity && aws.eksClusterName === undefined) {
        ctx.add(["aws", "eksClusterName"], "is required with podIdentity: true: the Pod Identity association is made in that cluster; set it to your EKS cluster's name");
    }

    const identity = envoyAwsIdentity(config, envoyServiceAccountName(config.gateway));
    if (identity === undefined) {
        // Asked for an identity that no backend would use: nothing on AWS is created.
        const asked = aws.podIdentity ? ["podIdentity"] : aws.irsa !== undefined ? ["irsa"] : undefined;
        if (asked) {
            ctx.warn(
                ["aws", ...asked],
                "does nothing: no backend signs with the AWS default credential chain (auth.type AWSCredentials without credentialsSecret or oidcExchange), so no IAM role or binding is created; add such a backend, or remove it",
            );
        }
        return;
    }
    const how = identity.mechanism === "podIdentity" ? "aws.podIdentity" : "aws.irsa";
    const { gateway } = config;
    if (!gateway.envoyProxy.enabled) {
        ctx.add(
            ["gateway", "envoyProxy", "enabled"],
            `is false, but ${how} binds an IAM role to the Envoy pods' ServiceAccount, which only the EnvoyProxy can pin; set enabled: true, or give the backends auth.credentialsSecret instead`,
        );
    } else if (gateway.enabled && !gateway.infrastructure.enabled) {
        ctx.add(
            ["gateway", "infrastructure", "enabled"],
            `is false, so the Gateway ignores the EnvoyProxy that pins the Envoy pods' ServiceAccount ${how} binds an IAM role to; set it to true`,
        );
    }

    if (aws.modelArns === undefined) return;
    const reported = new Set<string>();
    for (const use of bedrockModelUses(config.models, config.backends, identity.backends, aws.region)) {
        const missing = requiredModelArns(use.modelId, use.region).filter((arn) => !aws.modelArns!.some((allowed) => arnCovers(allowed, arn)));
        const key = `${use.modelId} ${use.region}`;
        if (missing.length === 0 || reported.has(key)) continue;
        reported.add(key);
        ctx.add(
            ["aws", "modelArns"],
            `does not cover model "${use.modelId}" (${formatPath(["models", use.model, "backends", use.index])}, backend ${use.backend}), so the Envoy pods' role may not invoke it; add ${missing.join(" and ")}, or remove modelArns to allow every model`,
        );
    }
};
