// Spec types for the Gateway API kinds bundled with Envoy Gateway v1.8.3:
// GatewayClass, Gateway, HTTPRoute and BackendTLSPolicy at v1, ReferenceGrant at v1beta1.

import {
    BackendObjectReference,
    Duration,
    Fraction,
    HTTPHeaderFilter,
    HTTPHeaderMatch,
    HTTPMethod,
    HTTPQueryParamMatch,
    HTTPRouteTimeouts,
    LabelSelector,
    LocalObjectReference,
    LocalPolicyTargetReferenceWithSectionName,
    ParentReference,
    SecretObjectReference,
    StringMap,
    WeightedBackendReference,
} from "./common";

// ---------------------------------------------------------------------------
// GatewayClass
// ---------------------------------------------------------------------------

export interface ParametersReference {
    group: string;
    kind: string;
    name: string;
    /** Required for namespaced kinds such as EnvoyProxy. */
    namespace?: string;
}

export interface GatewayClassSpec {
    /** Immutable. Envoy Gateway uses `gateway.envoyproxy.io/gatewayclass-controller`. */
    controllerName: string;
    /** e.g. `{ group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name, namespace }`. */
    parametersRef?: ParametersReference;
    /** At most 64 characters. */
    description?: string;
}

// ---------------------------------------------------------------------------
// Gateway
// ---------------------------------------------------------------------------

export type ListenerProtocol = "HTTP" | "HTTPS" | "TLS" | "TCP" | "UDP";

export interface RouteNamespaces {
    /** Defaults to `Same`; `selector` is required with `Selector`. */
    from?: "All" | "Selector" | "Same";
    selector?: LabelSelector;
}

export interface RouteGroupKind {
    /** Defaults to `gateway.networking.k8s.io`. */
    group?: string;
    kind: string;
}

export interface AllowedRoutes {
    /** Defaults to `{ from: Same }`. */
    namespaces?: RouteNamespaces;
    /** At most 8. */
    kinds?: RouteGroupKind[];
}

/** `certificateRefs` or `options` is required when the mode is Terminate. */
export interface GatewayTLSConfig {
    /** Defaults to `Terminate`. HTTPS requires Terminate. */
    mode?: "Terminate" | "Passthrough";
    /** At most 64; Secrets of type kubernetes.io/tls by default. */
    certificateRefs?: SecretObjectReference[];
    options?: StringMap;
}

/** `tls` is not allowed for HTTP/TCP/UDP, and `hostname` not for TCP/UDP. */
export interface Listener {
    /** Unique within the Gateway. */
    name: string;
    hostname?: string;
    port: number;
    protocol: ListenerProtocol;
    tls?: GatewayTLSConfig;
    allowedRoutes?: AllowedRoutes;
}

export interface GatewayInfrastructure {
    labels?: StringMap;
    annotations?: StringMap;
    /** Same namespace as the Gateway, e.g. an Envoy Gateway `EnvoyProxy`. */
    parametersRef?: LocalObjectReference;
}

export interface GatewaySpecAddress {
    /** Defaults to `IPAddress`. */
    type?: "IPAddress" | "Hostname" | "NamedAddress";
    value?: string;
}

export interface FrontendTLSValidation {
    /** 1..8. */
    caCertificateRefs: Array<LocalObjectReference & { namespace?: string }>;
    /** Defaults to `AllowValidOnly`. */
    mode?: "AllowValidOnly" | "AllowInsecureFallback";
}

export interface GatewayTLS {
    backend?: {
        clientCertificateRef?: SecretObjectReference;
    };
    frontend?: {
        default: { validation?: FrontendTLSValidation };
        /** At most 64; ports must be unique. */
        perPort?: Array<{ port: number; tls: { validation?: FrontendTLSValidation } }>;
    };
}

export interface GatewaySpec {
    gatewayClassName: string;
    /** 1..64. */
    listeners: Listener[];
    /** At most 16. */
    addresses?: GatewaySpecAddress[];
    infrastructure?: GatewayInfrastructure;
    tls?: GatewayTLS;
    allowedListeners?: {
        namespaces?: {
            /** Defaults to `None`. */
            from?: "All" | "Selector" | "Same" | "None";
            selector?: LabelSelector;
        };
    };
    defaultScope?: "All" | "None";
}

// ---------------------------------------------------------------------------
// HTTPRoute
// ---------------------------------------------------------------------------

export interface HTTPPathMatch {
    /** Defaults to `PathPrefix`. */
    type?: "Exact" | "PathPrefix" | "RegularExpression";
    /** Defaults to `/`. */
    value?: string;
}

