import type { AIGatewayRouteRuleBackendRef } from "../../specs";
import { INFERENCE_EXTENSION } from "../../config/versions";

/**
 * InferencePool backends (`backends.<b>.inferencePool`): a model routed to a pool of self-hosted model
 * servers whose Endpoint Picker chooses the pod of each request. The pool and its Endpoint Picker come from
 * the Inference Extension's `inferencepool` chart, one release per pool, named as the pool.
 * Its values are the plan's (plan/chartValues.ts).
 */

/** The backendRef fields that make an AIGatewayRoute rule reference an InferencePool (both or neither). */
export const INFERENCE_POOL_REF: Required<Pick<AIGatewayRouteRuleBackendRef, "group" | "kind">> = {
    group: INFERENCE_EXTENSION.group,
    kind: INFERENCE_EXTENSION.kind,
};

/** The Endpoint Picker's Deployment and Service name the chart derives from the release (pool) name. */
export function endpointPickerName(pool: string): string {
    return `${pool.slice(0, INFERENCE_EXTENSION.maxPoolName)}-epp`;
}
