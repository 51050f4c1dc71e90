/**
 * What the `inferencepool` chart (Inference Extension v1.0.2, templates/inferencepool.yaml) creates from the
 * values the program gives it, for the suites that cannot install the chart (no registry here): the CRD
 * conformance test, the upstream translation and the API server e2e. The chart's own rules: the pool is
 * named as the release, in its namespace; the Endpoint Picker is `<release cut to 40>-epp` on its gRPC port.
 */
import type { StackConfig } from "../../config";
import { endpointPickerName } from "../../components/manifests/inferencePool";
import { installedPools } from "../../plan/platform";
import type { Values } from "../../config/merge";
import { INFERENCE_EXTENSION } from "../../config/versions";
import type { ManifestObject } from "./conformance";

export interface PoolObject extends ManifestObject {
    apiVersion: string;
    kind: "InferencePool";
    metadata: { name: string; namespace: string };
    spec: {
        targetPorts: { number: number }[];
        selector: { matchLabels: Record<string, string> };
        endpointPickerRef: { name: string; port: { number: number } };
    };
}

/** The InferencePool the chart renders for a release (pool) name, namespace and values. */
export function chartInferencePool(name: string, namespace: string, values: Values): PoolObject {
    const pool = values.inferencePool as { modelServers: { matchLabels: Record<string, string> }; targetPorts: { number: number }[] };
    const extension = (values.inferenceExtension ?? {}) as { extProcPort?: number };
    return {
        apiVersion: INFERENCE_EXTENSION.apiVersion,
        kind: "InferencePool",
        metadata: { name, namespace },
        spec: {
            targetPorts: pool.targetPorts.map((p) => ({ number: p.number })),
            // The chart quotes every value: label values are strings.
            selector: { matchLabels: Object.fromEntries(Object.entries(pool.modelServers.matchLabels).map(([k, v]) => [k, String(v)])) },
            endpointPickerRef: { name: endpointPickerName(name), port: { number: extension.extProcPort ?? INFERENCE_EXTENSION.endpointPickerPort } },
        },
    };
}

/** The Endpoint Picker's Service as the chart creates it (templates/epp-service.yaml): what the AI Gateway controller checks. */
export function endpointPickerService(pool: PoolObject) {
    const name = pool.spec.endpointPickerRef.name;
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: pool.metadata.namespace },
        spec: { type: "ClusterIP", selector: { inferencepool: name }, ports: [{ name: "grpc-ext-proc", port: pool.spec.endpointPickerRef.port.number, protocol: "TCP" }] },
    };
}

/**
 * What a cluster holds for a stack's InferencePool backends once `pulumi up` ran: each installed pool and
 * its Endpoint Picker Service as the chart creates them from the rendered release, and each existing pool
 * the config names (the user's, here a stand-in with the chart's defaults).
 */
export function clusterInferencePools(config: Pick<StackConfig, "gateway" | "backends">, releases: readonly { name: string; namespace: string; values: Values }[]) {
    const installed = new Set(installedPools(config.gateway, config.backends).map((p) => p.name));
    const pools = releases.filter((r) => installed.has(r.name)).map((r) => chartInferencePool(r.name, r.namespace, r.values));
    for (const name of [...new Set(Object.values(config.backends).flatMap((b) => (b.inferencePool?.name === undefined ? [] : [b.inferencePool.name])))].sort()) {
        pools.push(
            chartInferencePool(name, config.gateway.namespace, { inferencePool: { modelServers: { matchLabels: { app: name } }, targetPorts: [{ number: INFERENCE_EXTENSION.targetPort }] } }),
        );
    }
    return pools.flatMap((p) => [endpointPickerService(p), p]);
}
