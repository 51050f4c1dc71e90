
import type { AIGatewayRouteRuleBackendRef } from "../../specs";
import { mergeValues, type Values } from "../../config/merge";
import { INFERENCE_EXTENSION } from "../../config/versions";
import type { InstalledPool } from "../../plan/platform";

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
