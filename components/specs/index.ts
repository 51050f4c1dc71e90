// Spec types for every custom resource the program emits, keyed by kind.

import { AIGatewayRouteSpec, AIServiceBackendSpec, BackendSecurityPolicySpec, GatewayConfigSpec } from "./aiGateway";
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

export * from "./common";
export * from "./aiGateway";
export * from "./envoyGateway";
export * from "./gatewayApi";

export interface CustomResourceSpecs {
    AIGatewayRoute: AIGatewayRouteSpec;
    AIServiceBackend: AIServiceBackendSpec;
    BackendSecurityPolicy: BackendSecurityPolicySpec;
    GatewayConfig: GatewayConfigSpec;
    Backend: BackendSpec;
    BackendTrafficPolicy: BackendTrafficPolicySpec;
    ClientTrafficPolicy: ClientTrafficPolicySpec;
    EnvoyProxy: EnvoyProxySpec;
    SecurityPolicy: SecurityPolicySpec;
    GatewayClass: GatewayClassSpec;
    Gateway: GatewaySpec;
    HTTPRoute: HTTPRouteSpec;
    BackendTLSPolicy: BackendTLSPolicySpec;
    ReferenceGrant: ReferenceGrantSpec;
}

export type CustomResourceKind = keyof CustomResourceSpecs;
