import { mergeValues, type Values } from "../config/merge";
import type { StackConfig } from "../config/stackConfig";
import { INFERENCE_EXTENSION } from "../config/versions";
import { typedControllerValues, typedValuesTree } from "./controller";
import { metricsRequestHeaderAttributes } from "./observability";
import { quotaServiceAddress, type BackendPlan, type InstalledPool } from "./platform";

/**
 * The values of the Helm releases that follow from the configuration alone, worked out once for the plan:
 * ai-gateway-helm's and each InferencePool's `inferencepool` release. Envoy Gateway's values wait on the
 * Redis URL, an Output of the Redis the program installs, so its component builds them
 * (components/manifests/platformValues.ts). No Pulumi here.
 */
export interface ReleaseValues {
    /** ai-gateway-helm's values: used when the program installs the controller (platform.aiGateway.install). */
    aiGateway: Values;
    /**
     * The generations of the MCP proxy's session encryption seeds the values refer to: the current one, and after
     * a rotation (platform.aiGateway.mcpSeedRotation) the one before, kept as the fallback.
     */
    mcpSessionSeeds: { seed: number; fallback?: number };
    /** Each pool the program installs (backends.<b>.inferencePool.selector): its release, by backend key. */
    pools: ReadonlyMap<string, PoolRelease>;
}

/** The `inferencepool` release of one pool: named as the pool, in the gateway namespace. */
export interface PoolRelease {
    name: string;
    namespace: string;
    values: Values;
}

/** The facts of the plan the values follow from. */
export interface ReleaseValuesInput {
    /** observability.metrics.perUser: the extProc labels its metrics with the verified user. */
    perUserMetrics: boolean;
    /** Some backend has a provider quota: the controller is told where the quota service is. */
    quotas: boolean;
    /** Some backend is an InferencePool. */
    inferencePools: boolean;
    /** Each backend's plan: the pools the program installs. */
    backends: ReadonlyMap<string, BackendPlan>;
}

/** The values of ai-gateway-helm and of each installed pool's release. */
export function releaseValues(config: StackConfig, input: ReleaseValuesInput): ReleaseValues {
    const ai = config.platform.aiGateway;
    const generation = ai.mcpSeedRotation;
    const mcpSessionSeeds = { seed: generation, ...(generation > 0 && { fallback: generation - 1 }) };
    const typedValues = typedValuesTree(
        typedControllerValues({
            controller: ai.controller,
            quotaFailClosed: input.quotas ? config.rateLimit.quotaFailClosed : undefined,
            spanHeaders: config.observability.tracing?.headers,
        }),
    );
    const aiGateway = aiGatewayValues({
        envoyGatewayNamespace: config.platform.envoyGateway.namespace,
        // Validation guarantees the program installs the controller whose setting labels metrics per user.
        metricsRequestHeaderAttributes: input.perUserMetrics ? metricsRequestHeaderAttributes(config.rateLimit.userHeader) : undefined,
        quotaRateLimitServiceAddr: input.quotas ? quotaServiceAddress(ai.namespace) : undefined,
        inferencePools: input.inferencePools,
        mcpSessionSecret: { name: MCP_SESSION_SECRET, fallback: mcpSessionSeeds.fallback !== undefined },
        typedValues,
        userValues: ai.values,
    });
    const pools = new Map(
        [...input.backends].flatMap(([key, b]): [string, PoolRelease][] => {
            const installed = b.pool?.installed;
            return installed ? [[key, { name: installed.name, namespace: installed.namespace, values: inferencePoolChartValues(installed) }]] : [];
        }),
    );
    return { aiGateway, mcpSessionSeeds, pools };
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

/** Annotation on the controllers' pods that changes when pools come or go, so they restart and see the CRD. */
export const INFERENCE_POOL_ANNOTATION = "ai-gateway/inference-pool-api";

/**
 * Values of the `inferencepool` chart for one pool: the v1 InferencePool selecting the model servers on
 * their port, its Endpoint Picker, and no provider-specific objects (Envoy Gateway needs none); the user's
 * values last.
 */
export function inferencePoolChartValues(pool: InstalledPool): Values {
    return mergeValues(
        {
            inferencePool: {
                apiVersion: INFERENCE_EXTENSION.apiVersion,
                modelServers: { matchLabels: pool.selector },
                targetPorts: [{ number: pool.targetPort }],
                modelServerType: pool.modelServerType,
            },
            inferenceExtension: { replicas: pool.replicas },
            provider: { name: "none" },
        },
        pool.values,
    );
}

/**
 * Envoy Gateway values that let routes reference InferencePools: its extension manager hands them to the AI
 * Gateway's extension server as backends (upstream's inference-pool values add-on), and the pod annotation
 * restarts it when that list changes (it reads its configuration at start).
 */
export function envoyGatewayPoolValues(): Values {
    return {
        config: { envoyGateway: { extensionManager: { backendResources: [{ group: INFERENCE_EXTENSION.group, kind: INFERENCE_EXTENSION.kind, version: "v1" }] } } },
        deployment: { pod: { annotations: { [INFERENCE_POOL_ANNOTATION]: INFERENCE_EXTENSION.apiVersion } } },
    };
}

/**
 * AI Gateway controller values for pools: the controller starts its InferencePool reconciler only if the CRD
 * exists when it starts, so the annotation restarts it once the CRD is applied. Envoy Gateway's read access
 * to pools is in the chart already (a ClusterRole it always installs).
 */
function aiGatewayPoolValues(): Values {
    return { controller: { podAnnotations: { [INFERENCE_POOL_ANNOTATION]: INFERENCE_EXTENSION.apiVersion } } };
}
