// Spec types for the Envoy Gateway custom resources (gateway.envoyproxy.io/v1alpha1, v1.8.3).

import {
    Affinity,
    BackendObjectReference,
    Duration,
    EnvVar,
    Fraction,
    HTTPHeader,
    HTTPHeaderFilter,
    HTTPMethod,
    IntOrString,
    LabelSelector,
    LabelSelectorRequirement,
    LocalObjectReference,
    LocalPolicyTargetReferenceWithSectionName,
    NameReference,
    PodSecurityContext,
    Quantity,
    ResourceRequirements,
    SecretObjectReference,
    SecurityContext,
    StringMap,
    StringMatch,
    Toleration,
    TopologySpreadConstraint,
    Volume,
    VolumeMount,
    WeightedBackendReference,
} from "./common";

// ---------------------------------------------------------------------------
// Shared: policy attachment, backends, TLS
// ---------------------------------------------------------------------------

/** Selects policy targets by label instead of by name. */
export interface TargetSelector {
    /** Defaults to `gateway.networking.k8s.io` (the only allowed group). */
    group?: string;
    kind: string;
    matchLabels?: StringMap;
    matchExpressions?: LabelSelectorRequirement[];
    namespaces?: {
        /** Defaults to `Same`; `selector` is required with `Selector`. */
        from: "Same" | "All" | "Selector";
        selector?: LabelSelector;
    };
}

/**
 * Targeting shared by the Envoy Gateway policies. Use `targetRefs` (or `targetSelectors`);
 * the singular `targetRef` is the legacy form and cannot be combined with `targetRefs`.
 */
export interface PolicyTargetReferences {
    targetRef?: LocalPolicyTargetReferenceWithSectionName;
    targetRefs?: LocalPolicyTargetReferenceWithSectionName[];
    targetSelectors?: TargetSelector[];
}

/** How a route-level policy merges into the Gateway-level one (`Replace` is rejected on policies). */
export type PolicyMergeType = "StrategicMerge" | "JSONMerge";

/** Backend reference used inside Envoy Gateway APIs (Service or `gateway.envoyproxy.io` Backend). */
export interface BackendRef extends WeightedBackendReference {
    /** Marks this backend as a standby used only when the primary ones are unhealthy. */
    fallback?: boolean;
}

/** A set of backends plus the cluster settings used to reach them. */
export interface BackendCluster {
    /** At most 16. */
    backendRefs?: BackendRef[];
    backendSettings?: ClusterSettings;
}

export type TLSVersion = "Auto" | "1.0" | "1.1" | "1.2" | "1.3";

/** TLS parameters shared by client- and upstream-side TLS settings. */
export interface TLSSettings {
    /** Setting ciphers has no effect when the minimum version is 1.3. */
    minVersion?: TLSVersion;
    maxVersion?: TLSVersion;
    ciphers?: string[];
    ecdhCurves?: string[];
    signatureAlgorithms?: string[];
    alpnProtocols?: string[];
    fingerprints?: Array<"JA3" | "JA4">;
}

// ---------------------------------------------------------------------------
// Backend
// ---------------------------------------------------------------------------

/** Exactly one of `fqdn`, `ip` or `unix`; fqdn endpoints cannot be mixed with the other kinds. */
export interface BackendEndpoint {
    fqdn?: { hostname: string; port: number };
    ip?: { address: string; port: number };
    /** `path` must not exceed 108 characters. */
    unix?: { path: string };
    hostname?: string;
    zone?: string;
}

/** Upstream TLS for a Backend. `caCertificateRefs` and `wellKnownCACertificates` are mutually exclusive, and neither may be set with `insecureSkipVerify`. */
export interface BackendTLSSettings extends TLSSettings {
    /** At most 8 (ConfigMap or Secret). */
    caCertificateRefs?: LocalObjectReference[];
    wellKnownCACertificates?: "System";
    /** Defaults to false. */
    insecureSkipVerify?: boolean;
    sni?: string;
    clientCertificateRef?: SecretObjectReference;
}

