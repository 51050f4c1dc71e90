import { awsRegionOf, type AwsConfig, type BackendConfig, type GatewayConfig, type ModelConfig, type PlatformConfig } from "../config/schema";
import { gatewayLevelNames } from "./names";
import { envoyPodsNamespace } from "./platform";

/**
 * Backends signed with the AWS SDK's default credential chain (AWSCredentials without a credentials
 * file or an OIDC exchange): in the Envoy pods that chain finds EKS Pod Identity or IRSA credentials.
 */
export function defaultChainBackends(backends: Record<string, BackendConfig>): string[] {
    return Object.entries(backends)
        .filter(([, b]) => b.auth?.type === "AWSCredentials" && b.auth.credentialsSecret === undefined && b.auth.oidcExchange === undefined)
        .map(([name]) => name)
        .sort();
}

/** The AWS identity of the Envoy pods: which mechanism, bound to which ServiceAccount where. */
export interface EnvoyAwsIdentity {
    mechanism: "podIdentity" | "irsa";
    /** The Envoy pods' ServiceAccount: pinned in the EnvoyProxy, named by the association or annotated (IRSA). */
    serviceAccount: string;
    /** Where the Envoy pods and their ServiceAccount live. */
    namespace: string;
    /** The backends that rely on it. */
    backends: string[];
}

/**
 * The ServiceAccount the Envoy pods run as: `envoyProxy.serviceAccountName`, else `<gateway>-envoy`.
 * Envoy Gateway's own name hashes the Gateway's namespace and name; a pinned one is what IAM can bind to.
 */
export function envoyServiceAccountName(gateway: Pick<GatewayConfig, "name" | "namespace" | "className" | "envoyProxy">): string {
    return gatewayLevelNames(gateway).envoyServiceAccount;
}

/**
 * The identity the program gives the Envoy pods, or undefined when it creates nothing on AWS: no
 * `ai-gateway:aws`, neither podIdentity nor irsa, or no backend signing with the default chain.
 * The EnvoyProxy, the association (or annotation) and the role's trust all take their names from here;
 * `serviceAccount` is the plan's (envoyServiceAccountName).
 */
export function envoyAwsIdentity(
    config: { aws?: AwsConfig; backends: Record<string, BackendConfig>; gateway: GatewayConfig; platform: PlatformConfig },
    serviceAccount: string,
): EnvoyAwsIdentity | undefined {
    const { aws } = config;
    if (aws === undefined || (!aws.podIdentity && aws.irsa === undefined)) return undefined;
    const backends = defaultChainBackends(config.backends);
    if (backends.length === 0) return undefined;
    return {
        mechanism: aws.podIdentity ? "podIdentity" : "irsa",
        serviceAccount,
        namespace: envoyPodsNamespace(config.platform.envoyGateway, config.gateway.namespace),
        backends,
    };
}

// ---------------------------------------------------------------------------
// Which ARNs a model id needs, for checking aws.modelArns against the configured models.
// ---------------------------------------------------------------------------

/** Geography prefixes of cross-region inference profile ids (`us.anthropic.claude-…`). */
const INFERENCE_PROFILE = /^(us|us-gov|eu|apac|jp|au|ca|global)\.(.+)$/;

function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/**
 * The resources InvokeModel authorizes for a model id in a region: the foundation model; for an
 * inference profile the profile and its model in whichever region the profile routes to; an ARN as is.
 */
export function requiredModelArns(modelId: string, region: string): string[] {
    if (modelId.startsWith("arn:")) return [modelId];
    const partition = partitionOf(region);
    const profile = INFERENCE_PROFILE.exec(modelId);
    if (profile) {
        return [`arn:${partition}:bedrock:${region}:*:inference-profile/${modelId}`, `arn:${partition}:bedrock:*::foundation-model/${profile[2]}`];
    }
    return [`arn:${partition}:bedrock:${region}::foundation-model/${modelId}`];
}

/** IAM wildcard match: `*` any run of characters, `?` one character. */
function globMatch(pattern: string, value: string): boolean {
    const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${re}$`).test(value);
}

/** ARN segments: partition, service, region, account, resource (which may itself contain ':'). */
function arnSegments(arn: string): string[] {
    const parts = arn.split(":");
    return [...parts.slice(1, 5), parts.slice(5).join(":")];
}

/**
 * Whether an allowed ARN covers a required one, segment by segment. A `*` in the required ARN stands
 * for a value not known from the configuration (the account, a profile's target regions) and matches anything.
 */
export function arnCovers(allowed: string, required: string): boolean {
    const a = arnSegments(allowed);
    const r = arnSegments(required);
    return r.every((segment, i) => segment === "*" || globMatch(a[i] ?? "", segment));
}

/** One model id a default-chain backend sends to Bedrock, and where the configuration says so. */
export interface BedrockModelUse {
    modelId: string;
    region: string;
    /** Where: `models.<model>.backends[<index>]`. */
    model: string;
    index: number;
    backend: string;
}

/** Every model id sent to the given backends, in configuration order. */
export function bedrockModelUses(
    models: Record<string, ModelConfig>,
    backends: Record<string, BackendConfig>,
    backendNames: readonly string[],
    stackRegion: string | undefined,
): BedrockModelUse[] {
    const uses: BedrockModelUse[] = [];
    for (const [name, model] of Object.entries(models)) {
        model.backends.forEach((ref, i) => {
            const backend = backends[ref.backend];
            if (!backendNames.includes(ref.backend) || backend === undefined) return;
            const region = awsRegionOf(backend, stackRegion);
            if (region === undefined) return;
            uses.push({ modelId: ref.model ?? name, region, model: name, index: i, backend: ref.backend });
        });
    }
    return uses;
}
