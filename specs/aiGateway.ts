// Spec types for the Envoy AI Gateway custom resources (aigateway.envoyproxy.io/v1beta1, v1.1.0).

import {
    Duration,
    EnvVar,
    HTTPHeader,
    HTTPHeaderMatch,
    HTTPRouteTimeouts,
    LocalPolicyTargetReference,
    ParentReference,
    ResourceRequirements,
    SecretObjectReference,
    SecurityContext,
    VolumeMount,
} from "./common";
import { OIDC } from "./envoyGateway";

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

/** Where a token count (or a CEL result) comes from when recording LLM request costs. */
export type LLMRequestCostType =
    | "OutputToken"
    | "InputToken"
    | "CachedInputToken"
    | "CacheCreationInputToken"
    | "TotalToken"
    | "ReasoningToken"
    | "CEL";

/**
 * A cost written to Envoy dynamic metadata (namespace `io.envoy.ai_gateway`) under `metadataKey`,
 * typically consumed by a BackendTrafficPolicy rate-limit `cost.response.metadata`.
 */
export interface LLMRequestCost {
    metadataKey: string;
    type: LLMRequestCostType;
    /**
     * CEL expression used when `type` is `CEL`. Variables: `model`, `backend`, `input_tokens`,
     * `cached_input_tokens`, `cache_creation_input_tokens`, `output_tokens`, `total_tokens`,
     * `reasoning_tokens`. Must evaluate to a non-negative integer.
     */
    cel?: string;
}

/** Header edits applied before the request is sent upstream; at most 16 entries in each list. */
export interface HTTPHeaderMutation {
    set?: HTTPHeader[];
    remove?: string[];
}

export interface HTTPBodyField {
    /** Top-level JSON field name. */
    path: string;
    /** JSON-encoded value, e.g. `"\"scale\""`, `"42"`, `"true"`, `"null"`. */
    value: string;
}

/** Request-body edits on top-level JSON fields; at most 16 entries in each list. */
export interface HTTPBodyMutation {
    set?: HTTPBodyField[];
    remove?: string[];
}

// ---------------------------------------------------------------------------
// AIGatewayRoute
// ---------------------------------------------------------------------------

export interface AIGatewayRouteRuleMatch {
    /** At most 16. Match the model with header `x-ai-eg-model`. */
    headers?: HTTPHeaderMatch[];
}

export interface AIGatewayRouteRuleBackendRef {
    /** Name of an AIServiceBackend, or of an InferencePool when `group`/`kind` are set. */
    name: string;
    /** Cross-namespace references need a ReferenceGrant. */
    namespace?: string;
    /** Leave unset for AIServiceBackend; set together with `kind` for an InferencePool. */
    group?: "inference.networking.k8s.io";
    /** Leave unset for AIServiceBackend; set together with `group` for an InferencePool. */
    kind?: "InferencePool";
    modelNameOverride?: string;
    /** >= 0, defaults to 1. */
    weight?: number;
    /** >= 0, defaults to 0 (highest). Lower priorities are used as fallbacks. */
    priority?: number;
    /** Takes precedence over the AIServiceBackend's own header mutation. */
    headerMutation?: HTTPHeaderMutation;
    /** Takes precedence over the AIServiceBackend's own body mutation. */
    bodyMutation?: HTTPBodyMutation;
}

export interface AIGatewayRouteRule {
    /** Unique within the route; `route-not-found` is reserved. */
    name?: string;
    /** At most 128. */
    matches?: AIGatewayRouteRuleMatch[];
    /** At most 128. One rule cannot mix InferencePool and AIServiceBackend refs, and allows at most one InferencePool. */
    backendRefs?: AIGatewayRouteRuleBackendRef[];
    /** Defaults to a 60s request timeout. */
    timeouts?: HTTPRouteTimeouts;
    /** Per-try idle timeout on the generated route. */
    streamIdleTimeout?: Duration;
    /** Reported by `/v1/models`; defaults to `Envoy AI Gateway`. */
    modelsOwnedBy?: string;
    /** RFC 3339 timestamp reported by `/v1/models`. */
    modelsCreatedAt?: string;
}

