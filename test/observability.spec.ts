import * as assert from "node:assert/strict";
import { dashboardExpressions, GATEWAY_METRICS, gatewayDashboard } from "../components/manifests/dashboard";
import { gatewayCoreManifests } from "./support/gatewayBuilders";
import { accessLogFields, gatewayObservability } from "../components/manifests/observability";
import { envoyTracingCollector, extProcTracingEnv } from "../plan/observability";
import { envoyPodsNamespace } from "../plan/platform";
import type { EnvoyProxySpec, GatewayConfigSpec } from "../specs";
import { parseConfig, StackConfig } from "../plan";
import { isSecretValue, redactSecrets } from "../scripts/mocks";
import { configProblems, controllerValuesBesideSeed, customResources, evaluate, Evaluation, stackFileConfig } from "./harness";

/** Raw config with `ai-gateway:observability` (and anything else) set. */
const obs = (observability: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ observability, ...rest });
const OTLP = { apiKeys: { otlp: "Authorization=Bearer known-otlp-token-0123" } };
const collector = "http://otel-collector.monitoring:4317";
/** Tracing to an in-cluster collector over plain OTLP/gRPC: Envoy can use the same endpoint. */
const grpcTracing = { endpoint: collector, protocol: "grpc" };
/** Tracing to a SaaS over HTTPS with auth headers: Envoy needs a collector of its own. */
const saasTracing = { endpoint: "https://otlp.example.com", headersSecret: "otlp", envoy: { host: "otel-collector.monitoring.svc.cluster.local" } };
const GATEWAY = { name: "ai-gateway", namespace: "ai-gateway" };

describe("config: ai-gateway:observability", () => {
    it("everything is off until its key is present", () => {
        assert.deepEqual(parseConfig({}).observability, {});
    });

    it("defaults of each section", () => {
        const o = parseConfig(obs({ tracing: { endpoint: "https://otlp.example.com", envoy: { host: "collector" } }, accessLog: {}, metrics: {}, dashboard: {} })).observability;
        assert.deepEqual(o.tracing, {
            endpoint: "https://otlp.example.com",
            serviceName: "ai-gateway",
            protocol: "http/protobuf",
            semconv: "openinference",
            envoy: { host: "collector", port: 4317 },
        });
        assert.deepEqual(o.accessLog, { format: "json" });
        assert.deepEqual(o.metrics, { prometheus: true, perUser: true, serviceMonitor: false, serviceMonitorLabels: {} });
        assert.deepEqual(o.dashboard, { enabled: true, labels: { grafana_dashboard: "1" }, annotations: {} });
    });

    it("values are checked key by key", () => {
        assert.deepEqual(
            configProblems(
                obs({
                    tracing: { endpoint: "otlp.example.com", protocol: "http", semconv: "genai", samplingRate: 150, envoy: { host: "http://collector:4317", port: 0 } },
                    accessLog: { format: "jsonl" },
                    metrics: { prometheus: "yes", serviceMonitorLabels: { release: 1 } },
                    dashboard: { namespace: "Monitoring" },
                    logs: {},
                }),
            ),
            [
                'observability.tracing.endpoint: is not a URL; use e.g. https://otlp.example.com',
                'observability.tracing.protocol: "http" is not allowed; use one of "grpc", "http/protobuf"',
                'observability.tracing.semconv: "genai" is not allowed; did you mean "gen_ai"?',
                "observability.tracing.samplingRate: is above 100; use a whole percentage from 0 to 100",
                'observability.tracing.envoy.host: "http://collector:4317" is a URL, a host name belongs here; use "collector" (and set port/prefix separately)',
                "observability.tracing.envoy.port: is out of range; use a port from 1 to 65535",
                'observability.accessLog.format: "jsonl" is not allowed; did you mean "json"?',
                "observability.metrics.prometheus: must be true or false, got string \"yes\"; change it to true or false",
                "observability.metrics.serviceMonitorLabels.release: must be a string, got number 1; change it to a string",
                "observability.dashboard.namespace: is not a DNS-1123 label; use lower-case letters, digits and '-', starting and ending with a letter or digit",
                'observability.logs: unknown key; use one of "tracing", "accessLog", "metrics", "dashboard"',
            ],
        );
        assert.deepEqual(configProblems(obs({ tracing: { endpoint: collector, samplingRate: 2.5 } })), [
            "observability.tracing.samplingRate: must be a whole number, got number 2.5; change it to a whole number",
        ]);
    });

    it("the headers secret must be in ai-gateway:apiKeys", () => {
        assert.deepEqual(configProblems(obs({ tracing: { ...saasTracing, headersSecret: "otpl" } }, OTLP)), [
            `observability.tracing.headersSecret: names secret "otpl", which is not in ai-gateway:apiKeys (did you mean "otlp"?); run: pulumi config set --secret --path 'apiKeys.otpl' <value>`,
        ]);
    });
});

