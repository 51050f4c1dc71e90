import { z } from "zod";
import { doc } from "./docs";
import { dnsLabel, hasUserInfo, hostname, port, stringMap } from "./primitives";
import { headerNameProblem } from "../policies/headers";

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

/** Most request headers one section records. */
export const MAX_RECORDED_HEADERS = 16;
/** An attribute (log field, span attribute) a recorded header becomes. */
const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;

/**
 * `{<request header>: <attribute>}`: request headers whose values a log line or a span records, under the
 * attribute name. Header names go through the one header policy (credentials are refused with the reason).
 */
export const recordedHeaders = (where: string, example: string) =>
    z
        .record(z.string(), z.string())
        .superRefine((v, ctx) => {
            const entries = Object.entries(v);
            if (entries.length > MAX_RECORDED_HEADERS) {
                ctx.addIssue({ code: "custom", message: `records ${entries.length} headers; record at most ${MAX_RECORDED_HEADERS}` });
                return;
            }
            const headers = new Map<string, string>();
            const attributes = new Map<string, string>();
            for (const [header, attribute] of entries) {
                const fail = (message: string) => ctx.addIssue({ code: "custom", path: [header], message });
                const problem = headerNameProblem(header, "record");
                if (problem !== undefined) {
                    fail(problem);
                    continue;
                }
                if (!ATTRIBUTE.test(attribute)) {
                    fail(`"${attribute.slice(0, 80)}" is not an attribute name; use at most 64 letters, digits, '_' and '.', starting with a letter, e.g. ${example}`);
                    continue;
                }
                const same = headers.get(header.toLowerCase());
                if (same !== undefined) fail(`is the header "${same}" again (header names ignore case); record it once`);
                const twice = attributes.get(attribute);
                if (twice !== undefined) fail(`"${attribute}" is already the attribute of "${twice}"; give each header an attribute of its own`);
                headers.set(header.toLowerCase(), header);
                attributes.set(attribute, header);
            }
        })
        .optional()
        .meta(
            doc(
                `\`{<request header>: <attribute>}\`: request headers ${where} records, under the attribute name (at most ${MAX_RECORDED_HEADERS}); never a credential header (\`authorization\`, cookies, API-key headers)`,
                { default: "none" },
            ),
        );

export const tracingSchema = z.strictObject({
    /** OTLP endpoint of the extProc's exporter (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
    endpoint: z
        .string()
        .regex(/^https?:\/\/\S+$/, "is not a URL; use e.g. https://otlp.example.com")
        // Checked before anything that would echo the URL: the part before "@" is a credential.
        .refine((v) => !hasUserInfo(v), "holds credentials in the URL; remove them, put the collector's auth headers in ai-gateway:apiKeys (e.g. 'Authorization=Bearer <token>') and name that key in observability.tracing.headersSecret")
        .describe("OTLP endpoint of the extProc's exporter (`OTEL_EXPORTER_OTLP_ENDPOINT`), `http://` or `https://`"),
    serviceName: z.string().min(1).default("ai-gateway").describe("`OTEL_SERVICE_NAME` of the extProc; Envoy's spans use `<serviceName>-envoy`"),
    protocol: z.enum(OTLP_PROTOCOLS).default("http/protobuf").describe("`grpc` or `http/protobuf` (`OTEL_EXPORTER_OTLP_PROTOCOL`)"),
    /** Key in ai-gateway:apiKeys holding OTLP auth headers (`Authorization=Bearer ...`). */
    headersSecret: z
        .string()
        .min(1)
        .optional()
        .describe(
            "key in `ai-gateway:apiKeys` holding the OTLP headers, as `OTEL_EXPORTER_OTLP_HEADERS` takes them: `Authorization=Bearer <token>` (several: comma-separated `key=value` pairs)",
        ),
    semconv: z
        .enum(TRACING_SEMCONVS)
        .default("openinference")
        .describe("span attributes of the extProc: `openinference` or `gen_ai` (`AI_GATEWAY_TRACING_SEMCONV`)"),
    /** Share of requests traced, in percent; unset = every request. */
    samplingRate: percentage
        .optional()
        .meta(
            doc(
                "whole percentage 0–100: Envoy's `samplingRate`, and a parent-based ratio sampler in the extProc (`OTEL_TRACES_SAMPLER=parentbased_traceidratio`)",
                { default: "every request" },
            ),
        ),
    /**
     * Envoy's own spans. Envoy's tracer speaks OTLP/gRPC without TLS or headers, so it needs a collector
     * it can reach that way: `host`, or else the endpoint itself when it is plain OTLP/gRPC without headers.
     * `enabled` unset: on when there is such a collector, off otherwise; true: a missing one is an error.
     */
    envoy: z
        .strictObject({
            enabled: z
                .boolean()
                .optional()
                .meta(
                    doc("Envoy's own spans (EnvoyProxy `telemetry.tracing`); `true`: a missing collector is an error; `false`: extProc spans only", {
                        default: "on when Envoy can reach a collector",
                    }),
                ),
            host: hostname
                .optional()
                .meta(
                    doc("collector Envoy sends its spans to over OTLP/gRPC, without TLS or headers (see below)", {
                        default: "the endpoint's host (plain OTLP/gRPC endpoints only)",
                    }),
                ),
            port: port.default(4317).meta(doc("port of that collector's OTLP/gRPC receiver", { join: true })),
        })
        .prefault({})
        .describe("Envoy's own spans, sent over OTLP/gRPC without TLS or headers"),
    headers: recordedHeaders("every span (the extProc's and Envoy's)", "team.id"),
});

