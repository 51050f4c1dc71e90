import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ObservabilityConfig } from "../config";
import { gatewayDashboard } from "./manifests/dashboard";
import { childName } from "../config/names";
import { metricsServiceLabels, metricsServiceName, metricsServiceSpec, serviceMonitorManifest } from "./manifests/observability";
import { OTLP_HEADERS_KEY, otlpHeadersSecretName } from "../plan/observability";
import type { GatewayRef } from "../plan/observability";
import type { MetricPrice } from "../plan/spendDashboard";
import { createCustomResource, PlatformReadiness } from "./customResource";

export interface ObservabilityArgs {
    config: ObservabilityConfig;
    gateway: GatewayRef;
    /** The OTLP auth headers (`tracing.headersSecret`), a secret. */
    otlpHeaders?: pulumi.Output<string>;
    /**
     * Where the Envoy pods run (the OTLP headers Secret and the metrics Service and ServiceMonitor go
     * there): its name, and the same name as an Output that resolves once the namespace exists.
     */
    envoyPodNamespace: { name: string; created: pulumi.Output<string> };
    /** Namespace of the dashboard ConfigMap, resolving once it exists. */
    dashboardNamespace: pulumi.Output<string>;
    /** Whether the gen_ai metrics carry the user label. */
    perUserMetrics: boolean;
    /** The prices the dashboard's spend panels use (the plan's dashboardPrices; none without a spend budget). */
    spendPrices?: readonly MetricPrice[];
    platform: PlatformReadiness;
}

/** Whether `ai-gateway:observability` needs objects of its own (beyond what goes into the EnvoyProxy and GatewayConfig). */
export function needsObservabilityObjects(config: ObservabilityConfig): boolean {
    return config.tracing?.headersSecret !== undefined || config.dashboard?.enabled === true || config.metrics?.serviceMonitor === true;
}

/**
 * What observability creates next to the gateway: the OTLP headers Secret the extProc env refers to, the
 * Grafana dashboard, and the metrics Service and ServiceMonitor when asked for.
 */
export class Observability extends pulumi.ComponentResource {
    /** The GatewayConfig waits for it: its env refers to the Secret. */
    public readonly otlpHeadersSecret: k8s.core.v1.Secret | undefined;
    public readonly dashboard: k8s.core.v1.ConfigMap | undefined;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:observability:Observability", name, {}, opts);
        const { config, gateway } = args;
        const podNamespace = args.envoyPodNamespace.created;
        const labels = { "app.kubernetes.io/part-of": "ai-gateway", "app.kubernetes.io/component": "tracing" };

        // The extProc runs as a sidecar in the Envoy pods, and a secretKeyRef in a container's env resolves
        // in the pod's namespace (not the GatewayConfig's): the Secret sits next to the Envoy pods.
        this.otlpHeadersSecret =
            config.tracing?.headersSecret !== undefined && args.otlpHeaders !== undefined
                ? new k8s.core.v1.Secret(
                      `${name}-otlp-headers`,
                      {
                          metadata: { name: otlpHeadersSecretName(gateway), namespace: podNamespace, labels },
                          type: "Opaque",
                          stringData: { [OTLP_HEADERS_KEY]: pulumi.secret(args.otlpHeaders) },
                      },
                      { parent: this },
                  )
                : undefined;

        const dashboard = config.dashboard;
        this.dashboard = dashboard?.enabled
            ? new k8s.core.v1.ConfigMap(
                  `${name}-dashboard`,
                  {
                      metadata: {
                          name: childName(gateway.name, "dashboard"),
                          namespace: args.dashboardNamespace,
                          labels: dashboard.labels,
                          ...(Object.keys(dashboard.annotations).length ? { annotations: dashboard.annotations } : {}),
                      },
                      data: { [`${gateway.name}.json`]: JSON.stringify(gatewayDashboard({ gateway, perUser: args.perUserMetrics, prices: args.spendPrices }), null, 2) },
                  },
                  { parent: this },
              )
            : undefined;

        if (config.metrics?.serviceMonitor) {
            const service = new k8s.core.v1.Service(
                `${name}-metrics-service`,
                {
                    metadata: { name: metricsServiceName(gateway), namespace: podNamespace, labels: metricsServiceLabels(gateway) },
                    spec: metricsServiceSpec(gateway),
                },
                { parent: this },
            );
            // After the Service, and so after its namespace.
            const monitor = serviceMonitorManifest(gateway, args.envoyPodNamespace.name, config.metrics.serviceMonitorLabels);
            createCustomResource(`${name}-service-monitor`, monitor, { parent: this, platform: args.platform, dependsOn: [service] });
        }

        this.registerOutputs({ otlpHeadersSecret: this.otlpHeadersSecret, dashboard: this.dashboard });
    }
}
