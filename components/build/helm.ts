import { AI_GATEWAY, ENVOY_GATEWAY } from "./versions";

/** One Helm chart to install: OCI location and release name. */
export interface ChartRef {
    chart: string;
    releaseName: string;
}

export const CHARTS = {
    envoyGateway: { chart: `${ENVOY_GATEWAY.repository}/${ENVOY_GATEWAY.chart}`, releaseName: "envoy-gateway" },
    aiGatewayCrds: { chart: `${AI_GATEWAY.repository}/${AI_GATEWAY.crdsChart}`, releaseName: "ai-gateway-crds" },
    aiGateway: { chart: `${AI_GATEWAY.repository}/${AI_GATEWAY.chart}`, releaseName: "ai-gateway" },
} as const satisfies Record<string, ChartRef>;

/** Seconds a release may take to become ready (image pulls on a fresh node, certgen hook). */
export const RELEASE_TIMEOUT_SECONDS = 600;
