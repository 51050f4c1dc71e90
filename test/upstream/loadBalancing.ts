/**
 * backends.<b>.loadBalancer, backends.<b>.tcpKeepalive and backends.<b>.requestBuffer in the xDS egctl
 * translates: each model's clusters balance and keep connections alive as its backends say, a hash reads
 * the header it names (the verified user header for `hashOn: user`), and its routes buffer request bodies
 * up to the configured size.
 */
import { backendClusterSections, modelClusterSections } from "../../components/manifests/backendTraffic";
import { ruleName } from "../../components/manifests/routes";
import { durationMillis, sizeBytes } from "../../config/schema/primitives";
import { guardrailRequestBuffer } from "../../plan/guardrails";
import { asList, dig, str, xdsOf } from "./expectations";
import type { Obj, UpstreamTranslation } from "./translate";

const POLICY_NAMES: Record<string, string> = {
    RoundRobin: "envoy.load_balancing_policies.round_robin",
    LeastRequest: "envoy.load_balancing_policies.least_request",
    Random: "envoy.load_balancing_policies.random",
    // Envoy Gateway's consistent hash is Maglev.
    ConsistentHash: "envoy.load_balancing_policies.maglev",
};

/** The clusters Envoy Gateway built for one rule (section) of one route. */
function ruleClusters(clusters: Iterable<Obj>, route: string, section: string): Obj[] {
    return [...clusters].filter((c) => asList(dig(c, "metadata", "filterMetadata", "envoy-gateway").resources).some((r) => r.kind === "HTTPRoute" && r.name === route && r.sectionName === section));
}

export function loadBalancingProblems(t: UpstreamTranslation): string[] {
    const { config } = t;
    const out: string[] = [];
    const xds = xdsOf(t);
    const routeOf = new Map<string, string>();
    for (const r of t.emitted.filter((o) => o.kind === "AIGatewayRoute")) {
        for (const rule of asList((r.spec as Obj | undefined)?.rules)) routeOf.set(str(rule.name), r.metadata.name);
    }
    for (const [model, m] of Object.entries(config.models)) {
        const route = routeOf.get(ruleName(model));
        if (route === undefined) continue;
        const want = modelClusterSections(m, (k) => (config.backends[k] === undefined || config.backends[k].inferencePool !== undefined ? undefined : backendClusterSections(config.backends[k], config.rateLimit.userHeader)));
        const clusters = ruleClusters(xds.clusters.values(), route, ruleName(model));
        const at = `${t.label}: model ${model}`;
        if (clusters.length === 0) {
            if (want !== undefined) out.push(`${at}: no cluster of rule ${ruleName(model)} of ${route} in the xDS`);
            continue;
        }
        for (const c of clusters) {
            const where = `${at}: cluster ${str(c.name)}`;
            const keepalive = dig(c, "upstreamConnectionOptions", "tcpKeepalive");
            const k = want?.tcpKeepalive;
            const wantKeepalive = k === undefined ? {} : { keepaliveTime: durationMillis(k.idleTime!) / 1000, keepaliveInterval: durationMillis(k.interval!) / 1000, keepaliveProbes: k.probes };
            if (JSON.stringify(keepalive) !== JSON.stringify(Object.keys(wantKeepalive).length === 0 ? {} : { keepaliveInterval: wantKeepalive.keepaliveInterval, keepaliveProbes: wantKeepalive.keepaliveProbes, keepaliveTime: wantKeepalive.keepaliveTime })) {
                out.push(`${where}: tcpKeepalive is ${JSON.stringify(keepalive)}, config says ${JSON.stringify(wantKeepalive)}`);
            }
            const lb = want?.loadBalancer;
            if (lb === undefined) continue;
            const policy = asList(dig(c, "loadBalancingPolicy").policies).map((p) => dig(p, "typedExtensionConfig"))[0];
            if (policy?.name !== POLICY_NAMES[lb.type]) out.push(`${where}: load balancing policy is ${str(policy?.name)}, config says ${lb.type}`);
            const typed = dig(policy, "typedConfig");
            const window = dig(typed, "slowStartConfig").slowStartWindow;
            if (window !== (lb.slowStart === undefined ? undefined : `${durationMillis(lb.slowStart.window) / 1000}s`)) out.push(`${where}: slow start window is ${str(window)}, config says ${str(lb.slowStart?.window)}`);
            const zone = dig(typed, "localityLbConfig", "zoneAwareLbConfig");
            const preferLocal = (lb.zoneAware as { preferLocal?: { minEndpointsThreshold?: number; percentageEnabled?: number } } | undefined)?.preferLocal;
            if (preferLocal !== undefined) {
                if (preferLocal.minEndpointsThreshold !== undefined && str(zone.minClusterSize) !== String(preferLocal.minEndpointsThreshold)) out.push(`${where}: zone-aware minClusterSize is ${str(zone.minClusterSize)}, config says ${preferLocal.minEndpointsThreshold}`);
                if (preferLocal.percentageEnabled !== undefined && dig(zone, "routingEnabled").value !== preferLocal.percentageEnabled) out.push(`${where}: zone-aware routing is ${str(dig(zone, "routingEnabled").value)}%, config says ${preferLocal.percentageEnabled}%`);
            } else if (Object.keys(zone).length > 0) out.push(`${where}: zone-aware routing on, config sets no zoneAware`);
        }
        // From the config itself, not from the builder under test.
        // With guardrails every model route buffers at the connection buffer's size (plan/guardrails.ts), a backend's own wins.
        const guardBuffer = Object.keys(config.guardrails).length > 0 ? guardrailRequestBuffer(config.gateway).limit : undefined;
        const configuredBuffer = m.backends.map((b) => config.backends[b.backend]?.requestBuffer?.limit).find((l) => l !== undefined) ?? guardBuffer;
        // The hash policy sits on the xDS routes of the rule.
        const hashed = (want?.loadBalancer?.consistentHash as { header?: { name: string } } | undefined)?.header?.name;
        const names = new Set(clusters.map((c) => c.name));
        const routedTo = (route: Obj) => [dig(route, "route").cluster, ...asList(dig(route, "route", "weightedClusters").clusters).map((c) => c.name)].filter((n) => typeof n === "string");
        for (const r of xds.routes.filter((x) => routedTo(x.route).some((n) => names.has(n)))) {
            const headers = asList(dig(r.route, "route").hashPolicy).map((h) => str(dig(h, "header").headerName).toLowerCase());
            const expected = hashed === undefined ? [] : [hashed.toLowerCase()];
            if (JSON.stringify(headers) !== JSON.stringify(expected)) out.push(`${at}: xDS route ${str(r.route.name)} hashes on [${headers.join(", ")}], config says [${expected.join(", ")}]`);
            // backends.<b>.requestBuffer: Envoy's buffer filter on the rule's xDS routes, at the configured size.
            const buffer = dig(r.route, "typedPerFilterConfig", "envoy.filters.http.buffer", "buffer").maxRequestBytes;
            const wantBuffer = configuredBuffer === undefined ? undefined : sizeBytes(configuredBuffer);
            if (buffer !== wantBuffer) out.push(`${at}: xDS route ${str(r.route.name)} buffers ${str(buffer)} request bytes, config says ${str(wantBuffer)}`);
        }
    }
    return out;
}
