import type { ClientTrafficConfig, EnvoyProxyConfig, GatewayConfig, ListenerConfig } from "../../config";
import { clientConnectionSections, connectionLimitSection } from "./clientTraffic";
import { waitsUntilProgrammed } from "../../config/schema/gateway";
import type { ClientValidationContext, FilterPosition, KubernetesPodSpec, Listener, ParentReference, ProxyAccessLog, ProxyMetrics, ProxyTelemetry, ProxyTracing, SecurityContext } from "../../specs";
import { Manifest, manifest } from "../../specs/manifest";
import type { GatewayNames } from "../../plan/names";
import type { GatewayObservability } from "./observability";
import { GATEWAY_CONFIG_ANNOTATION, PULUMI_WAIT_FOR_ANNOTATION } from "../../config/versions";

/**
 * Pure builders for the gateway core: the `ai-gateway:gateway` slice in, typed manifests out.
 * No Pulumi here; components/gatewayCore.ts creates what these return.
 */

const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
const ENVOY_GATEWAY_GROUP = "gateway.envoyproxy.io";

/** What the gateway core creates; absent entries are switched off. */
export interface GatewayCoreManifests {
    gatewayClass?: Manifest<"GatewayClass">;
    gateway?: Manifest<"Gateway">;
    envoyProxy?: Manifest<"EnvoyProxy">;
    clientTrafficPolicy?: Manifest<"ClientTrafficPolicy">;
    gatewayConfig?: Manifest<"GatewayConfig">;
    httpsRedirect?: Manifest<"HTTPRoute">;
    tracingBackend?: Manifest<"Backend">;
}

/** What `ai-gateway:observability` adds when it is not configured. */
const NO_OBSERVABILITY: GatewayObservability = { telemetry: {}, podAnnotations: {}, extProcEnv: [] };

/**
 * Every gateway core manifest, with references following the toggles: no parametersRef without an
 * EnvoyProxy, no gateway-config annotation without a GatewayConfig.
 * `names` are the plan's (plan/names.ts gatewayLevelNames), the objects' names and the references between them.
 * `controllerName` is the controller Envoy Gateway is installed with (used unless the config names one).
 * `observability` is what `ai-gateway:observability` adds to the EnvoyProxy and the GatewayConfig;
 * `clientValidation` is the client-certificate check of `ai-gateway:auth.clientCertificates`.
 */
export function gatewayCoreManifests(
    config: GatewayConfig,
    names: GatewayNames,
    controllerName: string,
    observability = NO_OBSERVABILITY,
    clientValidation?: ClientValidationContext,
    /** HTTP filter order of the EnvoyProxy (the guardrails', plan/guardrails.ts). */
    filterOrder?: readonly FilterPosition[],
): GatewayCoreManifests {
    const gatewayConfig = config.gatewayConfig.enabled ? gatewayConfigManifest(config, names, observability) : undefined;
    return {
        gatewayClass: config.gatewayClass.enabled ? gatewayClassManifest(config, names, controllerName) : undefined,
        gateway: config.enabled ? gatewayManifest(config, names, gatewayConfig !== undefined) : undefined,
        envoyProxy: config.envoyProxy.enabled ? envoyProxyManifest(config, names, observability, filterOrder) : undefined,
        clientTrafficPolicy: config.clientTraffic.enabled ? clientTrafficPolicyManifest(config, names, clientValidation) : undefined,
        gatewayConfig,
        httpsRedirect: config.enabled && config.redirectToHttps ? httpsRedirectManifest(config, names) : undefined,
        // Only an EnvoyProxy the program creates carries the tracing settings that refer to it.
        tracingBackend: config.envoyProxy.enabled ? observability.tracingBackend : undefined,
    };
}

export function gatewayClassManifest(config: GatewayConfig, names: GatewayNames, controllerName: string): Manifest<"GatewayClass"> {
    const { gatewayClass } = config;
    return manifest(
        "GatewayClass",
        metadata(names.gatewayClass, undefined, gatewayClass.labels, gatewayClass.annotations),
        { controllerName: gatewayClass.controllerName ?? controllerName },
    );
}

