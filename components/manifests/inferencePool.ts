import type { BackendConfig, InferencePoolConfig } from "../../config/schema";
import type { AIGatewayRouteRuleBackendRef } from "../../specs";
import { mergeValues, type Values } from "./merge";
import { childName, dnsLabel } from "../../config/names";
import { INFERENCE_EXTENSION } from "../../config/versions";

/**
 * InferencePool backends (`backends.<b>.inferencePool`): a model routed to a pool of self-hosted model
 * servers whose Endpoint Picker chooses the pod of each request. The pool and its Endpoint Picker come from
 * the Inference Extension's `inferencepool` chart, one release per pool, named as the pool.
 */

/** The backendRef fields that make an AIGatewayRoute rule reference an InferencePool (both or neither). */
export const INFERENCE_POOL_REF: Required<Pick<AIGatewayRouteRuleBackendRef, "group" | "kind">> = {
    group: INFERENCE_EXTENSION.group,
    kind: INFERENCE_EXTENSION.kind,
};

/** Annotation on the controllers' pods that changes when pools come or go, so they restart and see the CRD. */
export const INFERENCE_POOL_ANNOTATION = "ai-gateway/inference-pool-api";

/** Whether any backend routes to an InferencePool. */
export function inferencePoolsInUse(backends: Readonly<Record<string, BackendConfig>>): boolean {
    return Object.values(backends).some((b) => b.inferencePool !== undefined);
}

/**
 * The pool a backend routes to: the existing one it names, else `<gateway>-<backend>`, cut (with a hash) to
 * the length under which the chart's Endpoint Picker names stay distinct.
 */
export function inferencePoolName(gateway: string, backend: string, pool: InferencePoolConfig): string {
    return pool.name ?? dnsLabel(childName(gateway, backend), INFERENCE_EXTENSION.maxPoolName);
}

/** A pool the program installs with the chart, in the gateway namespace. */
export interface InstalledPool {
    /** The backend's key in ai-gateway:backends. */
    backend: string;
    /** The pool's name, also the Helm release's. */
    name: string;
    namespace: string;
    selector: Record<string, string>;
    targetPort: number;
    replicas: number;
    modelServerType: string;
    /** The user's extra chart values. */
    values: Values;
}

/** Every pool the program installs (backends with `inferencePool.selector`), in backend-key order. */
export function installedPools(gateway: { name: string; namespace: string }, backends: Readonly<Record<string, BackendConfig>>): InstalledPool[] {
    return Object.keys(backends)
        .sort()
        .flatMap((key) => {
            const pool = backends[key].inferencePool;
            if (pool?.selector === undefined) return [];
            return [
                {
                    backend: key,
                    name: inferencePoolName(gateway.name, key, pool),
                    namespace: gateway.namespace,
                    selector: { ...pool.selector },
                    targetPort: pool.targetPort ?? INFERENCE_EXTENSION.targetPort,
                    replicas: pool.endpointPicker?.replicas ?? 1,
                    modelServerType: pool.endpointPicker?.modelServerType ?? "vllm",
                    values: pool.endpointPicker?.values ?? {},
                },
            ];
        });
}

/** The Endpoint Picker's Deployment and Service name the chart derives from the release (pool) name. */
export function endpointPickerName(pool: string): string {
    return `${pool.slice(0, INFERENCE_EXTENSION.maxPoolName)}-epp`;
}

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
export function aiGatewayPoolValues(): Values {
    return { controller: { podAnnotations: { [INFERENCE_POOL_ANNOTATION]: INFERENCE_EXTENSION.apiVersion } } };
}