export interface BackendSpec {
    /** Defaults to `Endpoints`; `DynamicResolver` must not have endpoints. */
    type?: "Endpoints" | "DynamicResolver";
    /** 1..256 entries. */
    endpoints?: BackendEndpoint[];
    appProtocols?: Array<"gateway.envoyproxy.io/h2c" | "gateway.envoyproxy.io/ws" | "gateway.envoyproxy.io/wss">;
    /** Marks the Backend as a passive fallback behind the primary backends of a route rule. */
    fallback?: boolean;
    tls?: BackendTLSSettings;
}

// ---------------------------------------------------------------------------
// Cluster settings (BackendTrafficPolicy and every `backendSettings`)
// ---------------------------------------------------------------------------

export type RetryTrigger =
    | "5xx"
    | "gateway-error"
    | "reset"
    | "reset-before-request"
    | "connect-failure"
    | "retriable-4xx"
    | "refused-stream"
    | "retriable-status-codes"
    | "cancelled"
    | "deadline-exceeded"
    | "internal"
    | "resource-exhausted"
    | "unavailable";

export interface Retry {
    /** Defaults to 2. */
    numRetries?: number;
    /** Attempts (initial + retries) sent to one priority before moving to the next. */
    numAttemptsPerPriority?: number;
    perRetry?: {
        timeout?: Duration;
        backOff?: {
            baseInterval?: Duration;
            maxInterval?: Duration;
        };
    };
    retryOn?: {
        triggers?: RetryTrigger[];
        /** 100..599; only used together with the `retriable-status-codes` trigger. */
        httpStatusCodes?: number[];
    };
}

/** Thresholds default to 1024 where noted by Envoy Gateway. */
export interface CircuitBreaker {
    maxConnections?: number;
    maxPendingRequests?: number;
    maxParallelRequests?: number;
    maxParallelRetries?: number;
    maxRequestsPerConnection?: number;
    perEndpoint?: {
        maxConnections?: number;
    };
    retryBudget?: {
        percent: Fraction;
        minRetryConcurrency?: number;
    };
}

export interface ActiveHealthCheckPayload {
    type: "Text" | "Binary";
    text?: string;
    /** Base64-encoded bytes. */
    binary?: string;
}

/** `http` is required when `type` is HTTP, `tcp` when TCP; `grpc` only with GRPC. */
export interface ActiveHealthCheck {
    type: "HTTP" | "TCP" | "GRPC";
    /** Defaults to 3s. */
    interval?: Duration;
    /** Defaults to 1s. */
    timeout?: Duration;
    initialJitter?: Duration;
    /** Defaults to 1. */
    healthyThreshold?: number;
    /** Defaults to 3. */
    unhealthyThreshold?: number;
    http?: {
        path: string;
        method?: string;
        hostname?: string;
        expectedStatuses?: number[];
        retriableStatuses?: number[];
        expectedResponse?: ActiveHealthCheckPayload;
    };
    tcp?: {
        send?: ActiveHealthCheckPayload;
        receive?: ActiveHealthCheckPayload;
    };
    grpc?: {
        service?: string;
    };
    overrides?: {
        port?: number;
    };
}

/** Outlier detection. */
export interface PassiveHealthCheck {
    /** Defaults to 5. */
    consecutive5XxErrors?: number;
    consecutiveGatewayErrors?: number;
    /** Defaults to 5. */
    consecutiveLocalOriginFailures?: number;
    /** Defaults to false. */
    splitExternalLocalOriginErrors?: boolean;
    /** Defaults to 3s. */
    interval?: Duration;
    /** Defaults to 30s. */
    baseEjectionTime?: Duration;
    /** Defaults to 10. */
    maxEjectionPercent?: number;
    failurePercentageThreshold?: number;
    /** Defaults to false. */
    alwaysEjectOneEndpoint?: boolean;
}

export interface HealthCheck {
    active?: ActiveHealthCheck;
    passive?: PassiveHealthCheck;
    /** 0..100. */
    panicThreshold?: number;
}

export interface BackendTimeout {
    http?: {
        requestTimeout?: Duration;
        connectionIdleTimeout?: Duration;
        maxConnectionDuration?: Duration;
        maxStreamDuration?: Duration;
        streamIdleTimeout?: Duration;
    };
    tcp?: {
        connectTimeout?: Duration;
    };
}

export type LoadBalancerType =
    | "ConsistentHash"
    | "LeastRequest"
    | "Random"
    | "RoundRobin"
    | "BackendUtilization"
    | "DynamicModule";