export function gatewayManifest(config: GatewayConfig, names: GatewayNames, withGatewayConfig: boolean): Manifest<"Gateway"> {
    // The AI Gateway finds the extProc settings of this Gateway's pods through this annotation.
    const annotations = {
        ...config.annotations,
        ...(withGatewayConfig && { [GATEWAY_CONFIG_ANNOTATION]: names.gatewayConfig }),
        // Custom resources are otherwise ready once stored: pulumi up would return before Envoy runs and the
        // Gateway has an address, and the address and first-call outputs would find nothing.
        ...(waitsUntilProgrammed(config) && { [PULUMI_WAIT_FOR_ANNOTATION]: "condition=Programmed" }),
    };
    const parametersRef = config.envoyProxy.enabled && config.infrastructure.enabled;
    return manifest("Gateway", metadata(names.gateway, names.namespace, config.labels, annotations), {
        gatewayClassName: names.gatewayClass,
        listeners: config.listeners.map(listener),
        ...(parametersRef ? { infrastructure: { parametersRef: { group: ENVOY_GATEWAY_GROUP, kind: "EnvoyProxy", name: names.envoyProxy } } } : {}),
    });
}

function listener(l: ListenerConfig): Listener {
    return {
        name: l.name,
        protocol: l.protocol,
        port: l.port,
        ...(l.hostname !== undefined ? { hostname: l.hostname } : {}),
        ...(l.tls !== undefined
            ? {
                  tls: {
                      mode: "Terminate" as const,
                      certificateRefs: l.tls.certificateRefs.map((ref) => ({ kind: "Secret", name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) })),
                  },
              }
            : {}),
        ...(l.allowedRoutes !== undefined ? { allowedRoutes: { namespaces: { ...l.allowedRoutes.namespaces } } } : {}),
    };
}

/**
 * What Envoy Gateway v1.8.3 gives the envoy container when the EnvoyProxy sets no security context
 * (expectedEnvoySecurityContext): non-root, no privilege escalation, every capability dropped, the
 * runtime's seccomp profile. A security context of the EnvoyProxy replaces it whole.
 */
export const ENVOY_CONTAINER_SECURITY_CONTEXT: SecurityContext = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    privileged: false,
    runAsGroup: 65532,
    runAsNonRoot: true,
    runAsUser: 65532,
    seccompProfile: { type: "RuntimeDefault" },
};

/**
 * The user's fields over Envoy Gateway's default (capabilities and profiles merged field by field), so
 * setting one field never drops the others' protection.
 */
export function envoySecurityContext(user: SecurityContext | undefined): SecurityContext | undefined {
    if (user === undefined) return undefined;
    const base = ENVOY_CONTAINER_SECURITY_CONTEXT;
    return {
        ...base,
        ...user,
        capabilities: { ...base.capabilities, ...user.capabilities },
        seccompProfile: { ...base.seccompProfile, ...user.seccompProfile } as SecurityContext["seccompProfile"],
    };
}

/**
 * The EnvoyProxy, with observability's telemetry sections and scrape annotations merged in (the config
 * rules refuse a section or annotation set in both places, so nothing here overrides anything).
 */
