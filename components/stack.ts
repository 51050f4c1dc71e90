import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { AIGateway } from "./aiGateway";
import { ClientSecurity } from "./clientSecurity";
import { EnvoyGateway } from "./envoyGateway";
import { GatewayCore } from "./gatewayCore";
import { buildModels } from "./models";
import { PassthroughRoutes } from "./passthroughRoutes";
import { Redis } from "./redis";
import { gatewayParentRefs } from "./build/gateway";
import { installedControllerName } from "./build/platformValues";
import { protectionSections } from "./build/protection";
import { clientAuthEnabled, withIdentityHeadersStripped } from "./build/security";
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
}

/** Builds every component in dependency order, each with only its slice of the configuration. */
export function buildStack(config: StackConfig): StackOutputs {
    const { platform, rateLimit, apiKeys, auth, traffic } = config;
    // Headers the gateway fills from verified identity are never taken from the client.
    const gateway = withIdentityHeadersStripped(config.gateway, auth);

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

    const gatewayCore = new GatewayCore("gateway-core", {
        config: gateway,
        controllerName: installedControllerName(platform.envoyGateway.values),
        platform: ready,
        aiGatewayController: aiGateway.ready,
    });

    // Client authentication first: routes wait for it, so none is ever served without it.
    const clientSecurity = clientAuthEnabled(auth)
        ? new ClientSecurity("client-security", {
              gateway: { name: gateway.name, namespace: gateway.namespace },
              auth,
              secret: (key) => apiKeys.secret(key),
              platform: ready,
              namespaceReady: gatewayCore.namespaceReady,
          })
        : undefined;
    const routesReady = [...gatewayCore.namespaceReady, ...(clientSecurity?.ready ?? [])];

    buildModels(config, ready, routesReady);
    if (Object.keys(config.passthrough).length > 0) {
        new PassthroughRoutes("passthrough-routes", {
            // Routes live beside the Gateway, so their parentRefs need no namespace.
            gateway: { name: gateway.name, namespace: gateway.namespace, parentRefs: gatewayParentRefs(gateway).map(({ namespace: _same, ...ref }) => ref) },
            routes: config.passthrough,
            requestTimeout: traffic.timeouts?.request,
            protection: protectionSections(traffic),
            platform: ready,
            namespaceReady: routesReady,
        });
    }

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
    };
}

/** In-cluster address of the Redis this program would install, for documentation and checks. */
export function defaultRedisUrl(namespace: string): string {
    return redisUrl("redis", namespace, REDIS.port);
}
