import type * as k8s from "@pulumi/kubernetes";
import type { ClientAuthConfig, MetricsConfig, ObservabilityConfig, TracingConfig } from "../../config";
import type { EnvVar, ProxyAccessLog, ProxyMetrics, ProxyTelemetry, ProxyTracing, ServiceMonitorSpec } from "../../specs";
import { Manifest, manifest } from "../../specs/manifest";
import { AI_GATEWAY_METADATA_NAMESPACE, MODEL_HEADER, REQUEST_METADATA_KEYS, TOKEN_COST_KEYS } from "../../config/aiMetadata";
import { endpointOf } from "./backends";
import { childName } from "../../config/names";

/**
 * Pure builders for `ai-gateway:observability`. What belongs to the Envoy pods (telemetry, scrape
 * annotations, extProc env) is returned as a `GatewayObservability` that the gateway builders merge into
 * the one EnvoyProxy and the one GatewayConfig; the rules in config/rules/observability.ts make sure none
 * of it collides with what `ai-gateway:gateway` sets itself. The rest (OTLP headers Secret, metrics
 * Service, ServiceMonitor) is created by components/observability.ts.
 */

/** Envoy's Prometheus endpoint: the stats listener Envoy Gateway adds to every Envoy pod. */
export const ENVOY_METRICS = { port: 19001, path: "/stats/prometheus" } as const;
/** The extProc's admin server, serving the AI Gateway's gen_ai metrics. */
export const EXTPROC_METRICS = { port: 1064, path: "/metrics" } as const;

/** The pod annotations annotation-based Prometheus scrape configs read (one port per pod). */
export const SCRAPE_ANNOTATIONS = { scrape: "prometheus.io/scrape", port: "prometheus.io/port", path: "prometheus.io/path" } as const;

/** Environment of the extProc that tracing sets. */
export const EXTPROC_TRACING_ENV = {
    endpoint: "OTEL_EXPORTER_OTLP_ENDPOINT",
    protocol: "OTEL_EXPORTER_OTLP_PROTOCOL",
    headers: "OTEL_EXPORTER_OTLP_HEADERS",
    serviceName: "OTEL_SERVICE_NAME",
    semconv: "AI_GATEWAY_TRACING_SEMCONV",
    sampler: "OTEL_TRACES_SAMPLER",
    samplerArg: "OTEL_TRACES_SAMPLER_ARG",
} as const;

/** Env vars that carry OTLP credentials: only ever from a Secret, never a literal value. */
export const OTLP_HEADERS_ENV = /^OTEL_EXPORTER_OTLP(_(TRACES|METRICS|LOGS))?_HEADERS$/;

/** Key of the OTLP headers in their Secret. */
export const OTLP_HEADERS_KEY = "headers";

/** Metric attribute the user header becomes on the gen_ai metrics, and its Prometheus label. */
export const USER_METRIC_ATTRIBUTE = "user.id";
export const USER_METRIC_LABEL = "user_id";

/** Labels Envoy Gateway puts on the Envoy pods of a Gateway. */
export const OWNING_GATEWAY_LABELS = {
    name: "gateway.envoyproxy.io/owning-gateway-name",
    namespace: "gateway.envoyproxy.io/owning-gateway-namespace",
} as const;

/** The Gateway the observed Envoy pods belong to. */
export interface GatewayRef {
    name: string;
    namespace: string;
}

/** What the access log needs beyond `ai-gateway:observability`. */
export interface AccessLogContext {
    /** `rateLimit.userHeader`. */
    userHeader: string;
    auth: ClientAuthConfig;
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
    if (accessLog) telemetry.accessLog = accessLogSection(accessLog.format, accessLogFields(context, envoyTraces));
    if (metrics) telemetry.metrics = metricsSection(metrics);
    if (tracing && envoyTraces) telemetry.tracing = envoyTracingSection(tracing, gateway);
    return {
        telemetry,
        podAnnotations: metrics ? scrapeAnnotations(metrics) : {},
        extProcEnv: tracing ? extProcTracingEnv(tracing, gateway) : [],
        ...(tracing && envoyTraces ? { tracingBackend: tracingBackendManifest(tracing, gateway) } : {}),
    };
}

// ---------------------------------------------------------------------------
// Tracing
// ---------------------------------------------------------------------------

/** Name of the Secret with the OTLP headers, in the namespace of the Envoy pods (shared by every Gateway there). */
export function otlpHeadersSecretName(gateway: GatewayRef): string {
    return envoyPodObjectName(gateway, "otlp-headers");
}

/**
 * The extProc's OpenTelemetry settings. The auth headers come from a Secret through secretKeyRef:
 * the env is applied to the extProc container in the Envoy pod, so the Secret lives in that pod's namespace.
 */
