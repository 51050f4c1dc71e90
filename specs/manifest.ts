import { API_VERSIONS } from "../config/versions";
import type { CustomResourceKind, CustomResourceSpecs } from "./index";

/*
 * Custom resources as plain objects: what the pure builders of components/manifests return. No Pulumi
 * here; components/customResource.ts turns a manifest into a resource.
 */

/**
 * Which platform release installs the CRD of a kind; `external` for CRDs of software the program does
 * not install (the Prometheus operator), which nothing here can wait for.
 */
type CrdSource = "envoyGateway" | "aiGateway" | "external";

/** apiVersion of every kind the program emits, and the release whose CRDs define it. */
export const KINDS: { readonly [K in CustomResourceKind]: { apiVersion: string; crds: CrdSource } } = {
    AIGatewayRoute: { apiVersion: API_VERSIONS.aiGateway, crds: "aiGateway" },
    AIServiceBackend: { apiVersion: API_VERSIONS.aiGateway, crds: "aiGateway" },
    BackendSecurityPolicy: { apiVersion: API_VERSIONS.aiGateway, crds: "aiGateway" },
    GatewayConfig: { apiVersion: API_VERSIONS.aiGateway, crds: "aiGateway" },
    MCPRoute: { apiVersion: API_VERSIONS.aiGateway, crds: "aiGateway" },
    QuotaPolicy: { apiVersion: API_VERSIONS.aiGatewayQuota, crds: "aiGateway" },
    Backend: { apiVersion: API_VERSIONS.envoyGateway, crds: "envoyGateway" },
    BackendTrafficPolicy: { apiVersion: API_VERSIONS.envoyGateway, crds: "envoyGateway" },
    ClientTrafficPolicy: { apiVersion: API_VERSIONS.envoyGateway, crds: "envoyGateway" },
    EnvoyProxy: { apiVersion: API_VERSIONS.envoyGateway, crds: "envoyGateway" },
    SecurityPolicy: { apiVersion: API_VERSIONS.envoyGateway, crds: "envoyGateway" },
    EnvoyExtensionPolicy: { apiVersion: API_VERSIONS.envoyGateway, crds: "envoyGateway" },
    // Envoy Gateway's chart bundles the Gateway API CRDs.
    GatewayClass: { apiVersion: API_VERSIONS.gatewayApi, crds: "envoyGateway" },
    Gateway: { apiVersion: API_VERSIONS.gatewayApi, crds: "envoyGateway" },
    HTTPRoute: { apiVersion: API_VERSIONS.gatewayApi, crds: "envoyGateway" },
    BackendTLSPolicy: { apiVersion: API_VERSIONS.gatewayApi, crds: "envoyGateway" },
    ReferenceGrant: { apiVersion: API_VERSIONS.referenceGrant, crds: "envoyGateway" },
    ServiceMonitor: { apiVersion: API_VERSIONS.prometheusOperator, crds: "external" },
};

export interface ObjectMeta {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

/** A custom resource as a plain object: what builders return and what the cluster receives. */
export interface Manifest<K extends CustomResourceKind> {
    apiVersion: string;
    kind: K;
    metadata: ObjectMeta;
    spec: CustomResourceSpecs[K];
}

export function manifest<K extends CustomResourceKind>(kind: K, metadata: ObjectMeta, spec: CustomResourceSpecs[K]): Manifest<K> {
    return { apiVersion: KINDS[kind].apiVersion, kind, metadata, spec };
}