describe("config: observability rules", () => {
    it("Envoy's tracer, when asked for, needs a collector it can reach over plain OTLP/gRPC", () => {
        const on = { enabled: true };
        const fix = "set the host of an OpenTelemetry collector Envoy reaches over OTLP/gRPC without TLS (port 4317), or set envoy.enabled: false";
        assert.deepEqual(configProblems(obs({ tracing: { endpoint: "https://otlp.example.com", protocol: "grpc", envoy: on } })), [
            `observability.tracing.envoy.host: is required with envoy.enabled: true: Envoy's tracer cannot use TLS, and the endpoint https://otlp.example.com does; ${fix}`,
        ]);
        assert.deepEqual(configProblems(obs({ tracing: { endpoint: "http://otel-collector.monitoring:4318", envoy: on } })), [
            `observability.tracing.envoy.host: is required with envoy.enabled: true: Envoy's tracer speaks OTLP/gRPC only, and the endpoint's protocol is http/protobuf; ${fix}`,
        ]);
        assert.deepEqual(configProblems(obs({ tracing: { ...grpcTracing, headersSecret: "otlp", envoy: on } }, OTLP)), [
            `observability.tracing.envoy.host: is required with envoy.enabled: true: Envoy's tracer cannot send the auth headers of tracing.headersSecret; ${fix}`,
        ]);
        for (const ok of [grpcTracing, saasTracing, { endpoint: "https://otlp.example.com", envoy: { enabled: false } }, { endpoint: "https://otlp.example.com", headersSecret: "otlp" }]) {
            assert.doesNotThrow(() => parseConfig(obs({ tracing: ok }, OTLP)), JSON.stringify(ok));
        }
    });

    it("what observability builds needs the EnvoyProxy and the GatewayConfig", () => {
        const off = { gateway: { envoyProxy: { enabled: false }, gatewayConfig: { enabled: false } } };
        assert.deepEqual(configProblems(obs({ tracing: grpcTracing, accessLog: {}, metrics: {} }, off)), [
            "observability.tracing: configures the extProc through the GatewayConfig, but gateway.gatewayConfig.enabled is false; set it to true, or remove observability.tracing",
            "observability.tracing.envoy: is built into the EnvoyProxy, but gateway.envoyProxy.enabled is false; set it to true, or set observability.tracing.envoy.enabled: false",
            "observability.accessLog: is built into the EnvoyProxy, but gateway.envoyProxy.enabled is false; set it to true, or remove observability.accessLog",
            "observability.metrics: is built into the EnvoyProxy, but gateway.envoyProxy.enabled is false; set it to true, or remove observability.metrics",
        ]);
        assert.doesNotThrow(() => parseConfig(obs({ dashboard: {} }, off)), "the dashboard needs neither");
    });

    it("a telemetry section, extProc variable or scrape annotation set in both places is an error naming both", () => {
        const gateway = {
            envoyProxy: {
                telemetry: { accessLog: { disable: true }, metrics: {}, tracing: { provider: { type: "OpenTelemetry", host: "x" } } },
                pod: { annotations: { "prometheus.io/port": "9090", team: "ai" } },
            },
            gatewayConfig: { extProc: { env: [{ name: "OTEL_SERVICE_NAME", value: "x" }, { name: "OPENINFERENCE_HIDE_INPUTS", value: "true" }] } },
        };
        assert.deepEqual(configProblems(obs({ tracing: grpcTracing, accessLog: {}, metrics: {} }, { gateway })), [
            'gateway.gatewayConfig.extProc.env[0].name: "OTEL_SERVICE_NAME" is set by observability.tracing; remove it here, or remove observability.tracing',
            "gateway.envoyProxy.telemetry.tracing: is also built from observability.tracing.envoy; keep one of them: remove this section, or set observability.tracing.envoy.enabled: false",
            "gateway.envoyProxy.telemetry.accessLog: is also built from observability.accessLog; keep one of them: remove this section, or remove observability.accessLog",
            "gateway.envoyProxy.telemetry.metrics: is also built from observability.metrics; keep one of them: remove this section, or remove observability.metrics",
            'gateway.envoyProxy.pod.annotations["prometheus.io/port"]: is set by observability.metrics; remove it here, or remove observability.metrics',
        ]);
        assert.doesNotThrow(() => parseConfig({ gateway }), "without observability the gateway's own sections pass through");
    });

    it("OTLP headers never as a literal value, with or without observability", () => {
        const env = [{ name: "OTEL_EXPORTER_OTLP_HEADERS", value: "Authorization=Bearer leaked" }];
        const traces = [{ name: "OTEL_EXPORTER_OTLP_TRACES_HEADERS", value: "x-api-key=leaked" }];
        const fix = "puts OTLP credentials into the stack file as plain text; store them as a secret (pulumi config set --secret --path 'apiKeys.otlp' <value>) and set observability.tracing.headersSecret: otlp";
        assert.deepEqual(configProblems({ gateway: { gatewayConfig: { extProc: { env } }, envoyProxy: { env: traces } } }), [
            `gateway.gatewayConfig.extProc.env[0].value: ${fix}`,
            `gateway.envoyProxy.env[0].value: ${fix}`,
        ]);
        const fromSecret = [{ name: "OTEL_EXPORTER_OTLP_HEADERS", valueFrom: { secretKeyRef: { name: "otlp", key: "headers" } } }];
        assert.doesNotThrow(() => parseConfig({ gateway: { gatewayConfig: { extProc: { env: fromSecret } } } }));
    });

    it("metrics: the ServiceMonitor scrapes Prometheus endpoints, its labels need it, per-user labels need the installed controller", () => {
        assert.deepEqual(configProblems(obs({ metrics: { prometheus: false, serviceMonitor: true }, dashboard: {} })), [
            "observability.metrics.serviceMonitor: scrapes Envoy's Prometheus endpoint, which prometheus: false turns off; set prometheus: true, or serviceMonitor: false",
            "observability.dashboard: reads Envoy's Prometheus metrics, which observability.metrics.prometheus: false turns off; set prometheus: true, or dashboard.enabled: false",
        ]);
        assert.deepEqual(configProblems(obs({ metrics: { serviceMonitorLabels: { release: "kps" } } })), [
            "observability.metrics.serviceMonitorLabels: are only used with serviceMonitor: true; set serviceMonitor: true, or remove them",
        ]);
        assert.deepEqual(configProblems(obs({ metrics: {} }, { platform: { aiGateway: { install: false } }, rateLimit: { userHeader: "x-team" } })), [
            'observability.metrics.perUser: needs the AI Gateway controller setting metricsRequestHeaderAttributes, which the program sets only on an AI Gateway it installs (platform.aiGateway.install is false); set perUser: false, and set controller.metricsRequestHeaderAttributes: "x-team:user.id" on your installation',
        ]);
        assert.doesNotThrow(() => parseConfig(obs({ metrics: { perUser: false } }, { platform: { aiGateway: { install: false } } })));
        assert.doesNotThrow(() => parseConfig(obs({ metrics: { prometheus: false }, dashboard: { enabled: false } })));
    });
});