export function extProcTracingEnv(tracing: TracingConfig, gateway: GatewayRef): EnvVar[] {
    const env: EnvVar[] = [
        { name: EXTPROC_TRACING_ENV.endpoint, value: tracing.endpoint },
        { name: EXTPROC_TRACING_ENV.protocol, value: tracing.protocol },
    ];
    if (tracing.headersSecret !== undefined) {
        env.push({
            name: EXTPROC_TRACING_ENV.headers,
            valueFrom: { secretKeyRef: { name: otlpHeadersSecretName(gateway), key: OTLP_HEADERS_KEY } },
        });
    }
    env.push({ name: EXTPROC_TRACING_ENV.serviceName, value: tracing.serviceName }, { name: EXTPROC_TRACING_ENV.semconv, value: tracing.semconv });
    if (tracing.samplingRate !== undefined) {
        // Parent-based: a request Envoy (or the caller) sampled is traced in the extProc too.
        env.push(
            { name: EXTPROC_TRACING_ENV.sampler, value: "parentbased_traceidratio" },
            { name: EXTPROC_TRACING_ENV.samplerArg, value: String(tracing.samplingRate / 100) },
        );
    }
    return env;
}

/** Where Envoy sends its spans, or why that cannot be derived from the endpoint. */
export type EnvoyCollector = { host: string; port: number } | { problem: string };

/**
 * Envoy's OpenTelemetry tracer speaks OTLP/gRPC, without TLS (for a `host`) and without secret headers.
 * Without `tracing.envoy.host` it uses the endpoint's host, which works only for a plain-HTTP gRPC endpoint
 * without auth headers (typically an in-cluster collector).
 */
export function envoyTracingCollector(tracing: TracingConfig): EnvoyCollector {
    if (tracing.envoy.host !== undefined) return { host: tracing.envoy.host, port: tracing.envoy.port };
    const url = new URL(tracing.endpoint);
    if (url.protocol === "https:") return { problem: `Envoy's tracer cannot use TLS, and the endpoint ${tracing.endpoint} does` };
    if (tracing.protocol !== "grpc") return { problem: `Envoy's tracer speaks OTLP/gRPC only, and the endpoint's protocol is ${tracing.protocol}` };
    if (tracing.headersSecret !== undefined) return { problem: "Envoy's tracer cannot send the auth headers of tracing.headersSecret" };
    return { host: url.hostname, port: url.port ? Number(url.port) : tracing.envoy.port };
}

/**
 * Where Envoy sends its spans; undefined when it does not trace: `envoy.enabled: false`, or unset and no
 * collector Envoy can reach (the extProc still traces).
 */
export function envoyTracingTarget(tracing: TracingConfig): { host: string; port: number } | undefined {
    if (tracing.envoy.enabled === false) return undefined;
    const collector = envoyTracingCollector(tracing);
    if (!("problem" in collector)) return collector;
    if (tracing.envoy.enabled) throw new Error(`observability.tracing.envoy.host: ${collector.problem} (validation should have caught this)`);
    return undefined;
}

/** The Envoy Gateway Backend of Envoy's trace collector, next to the EnvoyProxy (the gateway namespace). */
export function tracingBackendName(gateway: string): string {
    return childName(gateway, "tracing");
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
    };
}

// ---------------------------------------------------------------------------
// Access log
// ---------------------------------------------------------------------------

const metadata = (key: string) => `%DYNAMIC_METADATA(${AI_GATEWAY_METADATA_NAMESPACE}:${key})%`;
const requestHeader = (name: string) => `%REQ(${name})%`;

/**
 * The fields of one access-log line, in order: the request, its outcome, then what the AI Gateway
 * decided (requested model, backend, model override) and counted (tokens), and who asked.
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

/**
 * Annotations for annotation-based scraping (Envoy Gateway sets the same ones by default; stating them
 * keeps the contract when its defaults change). One pod, one port: they describe Envoy's 19001 only, not
 * the extProc's 1064; the ServiceMonitor scrapes both.
 */
export function scrapeAnnotations(metrics: MetricsConfig): Record<string, string> {
    if (!metrics.prometheus) return {};
    return {
        [SCRAPE_ANNOTATIONS.scrape]: "true",
        [SCRAPE_ANNOTATIONS.port]: String(ENVOY_METRICS.port),
        [SCRAPE_ANNOTATIONS.path]: ENVOY_METRICS.path,
    };
}

/** `<header>:<attribute>` for the AI Gateway controller: the user header as a metric attribute. */
export function metricsRequestHeaderAttributes(userHeader: string): string {
    return `${userHeader}:${USER_METRIC_ATTRIBUTE}`;
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

/**
 * Objects next to the Envoy pods are named after the Gateway's namespace and name: several Gateways
 * share Envoy Gateway's namespace.
 */
function envoyPodObjectName(gateway: GatewayRef, role: string): string {
    return childName(`${gateway.namespace}-${gateway.name}`, role);
}
