import { envoyTracingCollector, envoyTracingTarget, extProcTracingEnv, metricsRequestHeaderAttributes, OTLP_HEADERS_ENV, scrapeAnnotations, tracingBackendName } from "../observability";
import { childName } from "../../config/names";
import { setSecretCommand } from "../../config/rules/secrets";
import type { Rule, RuleContext } from "../../config/rules/types";
import type { ParsedStackConfig } from "../../config/schema";

type Path = (string | number)[];
type TelemetrySection = "accessLog" | "metrics" | "tracing";

/**
 * `ai-gateway:observability` against `ai-gateway:gateway`: what observability builds goes into the
 * gateway's EnvoyProxy and GatewayConfig, so those must exist, and a setting both keys make is an error
 * naming both (never a silent winner).
 */
export const observabilitySettings: Rule = (config, ctx) => {
    noLiteralOtlpHeaders(config, ctx);
    const { tracing, accessLog, metrics, dashboard } = config.observability;
    const { gateway } = config;

    if (tracing) {
        if (!gateway.gatewayConfig.enabled) {
            ctx.add(["observability", "tracing"], "configures the extProc through the GatewayConfig, but gateway.gatewayConfig.enabled is false; set it to true, or remove observability.tracing");
        } else {
            const computed = new Set(extProcTracingEnv(tracing, gateway).map((e) => e.name));
            gateway.gatewayConfig.extProc.env.forEach((e, i) => {
                if (computed.has(e.name)) {
                    ctx.add(["gateway", "gatewayConfig", "extProc", "env", i, "name"], `"${e.name}" is set by observability.tracing; remove it here, or remove observability.tracing`);
                }
            });
        }
        const collector = envoyTracingCollector(tracing);
        if (tracing.envoy.enabled === true && "problem" in collector) {
            ctx.add(
                ["observability", "tracing", "envoy", "host"],
                `is required with envoy.enabled: true: ${collector.problem}; set the host of an OpenTelemetry collector Envoy reaches over OTLP/gRPC without TLS (port ${tracing.envoy.port}), or set envoy.enabled: false`,
            );
        } else if (envoyTracingTarget(tracing) !== undefined) {
            intoEnvoyProxy(config, ctx, "tracing", ["observability", "tracing", "envoy"], "set observability.tracing.envoy.enabled: false");
            // The collector's Backend shares the gateway namespace and naming with the model backends.
            const name = tracingBackendName(gateway.name);
            for (const backend of Object.keys(config.backends)) {
                if (childName(gateway.name, backend) === name) {
                    ctx.add(["backends", backend], `its Backend would be named "${name}", the name of the Backend Envoy sends traces to (observability.tracing.envoy); rename the backend`);
                }
            }
        }
    }

    if (accessLog) intoEnvoyProxy(config, ctx, "accessLog", ["observability", "accessLog"], "remove observability.accessLog");

    if (metrics) {
        intoEnvoyProxy(config, ctx, "metrics", ["observability", "metrics"], "remove observability.metrics");
        for (const key of Object.keys(scrapeAnnotations(metrics))) {
            if (gateway.envoyProxy.enabled && Object.hasOwn(gateway.envoyProxy.pod.annotations, key)) {
                ctx.add(["gateway", "envoyProxy", "pod", "annotations", key], "is set by observability.metrics; remove it here, or remove observability.metrics");
            }
        }
        const at = (...rest: Path): Path => ["observability", "metrics", ...rest];
        if (metrics.serviceMonitor && !metrics.prometheus) {
            ctx.add(at("serviceMonitor"), "scrapes Envoy's Prometheus endpoint, which prometheus: false turns off; set prometheus: true, or serviceMonitor: false");
        }
        if (!metrics.serviceMonitor && Object.keys(metrics.serviceMonitorLabels).length > 0) {
            ctx.add(at("serviceMonitorLabels"), "are only used with serviceMonitor: true; set serviceMonitor: true, or remove them");
        }
        if (metrics.perUser && !config.platform.aiGateway.install) {
            ctx.add(
                at("perUser"),
                `needs the AI Gateway controller setting metricsRequestHeaderAttributes, which the program sets only on an AI Gateway it installs (platform.aiGateway.install is false); set perUser: false, and set controller.metricsRequestHeaderAttributes: "${metricsRequestHeaderAttributes(config.rateLimit.userHeader)}" on your installation`,
            );
        }
    }

    if (dashboard?.enabled && metrics && !metrics.prometheus) {
        ctx.add(["observability", "dashboard"], "reads Envoy's Prometheus metrics, which observability.metrics.prometheus: false turns off; set prometheus: true, or dashboard.enabled: false");
    }
};

/** A telemetry section observability builds needs the EnvoyProxy, and must not be passed through as well. */
function intoEnvoyProxy(config: ParsedStackConfig, ctx: RuleContext, section: TelemetrySection, path: Path, fix: string): void {
    const proxy = config.gateway.envoyProxy;
    const key = path.join(".");
    if (!proxy.enabled) {
        ctx.add(path, `is built into the EnvoyProxy, but gateway.envoyProxy.enabled is false; set it to true, or ${fix}`);
        return;
    }
    if (proxy.telemetry[section] !== undefined) {
        ctx.add(["gateway", "envoyProxy", "telemetry", section], `is also built from ${key}; keep one of them: remove this section, or ${fix}`);
    }
}

/** OTLP credentials never sit in the stack file as plain text (one seed values file leaked a token this way). */
function noLiteralOtlpHeaders(config: ParsedStackConfig, ctx: RuleContext): void {
    const lists: [Path, { name: string; value?: string }[]][] = [
        [["gateway", "gatewayConfig", "extProc", "env"], config.gateway.gatewayConfig.extProc.env],
        [["gateway", "envoyProxy", "env"], config.gateway.envoyProxy.env],
    ];
    for (const [path, env] of lists) {
        env.forEach((e, i) => {
            if (OTLP_HEADERS_ENV.test(e.name) && e.value !== undefined) {
                ctx.add(
                    [...path, i, "value"],
                    `puts OTLP credentials into the stack file as plain text; store them as a secret (${setSecretCommand("otlp")}) and set observability.tracing.headersSecret: otlp`,
                );
            }
        });
    }
}