describe("observability builders: extProc tracing env", () => {
    const env = (raw: Record<string, unknown>, rest: Record<string, unknown> = {}) => {
        const c = parseConfig(obs({ tracing: raw }, rest));
        return extProcTracingEnv(c.observability.tracing!, c.gateway);
    };

    it("endpoint, protocol, service name and semantic convention; headers from the Secret by secretKeyRef", () => {
        assert.deepEqual(env({ ...saasTracing, serviceName: "llm-gateway", semconv: "gen_ai" }, OTLP), [
            { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "https://otlp.example.com" },
            { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "http/protobuf" },
            { name: "OTEL_EXPORTER_OTLP_HEADERS", valueFrom: { secretKeyRef: { name: "ai-gateway-ai-gateway-otlp-headers", key: "headers" } } },
            { name: "OTEL_SERVICE_NAME", value: "llm-gateway" },
            { name: "AI_GATEWAY_TRACING_SEMCONV", value: "gen_ai" },
        ]);
    });

    it("no headers without a headers secret; a sampling rate becomes a parent-based ratio sampler", () => {
        assert.deepEqual(env({ ...grpcTracing, samplingRate: 10 }), [
            { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: collector },
            { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "grpc" },
            { name: "OTEL_SERVICE_NAME", value: "ai-gateway" },
            { name: "AI_GATEWAY_TRACING_SEMCONV", value: "openinference" },
            { name: "OTEL_TRACES_SAMPLER", value: "parentbased_traceidratio" },
            { name: "OTEL_TRACES_SAMPLER_ARG", value: "0.1" },
        ]);
    });
});

