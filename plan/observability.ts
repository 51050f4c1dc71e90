import type { MetricsConfig, TracingConfig } from "../config";
import type { EnvVar } from "../specs";
import { childName } from "../config/names";

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

/** The Gateway the observed Envoy pods belong to. */
export interface GatewayRef {
    name: string;
    namespace: string;
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

/**
 * Pure builders for `ai-gateway:observability`. What belongs to the Envoy pods (telemetry, scrape
 * annotations, extProc env) is returned as a `GatewayObservability` that the gateway builders merge into
 * the one EnvoyProxy and the one GatewayConfig; the rules in plan/rules/observability.ts make sure none
 * of it collides with what `ai-gateway:gateway` sets itself. The rest (OTLP headers Secret, metrics
 * Service, ServiceMonitor) is created by components/observability.ts.
 */

/** Envoy's Prometheus endpoint: the stats listener Envoy Gateway adds to every Envoy pod. */
export const ENVOY_METRICS = { port: 19001, path: "/stats/prometheus" } as const;

/** Key of the OTLP headers in their Secret. */
export const OTLP_HEADERS_KEY = "headers";

/**
 * The fields every access-log line has (components/manifests/observability.ts builds them); a recorded
 * header (`observability.accessLog.headers`) takes a name of its own.
 */
export const ACCESS_LOG_FIELDS = [
    "start_time", "method", "path", "protocol", "status", "response_flags", "duration_ms", "upstream_service_time_ms",
    "request_id", "authority", "upstream_host", "model", "backend", "model_override", "response_model", "input_tokens",
    "output_tokens", "total_tokens", "cached_input_tokens", "user", "jwt_subject", "trace_id",
] as const;

/** Metric attribute the user header becomes on the gen_ai metrics, and its Prometheus label. */
export const USER_METRIC_ATTRIBUTE = "user.id";

// ---------------------------------------------------------------------------
// Tracing
// ---------------------------------------------------------------------------

/** Name of the Secret with the OTLP headers, in the namespace of the Envoy pods (shared by every Gateway there). */
export function otlpHeadersSecretName(gateway: GatewayRef): string {
    return envoyPodObjectName(gateway, "otlp-headers");
}

/**
 * Objects next to the Envoy pods are named after the Gateway's namespace and name: several Gateways
 * share Envoy Gateway's namespace.
 */
export function envoyPodObjectName(gateway: GatewayRef, role: string): string {
    return childName(`${gateway.namespace}-${gateway.name}`, role);
}
