/**
 * Pinned platform versions, chart locations and API versions (product contract §1).
 * The one place these literals live: config defaults, Helm releases and custom resources read them here.
 */

export const ENVOY_GATEWAY = {
    chart: "gateway-helm",
    repository: "oci://docker.io/envoyproxy",
    version: "v1.8.3",
    namespace: "envoy-gateway-system",
    /** Controller name Envoy Gateway is installed with; GatewayClasses must name it. */
    controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
} as const;

export const AI_GATEWAY = {
    crdsChart: "ai-gateway-crds-helm",
    chart: "ai-gateway-helm",
    repository: "oci://docker.io/envoyproxy",
    version: "v1.1.0",
    namespace: "envoy-ai-gateway-system",
    /** Service the chart creates for the controller (fullnameOverride default). */
    controllerService: "ai-gateway-controller",
    /** gRPC port of the Envoy Gateway extension server on that Service. */
    extensionServerPort: 1063,
} as const;

/** Annotation on a Gateway naming the GatewayConfig (same namespace) that configures its extProc. */
export const GATEWAY_CONFIG_ANNOTATION = "aigateway.envoyproxy.io/gateway-config";

export const REDIS = {
    image: "redis:8.2-alpine",
    namespace: "redis-system",
    port: 6379,
} as const;

export const API_VERSIONS = {
    aiGateway: "aigateway.envoyproxy.io/v1beta1",
    envoyGateway: "gateway.envoyproxy.io/v1alpha1",
    gatewayApi: "gateway.networking.k8s.io/v1",
    referenceGrant: "gateway.networking.k8s.io/v1beta1",
    /** The Prometheus operator's API (not installed by the program). */
    prometheusOperator: "monitoring.coreos.com/v1",
} as const;

export const CLUSTER_DOMAIN = "cluster.local";