export interface AIGatewayRouteSpec {
    /** At most 16; every entry must have kind `Gateway`. */
    parentRefs?: Array<ParentReference & { kind?: "Gateway" }>;
    /** At most 16. */
    hostnames?: string[];
    /** At most 15 rules (one HTTPRoute slot is reserved for the controller). */
    rules: AIGatewayRouteRule[];
    /** At most 36. Overrides `GatewayConfig.globalLLMRequestCosts` entries with the same key. */
    llmRequestCosts?: LLMRequestCost[];
}

// ---------------------------------------------------------------------------
// AIServiceBackend
// ---------------------------------------------------------------------------

export type APISchemaName =
    | "OpenAI"
    | "Cohere"
    | "AWSBedrock"
    | "AzureOpenAI"
    | "GCPVertexAI"
    | "GCPAnthropic"
    | "Anthropic"
    | "AWSAnthropic";

export interface VersionedAPISchema {
    name: APISchemaName;
    /** API version, used by AzureOpenAI, GCPAnthropic, AWSAnthropic and Cohere. */
    version?: string;
    /** Path prefix for OpenAI and Anthropic schemas; the controller uses `v1` when unset. */
    prefix?: string;
}

/** Kind must be `Backend` and group `gateway.envoyproxy.io`; both must be set explicitly. */
export interface AIServiceBackendRef {
    group: "gateway.envoyproxy.io";
    kind: "Backend";
    name: string;
    namespace?: string;
    port?: number;
}

export interface AIServiceBackendSpec {
    schema: VersionedAPISchema;
    backendRef: AIServiceBackendRef;
    headerMutation?: HTTPHeaderMutation;
    bodyMutation?: HTTPBodyMutation;
}

// ---------------------------------------------------------------------------
// BackendSecurityPolicy
// ---------------------------------------------------------------------------

export type BackendSecurityPolicyType =
    | "APIKey"
    | "AWSCredentials"
    | "AzureAPIKey"
    | "AzureCredentials"
    | "GCPCredentials"
    | "AnthropicAPIKey";

/** Allowed targets: AIServiceBackend or InferencePool. */
export type BackendSecurityPolicyTargetReference =
    | (LocalPolicyTargetReference & { group: "aigateway.envoyproxy.io"; kind: "AIServiceBackend" })
    | (LocalPolicyTargetReference & { group: "inference.networking.k8s.io"; kind: "InferencePool" });

/** Reads the key `apiKey` from the Secret and sends it as `Authorization: Bearer`. */
export interface BackendSecurityPolicyAPIKey {
    secretRef: SecretObjectReference;
}

/** Reads the key `apiKey` from the Secret and sends it as the `api-key` header. */
export interface BackendSecurityPolicyAzureAPIKey {
    secretRef: SecretObjectReference;
}

/** Reads the key `apiKey` from the Secret and sends it as the `x-api-key` header. */
export interface BackendSecurityPolicyAnthropicAPIKey {
    secretRef: SecretObjectReference;
}

/** Exchanges an OIDC token for cloud credentials. */
export interface BackendSecurityPolicyOIDC {
    oidc: OIDC;
    grantType?: string;
    aud?: string;
}

export interface AWSOIDCExchangeToken extends BackendSecurityPolicyOIDC {
    awsRoleArn: string;
}

export interface AWSCredentialsFile {
    /** Secret holding an AWS credentials file under the key `credentials`. */
    secretRef: SecretObjectReference;
    /** Defaults to `default`. */
    profile?: string;
}

/**
 * AWS SigV4 signing. With neither `credentialsFile` nor `oidcExchangeToken` the AWS SDK
 * default credential chain is used (IRSA, EKS Pod Identity).
 */
export interface BackendSecurityPolicyAWSCredentials {
    region: string;
    credentialsFile?: AWSCredentialsFile;
    oidcExchangeToken?: AWSOIDCExchangeToken;
}

/** Exactly one of `clientSecretRef` (Secret key `client-secret`) or `oidcExchangeToken`. */
export interface BackendSecurityPolicyAzureCredentials {
    clientID: string;
    tenantID: string;
    clientSecretRef?: SecretObjectReference;
    oidcExchangeToken?: BackendSecurityPolicyOIDC;
}