/** The sub-object matching `type` is required (`consistentHash`, `backendUtilization`, `dynamicModule`). */
export interface LoadBalancer {
    type: LoadBalancerType;
    consistentHash?: Record<string, unknown>;
    backendUtilization?: Record<string, unknown>;
    dynamicModule?: Record<string, unknown>;
    endpointOverride?: Record<string, unknown>;
    /** Not allowed with Random, ConsistentHash or DynamicModule. */
    slowStart?: { window: Duration };
    zoneAware?: Record<string, unknown>;
}

export interface BackendConnection {
    bufferLimit?: Quantity;
    socketBufferLimit?: Quantity;
    preconnect?: {
        perEndpointPercent?: number;
        /** Only with RoundRobin or Random load balancers. */
        predictivePercent?: number;
    };
}

export interface DNSSettings {
    dnsRefreshRate?: Duration;
    lookupFamily?: "IPv4" | "IPv6" | "IPv4Preferred" | "IPv6Preferred" | "IPv4AndIPv6";
    respectDnsTtl?: boolean;
}

export interface HTTP2Settings {
    maxConcurrentStreams?: number;
    initialStreamWindowSize?: Quantity;
    initialConnectionWindowSize?: Quantity;
    /** Defaults to `TerminateConnection`. */
    onInvalidMessage?: "TerminateConnection" | "TerminateStream";
    connectionKeepalive?: {
        interval?: Duration;
        /** Must be less than `interval`. */
        timeout?: Duration;
        idleInterval?: Duration;
        intervalJitter?: number;
    };
}

export interface TCPKeepalive {
    probes?: number;
    idleTime?: Duration;
    interval?: Duration;
}

export interface ProxyProtocol {
    version: "V1" | "V2";
}

/** Settings for reaching a set of upstream endpoints. */
export interface ClusterSettings {
    loadBalancer?: LoadBalancer;
    retry?: Retry;
    proxyProtocol?: ProxyProtocol;
    tcpKeepalive?: TCPKeepalive;
    healthCheck?: HealthCheck;
    circuitBreaker?: CircuitBreaker;
    timeout?: BackendTimeout;
    connection?: BackendConnection;
    dns?: DNSSettings;
    http2?: HTTP2Settings;
}

// ---------------------------------------------------------------------------
// BackendTrafficPolicy
// ---------------------------------------------------------------------------

export type RateLimitUnit = "Second" | "Minute" | "Hour" | "Day" | "Month" | "Year";

export interface RateLimitHeaderMatch {
    name: string;
    /** Defaults to `Exact`; `Distinct` keeps one bucket per distinct value. */
    type?: "Exact" | "RegularExpression" | "Distinct";
    value?: string;
    invert?: boolean;
}

/** At least one of `headers`, `methods`, `path`, `sourceCIDR` or `queryParams`; conditions are ANDed. */
export interface RateLimitSelectCondition {
    /** At most 64. */
    headers?: RateLimitHeaderMatch[];
    methods?: Array<{ value: HTTPMethod; invert?: boolean }>;
    path?: {
        /** Defaults to `PathPrefix`. */
        type?: "Exact" | "PathPrefix" | "RegularExpression";
        value: string;
        invert?: boolean;
    };
    sourceCIDR?: {
        /** Defaults to `Exact`. */
        type?: "Exact" | "Distinct";
        value: string;
        invert?: boolean;
    };
    /** At most 16. */
    queryParams?: RateLimitHeaderMatch[];
}

/** Exactly one of `number` or `metadata`, matching `from`. */
export interface RateLimitCostSpecifier {
    from: "Number" | "Metadata";
    number?: number;
    metadata?: {
        namespace: string;
        key: string;
    };
}

export interface RateLimitCost {
    /** Defaults to a cost of 1 per request. */
    request?: RateLimitCostSpecifier;
    /** Charged when the response completes; global limits only. */
    response?: RateLimitCostSpecifier;
}

export interface RateLimitRule {
    /** At most 8. Without selectors the rule applies to all traffic. */
    clientSelectors?: RateLimitSelectCondition[];
    limit: {
        requests: number;
        unit: RateLimitUnit;
    };
    cost?: RateLimitCost;
    /** Share one bucket across all routes the policy targets (default: one bucket per route). */
    shared?: boolean;
    shadowMode?: boolean;
    xRateLimitHeaders?: "Off" | "DraftVersion03";
}

