// Shared building blocks for the custom-resource spec types: Gateway API reference and
// match types, and the Kubernetes core types that the Envoy Gateway and Envoy AI Gateway
// CRDs embed. Plain data only; field names follow the pinned CRD schemas.

/**
 * A Gateway API duration: one to four `<number><unit>` groups, matching
 * `^([0-9]{1,5}(h|m|s|ms)){1,4}$` (e.g. `500ms`, `15s`, `1m30s`). No decimals, no `us`.
 */
export type Duration = string;

/** A Kubernetes resource quantity: a bare number or a string such as `100m`, `256Mi`, `1Gi`. */
export type Quantity = string | number;

/** A Kubernetes int-or-string value, e.g. `1` or `"25%"`. */
export type IntOrString = number | string;

/** Key/value string map (labels, annotations, node selectors). */
export type StringMap = Record<string, string>;

/** HTTP methods accepted by Gateway API and Envoy Gateway matches. */
export type HTTPMethod = "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "CONNECT" | "OPTIONS" | "TRACE" | "PATCH";

// ---------------------------------------------------------------------------
// Gateway API references
// ---------------------------------------------------------------------------

/** Reference from a route (or AIGatewayRoute) to its parent Gateway. */
export interface ParentReference {
    /** Defaults to `gateway.networking.k8s.io`. */
    group?: string;
    /** Defaults to `Gateway`. */
    kind?: string;
    name: string;
    namespace?: string;
    /** Listener name on the parent Gateway. */
    sectionName?: string;
    port?: number;
}

/** Policy target in the policy's own namespace. */
export interface LocalPolicyTargetReference {
    group: string;
    kind: string;
    name: string;
}

/** Policy target in the policy's own namespace, optionally narrowed to a listener or rule name. */
export interface LocalPolicyTargetReferenceWithSectionName extends LocalPolicyTargetReference {
    sectionName?: string;
}

/** Reference to an object in the same namespace (group, kind and name all required). */
export interface LocalObjectReference {
    group: string;
    kind: string;
    name: string;
}

/** Reference to a Secret (by default), optionally in another namespace (needs a ReferenceGrant). */
export interface SecretObjectReference {
    /** Defaults to `""` (core). */
    group?: string;
    /** Defaults to `Secret`. */
    kind?: string;
    name: string;
    namespace?: string;
}

/** Reference to a backend object. `port` is required when the target is a Service. */
export interface BackendObjectReference {
    /** Defaults to `""` (core). */
    group?: string;
    /** Defaults to `Service`. */
    kind?: string;
    name: string;
    namespace?: string;
    port?: number;
}

/** Backend reference carrying a traffic weight, as used by HTTPRoute and Envoy Gateway policies. */
export interface WeightedBackendReference extends BackendObjectReference {
    /** 0..1000000, defaults to 1. */
    weight?: number;
}

// ---------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------

export interface LabelSelectorRequirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
}

export interface LabelSelector {
    matchLabels?: StringMap;
    matchExpressions?: LabelSelectorRequirement[];
}

// ---------------------------------------------------------------------------
// HTTP header and match types
// ---------------------------------------------------------------------------

/** A header name/value pair (header modifiers and mutations). */
export interface HTTPHeader {
    name: string;
    /** At most 4096 characters. */
    value: string;
}

/** Header match as used by HTTPRoute and AIGatewayRoute rules. */
export interface HTTPHeaderMatch {
    /** Defaults to `Exact`. */
    type?: "Exact" | "RegularExpression";
    name: string;
    value: string;
}

/** Query parameter match as used by HTTPRoute rules. */
export interface HTTPQueryParamMatch {
    /** Defaults to `Exact`. */
    type?: "Exact" | "RegularExpression";
    name: string;
    value: string;
}

/** Set/add/remove header edits (Gateway API HTTPHeaderFilter); each list holds at most 16 entries. */
export interface HTTPHeaderFilter {
    set?: HTTPHeader[];
    add?: HTTPHeader[];
    remove?: string[];
}

/** Envoy Gateway string matcher (SAN, ignored upgrade types, stats matches, ...). */
export interface StringMatch {
    /** Defaults to `Exact`. */
    type?: "Exact" | "Prefix" | "Suffix" | "RegularExpression";
    value: string;
}

/** Route rule timeouts (Gateway API HTTPRouteTimeouts). */
export interface HTTPRouteTimeouts {
    request?: Duration;
    /** Must not be longer than `request`. */
    backendRequest?: Duration;
}

