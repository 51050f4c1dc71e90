// Spec types for every custom resource the program emits, keyed by kind.

import { AIGatewayRouteSpec, AIServiceBackendSpec, BackendSecurityPolicySpec, GatewayConfigSpec, MCPRouteSpec, QuotaPolicySpec } from "./aiGateway";
import {
    BackendSpec,
    BackendTrafficPolicySpec,
    ClientTrafficPolicySpec,
    EnvoyProxySpec,
    SecurityPolicySpec,
} from "./envoyGateway";
import {
    BackendTLSPolicySpec,
    GatewayClassSpec,
    GatewaySpec,
    HTTPRouteSpec,
    ReferenceGrantSpec,
} from "./gatewayApi";
import { EnvoyExtensionPolicySpec } from "./envoyExtension";
import { ServiceMonitorSpec } from "./monitoring";

export * from "./common";
export * from "./aiGateway";
export * from "./envoyGateway";
export * from "./envoyExtension";
export * from "./gatewayApi";
export * from "./monitoring";

export interface CustomResourceSpecs {
    AIGatewayRoute: AIGatewayRouteSpec;
    AIServiceBackend: AIServiceBackendSpec;
    BackendSecurityPolicy: BackendSecurityPolicySpec;
    GatewayConfig: GatewayConfigSpec;
    QuotaPolicy: QuotaPolicySpec;
    MCPRoute: MCPRouteSpec;
    Backend: BackendSpec;
    BackendTrafficPolicy: BackendTrafficPolicySpec;
    ClientTrafficPolicy: ClientTrafficPolicySpec;
    EnvoyProxy: EnvoyProxySpec;
    SecurityPolicy: SecurityPolicySpec;
    EnvoyExtensionPolicy: EnvoyExtensionPolicySpec;
    GatewayClass: GatewayClassSpec;
    Gateway: GatewaySpec;
    HTTPRoute: HTTPRouteSpec;
    BackendTLSPolicy: BackendTLSPolicySpec;
    ReferenceGrant: ReferenceGrantSpec;
    ServiceMonitor: ServiceMonitorSpec;
}

export type CustomResourceKind = keyof CustomResourceSpecs;