export const accessLogSchema = z.strictObject({
    format: z
        .enum(["json", "text"])
        .default("json")
        .describe("`json`: one JSON object per request; `text`: the same fields as `key=value` pairs"),
    headers: recordedHeaders("each access-log line", "team"),
});

export const metricsSchema = z.strictObject({
    /** Envoy's Prometheus endpoint and the pod scrape annotations. */
    prometheus: z.boolean().default(true).describe("Envoy's Prometheus endpoint and its scrape annotations; `false` turns the endpoint off"),
    /** Label the AI Gateway's gen_ai metrics with the user header (`rateLimit.userHeader`) as `user_id`. */
    perUser: z.boolean().default(true).describe("label the AI Gateway's gen_ai metrics with the user header (`rateLimit.userHeader`) as `user_id`"),
    /** A Prometheus-operator ServiceMonitor scraping Envoy and the extProc. */
    serviceMonitor: z
        .boolean()
        .default(false)
        .describe("a Prometheus-operator ServiceMonitor scraping Envoy and the extProc (needs the operator's CRD)"),
    /** Labels of the ServiceMonitor (what the Prometheus's serviceMonitorSelector matches, e.g. release). */
    serviceMonitorLabels: stringMap.default({}).describe("its labels, e.g. `release: kube-prometheus-stack` for that chart's default selector"),
});

export const dashboardSchema = z.strictObject({
    enabled: z.boolean().default(true).describe("the Grafana dashboard ConfigMap"),
    /** Namespace of the ConfigMap; defaults to the gateway namespace. */
    namespace: dnsLabel
        .optional()
        .meta(doc("where the ConfigMap goes; it must exist, and Grafana's sidecar must watch it", { default: "the gateway namespace" })),
    /** Labels the Grafana sidecar selects dashboards by (replaces the default). */
    labels: stringMap.default({ grafana_dashboard: "1" }).describe("labels the Grafana sidecar selects dashboards by (they replace the default)"),
    annotations: stringMap.default({}).describe("e.g. `grafana_folder` when the sidecar's folder annotation is on"),
});

export const observabilitySchema = z.strictObject({
    tracing: tracingSchema.optional().describe("traces of the extProc (OTLP exporter) and of Envoy"),
    accessLog: accessLogSchema.optional().describe("Envoy's access log, one line per request"),
    metrics: metricsSchema.optional().describe("Prometheus metrics of Envoy and the extProc"),
    dashboard: dashboardSchema.optional().describe("a Grafana dashboard, as a ConfigMap for the Grafana sidecar"),
});

export type ObservabilityConfig = z.output<typeof observabilitySchema>;
export type TracingConfig = z.output<typeof tracingSchema>;
export type MetricsConfig = z.output<typeof metricsSchema>;
export type DashboardConfig = z.output<typeof dashboardSchema>;
