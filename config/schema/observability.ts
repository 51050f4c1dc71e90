import { z } from "zod";
import { dnsLabel, hasUserInfo, hostname, port, stringMap } from "./primitives";

/**
 * `ai-gateway:observability`: tracing, access logs, metrics and a Grafana dashboard. Each section is
 * off until its key is present; the EnvoyProxy and GatewayConfig sections it computes are merged into
 * the gateway's own objects (see components/manifests/observability.ts).
 */

export const OTLP_PROTOCOLS = ["grpc", "http/protobuf"] as const;
/** Span attribute conventions of the extProc (`AI_GATEWAY_TRACING_SEMCONV`). */
export const TRACING_SEMCONVS = ["openinference", "gen_ai"] as const;

const percentage = z
    .number({ error: "must be a number; use a whole percentage from 0 to 100" })
    .int()
    .min(0, "is below 0; use a whole percentage from 0 to 100")
    .max(100, "is above 100; use a whole percentage from 0 to 100");

export const tracingSchema = z.strictObject({
    /** OTLP endpoint of the extProc's exporter (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
    endpoint: z
        .string()
        .regex(/^https?:\/\/\S+$/, "is not a URL; use e.g. https://otlp.example.com")
        // Checked before anything that would echo the URL: the part before "@" is a credential.
        .refine((v) => !hasUserInfo(v), "holds credentials in the URL; remove them, put the collector's auth headers in ai-gateway:apiKeys (e.g. 'Authorization=Bearer <token>') and name that key in observability.tracing.headersSecret"),
    serviceName: z.string().min(1).default("ai-gateway"),
    protocol: z.enum(OTLP_PROTOCOLS).default("http/protobuf"),
    /** Key in ai-gateway:apiKeys holding OTLP auth headers (`Authorization=Bearer ...`). */
    headersSecret: z.string().min(1).optional(),
    semconv: z.enum(TRACING_SEMCONVS).default("openinference"),
    /** Share of requests traced, in percent; unset = every request. */
    samplingRate: percentage.optional(),
    /**
     * Envoy's own spans. Envoy's tracer speaks OTLP/gRPC without TLS or headers, so it needs a collector
     * it can reach that way: `host`, or else the endpoint itself when it is plain OTLP/gRPC without headers.
     * `enabled` unset: on when there is such a collector, off otherwise; true: a missing one is an error.
     */
    envoy: z
        .strictObject({
            enabled: z.boolean().optional(),
            host: hostname.optional(),
            port: port.default(4317),
        })
        .prefault({}),
});

export const accessLogSchema = z.strictObject({ format: z.enum(["json", "text"]).default("json") });

export const metricsSchema = z.strictObject({
    /** Envoy's Prometheus endpoint and the pod scrape annotations. */
    prometheus: z.boolean().default(true),
    /** Label the AI Gateway's gen_ai metrics with the user header (`rateLimit.userHeader`) as `user_id`. */
    perUser: z.boolean().default(true),
    /** A Prometheus-operator ServiceMonitor scraping Envoy and the extProc. */
    serviceMonitor: z.boolean().default(false),
    /** Labels of the ServiceMonitor (what the Prometheus's serviceMonitorSelector matches, e.g. release). */
    serviceMonitorLabels: stringMap.default({}),
});

export const dashboardSchema = z.strictObject({
    enabled: z.boolean().default(true),
    /** Namespace of the ConfigMap; defaults to the gateway namespace. */
    namespace: dnsLabel.optional(),
    /** Labels the Grafana sidecar selects dashboards by (replaces the default). */
    labels: stringMap.default({ grafana_dashboard: "1" }),
    annotations: stringMap.default({}),
});

export const observabilitySchema = z.strictObject({
    tracing: tracingSchema.optional(),
    accessLog: accessLogSchema.optional(),
    metrics: metricsSchema.optional(),
    dashboard: dashboardSchema.optional(),
});

export type ObservabilityConfig = z.output<typeof observabilitySchema>;
export type TracingConfig = z.output<typeof tracingSchema>;
export type MetricsConfig = z.output<typeof metricsSchema>;
export type DashboardConfig = z.output<typeof dashboardSchema>;