export interface RateLimitSpec {
    type?: "Global" | "Local";
    global?: {
        /** At most 256. */
        rules: RateLimitRule[];
    };
    local?: {
        /** At most 16; response cost is not supported. */
        rules?: RateLimitRule[];
    };
}

/** One status code (`type: Value`, the default) or an inclusive range (`type: Range`, end above start). */
export interface StatusCodeMatch {
    type?: "Value" | "Range";
    value?: number;
    range?: { start: number; end: number };
}

/**
 * A response that replaces the one Envoy or the upstream gave for the matched status codes (Envoy's custom
 * response filter, local response policy). The body supports Envoy's command operators (`%` must be `%%`).
 */
export interface ResponseOverride {
    match: { statusCodes: StatusCodeMatch[] };
    response?: {
        contentType?: string;
        body?: { type?: "Inline"; inline: string } | { type: "ValueRef"; valueRef: { group: ""; kind: "ConfigMap"; name: string } };
        statusCode?: number;
        header?: HTTPHeaderFilter;
    };
    redirect?: Record<string, unknown>;
}

export interface BackendTrafficPolicySpec extends PolicyTargetReferences, ClusterSettings {
    /** Only for route targets; merges into the Gateway-level policy. */
    mergeType?: PolicyMergeType;
    rateLimit?: RateLimitSpec;
    faultInjection?: Record<string, unknown>;
    /** Either `compression` or `compressor`, not both. */
    compression?: Array<{ type: "Gzip" | "Brotli" | "Zstd"; [key: string]: unknown }>;
    compressor?: Array<{ type: "Gzip" | "Brotli" | "Zstd"; [key: string]: unknown }>;
    /** At most one entry per status code matters: the first that matches answers. */
    responseOverride?: ResponseOverride[];
    httpUpgrade?: Array<{ type: string; connect?: Record<string, unknown> }>;
    requestBuffer?: { limit?: Quantity };
    bandwidthLimit?: Record<string, unknown>;
    admissionControl?: Record<string, unknown>;
    telemetry?: Record<string, unknown>;
    useClientProtocol?: boolean;
    routingType?: "Service" | "Endpoint";
}

// ---------------------------------------------------------------------------
// ClientTrafficPolicy
// ---------------------------------------------------------------------------

export interface ClientConnection {
    /** Defaults to 32768 bytes. */
    bufferLimit?: Quantity;
    socketBufferLimit?: Quantity;
    connectionLimit?: {
        value?: number;
        /** Only with `value`. */
        closeDelay?: Duration;
        maxConnectionDuration?: Duration;
        maxRequestsPerConnection?: number;
        maxStreamDuration?: Duration;
    };
    /** Defaults to 1. */
    maxAcceptPerSocketEvent?: number;
}

export interface ClientTimeout {
    http?: {
        requestReceivedTimeout?: Duration;
        idleTimeout?: Duration;
        streamIdleTimeout?: Duration;
    };
    tcp?: {
        idleTimeout?: Duration;
    };
}

export interface ClientValidationContext {
    /** At most 8 (Secret or ConfigMap). */
    caCertificateRefs?: SecretObjectReference[];
    mode?: "Request" | "RequireAny" | "VerifyIfGiven" | "RequireAndVerify";
    optional?: boolean;
    certificateHashes?: string[];
    spkiHashes?: string[];
    subjectAltNames?: {
        dnsNames?: StringMatch[];
        emailAddresses?: StringMatch[];
        ipAddresses?: StringMatch[];
        uris?: StringMatch[];
        otherNames?: Array<StringMatch & { oid: string }>;
    };
    crl?: {
        refs: SecretObjectReference[];
        onlyVerifyLeafCertificate?: boolean;
    };
}

export interface ClientTLSSettings extends TLSSettings {
    clientValidation?: ClientValidationContext;
    session?: {
        resumption?: {
            stateful?: Record<string, unknown>;
            stateless?: Record<string, unknown>;
        };
    };
}

/** Header edits; each list holds 1..64 entries. */
export interface HTTPHeaderModifications {
    add?: HTTPHeader[];
    set?: HTTPHeader[];
    addIfAbsent?: HTTPHeader[];
    remove?: string[];
    removeOnMatch?: StringMatch[];
}

