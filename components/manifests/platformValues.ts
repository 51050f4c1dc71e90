import { aiGatewayPoolValues, envoyGatewayPoolValues } from "./inferencePool";
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

export interface AiGatewayValuesInput {
    envoyGatewayNamespace: string;
    /**
     * `<header>:<attribute>` pairs the extProc adds to its gen_ai metrics. The controller passes them to
     * each extProc it injects as a flag; the extProc does not read them from its environment.
     */
    metricsRequestHeaderAttributes?: string;
    /** `host:port` of the quota rate-limit service, when provider quotas are set (the chart's default names a Service nothing creates). */
    quotaRateLimitServiceAddr?: string;
    /** Some backend routes to an InferencePool (the controller must start after its CRD). */
    inferencePools?: boolean;
    /**
     * The Secret holding the seeds the MCP proxy derives its session encryption key from: `seed`, and after a
     * rotation `fallback`, the previous seed, which keeps the sessions it encrypted valid.
     */
    mcpSessionSecret?: { name: string; fallback: boolean };
    /** Values of the typed keys (platform.aiGateway.controller, rateLimit.quotaFailClosed), under the user's. */
    typedValues?: Values;
    userValues: Values;
}

/** Helm values for ai-gateway-helm: where Envoy Gateway runs, metric labels, the quota service, the typed keys, then the user's values. */
export function aiGatewayValues(input: AiGatewayValuesInput): Values {
    const base: Values = { envoyGateway: { namespace: input.envoyGatewayNamespace } };
    const controller: Values = {
        ...(input.metricsRequestHeaderAttributes && { metricsRequestHeaderAttributes: input.metricsRequestHeaderAttributes }),
        ...(input.quotaRateLimitServiceAddr && { quotaRateLimitServiceAddr: input.quotaRateLimitServiceAddr }),
    };
    if (input.mcpSessionSecret) controller.mcp = { sessionEncryption: mcpSessionEncryption(input.mcpSessionSecret.fallback) };
    if (Object.keys(controller).length > 0) base.controller = controller;
    const sessionEnv = input.mcpSessionSecret && mcpSessionEnv(input.mcpSessionSecret);
    const computed = input.inferencePools ? mergeValues(base, aiGatewayPoolValues()) : base;
    const values = mergeValues(mergeValues(computed, input.typedValues ?? {}), input.userValues);
    if (!sessionEnv) return values;
    // Appended to the user's own list, which a merge would replace: without them the seed would be the literal text.
    const own = (values.controller ?? {}) as Values;
    const env = Array.isArray(own.extraEnvVars) ? own.extraEnvVars : [];
    return { ...values, controller: { ...own, extraEnvVars: [...env, ...sessionEnv] } };
}

/** The Secret with the MCP proxy's session encryption seeds, in the AI Gateway's namespace, and its keys. */
export const MCP_SESSION_SECRET = "ai-gateway-mcp-session";
export const MCP_SESSION_SEED_KEYS = { seed: "seed", fallback: "fallback" } as const;
const MCP_SESSION_ENV = { seed: "AI_GATEWAY_MCP_SESSION_SEED", fallback: "AI_GATEWAY_MCP_FALLBACK_SESSION_SEED" } as const;

/**
 * The chart passes the seeds to the controller as flags, so the values would hold them in plain text (Helm
 * release state, the Deployment): they name environment variables instead, which Kubernetes expands in the
 * container's arguments, read from the Secret.
 */
function mcpSessionEncryption(fallback: boolean): Values {
    return { seed: `$(${MCP_SESSION_ENV.seed})`, ...(fallback && { fallback: { seed: `$(${MCP_SESSION_ENV.fallback})` } }) };
}

function mcpSessionEnv(secret: { name: string; fallback: boolean }): Values[] {
    const keys = secret.fallback ? (["seed", "fallback"] as const) : (["seed"] as const);
    return keys.map((k) => ({ name: MCP_SESSION_ENV[k], valueFrom: { secretKeyRef: { name: secret.name, key: MCP_SESSION_SEED_KEYS[k] } } }));
}