export function envoyProxyManifest(
    config: GatewayConfig,
    names: GatewayNames,
    observability = NO_OBSERVABILITY,
    filterOrder?: readonly FilterPosition[],
): Manifest<"EnvoyProxy"> {
    const proxy = config.envoyProxy;
    const maxReplicas = proxy.hpa.enabled ? proxy.hpa.maxReplicas : undefined;
    const autoscaled = maxReplicas !== undefined;
    return manifest("EnvoyProxy", metadata(names.envoyProxy, names.namespace, proxy.labels, proxy.annotations), {
        provider: {
            type: "Kubernetes",
            kubernetes: section({
                envoyDeployment: section({
                    // Envoy Gateway re-applies a fixed replica count on every reconcile, undoing each scale-up
                    // of the autoscaler: with the HPA on, its minReplicas carries the floor instead.
                    replicas: autoscaled ? undefined : proxy.replicas,
                    pod: podSpec(proxy, observability.podAnnotations),
                    container: section({
                        resources: section(proxy.resources),
                        securityContext: envoySecurityContext(proxy.securityContext),
                        env: proxy.env,
                        volumeMounts: proxy.volumeMounts,
                    }),
                }),
                envoyService: section({
                    type: proxy.service.type,
                    annotations: proxy.service.annotations,
                    loadBalancerIP: proxy.service.loadBalancerIP,
                    externalTrafficPolicy: proxy.service.externalTrafficPolicy,
                }),
                envoyHpa: maxReplicas !== undefined
                    ? {
                          // The autoscaler never goes below the configured replicas unless told so.
                          minReplicas: proxy.hpa.minReplicas ?? proxy.replicas,
                          maxReplicas,
                          ...(proxy.hpa.metrics ? { metrics: proxy.hpa.metrics } : {}),
                          ...(proxy.hpa.behavior ? { behavior: proxy.hpa.behavior } : {}),
                      }
                    : undefined,
                envoyPDB: proxy.pdb.enabled
                    ? proxy.pdb.minAvailable !== undefined
                        ? { minAvailable: proxy.pdb.minAvailable }
                        : { maxUnavailable: proxy.pdb.maxUnavailable ?? 1 }
                    : undefined,
                envoyServiceAccount: proxy.serviceAccountName !== undefined ? { name: proxy.serviceAccountName } : undefined,
            }),
        },
        logging: { level: { default: proxy.logging.level } },
        shutdown: { drainTimeout: proxy.shutdown.drainTimeout, minDrainDuration: proxy.shutdown.minDrainDuration },
        ...optional("telemetry", telemetry(proxy.telemetry, observability.telemetry)),
        ...optional("bootstrap", proxy.bootstrap),
        ...(filterOrder !== undefined && filterOrder.length > 0 && { filterOrder: filterOrder.map((f) => ({ ...f })) }),
    });
}

function podSpec(proxy: EnvoyProxyConfig, annotations: Record<string, string>): KubernetesPodSpec | undefined {
    const { pod } = proxy;
    return section({
        labels: pod.labels,
        annotations: { ...pod.annotations, ...annotations },
        securityContext: pod.securityContext,
        tolerations: pod.tolerations,
        nodeSelector: pod.nodeSelector,
        affinity: pod.affinity,
        volumes: pod.volumes,
    });
}

/**
 * The user's telemetry sections are passed through as written (checked by the API server); observability
 * builds the others.
 */
function telemetry(t: EnvoyProxyConfig["telemetry"], built: ProxyTelemetry): ProxyTelemetry | undefined {
    return section({
        accessLog: t.accessLog as ProxyAccessLog | undefined,
        metrics: t.metrics as ProxyMetrics | undefined,
        tracing: t.tracing as ProxyTracing | undefined,
        ...built,
    });
}

export function clientTrafficPolicyManifest(config: GatewayConfig, names: GatewayNames, clientValidation?: ClientValidationContext): Manifest<"ClientTrafficPolicy"> {
    const ct: ClientTrafficConfig = config.clientTraffic;
    // The client connection settings of clientTraffic.ts, read once.
    const connectionLimit = connectionLimitSection(ct);
    const connectionSections = clientConnectionSections(ct);
    return manifest("ClientTrafficPolicy", metadata(names.clientTrafficPolicy, names.namespace, ct.labels, ct.annotations), {
        targetRefs: [{ group: GATEWAY_API_GROUP, kind: "Gateway", name: names.gateway }],
        connection: { bufferLimit: ct.bufferLimit, ...optional("connectionLimit", connectionLimit) },
        http2: { initialStreamWindowSize: ct.http2.initialStreamWindowSize, initialConnectionWindowSize: ct.http2.initialConnectionWindowSize },
        ...optional(
            "timeout",
            section({
                http: section({
                    idleTimeout: ct.timeout.connectionIdle,
                    requestReceivedTimeout: ct.timeout.requestReceived,
                    streamIdleTimeout: ct.timeout.streamIdle,
                }),
            }),
        ),
        ...optional("tls", section({ ...ct.tls, clientValidation })),
        ...optional("headers", section(ct.headers)),
        ...optional("path", section(ct.path)),
        ...optional("healthCheck", ct.healthCheck),
        ...connectionSections,
    });
}