export interface ClientHeaderSettings {
    enableEnvoyHeaders?: boolean;
    disableRateLimitHeaders?: boolean;
    /** Cannot be combined with `requestID`. */
    preserveXRequestID?: boolean;
    requestID?: "PreserveOrGenerate" | "Preserve" | "Generate" | "Disable";
    withUnderscoresAction?: "Allow" | "RejectRequest" | "DropHeader";
    xForwardedClientCert?: {
        mode?: "Sanitize" | "ForwardOnly" | "AppendForward" | "SanitizeSet" | "AlwaysForwardOnly";
        /** Only with AppendForward or SanitizeSet. */
        certDetailsToAdd?: Array<"Subject" | "Cert" | "Chain" | "DNS" | "URI">;
    };
    earlyRequestHeaders?: HTTPHeaderModifications;
    lateResponseHeaders?: HTTPHeaderModifications;
}

/** `customHeader` cannot be combined with `xForwardedFor`. */
export interface ClientIPDetection {
    /** Exactly one of `numTrustedHops` or `trustedCIDRs`. */
    xForwardedFor?: {
        numTrustedHops?: number;
        trustedCIDRs?: string[];
    };
    customHeader?: {
        name: string;
        failClosed?: boolean;
    };
}

export interface ClientTrafficPolicySpec extends PolicyTargetReferences {
    connection?: ClientConnection;
    timeout?: ClientTimeout;
    tls?: ClientTLSSettings;
    headers?: ClientHeaderSettings;
    path?: {
        disableMergeSlashes?: boolean;
        escapedSlashesAction?: "KeepUnchanged" | "RejectRequest" | "UnescapeAndForward" | "UnescapeAndRedirect";
    };
    /** Envoy answers this path directly (for load-balancer health checks). */
    healthCheck?: { path: string };
    clientIPDetection?: ClientIPDetection;
    http1?: Record<string, unknown>;
    http2?: HTTP2Settings;
    /** An empty object enables HTTP/3. */
    http3?: Record<string, unknown>;
    grpc?: { enableWeb?: boolean };
    enableProxyProtocol?: boolean;
    proxyProtocol?: { optional?: boolean };
    tcpKeepalive?: TCPKeepalive;
    scheme?: "Preserve" | "MatchBackend";
}

// ---------------------------------------------------------------------------
// EnvoyProxy
// ---------------------------------------------------------------------------

/** Patch applied on top of a generated Kubernetes object. */
export interface KubernetesPatchSpec {
    /** Defaults to `StrategicMerge`. */
    type?: PolicyMergeType;
    value: Record<string, unknown>;
}

/** `image` (must include a tag) and `imageRepository` (no tag) are mutually exclusive. */
export interface KubernetesContainerSpec {
    env?: EnvVar[];
    resources?: ResourceRequirements;
    securityContext?: SecurityContext;
    image?: string;
    imageRepository?: string;
    volumeMounts?: VolumeMount[];
}

export interface KubernetesPodSpec {
    annotations?: StringMap;
    labels?: StringMap;
    securityContext?: PodSecurityContext;
    affinity?: Affinity;
    tolerations?: Toleration[];
    volumes?: Volume[];
    imagePullSecrets?: NameReference[];
    nodeSelector?: StringMap;
    topologySpreadConstraints?: TopologySpreadConstraint[];
    priorityClassName?: string;
}

export interface DeploymentStrategy {
    /** Defaults to `RollingUpdate`. */
    type?: "Recreate" | "RollingUpdate";
    rollingUpdate?: {
        maxSurge?: IntOrString;
        maxUnavailable?: IntOrString;
    };
}

export interface KubernetesDeploymentSpec {
    /** Defaults to 1. */
    replicas?: number;
    strategy?: DeploymentStrategy;
    pod?: KubernetesPodSpec;
    container?: KubernetesContainerSpec;
    /** Core Container objects. */
    initContainers?: Array<Record<string, unknown>>;
    name?: string;
    patch?: KubernetesPatchSpec;
}

export interface KubernetesDaemonSetSpec {
    strategy?: Record<string, unknown>;
    pod?: KubernetesPodSpec;
    container?: KubernetesContainerSpec;
    name?: string;
    patch?: KubernetesPatchSpec;
}

