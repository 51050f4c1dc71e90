import { envoyGatewayPoolValues } from "../../plan/chartValues";
import { mergeValues, Values } from "../../config/merge";
import { serviceFqdn } from "../../config/names";
import { AI_GATEWAY, CLUSTER_DOMAIN, ENVOY_GATEWAY } from "../../config/versions";

/** Env var the envoy-ratelimit service reads its Redis password from. */
export const REDIS_AUTH_ENV = "REDIS_AUTH";

export interface RateLimitBackendValues {
    redisUrl: string;
    auth?: { secretName: string; secretKey: string };
    /** Refuse requests while the rate-limit service cannot answer (Envoy Gateway: let them through). */
    failClosed?: boolean;
    /** How long Envoy waits for the rate-limit service (Envoy Gateway: 20ms). */
    timeout?: string;
}

export interface EnvoyGatewayValuesInput {
    /** Namespace of the AI Gateway controller, whose extension server Envoy Gateway calls. */
    aiGatewayNamespace: string;
    /** Global rate limiting: the Redis URL (`host:port`) and, when Redis needs a password, the Secret holding it. */
    rateLimit?: RateLimitBackendValues;
    /** Some backend routes to an InferencePool (Envoy Gateway must accept it as a backend). */
    inferencePools?: boolean;
    /** The user's `platform.envoyGateway.values`, merged last. */
    userValues: Values;
}

/**
 * Values of gateway-crds-helm: the Gateway API CRDs (the experimental channel, which gateway-helm bundles and
 * the AI Gateway's BackendTLSPolicy and ListenerSet need) and Envoy Gateway's own.
 */
export function envoyGatewayCrdsValues(): Values {
    return { crds: { gatewayAPI: { enabled: true, channel: "experimental" }, envoyGateway: { enabled: true } } };
}

/**
 * Helm values for gateway-helm with what the AI Gateway needs (its `manifests/envoy-gateway-values.yaml`):
 * the Backend API, the extension manager hooks that insert the ext_proc filter, and the extension server address.
 * Unlike the other charts' values (plan/chartValues.ts), these are built in the component: their rate-limit
 * section holds the Redis URL, an Output of the Redis the program installs, and the user's values go over it.
 */
export function envoyGatewayValues(input: EnvoyGatewayValuesInput): Values {
    const envoyGateway: Values = {
        gateway: { controllerName: ENVOY_GATEWAY.controllerName },
        logging: { level: { default: "info" } },
        provider: { type: "Kubernetes" },
        extensionApis: { enableBackend: true, enableEnvoyPatchPolicy: true },
        extensionManager: {
            hooks: {
                xdsTranslator: {
                    translation: {
                        listener: { includeAll: true },
                        route: { includeAll: true },
                        cluster: { includeAll: true },
                        secret: { includeAll: true },
                    },
                    post: ["Translation", "Cluster", "Route"],
                },
            },
            service: {
                fqdn: {
                    hostname: serviceFqdn(AI_GATEWAY.controllerService, input.aiGatewayNamespace, CLUSTER_DOMAIN),
                    port: AI_GATEWAY.extensionServerPort,
                },
            },
        },
    };
    if (input.rateLimit) {
        const { redisUrl, failClosed, timeout } = input.rateLimit;
        // The ratelimit image stays the chart's default: it is the one this Envoy Gateway is tested with.
        envoyGateway.rateLimit = {
            backend: { type: "Redis", redis: { url: redisUrl } },
            ...(timeout !== undefined && { timeout }),
            ...(failClosed && { failClosed: true }),
        };
        const auth = input.rateLimit.auth;
        if (auth) {
            // Envoy Gateway has no Redis password field; the ratelimit service reads REDIS_AUTH.
            envoyGateway.provider = {
                type: "Kubernetes",
                kubernetes: {
                    rateLimitDeployment: {
                        container: {
                            env: [{ name: REDIS_AUTH_ENV, valueFrom: { secretKeyRef: { name: auth.secretName, key: auth.secretKey } } }],
                        },
                    },
                },
            };
        }
    }
    const values = { config: { envoyGateway } };
    return mergeValues(input.inferencePools ? mergeValues(values, envoyGatewayPoolValues()) : values, input.userValues);
}
