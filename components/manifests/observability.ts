import type * as k8s from "@pulumi/kubernetes";
import type { ClientAuthConfig, MetricsConfig, ObservabilityConfig, TracingConfig } from "../../config";
import type { SpendUnit } from "../../config/schema";
import type { Plan } from "../../plan/plan";
import type { EnvVar, ProxyAccessLog, ProxyMetrics, ProxyTelemetry, ProxyTracing, ServiceMonitorSpec } from "../../specs";
import { Manifest, manifest } from "../../specs/manifest";
import { AI_GATEWAY_METADATA_NAMESPACE, MODEL_HEADER, REQUEST_METADATA_KEYS, SPEND_COST_KEYS, TOKEN_COST_KEYS } from "../../config/aiMetadata";
import { endpointOf } from "./backends";
import { type GatewayRef, extProcTracingEnv, envoyTracingTarget, tracingBackendName, scrapeAnnotations, ENVOY_METRICS, envoyPodObjectName } from "../../plan/observability";

/** The extProc's admin server, serving the AI Gateway's gen_ai metrics. */
export const EXTPROC_METRICS = { port: 1064, path: "/metrics" } as const;
export const USER_METRIC_LABEL = "user_id";

/** Labels Envoy Gateway puts on the Envoy pods of a Gateway. */
export const OWNING_GATEWAY_LABELS = {
    name: "gateway.envoyproxy.io/owning-gateway-name",
    namespace: "gateway.envoyproxy.io/owning-gateway-namespace",
} as const;

/** What the access log needs beyond `ai-gateway:observability`. */
export interface AccessLogContext {
    /** `rateLimit.userHeader`. */
    userHeader: string;
    auth: ClientAuthConfig;
    /**
     * The spend units the routes record each response's cost in (spendUnitsInUse; none without a spend budget):
     * each is a field of the line, named as its metadata key (`llm_spend_micro_usd`, ...).
     */
    spendUnits?: readonly SpendUnit[];
}

/** The access log's context for a configuration: the user header, the verified identity, and the spend units in use. */
export function accessLogContext(plan: Pick<Plan, "config" | "auth" | "rateLimit">): AccessLogContext {
    return { userHeader: plan.config.rateLimit.userHeader, auth: plan.auth, spendUnits: plan.rateLimit.spend.spendUnits };
}

/** `{<header>: <attribute>}` as Envoy command operators: the header's value under the attribute's name. */
export function recordedHeaderValues(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
    return Object.fromEntries(
        Object.entries(headers ?? {})
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([header, attribute]) => [attribute, requestHeader(header)]),
    );
}

/** What observability adds to the gateway's EnvoyProxy and GatewayConfig; the gateway builders merge it. */
export interface GatewayObservability {
    /** EnvoyProxy `spec.telemetry` sections; only those observability builds are set. */
    telemetry: ProxyTelemetry;
    /** Annotations of the Envoy pods. */
    podAnnotations: Record<string, string>;
    /** Environment of the extProc container (GatewayConfig). */
    extProcEnv: EnvVar[];
    /** The Backend Envoy's tracer sends spans to (beside the EnvoyProxy), when Envoy traces. */
    tracingBackend?: Manifest<"Backend">;
}

export function gatewayObservability(config: ObservabilityConfig, gateway: GatewayRef, context: AccessLogContext): GatewayObservability {
    const { tracing, accessLog, metrics } = config;
    const envoyTraces = tracing !== undefined && envoyTracingTarget(tracing) !== undefined;
    const telemetry: ProxyTelemetry = {};
    if (accessLog) telemetry.accessLog = accessLogSection(accessLog.format, { ...accessLogFields(context, envoyTraces), ...recordedHeaderValues(accessLog.headers) });
    if (metrics) telemetry.metrics = metricsSection(metrics);
    if (tracing && envoyTraces) telemetry.tracing = envoyTracingSection(tracing, gateway);
    return {
        telemetry,
        podAnnotations: metrics ? scrapeAnnotations(metrics) : {},
        extProcEnv: tracing ? extProcTracingEnv(tracing, gateway) : [],
        ...(tracing && envoyTraces ? { tracingBackend: tracingBackendManifest(tracing, gateway) } : {}),
    };
}

/** The collector as a Backend: Envoy Gateway deprecates the tracer's `host`/`port` for `backendRefs`. */
export function tracingBackendManifest(tracing: TracingConfig, gateway: GatewayRef): Manifest<"Backend"> | undefined {
    const collector = envoyTracingTarget(tracing);
    if (collector === undefined) return undefined;
    return manifest("Backend", { name: tracingBackendName(gateway.name), namespace: gateway.namespace }, { endpoints: [endpointOf({ hostname: collector.host, port: collector.port })] });
}

export function envoyTracingSection(tracing: TracingConfig, gateway: GatewayRef): ProxyTracing | undefined {
    const collector = envoyTracingTarget(tracing);
    if (collector === undefined) return undefined;
    return {
        provider: {
            type: "OpenTelemetry",
            backendRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: tracingBackendName(gateway.name), port: collector.port }],
            serviceName: `${tracing.serviceName}-envoy`,
        },
        ...(tracing.samplingRate !== undefined ? { samplingRate: tracing.samplingRate } : {}),
        ...(tracing.headers && Object.keys(tracing.headers).length > 0 ? { tags: recordedHeaderValues(tracing.headers) } : {}),
    };
}

// ---------------------------------------------------------------------------
// Access log
// ---------------------------------------------------------------------------