/** `loadBalancerIP`, `loadBalancerSourceRanges` and `allocateLoadBalancerNodePorts` only apply to type LoadBalancer. */
export interface KubernetesServiceSpec {
    /** Defaults to `LoadBalancer`. */
    type?: "ClusterIP" | "LoadBalancer" | "NodePort";
    /** Defaults to `Local`. */
    externalTrafficPolicy?: "Local" | "Cluster";
    annotations?: StringMap;
    labels?: StringMap;
    loadBalancerClass?: string;
    /** IPv4 address. */
    loadBalancerIP?: string;
    loadBalancerSourceRanges?: string[];
    allocateLoadBalancerNodePorts?: boolean;
    name?: string;
    patch?: KubernetesPatchSpec;
}

/** An autoscaling/v2 MetricSpec; only `type` is typed. */
export interface HPAMetricSpec {
    type: "Resource" | "Pods" | "Object" | "External" | "ContainerResource";
    [source: string]: unknown;
}

/** Cannot be used with `envoyDaemonSet`. */
export interface KubernetesHorizontalPodAutoscalerSpec {
    /** > 0 and <= maxReplicas. */
    minReplicas?: number;
    maxReplicas: number;
    metrics?: HPAMetricSpec[];
    behavior?: Record<string, unknown>;
    name?: string;
    patch?: KubernetesPatchSpec;
}

/** Exactly one of `minAvailable` or `maxUnavailable`. */
export interface KubernetesPodDisruptionBudgetSpec {
    minAvailable?: IntOrString;
    maxUnavailable?: IntOrString;
    name?: string;
    patch?: KubernetesPatchSpec;
}

/** Only one of `envoyDeployment` or `envoyDaemonSet`. */
export interface EnvoyProxyKubernetesProvider {
    envoyDeployment?: KubernetesDeploymentSpec;
    envoyDaemonSet?: KubernetesDaemonSetSpec;
    envoyService?: KubernetesServiceSpec;
    envoyHpa?: KubernetesHorizontalPodAutoscalerSpec;
    envoyPDB?: KubernetesPodDisruptionBudgetSpec;
    envoyServiceAccount?: { name?: string };
    useListenerPortAsContainerPort?: boolean;
}

export interface EnvoyProxyProvider {
    type: "Kubernetes" | "Host";
    kubernetes?: EnvoyProxyKubernetesProvider;
    host?: { envoyVersion?: string };
}

export type EnvoyLogLevel = "trace" | "debug" | "info" | "warn" | "error";

/** Collector address: `host` (+ `port`, default 4317) or `backendRefs`. */
export interface CollectorEndpoint extends BackendCluster {
    host?: string;
    port?: number;
}

/** OpenTelemetry collector used by access-log and metric sinks. */
export interface OpenTelemetryEndpoint extends CollectorEndpoint {
    /** 1..32 headers sent with every export. */
    headers?: HTTPHeader[];
    resourceAttributes?: StringMap;
}

/** The sub-object matching `type` is required. */
export interface AccessLogSink {
    type?: "ALS" | "File" | "OpenTelemetry";
    file?: { path?: string };
    openTelemetry?: OpenTelemetryEndpoint;
    als?: Record<string, unknown>;
}

export interface AccessLogSetting {
    format?: {
        type?: "Text" | "JSON";
        text?: string;
        json?: StringMap;
    };
    /** At most 10 CEL expressions. */
    matches?: string[];
    /** 1..50. */
    sinks: AccessLogSink[];
    type?: "Listener" | "Route" | "Upstream";
}

export interface ProxyAccessLog {
    disable?: boolean;
    /** 1..50. */
    settings?: AccessLogSetting[];
}

export interface ProxyMetrics {
    prometheus?: {
        disable?: boolean;
        compression?: Record<string, unknown>;
    };
    /** At most 16. */
    sinks?: Array<{
        type: "OpenTelemetry";
        openTelemetry?: OpenTelemetryEndpoint & {
            reportCountersAsDeltas?: boolean;
            reportHistogramsAsDeltas?: boolean;
        };
    }>;
    matches?: StringMatch[];
    enableVirtualHostStats?: boolean;
    enablePerEndpointStats?: boolean;
    enableRequestResponseSizesStats?: boolean;
    enableGRPCStats?: boolean;
    clusterStatName?: string;
}

