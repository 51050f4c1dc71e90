import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { AIGateway } from "./aiGateway";
import { BedrockAccess } from "./awsIdentity";
import { envoyAwsIdentity } from "./build/aws";
import { EnvoyGateway } from "./envoyGateway";
import { GatewayCore } from "./gatewayCore";
import { buildModels } from "./models";
import { Redis } from "./redis";
import { installedControllerName } from "./build/platformValues";
import { redisUrl } from "./build/redis";
import { REDIS } from "./build/versions";
import type { PlatformReadiness } from "./specs/customResource";

/** Stack outputs: names and addresses only, never a secret. */
export interface StackOutputs {
    namespaces: { envoyGateway: string; aiGateway: string; redis?: string; gateway: string };
    gatewayName: string;
    /** How to find the address clients call. */
    gatewayAddressCommand: string;
    redisUrl?: pulumi.Output<string>;
    /** The IAM role the Envoy pods call Bedrock with, when the program creates one. */
    bedrockRoleArn?: pulumi.Output<string>;
}

/** Builds every component in dependency order, each with only its slice of the configuration. */
export function buildStack(config: StackConfig): StackOutputs {
    const { platform, gateway, rateLimit, apiKeys } = config;

    let rateLimitBackend: { redisUrl: pulumi.Input<string>; password?: pulumi.Input<string> } | undefined;
    let redis: Redis | undefined;
    if (rateLimit.enabled) {
        if (platform.redis.install) {
            redis = new Redis("redis", { config: platform.redis, envoyGatewayNamespace: platform.envoyGateway.namespace });
            rateLimitBackend = { redisUrl: redis.url, password: redis.password };
        } else {
            // Validation guarantees a host for an existing Redis.
            rateLimitBackend = {
                redisUrl: `${platform.redis.host ?? REDIS.namespace}:${platform.redis.port}`,
                password: platform.redis.passwordSecret ? apiKeys.secret(platform.redis.passwordSecret) : undefined,
            };
        }
    }

    const envoyGateway = new EnvoyGateway("envoy-gateway", {
        config: platform.envoyGateway,
        aiGatewayNamespace: platform.aiGateway.namespace,
        rateLimit: rateLimitBackend,
    });
    const aiGateway = new AIGateway("ai-gateway", {
        config: platform.aiGateway,
        envoyGatewayNamespace: platform.envoyGateway.namespace,
        envoyGatewayReady: envoyGateway.ready,
    });

    // Every custom resource below waits for these through createCustomResource.
    const ready: PlatformReadiness = { envoyGateway: envoyGateway.ready, aiGateway: [...envoyGateway.ready, ...aiGateway.ready] };

    // AWS identity of the Envoy pods, for backends on the default credential chain: computed once, so the
    // EnvoyProxy, the Pod Identity association (or IRSA annotation) and the role's trust name the same ServiceAccount.
    const identity = envoyAwsIdentity(config);
    const bedrock = identity && config.aws ? new BedrockAccess("bedrock-access", { config: config.aws, identity }) : undefined;

    const gatewayCore = new GatewayCore("gateway-core", {
        config: gateway,
        controllerName: installedControllerName(platform.envoyGateway.values),
        platform: ready,
        aiGatewayController: aiGateway.ready,
        envoyIdentity: identity && bedrock && {
            serviceAccount: identity.serviceAccount,
            namespace: identity.namespace,
            annotations: bedrock.serviceAccountAnnotations,
            ready: bedrock.ready,
        },
    });
    buildModels(config, ready, gatewayCore.namespaceReady);

    return {
        namespaces: {
            envoyGateway: platform.envoyGateway.namespace,
            aiGateway: platform.aiGateway.namespace,
            redis: redis ? platform.redis.namespace : undefined,
            gateway: gateway.namespace,
        },
        gatewayName: gateway.name,
        gatewayAddressCommand: `kubectl get gateway ${gateway.name} -n ${gateway.namespace} -o jsonpath='{.status.addresses[0].value}'`,
        redisUrl: redis ? redis.url : rateLimitBackend ? pulumi.output(rateLimitBackend.redisUrl) : undefined,
        bedrockRoleArn: bedrock?.roleArn,
    };
}

/** In-cluster address of the Redis this program would install, for documentation and checks. */
export function defaultRedisUrl(namespace: string): string {
    return redisUrl("redis", namespace, REDIS.port);
}