const metadata = (key: string) => `%DYNAMIC_METADATA(${AI_GATEWAY_METADATA_NAMESPACE}:${key})%`;
const requestHeader = (name: string) => `%REQ(${name})%`;

/**
 * The fields of one access-log line, in order: the request, its outcome, then what the AI Gateway
 * decided (requested model, backend, model override) and counted (tokens, and the cost when spend budgets
 * count it), and who asked.
 */
export function accessLogFields(context: AccessLogContext, withTraceId: boolean): Record<string, string> {
    const fields: Record<string, string> = {
        start_time: "%START_TIME%",
        method: requestHeader(":METHOD"),
        path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
        protocol: "%PROTOCOL%",
        status: "%RESPONSE_CODE%",
        response_flags: "%RESPONSE_FLAGS%",
        duration_ms: "%DURATION%",
        upstream_service_time_ms: "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%",
        request_id: requestHeader("X-REQUEST-ID"),
        authority: requestHeader(":AUTHORITY"),
        upstream_host: "%UPSTREAM_HOST%",
        model: requestHeader(MODEL_HEADER),
        backend: metadata(REQUEST_METADATA_KEYS.backend),
        model_override: metadata(REQUEST_METADATA_KEYS.modelNameOverride),
        response_model: metadata(REQUEST_METADATA_KEYS.responseModel),
        input_tokens: metadata(TOKEN_COST_KEYS.input),
        output_tokens: metadata(TOKEN_COST_KEYS.output),
        total_tokens: metadata(TOKEN_COST_KEYS.total),
        cached_input_tokens: metadata(TOKEN_COST_KEYS.cachedInput),
        // The response's cost, in each unit a spend budget counts in, as the budgets were charged (rounded up).
        ...Object.fromEntries((context.spendUnits ?? []).map((u) => [SPEND_COST_KEYS[u], metadata(SPEND_COST_KEYS[u])])),
        user: requestHeader(context.userHeader),
    };
    const subject = jwtSubjectHeader(context.auth);
    if (subject !== undefined) fields.jwt_subject = requestHeader(subject);
    if (withTraceId) fields.trace_id = "%TRACE_ID%";
    return fields;
}

/**
 * The header carrying the JWT subject: the one `auth.jwt.claimToHeaders` maps `sub` to. Envoy Gateway keys
 * the JWT payload metadata by issuer URL, which the `%DYNAMIC_METADATA(ns:key)%` syntax cannot address
 * (the URL has colons), so the claim is logged from its header.
 */
export function jwtSubjectHeader(auth: ClientAuthConfig): string | undefined {
    return auth.jwt?.claimToHeaders.find((c) => c.claim === "sub")?.header;
}

/** One JSON object per request, or the same fields as `key=value` pairs, written to the Envoy container's stdout. */
export function accessLogSection(format: "json" | "text", fields: Record<string, string>): ProxyAccessLog {
    const text = Object.entries(fields)
        .map(([key, operator]) => `${key}=${operator}`)
        .join(" ");
    return {
        settings: [
            {
                format: format === "json" ? { type: "JSON", json: fields } : { type: "Text", text: `${text}\n` },
                sinks: [{ type: "File", file: { path: "/dev/stdout" } }],
            },
        ],
    };
}

// ---------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------

export function metricsSection(metrics: MetricsConfig): ProxyMetrics {
    return { prometheus: { disable: !metrics.prometheus } };
}

const METRICS_SERVICE_LABELS = { "app.kubernetes.io/name": "ai-gateway-metrics", "app.kubernetes.io/component": "metrics" };

/** Name of the metrics Service and ServiceMonitor in the Envoy pods' namespace. */
export function metricsServiceName(gateway: GatewayRef): string {
    return envoyPodObjectName(gateway, "metrics");
}

export function metricsServiceLabels(gateway: GatewayRef): Record<string, string> {
    return { ...METRICS_SERVICE_LABELS, [OWNING_GATEWAY_LABELS.name]: gateway.name, [OWNING_GATEWAY_LABELS.namespace]: gateway.namespace };
}

/**
 * A headless Service over the Gateway's Envoy pods with both metrics ports. Envoy Gateway's own Service
 * exposes only the listeners, and numeric target ports work whatever the containers name their ports.
 */
export function metricsServiceSpec(gateway: GatewayRef): k8s.types.input.core.v1.ServiceSpec {
    return {
        clusterIP: "None",
        selector: { [OWNING_GATEWAY_LABELS.name]: gateway.name, [OWNING_GATEWAY_LABELS.namespace]: gateway.namespace },
        ports: [
            { name: "envoy-metrics", port: ENVOY_METRICS.port, targetPort: ENVOY_METRICS.port },
            { name: "extproc-metrics", port: EXTPROC_METRICS.port, targetPort: EXTPROC_METRICS.port },
        ],
    };
}

/** Scrapes Envoy and the extProc of every Envoy pod, through the metrics Service. */
export function serviceMonitorManifest(gateway: GatewayRef, namespace: string, labels: Record<string, string>): Manifest<"ServiceMonitor"> {
    const spec: ServiceMonitorSpec = {
        selector: { matchLabels: metricsServiceLabels(gateway) },
        endpoints: [
            { port: "envoy-metrics", path: ENVOY_METRICS.path },
            { port: "extproc-metrics", path: EXTPROC_METRICS.path },
        ],
    };
    const name = metricsServiceName(gateway);
    return manifest("ServiceMonitor", { name, namespace, ...(Object.keys(labels).length ? { labels } : {}) }, spec);
}