/** Only one of `samplingRate` or `samplingFraction`. */
export interface ProxyTracing {
    provider: CollectorEndpoint & {
        /** Defaults to `OpenTelemetry`. */
        type: "OpenTelemetry" | "Zipkin" | "Datadog";
        serviceName?: string;
        /** OpenTelemetry-only settings. */
        openTelemetry?: {
            headers?: HTTPHeader[];
            resourceAttributes?: StringMap;
            sampler?: Record<string, unknown>;
        };
        zipkin?: {
            enable128BitTraceId?: boolean;
            disableSharedSpanContext?: boolean;
        };
    };
    /** 0..100. */
    samplingRate?: number;
    samplingFraction?: Fraction;
    customTags?: Record<string, Record<string, unknown>>;
    tags?: StringMap;
    spanName?: { client: string; server: string };
}

export interface ProxyTelemetry {
    accessLog?: ProxyAccessLog;
    metrics?: ProxyMetrics;
    tracing?: ProxyTracing;
    requestID?: { tracing?: "PackAndSample" | "Sample" | "Pack" | "Disable" };
}

export interface ShutdownConfig {
    /** Keep below the pod's terminationGracePeriodSeconds. */
    drainTimeout?: Duration;
    minDrainDuration?: Duration;
}

export interface EnvoyProxySpec {
    provider?: EnvoyProxyProvider;
    logging?: {
        /** Per-component levels; defaults to `{ default: warn }`. */
        level?: Record<string, EnvoyLogLevel>;
    };
    telemetry?: ProxyTelemetry;
    shutdown?: ShutdownConfig;
    concurrency?: number;
    extraArgs?: string[];
    mergeGateways?: boolean;
    mergeType?: "Replace" | "StrategicMerge" | "JSONMerge";
    ipFamily?: "IPv4" | "IPv6" | "DualStack";
    /** Defaults to `Endpoint`. */
    routingType?: "Service" | "Endpoint";
    preserveRouteOrder?: boolean;
    luaValidation?: "Strict" | "InsecureSyntax" | "Disabled";
    /** Client certificate and TLS parameters for upstream connections. */
    backendTLS?: TLSSettings & { clientCertificateRef?: SecretObjectReference };
    bootstrap?: Record<string, unknown>;
    /** Envoy HTTP filter names, e.g. `envoy.filters.http.ext_proc`; one of `before` or `after`. */
    filterOrder?: FilterPosition[];
    geoIP?: Record<string, unknown>;
    dynamicModules?: Array<Record<string, unknown>>;
}

/** Where Envoy Gateway puts the HTTP filters of one type: before the first, or after the last, of another type. */
export interface FilterPosition {
    name: string;
    before?: string;
    after?: string;
}

// ---------------------------------------------------------------------------
// SecurityPolicy
// ---------------------------------------------------------------------------

/** Exactly one of `remoteJWKS` or `localJWKS`. */
export interface JWTProvider {
    name: string;
    issuer?: string;
    /** At most 8. */
    audiences?: string[];
    remoteJWKS?: {
        /** HTTPS URI of the JWKS document. */
        uri: string;
        backendRefs?: BackendRef[];
        /** Retry `perRetry.timeout` and `retryOn.httpStatusCodes` are not supported here. */
        backendSettings?: ClusterSettings;
        /** Defaults to 300s. */
        cacheDuration?: Duration;
    };
    localJWKS?: {
        /** Defaults to `Inline`. */
        type: "Inline" | "ValueRef";
        inline?: string;
        valueRef?: LocalObjectReference;
    };
    claimToHeaders?: Array<{ claim: string; header: string }>;
    extractFrom?: {
        headers?: Array<{ name: string; valuePrefix?: string }>;
        cookies?: string[];
        params?: string[];
    };
    /** Requires `claimToHeaders`. */
    recomputeRoute?: boolean;
}

export interface JWT {
    /** 1..16. */
    providers: JWTProvider[];
    optional?: boolean;
}

