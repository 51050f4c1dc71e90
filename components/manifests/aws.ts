import { OIDC_PROVIDER_ARN, type AwsConfig } from "../../config/schema";
import type { EnvoyAwsIdentity } from "../../plan/aws";

/**
 * Pure builders for Bedrock access from EKS: which identity the Envoy pods get, and the IAM
 * documents of the role behind it. No Pulumi here; components/awsIdentity.ts creates what these return.
 */

/** The Service that assumes Pod Identity roles on behalf of pods. */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";
/** The ServiceAccount annotation the EKS IRSA webhook reads. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";
/** Audience of the projected token IRSA exchanges at STS. */
export const IRSA_AUDIENCE = "sts.amazonaws.com";
/** What both Bedrock schemas call: Converse/ConverseStream (AWSBedrock) and InvokeModel[WithResponseStream] (AWSAnthropic). */
export const BEDROCK_INVOKE_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"] as const;

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow";
    Principal?: { Service: string } | { Federated: string };
    Action: string | string[];
    Resource?: string | string[];
    Condition?: { StringEquals: Record<string, string> };
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

const policy = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });

/**
 * Trust for EKS Pod Identity, scoped with the session tags Pod Identity sets to this cluster, namespace
 * and ServiceAccount: no other association in the account can use the role.
 */
export function podIdentityTrustPolicy(clusterName: string, identity: Pick<EnvoyAwsIdentity, "namespace" | "serviceAccount">): PolicyDocument {
    return policy({
        Sid: "EksPodIdentityForEnvoyPods",
        Effect: "Allow",
        Principal: { Service: POD_IDENTITY_PRINCIPAL },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
            StringEquals: {
                "aws:RequestTag/eks-cluster-name": clusterName,
                "aws:RequestTag/kubernetes-namespace": identity.namespace,
                "aws:RequestTag/kubernetes-service-account": identity.serviceAccount,
            },
        },
    });
}

/** The issuer (host and path, no scheme) of an IAM OIDC provider ARN: the prefix of IRSA's condition keys. */
export function oidcIssuerOf(oidcProviderArn: string): string {
    const m = OIDC_PROVIDER_ARN.exec(oidcProviderArn);
    if (!m) throw new Error(`not an IAM OIDC provider ARN: ${oidcProviderArn} (validation should have caught this)`);
    return m[2];
}

/** Trust for IRSA: web identity tokens of exactly this ServiceAccount, for STS. */
export function irsaTrustPolicy(oidcProviderArn: string, identity: Pick<EnvoyAwsIdentity, "namespace" | "serviceAccount">): PolicyDocument {
    const issuer = oidcIssuerOf(oidcProviderArn);
    return policy({
        Sid: "IrsaForEnvoyPods",
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: {
                [`${issuer}:sub`]: `system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`,
                [`${issuer}:aud`]: IRSA_AUDIENCE,
            },
        },
    });
}

/** The role's trust for the identity's mechanism. */
export function roleTrustPolicy(aws: Pick<AwsConfig, "eksClusterName" | "irsa">, identity: EnvoyAwsIdentity): PolicyDocument {
    if (identity.mechanism === "podIdentity") {
        if (aws.eksClusterName === undefined) throw new Error("podIdentity without eksClusterName (validation should have caught this)");
        return podIdentityTrustPolicy(aws.eksClusterName, identity);
    }
    if (aws.irsa?.oidcProviderArn === undefined) throw new Error("an IRSA identity without aws.irsa.oidcProviderArn (validation should have caught this)");
    return irsaTrustPolicy(aws.irsa.oidcProviderArn, identity);
}

/** Permission to call Bedrock models: the configured ARNs, or every model when none is given. */
export function bedrockInvokePolicy(modelArns: readonly string[] | undefined): PolicyDocument {
    const resources = modelArns === undefined ? "*" : [...new Set(modelArns)];
    return policy({ Sid: "InvokeBedrockModels", Effect: "Allow", Action: [...BEDROCK_INVOKE_ACTIONS], Resource: resources });
}