/**
 * The GatewayConfig: the user's extProc env, then observability's (never the same names, see the rules).
 * Undefined when there is nothing to set: an empty spec is stored as null by server-side apply once a
 * field manager let go of its last field, and the API server then refuses the object (found by the
 * end-to-end test), so `pulumi up` would fail when the last extProc setting is removed.
 */
export function gatewayConfigManifest(config: GatewayConfig, names: GatewayNames, observability = NO_OBSERVABILITY): Manifest<"GatewayConfig"> | undefined {
    const gc = config.gatewayConfig;
    const kubernetes = section({ env: [...gc.extProc.env, ...observability.extProcEnv], resources: section(gc.extProc.resources) });
    const spec = { ...(kubernetes && { extProc: { kubernetes } }), ...(gc.forwardProxy && { forwardProxy: { address: gc.forwardProxy.address } }) };
    return Object.keys(spec).length > 0 ? manifest("GatewayConfig", metadata(names.gatewayConfig, names.namespace, gc.labels, gc.annotations), spec) : undefined;
}

/** A 301 to HTTPS for every request on the HTTP listeners. */
export function httpsRedirectManifest(config: GatewayConfig, names: GatewayNames): Manifest<"HTTPRoute"> {
    const https = config.listeners.find((l) => l.protocol === "HTTPS");
    return manifest("HTTPRoute", metadata(names.httpsRedirect, names.namespace, config.labels, {}), {
        parentRefs: config.listeners
            .filter((l) => l.protocol === "HTTP")
            .map((l) => ({ group: GATEWAY_API_GROUP, kind: "Gateway", name: names.gateway, sectionName: l.name })),
        rules: [
            {
                filters: [
                    {
                        type: "RequestRedirect",
                        // Without a port the redirect goes to 443; name the HTTPS listener's port when it differs.
                        requestRedirect: { scheme: "https", statusCode: 301, ...(https && https.port !== 443 ? { port: https.port } : {}) },
                    },
                ],
            },
        ],
    });
}

/**
 * Where routes attach: the whole Gateway, or only its HTTPS listeners when HTTP is redirected (a route on
 * the HTTP listener with header matches would take precedence over the redirect).
 */
export function gatewayParentRefs(config: GatewayConfig, names: GatewayNames): (ParentReference & { kind: "Gateway" })[] {
    const ref = { group: GATEWAY_API_GROUP, kind: "Gateway" as const, name: names.gateway, namespace: names.namespace };
    if (!config.redirectToHttps) return [ref];
    return config.listeners.filter((l) => l.protocol === "HTTPS").map((l) => ({ ...ref, sectionName: l.name }));
}

// ---------------------------------------------------------------------------
// Helpers: emit only what is set, so specs show the user's intent and nothing else.
// ---------------------------------------------------------------------------

function metadata(name: string, namespace: string | undefined, labels: Record<string, string>, annotations: Record<string, string>) {
    return {
        name,
        ...(namespace !== undefined ? { namespace } : {}),
        ...(Object.keys(labels).length ? { labels } : {}),
        ...(Object.keys(annotations).length ? { annotations } : {}),
    };
}

function isEmpty(v: unknown): boolean {
    if (v === undefined) return true;
    if (Array.isArray(v)) return v.length === 0;
    return typeof v === "object" && v !== null && Object.keys(v).length === 0;
}

/** The object without its unset or empty fields (one level deep), or undefined when none is left. */
function section<T extends object>(fields: T): T | undefined {
    const kept = Object.entries(fields).filter(([, v]) => !isEmpty(v));
    return kept.length ? (Object.fromEntries(kept) as T) : undefined;
}

/** `{ [key]: value }` when the value is set, `{}` otherwise, for spreading into a spec. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
    return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