describe("observability builders: Envoy tracing", () => {
    const tracing = (raw: Record<string, unknown>) => parseConfig(obs({ tracing: raw }, OTLP)).observability.tracing!;

    it("a plain gRPC endpoint is Envoy's collector too; otherwise tracing.envoy names it", () => {
        assert.deepEqual(envoyTracingCollector(tracing(grpcTracing)), { host: "otel-collector.monitoring", port: 4317 });
        assert.deepEqual(envoyTracingCollector(tracing({ endpoint: "http://collector", protocol: "grpc" })), { host: "collector", port: 4317 });
        assert.deepEqual(envoyTracingCollector(tracing({ ...saasTracing, envoy: { host: "jaeger.tracing", port: 14317 } })), { host: "jaeger.tracing", port: 14317 });
    });

    it("the EnvoyProxy tracing section: OpenTelemetry provider, service <name>-envoy, the same sampling rate", () => {
        const c = parseConfig(obs({ tracing: { ...grpcTracing, samplingRate: 25 } }));
        const built = gatewayObservability(c.observability, GATEWAY, { userHeader: "x-user-id", auth: {} });
        // backendRefs, not the deprecated host/port: a Backend beside the EnvoyProxy reaches the collector.
        assert.deepEqual(built.telemetry, {
            tracing: {
                provider: { type: "OpenTelemetry", backendRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: "ai-gateway-tracing", port: 4317 }], serviceName: "ai-gateway-envoy" },
                samplingRate: 25,
            },
        });
        assert.deepEqual(built.tracingBackend, {
            apiVersion: "gateway.envoyproxy.io/v1alpha1",
            kind: "Backend",
            metadata: { name: "ai-gateway-tracing", namespace: GATEWAY.namespace },
            spec: { endpoints: [{ fqdn: { hostname: "otel-collector.monitoring", port: 4317 } }] },
        });
        const off = parseConfig(obs({ tracing: { ...saasTracing, envoy: { enabled: false } } }, OTLP));
        assert.deepEqual(gatewayObservability(off.observability, GATEWAY, { userHeader: "x-user-id", auth: {} }).telemetry, {}, "envoy.enabled: false → extProc only");
    });

    it("unset, Envoy traces only when it can reach the collector (the contract's HTTPS example traces the extProc only)", () => {
        const contract = parseConfig(obs({ tracing: { endpoint: "https://otlp.example.com", serviceName: "ai-gateway", protocol: "http/protobuf", headersSecret: "otlp" }, accessLog: {} }, OTLP));
        const built = gatewayObservability(contract.observability, GATEWAY, { userHeader: "x-user-id", auth: {} });
        assert.deepEqual(Object.keys(built.telemetry), ["accessLog"]);
        assert.equal(built.telemetry.accessLog?.settings?.[0].format?.json?.trace_id, undefined);
        assert.ok(built.extProcEnv.some((e) => e.name === "OTEL_EXPORTER_OTLP_HEADERS"));
        const ownTracing = { envoyProxy: { telemetry: { tracing: { provider: { type: "OpenTelemetry", backendRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: "otlp", port: 443 }] } } } } };
        assert.doesNotThrow(() => parseConfig(obs(contract.observability, { ...OTLP, gateway: ownTracing })), "then the gateway's own tracing section is no conflict");
    });
});