export interface GCPCredentialsFile {
    /** Secret holding a service-account key under the key `service_account.json`. */
    secretRef: SecretObjectReference;
}

export interface GCPWorkloadIdentityFederationConfig {
    projectID: string;
    workloadIdentityPoolName: string;
    workloadIdentityProviderName: string;
    oidcExchangeToken: BackendSecurityPolicyOIDC;
    serviceAccountImpersonation?: {
        serviceAccountName: string;
    };
}

/**
 * At most one of `credentialsFile` or `workloadIdentityFederationConfig`; with neither,
 * Application Default Credentials are used.
 */
export interface BackendSecurityPolicyGCPCredentials {
    projectName: string;
    region: string;
    credentialsFile?: GCPCredentialsFile;
    workloadIdentityFederationConfig?: GCPWorkloadIdentityFederationConfig;
}

/** Per-request credential source; exactly one of the two may be set. */
export interface BackendSecurityPolicyCredentialOverride {
    fromDynamicMetadata?: {
        namespace: string;
        key?: string;
        /** Defaults to true. */
        fallbackToConfigured?: boolean;
    };
    fromRequestHeaders?: {
        /** Defaults depend on the credential type, e.g. `x-aigw-api-key`. */
        header?: string;
        /** Defaults to true. */
        fallbackToConfigured?: boolean;
    };
}

/** Exactly the sub-object matching `type` must be set. */
export interface BackendSecurityPolicySpec {
    type: BackendSecurityPolicyType;
    /** At most 16. Two policies must not target the same object. */
    targetRefs?: BackendSecurityPolicyTargetReference[];
    apiKey?: BackendSecurityPolicyAPIKey;
    awsCredentials?: BackendSecurityPolicyAWSCredentials;
    azureAPIKey?: BackendSecurityPolicyAzureAPIKey;
    azureCredentials?: BackendSecurityPolicyAzureCredentials;
    gcpCredentials?: BackendSecurityPolicyGCPCredentials;
    anthropicAPIKey?: BackendSecurityPolicyAnthropicAPIKey;
    credentialOverride?: BackendSecurityPolicyCredentialOverride;
}

// ---------------------------------------------------------------------------
// GatewayConfig
// ---------------------------------------------------------------------------

/** External-processor container settings; `image` (with tag) and `imageRepository` (no tag) are mutually exclusive. */
export interface ExtProcKubernetesContainerSpec {
    env?: EnvVar[];
    resources?: ResourceRequirements;
    securityContext?: SecurityContext;
    volumeMounts?: VolumeMount[];
    image?: string;
    imageRepository?: string;
}

export interface GatewayConfigExtProc {
    kubernetes?: ExtProcKubernetesContainerSpec;
}

export interface GatewayConfigForwardProxy {
    /** `host:port` of an HTTP CONNECT proxy. */
    address: string;
}

/** Attached to Gateways in the same namespace with the annotation `aigateway.envoyproxy.io/gateway-config`. */
export interface GatewayConfigSpec {
    extProc?: GatewayConfigExtProc;
    /** Keyed by `metadataKey`; route-level `llmRequestCosts` win on the same key. */
    globalLLMRequestCosts?: LLMRequestCost[];
    forwardProxy?: GatewayConfigForwardProxy;
}

// ---------------------------------------------------------------------------
// QuotaPolicy (aigateway.envoyproxy.io/v1alpha1)
// ---------------------------------------------------------------------------

/** The quota service's windows (CRD enum). */
export type QuotaDuration = "1s" | "1m" | "1h" | "1d";

export interface QuotaValue {
    limit: number;
    duration: QuotaDuration;
}

/** A bucket rule; without client selectors it counts every request of the model at the targeted backends. */
export interface QuotaRule {
    quota: QuotaValue;
    /** Count and report, never refuse. */
    shadowMode?: boolean;
}

export interface QuotaDefinition {
    /** CEL over the response's token counts (default `total_tokens`). */
    costExpression?: string;
    /** `Shared`, the only mode: charged to every matching bucket. */
    mode?: "Shared";
    defaultBucket?: QuotaValue;
    bucketRules?: QuotaRule[];
}

