import type { BackendConfig, ModelConfig } from "../../config/schema";
import type { LoadBalancer, TCPKeepalive } from "../../specs";

/**
 * Per-backend cluster settings (`backends.<b>.loadBalancer`, `backends.<b>.tcpKeepalive`, and the request
 * buffer, `backends.<b>.requestBuffer`) as sections of
 * the BackendTrafficPolicy on the route rule of each model that reaches the backend: Envoy Gateway builds
 * one cluster per route rule, so a model's backends share them (plan/rules/backendTraffic.ts makes
 * them agree). No Pulumi here.
 */
export interface BackendClusterSections {
    loadBalancer?: LoadBalancer;
    tcpKeepalive?: TCPKeepalive;
    /** `backends.<b>.requestBuffer`: a route setting, but it too applies per model rule. */
    requestBuffer?: { limit: string };
}

/** The LoadBalancer section of a backend; `hashOn: user` hashes the verified user header the gateway sets. */
export function loadBalancerSection(lb: NonNullable<BackendConfig["loadBalancer"]>, userHeader: string): LoadBalancer {
    const hash = lb.hashOn === undefined ? undefined : { type: "Header", header: { name: lb.hashOn === "user" ? userHeader : lb.hashOn.header } };
    const zone = lb.zoneAware;
    return {
        type: lb.type,
        ...(hash !== undefined && { consistentHash: hash }),
        ...(lb.slowStart !== undefined && { slowStart: { window: lb.slowStart } }),
        ...(zone !== undefined && {
            zoneAware: {
                preferLocal: {
                    ...(zone.minEndpoints !== undefined && { minEndpointsThreshold: zone.minEndpoints }),
                    ...(zone.percentage !== undefined && { percentageEnabled: zone.percentage }),
                },
            },
        }),
    };
}

/** The settings of one backend, or undefined when it has none. */
export function backendClusterSections(backend: Pick<BackendConfig, "loadBalancer" | "tcpKeepalive" | "requestBuffer">, userHeader: string): BackendClusterSections | undefined {
    const out: BackendClusterSections = {
        ...(backend.loadBalancer !== undefined && { loadBalancer: loadBalancerSection(backend.loadBalancer, userHeader) }),
        ...(backend.tcpKeepalive !== undefined && { tcpKeepalive: { idleTime: backend.tcpKeepalive.idleTime, interval: backend.tcpKeepalive.interval, probes: backend.tcpKeepalive.probes } }),
        ...(backend.requestBuffer !== undefined && { requestBuffer: { limit: backend.requestBuffer.limit } }),
    };
    return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The cluster sections of a model's rule: each section from the first of its backends that sets it (the
 * rules refuse backends of one model that set it differently), undefined when none sets anything.
 */
export function modelClusterSections(model: ModelConfig, sectionsOf: (backend: string) => BackendClusterSections | undefined): BackendClusterSections | undefined {
    const all = model.backends.map((b) => sectionsOf(b.backend)).filter((s) => s !== undefined);
    const loadBalancer = all.find((s) => s.loadBalancer !== undefined)?.loadBalancer;
    const tcpKeepalive = all.find((s) => s.tcpKeepalive !== undefined)?.tcpKeepalive;
    const requestBuffer = all.find((s) => s.requestBuffer !== undefined)?.requestBuffer;
    if (loadBalancer === undefined && tcpKeepalive === undefined && requestBuffer === undefined) return undefined;
    return { ...(loadBalancer && { loadBalancer }), ...(tcpKeepalive && { tcpKeepalive }), ...(requestBuffer && { requestBuffer }) };
}