/** At least one of `clientCIDRs`, `jwt`, `headers` or `clientIPGeoLocations`. */
export interface AuthorizationPrincipal {
    clientCIDRs?: string[];
    /** Needs `spec.jwt`. At least one of `claims` or `scopes`. */
    jwt?: {
        provider: string;
        claims?: Array<{
            name: string;
            values: string[];
            /** Defaults to `String`. */
            valueType?: "String" | "StringArray";
        }>;
        scopes?: string[];
    };
    headers?: Array<{ name: string; values: string[] }>;
    clientIPGeoLocations?: Array<Record<string, unknown>>;
}

export interface AuthorizationRule {
    name?: string;
    action: "Allow" | "Deny";
    principal: AuthorizationPrincipal;
    operation?: {
        /** 1..16. */
        methods: HTTPMethod[];
    };
}

export interface Authorization {
    /** Defaults to `Deny`. */
    defaultAction?: "Allow" | "Deny";
    rules?: AuthorizationRule[];
}

/** Exactly one of `headers`, `params` or `cookies`. */
export interface APIKeyExtractFrom {
    headers?: string[];
    params?: string[];
    cookies?: string[];
}

export interface APIKeyAuth {
    /** Opaque Secrets: each data key is a client ID and its value the API key. */
    credentialRefs: SecretObjectReference[];
    extractFrom: APIKeyExtractFrom[];
    forwardClientIDHeader?: string;
    /** Strip the key before forwarding upstream. */
    sanitize?: boolean;
}

export interface CORS {
    allowOrigins?: string[];
    allowMethods?: string[];
    allowHeaders?: string[];
    exposeHeaders?: string[];
    maxAge?: Duration;
    allowCredentials?: boolean;
}

/** An ext-auth service: `backendRefs` (preferred) or the legacy singular `backendRef`. */
export interface ExtAuthService extends BackendCluster {
    backendRef?: BackendObjectReference;
}

/** Exactly one of `grpc` or `http`. */
export interface ExtAuth {
    grpc?: ExtAuthService;
    http?: ExtAuthService & {
        path?: string;
        pathOverride?: string;
        headersToBackend?: string[];
    };
    headersToExtAuth?: string[];
    bodyToExtAuth?: { maxRequestBytes: number };
    /** Defaults to false. */
    failOpen?: boolean;
    timeout?: Duration;
    statusOnError?: number;
    recomputeRoute?: boolean;
    includeRouteMetadata?: boolean;
    contextExtensions?: Array<Record<string, unknown>>;
}

export interface BasicAuth {
    /** Secret with an `.htpasswd` key. */
    users: SecretObjectReference;
    forwardUsernameHeader?: string;
}

export interface OIDCProvider {
    issuer: string;
    authorizationEndpoint?: string;
    tokenEndpoint?: string;
    endSessionEndpoint?: string;
    backendRefs?: BackendRef[];
    /** Retry `perRetry.timeout` and `retryOn.httpStatusCodes` are not supported here. */
    backendSettings?: ClusterSettings;
}

/** Only one of `clientID` or `clientIDRef`. */
export interface OIDC {
    provider: OIDCProvider;
    clientID?: string;
    clientIDRef?: SecretObjectReference;
    /** Secret with the key `client-secret`. */
    clientSecret: SecretObjectReference;
    scopes?: string[];
    resources?: string[];
    redirectURL?: string;
    logoutPath?: string;
    forwardAccessToken?: boolean;
    /** Defaults to true. */
    refreshToken?: boolean;
    defaultTokenTTL?: Duration;
    defaultRefreshTokenTTL?: Duration;
    csrfTokenTTL?: Duration;
    cookieDomain?: string;
    cookieNames?: { accessToken?: string; idToken?: string };
    cookieConfig?: { sameSite?: "Lax" | "Strict" | "None" };
    disableTokenEncryption?: boolean;
    passThroughAuthHeader?: boolean;
    forwardIDToken?: { header: string };
    denyRedirect?: Record<string, unknown>;
}

export interface SecurityPolicySpec extends PolicyTargetReferences {
    /** Only for route targets. */
    mergeType?: PolicyMergeType;
    jwt?: JWT;
    /** Using `principal.jwt` in a rule requires `jwt`. */
    authorization?: Authorization;
    apiKeyAuth?: APIKeyAuth;
    cors?: CORS;
    extAuth?: ExtAuth;
    basicAuth?: BasicAuth;
    oidc?: OIDC;
}