export interface PerModelQuota {
    /** Must equal the routes' `modelNameOverride` for this backend, or the quota never applies. */
    modelName: string;
    quota: QuotaDefinition;
}

export interface QuotaPolicySpec {
    targetRefs: { group: "aigateway.envoyproxy.io"; kind: "AIServiceBackend"; name: string }[];
    /** At most 128. */
    perModelQuotas: PerModelQuota[];
}

// ---------------------------------------------------------------------------
// MCPRoute
// ---------------------------------------------------------------------------

/** At least one list; `include` and `includeRegex` (and `exclude` and `excludeRegex`) exclude each other. At most 32 entries each. */
export interface MCPToolFilter {
    include?: string[];
    includeRegex?: string[];
    exclude?: string[];
    excludeRegex?: string[];
}

/** Exactly one of `secretRef` (the Secret's `apiKey` key) or `inline`; at most one of `header` or `queryParam`. */
export interface MCPBackendAPIKey {
    secretRef?: SecretObjectReference;
    inline?: string;
    /** Defaults to `Authorization`, whose value gets the `Bearer ` prefix. */
    header?: string;
    queryParam?: string;
}

export interface MCPRouteBackendRef {
    /** The name is the server's name clients see in front of every tool (`<name>__<tool>`). */
    group?: string;
    kind?: string;
    name: string;
    namespace?: string;
    port?: number;
    /** Defaults to `/mcp`. */
    path?: string;
    toolSelector?: MCPToolFilter;
    securityPolicy?: { apiKey?: MCPBackendAPIKey };
    forwardHeaders?: Array<{ name: string; backendHeader?: string }>;
}

/** Published at `/.well-known/oauth-protected-resource<path>` for MCP clients to discover the authorization server. */
export interface ProtectedResourceMetadata {
    resource: string;
    resourceName?: string;
    scopesSupported?: string[];
    resourceSigningAlgValuesSupported?: string[];
    resourceDocumentation?: string;
    resourcePolicyUri?: string;
}

export interface MCPRouteOAuth {
    issuer: string;
    audiences?: string[];
    /** Without it the controller discovers the JWKS from the issuer's metadata (a network call at reconcile time). */
    jwks?: { remoteJWKS?: { uri: string } };
    protectedResourceMetadata: ProtectedResourceMetadata;
    claimToHeaders?: Array<{ claim: string; header: string }>;
}

export type MCPSelectionAction = "Allow" | "Deny";

/** A rule matches when its source, target and CEL expression (each optional) all match; `action` defaults to `Allow`. */
export interface MCPRouteAuthorizationRule {
    /** JWT sources need `oauth` on the same route. */
    source?: { jwt: { scopes?: string[]; claims?: Array<{ name: string; values: string[]; valueType?: "String" | "StringArray" }> } };
    /** At most 16 tools. */
    target?: { tools: Array<{ backend: string; tool: string }> };
    cel?: string;
    action?: MCPSelectionAction;
}

/** Evaluated by the MCP proxy per request; `defaultAction` defaults to `Deny`. */
export interface MCPRouteAuthorization {
    defaultAction?: MCPSelectionAction;
    rules?: MCPRouteAuthorizationRule[];
}

export interface MCPRouteSecurityPolicy {
    oauth?: MCPRouteOAuth;
    authorization?: MCPRouteAuthorization;
}

/** Evaluated once per backend when a session is initialized; `defaultAction` defaults to `Deny`. */
export interface MCPBackendSelector {
    defaultAction?: MCPSelectionAction;
    rules?: Array<{ cel: string; action?: MCPSelectionAction }>;
}

export interface MCPRouteSpec {
    parentRefs: ParentReference[];
    /** Exact match; defaults to `/mcp`. */
    path?: string;
    /** v1.1.0: the generated HTTPRoute's host names. */
    hostnames?: string[];
    headers?: HTTPHeaderMatch[];
    /** At most 256, names unique. */
    backendRefs: MCPRouteBackendRef[];
    securityPolicy?: MCPRouteSecurityPolicy;
    /** v1.1.0. */
    backendSelector?: MCPBackendSelector;
}