export interface HTTPRouteMatch {
    /** Defaults to `{ type: PathPrefix, value: "/" }`. */
    path?: HTTPPathMatch;
    /** At most 16. */
    headers?: HTTPHeaderMatch[];
    /** At most 16. */
    queryParams?: HTTPQueryParamMatch[];
    method?: HTTPMethod;
}

export interface HTTPPathModifier {
    type: "ReplaceFullPath" | "ReplacePrefixMatch";
    replaceFullPath?: string;
    replacePrefixMatch?: string;
}

export type HTTPRouteFilterType =
    | "RequestHeaderModifier"
    | "ResponseHeaderModifier"
    | "RequestMirror"
    | "RequestRedirect"
    | "URLRewrite"
    | "ExtensionRef"
    | "CORS"
    | "ExternalAuth";

/** Set exactly the field that matches `type`. */
export interface HTTPRouteFilter {
    type: HTTPRouteFilterType;
    requestHeaderModifier?: HTTPHeaderFilter;
    responseHeaderModifier?: HTTPHeaderFilter;
    /** Only one of `percent` or `fraction`. */
    requestMirror?: {
        backendRef: BackendObjectReference;
        percent?: number;
        fraction?: Fraction;
    };
    /** Must not be combined with backendRefs. */
    requestRedirect?: {
        scheme?: "http" | "https";
        hostname?: string;
        path?: HTTPPathModifier;
        port?: number;
        /** Defaults to 302. */
        statusCode?: 301 | 302 | 303 | 307 | 308;
    };
    urlRewrite?: {
        hostname?: string;
        path?: HTTPPathModifier;
    };
    /** e.g. an Envoy Gateway HTTPRouteFilter. */
    extensionRef?: LocalObjectReference;
    cors?: {
        allowOrigins?: string[];
        allowMethods?: Array<HTTPMethod | "*">;
        allowHeaders?: string[];
        exposeHeaders?: string[];
        /** Seconds; defaults to 5. */
        maxAge?: number;
        allowCredentials?: boolean;
    };
    externalAuth?: Record<string, unknown>;
}

/** Backend of an HTTPRoute rule; `port` is required for Services. Envoy Gateway Backends use group `gateway.envoyproxy.io`, kind `Backend`. */
export interface HTTPBackendRef extends WeightedBackendReference {
    /** At most 16. */
    filters?: HTTPRouteFilter[];
}

export interface HTTPRouteRetry {
    attempts?: number;
    backoff?: Duration;
    /** 400..599. */
    codes?: number[];
}

export interface HTTPRouteRule {
    name?: string;
    /** At most 64 (and fewer than 128 across all rules). */
    matches?: HTTPRouteMatch[];
    /** At most 16. */
    filters?: HTTPRouteFilter[];
    /** At most 16. */
    backendRefs?: HTTPBackendRef[];
    timeouts?: HTTPRouteTimeouts;
    retry?: HTTPRouteRetry;
    sessionPersistence?: Record<string, unknown>;
}

export interface HTTPRouteSpec {
    /** At most 32. */
    parentRefs?: ParentReference[];
    /** At most 16. */
    hostnames?: string[];
    /** 1..16. */
    rules?: HTTPRouteRule[];
    useDefaultGateways?: "All" | "None";
}

// ---------------------------------------------------------------------------
// BackendTLSPolicy
// ---------------------------------------------------------------------------

export interface SubjectAltName {
    type: "Hostname" | "URI";
    hostname?: string;
    uri?: string;
}

/** Exactly one of `caCertificateRefs` or `wellKnownCACertificates`. */
export interface BackendTLSPolicyValidation {
    /** SNI and the name checked against the server certificate. */
    hostname: string;
    /** At most 8 (ConfigMap or Secret in the policy's namespace). */
    caCertificateRefs?: LocalObjectReference[];
    wellKnownCACertificates?: "System";
    /** At most 5. */
    subjectAltNames?: SubjectAltName[];
}

export interface BackendTLSPolicySpec {
    /** 1..16: Services, or Envoy Gateway Backends (group `gateway.envoyproxy.io`). */
    targetRefs: LocalPolicyTargetReferenceWithSectionName[];
    validation: BackendTLSPolicyValidation;
    options?: StringMap;
}

// ---------------------------------------------------------------------------
// ReferenceGrant
// ---------------------------------------------------------------------------

export interface ReferenceGrantFrom {
    group: string;
    kind: string;
    namespace: string;
}

export interface ReferenceGrantTo {
    group: string;
    kind: string;
    /** Omit to allow every object of the kind. */
    name?: string;
}

export interface ReferenceGrantSpec {
    /** 1..16. */
    from: ReferenceGrantFrom[];
    /** 1..16. */
    to: ReferenceGrantTo[];
}