/** A ratio `numerator / denominator`; denominator defaults to 100. */
export interface Fraction {
    numerator: number;
    denominator?: number;
}

// ---------------------------------------------------------------------------
// Kubernetes core types embedded in the CRDs
// ---------------------------------------------------------------------------

export interface ObjectKeySelector {
    key: string;
    name?: string;
    optional?: boolean;
}

export interface EnvVarSource {
    secretKeyRef?: ObjectKeySelector;
    configMapKeyRef?: ObjectKeySelector;
    fieldRef?: {
        apiVersion?: string;
        fieldPath: string;
    };
    resourceFieldRef?: {
        containerName?: string;
        divisor?: Quantity;
        resource: string;
    };
    fileKeyRef?: {
        key: string;
        optional?: boolean;
        path: string;
        volumeName: string;
    };
}

export interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: EnvVarSource;
}

export interface ResourceRequirements {
    limits?: Record<string, Quantity>;
    requests?: Record<string, Quantity>;
    claims?: Array<{ name: string; request?: string }>;
}

export interface Toleration {
    key?: string;
    /** Defaults to `Equal`. */
    operator?: "Exists" | "Equal" | "Lt" | "Gt";
    value?: string;
    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    tolerationSeconds?: number;
}

/** Pod affinity rules; only the top level is typed. */
export interface Affinity {
    nodeAffinity?: Record<string, unknown>;
    podAffinity?: Record<string, unknown>;
    podAntiAffinity?: Record<string, unknown>;
}

export interface TopologySpreadConstraint {
    maxSkew: number;
    topologyKey: string;
    whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
    labelSelector?: LabelSelector;
    matchLabelKeys?: string[];
    minDomains?: number;
    nodeAffinityPolicy?: "Honor" | "Ignore";
    nodeTaintsPolicy?: "Honor" | "Ignore";
}

export interface SeccompProfile {
    type: "RuntimeDefault" | "Unconfined" | "Localhost";
    localhostProfile?: string;
}

export interface AppArmorProfile {
    type: "RuntimeDefault" | "Unconfined" | "Localhost";
    localhostProfile?: string;
}

export interface SELinuxOptions {
    level?: string;
    role?: string;
    type?: string;
    user?: string;
}

export interface WindowsSecurityContextOptions {
    gmsaCredentialSpec?: string;
    gmsaCredentialSpecName?: string;
    hostProcess?: boolean;
    runAsUserName?: string;
}

export interface PodSecurityContext {
    appArmorProfile?: AppArmorProfile;
    fsGroup?: number;
    fsGroupChangePolicy?: "OnRootMismatch" | "Always";
    runAsGroup?: number;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seLinuxChangePolicy?: string;
    seLinuxOptions?: SELinuxOptions;
    seccompProfile?: SeccompProfile;
    supplementalGroups?: number[];
    supplementalGroupsPolicy?: "Merge" | "Strict";
    sysctls?: Array<{ name: string; value: string }>;
    windowsOptions?: WindowsSecurityContextOptions;
}

export interface SecurityContext {
    allowPrivilegeEscalation?: boolean;
    appArmorProfile?: AppArmorProfile;
    capabilities?: {
        add?: string[];
        drop?: string[];
    };
    privileged?: boolean;
    procMount?: "Default" | "Unmasked";
    readOnlyRootFilesystem?: boolean;
    runAsGroup?: number;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seLinuxOptions?: SELinuxOptions;
    seccompProfile?: SeccompProfile;
    windowsOptions?: WindowsSecurityContextOptions;
}

export interface VolumeMount {
    name: string;
    mountPath: string;
    mountPropagation?: "None" | "HostToContainer" | "Bidirectional";
    readOnly?: boolean;
    recursiveReadOnly?: "Disabled" | "IfPossible" | "Enabled";
    subPath?: string;
    subPathExpr?: string;
}

export interface KeyToPath {
    key: string;
    path: string;
    mode?: number;
}

/**
 * A pod volume. The common sources are typed; any other volume source
 * (`projected`, `csi`, `hostPath`, ...) is accepted as an open record.
 */
export interface Volume {
    name: string;
    secret?: {
        secretName?: string;
        items?: KeyToPath[];
        defaultMode?: number;
        optional?: boolean;
    };
    configMap?: {
        name?: string;
        items?: KeyToPath[];
        defaultMode?: number;
        optional?: boolean;
    };
    emptyDir?: {
        medium?: string;
        sizeLimit?: Quantity;
    };
    [source: string]: unknown;
}

/** Name-only reference, e.g. an image pull Secret. */
export interface NameReference {
    name?: string;
}
