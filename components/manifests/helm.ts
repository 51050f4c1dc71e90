import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { AI_GATEWAY, ENVOY_GATEWAY, INFERENCE_EXTENSION } from "./versions";

/** One Helm chart to install: OCI location and release name. */
export interface ChartRef {
    chart: string;
    releaseName: string;
}

export const CHARTS = {
    envoyGatewayCrds: { chart: `${ENVOY_GATEWAY.repository}/${ENVOY_GATEWAY.crdsChart}`, releaseName: "envoy-gateway-crds" },
    envoyGateway: { chart: `${ENVOY_GATEWAY.repository}/${ENVOY_GATEWAY.chart}`, releaseName: "envoy-gateway" },
    aiGatewayCrds: { chart: `${AI_GATEWAY.repository}/${AI_GATEWAY.crdsChart}`, releaseName: "ai-gateway-crds" },
    aiGateway: { chart: `${AI_GATEWAY.repository}/${AI_GATEWAY.chart}`, releaseName: "ai-gateway" },
} as const satisfies Record<string, ChartRef>;

/** The `inferencepool` chart for one pool: the release is named as the pool, which the chart names after it. */
export function inferencePoolChart(pool: string): ChartRef {
    return { chart: `${INFERENCE_EXTENSION.repository}/${INFERENCE_EXTENSION.chart}`, releaseName: pool };
}

/** Seconds a release may take to become ready (image pulls on a fresh node, certgen hook). */
export const RELEASE_TIMEOUT_SECONDS = 600;

/**
 * Arguments of a platform Helm release. Every release waits for its resources to be ready
 * (`skipAwait: false`): later resources depend on it, so "installed" must mean "serving".
 */
export function releaseArgs(
    chart: ChartRef,
    version: string,
    namespace: pulumi.Input<string>,
    values?: pulumi.Input<{ [key: string]: unknown }>,
): k8s.helm.v3.ReleaseArgs {
    return {
        name: chart.releaseName,
        chart: chart.chart,
        version,
        namespace,
        ...(values !== undefined ? { values } : {}),
        skipAwait: false,
        timeout: RELEASE_TIMEOUT_SECONDS,
    };
}