describe("observability builders: access log", () => {
    const built = (c: StackConfig) => gatewayObservability(c.observability, c.gateway, { userHeader: c.rateLimit.userHeader, auth: c.auth }).telemetry.accessLog;

    it("JSON to stdout: model, backend, override, tokens from io.envoy.ai_gateway, user header, status and duration", () => {
        const log = built(parseConfig(obs({ accessLog: {} }, { rateLimit: { userHeader: "x-team-user" } })));
        assert.deepEqual(log, {
            settings: [
                {
                    format: {
                        type: "JSON",
                        json: {
                            start_time: "%START_TIME%",
                            method: "%REQ(:METHOD)%",
                            path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
                            protocol: "%PROTOCOL%",
                            status: "%RESPONSE_CODE%",
                            response_flags: "%RESPONSE_FLAGS%",
                            duration_ms: "%DURATION%",
                            upstream_service_time_ms: "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%",
                            request_id: "%REQ(X-REQUEST-ID)%",
                            authority: "%REQ(:AUTHORITY)%",
                            upstream_host: "%UPSTREAM_HOST%",
                            model: "%REQ(x-ai-eg-model)%",
                            backend: "%DYNAMIC_METADATA(io.envoy.ai_gateway:backend_name)%",
                            model_override: "%DYNAMIC_METADATA(io.envoy.ai_gateway:model_name_override)%",
                            response_model: "%DYNAMIC_METADATA(io.envoy.ai_gateway:response_model)%",
                            input_tokens: "%DYNAMIC_METADATA(io.envoy.ai_gateway:llm_input_token)%",
                            output_tokens: "%DYNAMIC_METADATA(io.envoy.ai_gateway:llm_output_token)%",
                            total_tokens: "%DYNAMIC_METADATA(io.envoy.ai_gateway:llm_total_token)%",
                            cached_input_tokens: "%DYNAMIC_METADATA(io.envoy.ai_gateway:llm_cached_input_token)%",
                            user: "%REQ(x-team-user)%",
                        },
                    },
                    sinks: [{ type: "File", file: { path: "/dev/stdout" } }],
                },
            ],
        });
    });

    it("the JWT subject when auth maps the sub claim to a header; the trace id when Envoy traces", () => {
        const jwt = { issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/jwks.json", userClaim: "sub", claimToHeaders: [{ claim: "tenant", header: "x-tenant" }, { claim: "sub", header: "x-jwt-sub" }] };
        const fields = accessLogFields({ userHeader: "x-user-id", auth: { jwt } }, true);
        assert.equal(fields.jwt_subject, "%REQ(x-jwt-sub)%");
        assert.equal(fields.trace_id, "%TRACE_ID%");
        const noSub = accessLogFields({ userHeader: "x-user-id", auth: { jwt: { ...jwt, claimToHeaders: [] } } }, false);
        assert.deepEqual([noSub.jwt_subject, noSub.trace_id], [undefined, undefined]);
        const c = parseConfig(obs({ tracing: grpcTracing, accessLog: {} }));
        assert.equal(built(c)?.settings?.[0].format?.json?.trace_id, "%TRACE_ID%");
    });

    it("text: the same fields as key=value pairs, one line per request", () => {
        const log = built(parseConfig(obs({ accessLog: { format: "text" } })));
        const format = log?.settings?.[0].format;
        assert.equal(format?.type, "Text");
        assert.match(format?.text ?? "", /^start_time=%START_TIME% method=%REQ\(:METHOD\)% .* model=%REQ\(x-ai-eg-model\)% .* user=%REQ\(x-user-id\)%\n$/);
    });
});

describe("observability builders: metrics", () => {
    it("Prometheus on, with Envoy's scrape annotations (port 19001); off without annotations", () => {
        const on = gatewayObservability(parseConfig(obs({ metrics: {} })).observability, GATEWAY, { userHeader: "x-user-id", auth: {} });
        assert.deepEqual(on.telemetry, { metrics: { prometheus: { disable: false } } });
        assert.deepEqual(on.podAnnotations, { "prometheus.io/scrape": "true", "prometheus.io/port": "19001", "prometheus.io/path": "/stats/prometheus" });
        const off = gatewayObservability(parseConfig(obs({ metrics: { prometheus: false } })).observability, GATEWAY, { userHeader: "x-user-id", auth: {} });
        assert.deepEqual([off.telemetry, off.podAnnotations], [{ metrics: { prometheus: { disable: true } } }, {}]);
    });

    it("nothing at all without observability", () => {
        assert.deepEqual(gatewayObservability(parseConfig({}).observability, GATEWAY, { userHeader: "x-user-id", auth: {} }), { telemetry: {}, podAnnotations: {}, extProcEnv: [] });
    });
});

describe("dashboard builder", () => {
    const dashboard = (perUser = true) => gatewayDashboard({ gateway: GATEWAY, perUser });
    /** Functions, aggregations and keywords of PromQL the dashboard may use; any other word must be a metric. */
    const PROMQL = new Set(["sum", "rate", "histogram_quantile", "topk", "by"]);

    /** The metric names an expression reads, found without the builder's help. */
    function metricsOf(expr: string): string[] {
        const bare = expr
            .replace(/"(?:[^"\\]|\\.)*"/g, '""')
            .replace(/\{[^}]*\}/g, " ")
            .replace(/\[[^\]]*\]/g, " ")
            .replace(/\bby\s*\([^)]*\)/g, " ");
        return (bare.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? []).filter((w) => !PROMQL.has(w));
    }
    /** Labels an expression matches on or groups by. */
    function labelsOf(expr: string): string[] {
        const matchers = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((x) => x[1]));
        const grouping = [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => m[1].split(",").map((l) => l.trim()));
        return [...matchers, ...grouping];
    }

    it("is JSON that parses back to itself, schemaVersion 39, with a Prometheus datasource variable", () => {
        const d = dashboard();
        const parsed = JSON.parse(JSON.stringify(d)) as typeof d;
        assert.deepEqual(parsed, d);
        assert.equal(parsed.schemaVersion, 39);
        assert.equal(parsed.uid, "ai-gateway-ai-gateway-ai-gateway");
        assert.ok(parsed.uid.length <= 40);
        assert.deepEqual(parsed.templating.list.map((v) => [v.name, v.type, v.query]), [["datasource", "datasource", "prometheus"]]);
        for (const p of parsed.panels) {
            assert.equal(p.datasource.uid, "${datasource}", p.title);
            assert.ok(p.gridPos.x + p.gridPos.w <= 24, p.title);
        }
        assert.deepEqual(new Set(parsed.panels.map((p) => p.id)).size, parsed.panels.length, "panel ids are unique");
    });

    it("every query reads only metrics the gateway exposes, and only their labels", () => {
        const known = new Set(Object.keys(GATEWAY_METRICS));
        const exprs = dashboardExpressions(dashboard());
        assert.ok(exprs.length >= 10);
        for (const expr of exprs) {
            const metrics = metricsOf(expr);
            assert.ok(metrics.length > 0, expr);
            for (const m of metrics) assert.ok(known.has(m), `${m} is not in GATEWAY_METRICS: ${expr}`);
            const labels = new Set<string>(metrics.flatMap((m) => [...GATEWAY_METRICS[m as keyof typeof GATEWAY_METRICS]]));
            for (const l of labelsOf(expr)) assert.ok(labels.has(l), `label ${l} is not a label of ${metrics.join(", ")}: ${expr}`);
        }
    });

    it("the known metrics are Envoy's and the AI Gateway's Prometheus names", () => {
        assert.deepEqual(Object.keys(GATEWAY_METRICS).sort(), [
            "envoy_cluster_ratelimit_over_limit",
            "envoy_cluster_upstream_rq_retry",
            "envoy_cluster_upstream_rq_retry_success",
            "envoy_http_downstream_rq_time_bucket",
            "envoy_http_downstream_rq_total",
            "envoy_http_downstream_rq_xx",
            "gen_ai_client_token_usage_sum",
            "gen_ai_server_request_duration_seconds_bucket",
            "gen_ai_server_time_to_first_token_seconds_bucket",
        ]);
    });

    it("shows requests and errors by status, latency percentiles, tokens by model and user, 429s and retries", () => {
        const panels = dashboard().panels;
        const expr = (title: string) => {
            const p = panels.find((x) => x.title === title);
            assert.ok(p, `no panel ${title}; panels: ${panels.map((x) => x.title).join(", ")}`);
            return p.targets.map((t) => t.expr);
        };
        assert.match(expr("Requests by status")[0], /sum by \(envoy_response_code_class\) \(rate\(envoy_http_downstream_rq_xx/);
        assert.match(expr("Errors (5xx)")[0], /envoy_response_code_class="5"/);
        assert.deepEqual(expr("Latency").map((e) => e.slice(0, 23)), ["histogram_quantile(0.5,", "histogram_quantile(0.95", "histogram_quantile(0.99"]);
        assert.match(expr("Tokens by model")[0], /sum by \(gen_ai_original_model, gen_ai_request_model, gen_ai_token_type\) \(rate\(gen_ai_client_token_usage_sum\{gen_ai_token_type=~"input\|output"\}/);
        assert.match(expr("Tokens by user (top 10)")[0], /^topk\(10, sum by \(user_id\)/);
        assert.match(expr("Rate-limited requests (429) by route")[0], /envoy_cluster_ratelimit_over_limit/);
        assert.match(expr("Retries and fallbacks by route")[0], /envoy_cluster_upstream_rq_retry\{envoy_cluster_name=~"httproute\/\.\*"\}/);
        assert.match(expr("LLM request duration by model (p95)")[0], /gen_ai_server_request_duration_seconds_bucket/);
    });

    it("without per-user metrics there is no per-user panel", () => {
        assert.ok(!dashboard(false).panels.some((p) => p.title.startsWith("Tokens by user")));
        assert.ok(!dashboardExpressions(dashboard(false)).some((e) => e.includes("user_id")));
    });
});

describe("observability in the gateway's EnvoyProxy and GatewayConfig (one object each)", () => {
    it("telemetry sections, scrape annotations and extProc env are merged with the gateway's own settings", async () => {
        const e = await evaluate(
            obs(
                { tracing: grpcTracing, accessLog: {}, metrics: {} },
                {
                    gateway: {
                        envoyProxy: { pod: { annotations: { team: "ai" } } },
                        gatewayConfig: { extProc: { env: [{ name: "OPENINFERENCE_HIDE_INPUTS", value: "true" }] } },
                    },
                },
            ),
        );
        assert.equal(e.objects("EnvoyProxy").length, 1);
        assert.equal(e.objects("GatewayConfig").length, 1);
        const proxy = e.object("EnvoyProxy", "ai-gateway").spec as EnvoyProxySpec;
        assert.deepEqual(Object.keys(proxy.telemetry ?? {}).sort(), ["accessLog", "metrics", "tracing"]);
        assert.deepEqual(proxy.provider?.kubernetes?.envoyDeployment?.pod?.annotations, {
            team: "ai",
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "19001",
            "prometheus.io/path": "/stats/prometheus",
        });
        const env = (e.object("GatewayConfig", "ai-gateway-config").spec as GatewayConfigSpec).extProc?.kubernetes?.env ?? [];
        assert.deepEqual(env.map((v) => v.name), [
            "OPENINFERENCE_HIDE_INPUTS",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "OTEL_SERVICE_NAME",
            "AI_GATEWAY_TRACING_SEMCONV",
        ]);
    });

    it("a section observability does not build passes through next to those it builds", async () => {
        const own = { metrics: { enableVirtualHostStats: true } };
        const e = await evaluate(obs({ accessLog: {} }, { gateway: { envoyProxy: { telemetry: own } } }));
        const telemetry = (e.object("EnvoyProxy", "ai-gateway").spec as EnvoyProxySpec).telemetry;
        assert.deepEqual(telemetry?.metrics, own.metrics);
        assert.equal(telemetry?.accessLog?.settings?.[0].format?.type, "JSON");
    });

    it("without observability the EnvoyProxy and GatewayConfig are what the gateway config says", () => {
        const c = parseConfig({});
        const built = gatewayCoreManifests(c.gateway, "x", gatewayObservability(c.observability, c.gateway, { userHeader: "x-user-id", auth: {} }));
        assert.deepEqual(built, gatewayCoreManifests(c.gateway, "x"));
    });
});

describe("Observability component: the OTLP headers Secret", () => {
    const TOKEN = "known-otlp-token-0123";
    const SECRET = "kubernetes:core/v1:Secret";

    it("the headers reach the extProc only through a Secret next to the Envoy pods and a secretKeyRef", async () => {
        const e = await evaluate(obs({ tracing: saasTracing }, OTLP));
        const secret = e.get(SECRET, "observability-otlp-headers");
        assert.equal(secret.parent, "observability");
        const metadata = secret.inputs.metadata as { name: string; namespace: string };
        assert.deepEqual([metadata.name, metadata.namespace], ["ai-gateway-ai-gateway-otlp-headers", "envoy-gateway-system"]);
        assert.deepEqual(redactSecrets(secret.inputs.stringData), { headers: "[secret]" });
        assert.ok(isSecretValue(secret.inputs.stringData), "stringData is a secret value");

        const env = (e.object("GatewayConfig", "ai-gateway-config").spec as GatewayConfigSpec).extProc?.kubernetes?.env ?? [];
        assert.deepEqual(env.find((v) => v.name === "OTEL_EXPORTER_OTLP_HEADERS"), {
            name: "OTEL_EXPORTER_OTLP_HEADERS",
            valueFrom: { secretKeyRef: { name: metadata.name, key: "headers" } },
        });
        assert.ok(e.get("kubernetes:aigateway.envoyproxy.io/v1beta1:GatewayConfig", "gateway-core-config").dependsOn.includes("observability-otlp-headers"), "the GatewayConfig waits for the Secret");
        assert.ok(secret.dependsOn.includes("envoy-gateway-release"), "the Secret waits for the release that creates its namespace");
    });

    it("the token appears nowhere but in that Secret's stringData, as a secret", async () => {
        const e = await evaluate(obs({ tracing: saasTracing, accessLog: {}, metrics: { serviceMonitor: true }, dashboard: {} }, OTLP));
        for (const r of e.resources) {
            assert.ok(!JSON.stringify(redactSecrets(r.inputs)).includes(TOKEN), `${r.type} ${r.name} shows the token`);
            const raw = JSON.stringify(r.inputs);
            if (raw.includes(TOKEN)) assert.deepEqual([r.type, r.name], [SECRET, "observability-otlp-headers"], `${r.type} ${r.name} holds the token`);
        }
        assert.ok(JSON.stringify(e.get(SECRET, "observability-otlp-headers").inputs).includes(TOKEN), "the Secret does hold it");
        assert.ok(!JSON.stringify(e.outputs).includes(TOKEN), "no stack output carries it");
    });

    it("in GatewayNamespace mode the Envoy pods, and so the Secret, are in the gateway namespace", async () => {
        const values = { config: { envoyGateway: { provider: { type: "Kubernetes", kubernetes: { deploy: { type: "GatewayNamespace" } } } } } };
        const e = await evaluate(obs({ tracing: saasTracing }, { ...OTLP, platform: { envoyGateway: { values } } }));
        const secret = e.get(SECRET, "observability-otlp-headers");
        assert.equal((secret.inputs.metadata as { namespace: string }).namespace, "ai-gateway");
        assert.ok(secret.dependsOn.includes("gateway-core-namespace"));
        assert.equal(envoyPodsNamespace({ namespace: "envoy-gateway-system", values }, "ai-gateway"), "ai-gateway");
        assert.equal(envoyPodsNamespace({ namespace: "envoy-gateway-system", values: {} }, "ai-gateway"), "envoy-gateway-system");
    });

    it("no headers secret, no Secret; nothing to create, no component", async () => {
        const e = await evaluate(obs({ tracing: grpcTracing, accessLog: {}, metrics: {} }));
        assert.equal(e.all("ai-gateway:observability:Observability").length, 0);
        assert.equal(e.all(SECRET).filter((s) => s.name.startsWith("observability")).length, 0);
    });
});

describe("Observability component: dashboard and ServiceMonitor", () => {
    const CONFIGMAP = "kubernetes:core/v1:ConfigMap";

    it("the dashboard is a ConfigMap labelled for the Grafana sidecar in the gateway namespace, after that namespace", async () => {
        const e = await evaluate(obs({ dashboard: {}, metrics: {} }));
        const cm = e.get(CONFIGMAP, "observability-dashboard");
        assert.equal(cm.parent, "observability");
        assert.deepEqual(cm.inputs.metadata, { name: "ai-gateway-dashboard", namespace: "ai-gateway", labels: { grafana_dashboard: "1" } });
        assert.ok(cm.dependsOn.includes("gateway-core-namespace"));
        const json = JSON.parse((cm.inputs.data as Record<string, string>)["ai-gateway.json"]) as { panels: { title: string }[] };
        assert.ok(json.panels.some((p) => p.title === "Tokens by user (top 10)"), "per-user panel with metrics.perUser");
    });

    it("namespace, labels and annotations are configurable; without per-user metrics no per-user panel", async () => {
        const e = await evaluate(obs({ dashboard: { namespace: "monitoring", labels: { grafana_dashboard: "ai" }, annotations: { grafana_folder: "AI" } } }));
        const cm = e.get(CONFIGMAP, "observability-dashboard");
        assert.deepEqual(cm.inputs.metadata, { name: "ai-gateway-dashboard", namespace: "monitoring", labels: { grafana_dashboard: "ai" }, annotations: { grafana_folder: "AI" } });
        const json = JSON.parse((cm.inputs.data as Record<string, string>)["ai-gateway.json"]) as { panels: { title: string }[] };
        assert.ok(!json.panels.some((p) => p.title.startsWith("Tokens by user")));
        const platformNamespace = await evaluate(obs({ dashboard: { namespace: "envoy-ai-gateway-system" } }));
        assert.ok(platformNamespace.get(CONFIGMAP, "observability-dashboard").dependsOn.includes("ai-gateway-release"), "a namespace the program creates is waited for");
        const off = await evaluate(obs({ dashboard: { enabled: false } }));
        assert.equal(off.all(CONFIGMAP).filter((c) => c.name.startsWith("observability")).length, 0);
    });

    it("a ServiceMonitor only when asked for: a headless Service over both metrics ports and two endpoints", async () => {
        assert.equal((await evaluate(obs({ metrics: {} }))).objects("ServiceMonitor").length, 0);
        const e = await evaluate(obs({ metrics: { serviceMonitor: true, serviceMonitorLabels: { release: "kube-prometheus-stack" } } }));
        const service = e.object("Service", "ai-gateway-ai-gateway-metrics");
        assert.deepEqual(service.spec, {
            clusterIP: "None",
            selector: { "gateway.envoyproxy.io/owning-gateway-name": "ai-gateway", "gateway.envoyproxy.io/owning-gateway-namespace": "ai-gateway" },
            ports: [
                { name: "envoy-metrics", port: 19001, targetPort: 19001 },
                { name: "extproc-metrics", port: 1064, targetPort: 1064 },
            ],
        });
        const monitor = e.object("ServiceMonitor", "ai-gateway-ai-gateway-metrics");
        assert.equal(monitor.apiVersion, "monitoring.coreos.com/v1");
        assert.deepEqual(monitor.metadata, { name: "ai-gateway-ai-gateway-metrics", namespace: "envoy-gateway-system", labels: { release: "kube-prometheus-stack" } });
        assert.deepEqual(monitor.spec, {
            selector: { matchLabels: (service.metadata as { labels: Record<string, string> }).labels },
            endpoints: [
                { port: "envoy-metrics", path: "/stats/prometheus" },
                { port: "extproc-metrics", path: "/metrics" },
            ],
        });
        // No platform release installs its CRD: it waits only for its Service.
        assert.deepEqual(e.get("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "observability-service-monitor").dependsOn, ["observability-metrics-service"]);
        assert.deepEqual(customResources(e).filter((o) => o.kind === "ServiceMonitor"), [], "not validated against the pinned CRDs");
    });
});

describe("per-user gen_ai metrics", () => {
    const values = (e: Evaluation) => e.get("kubernetes:helm.sh/v3:Release", "ai-gateway-release").inputs.values as { controller?: Record<string, unknown> };

    it("the AI Gateway controller adds the user header to the extProc's metrics as user.id", async () => {
        const e = await evaluate(obs({ metrics: {} }, { rateLimit: { userHeader: "x-team-user" } }));
        assert.deepEqual(controllerValuesBesideSeed(values(e)), { metricsRequestHeaderAttributes: "x-team-user:user.id" });
        assert.equal(controllerValuesBesideSeed(values(await evaluate(obs({ metrics: { perUser: false } })))), undefined);
        assert.equal(controllerValuesBesideSeed(values(await evaluate({}))), undefined);
    });

    it("platform.aiGateway.values still win", async () => {
        const own = { controller: { metricsRequestHeaderAttributes: "x-tenant:tenant.id" } };
        const e = await evaluate(obs({ metrics: {} }, { platform: { aiGateway: { values: own } } }));
        assert.deepEqual(controllerValuesBesideSeed(values(e)), own.controller);
    });
});

describe("stacks: observability", () => {
    it("prod traces (extProc with OTLP headers from the otlp secret, Envoy to its collector), logs JSON, exposes metrics and a dashboard", async () => {
        const e = await evaluate(stackFileConfig("prod"));
        const o = e.config.observability;
        assert.equal(o.tracing?.headersSecret, "otlp");
        assert.equal(o.accessLog?.format, "json");
        assert.equal(o.metrics?.prometheus, true);
        assert.equal(o.dashboard?.enabled, true);
        const telemetry = (e.object("EnvoyProxy", "ai-gateway").spec as EnvoyProxySpec).telemetry;
        assert.equal(telemetry?.accessLog?.settings?.[0].format?.type, "JSON");
        assert.equal(telemetry?.tracing?.provider.type, "OpenTelemetry");
        const env = (e.object("GatewayConfig", "ai-gateway-config").spec as GatewayConfigSpec).extProc?.kubernetes?.env ?? [];
        assert.ok(env.some((v) => v.name === "OTEL_EXPORTER_OTLP_HEADERS" && v.valueFrom?.secretKeyRef?.key === "headers"));
        assert.ok(env.some((v) => v.name === "OTEL_EXPORTER_OTLP_ENDPOINT"));
        e.get("kubernetes:core/v1:Secret", "observability-otlp-headers");
        e.get("kubernetes:core/v1:ConfigMap", "observability-dashboard");
    });
});
