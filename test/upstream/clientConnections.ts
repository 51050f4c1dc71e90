/**
 * gateway.clientTraffic.clientIP, proxyProtocol, tcpKeepalive and connectionLimit in the xDS egctl
 * translates: what each Gateway listener does with the client's address and its connections.
 */
import { durationMillis } from "../../config/schema/primitives";
import { asList, asObj, connectionManagers, dig, durationMs, str, xdsOf } from "./expectations";
import type { Obj, UpstreamTranslation } from "./translate";

/** Linux socket option numbers Envoy sets for TCP keepalive: SOL_SOCKET/SO_KEEPALIVE, IPPROTO_TCP/TCP_KEEP*. */
const KEEPALIVE_OPTIONS = { enabled: "9", idleTime: "4", interval: "5", probes: "6" } as const;

export function clientConnectionProblems(t: UpstreamTranslation): string[] {
    const { name, namespace, clientTraffic: ct } = t.config.gateway;
    if (!ct.enabled) return [];
    const out: string[] = [];
    const xds = xdsOf(t);
    const listeners = xds.listeners.filter((l) => str(l.name).startsWith(`${namespace}/${name}/`));
    if (listeners.length === 0) return [`${t.label}: no listener of the Gateway in the xDS`];
    for (const l of listeners) {
        const at = `${t.label}: listener ${str(l.name)}`;
        const proxy = asList(l.listenerFilters).find((f) => f.name === "envoy.filters.listener.proxy_protocol");
        if ((proxy !== undefined) !== (ct.proxyProtocol !== undefined)) out.push(`${at}: proxy_protocol listener filter ${proxy ? "present" : "absent"}, config says proxyProtocol ${ct.proxyProtocol ? "on" : "off"}`);
        if (proxy && (dig(proxy, "typedConfig").allowRequestsWithoutProxyProtocol === true) !== (ct.proxyProtocol?.optional === true)) {
            out.push(`${at}: connections without a PROXY header ${ct.proxyProtocol?.optional ? "refused" : "accepted"}, config says optional ${String(ct.proxyProtocol?.optional)}`);
        }
        const options = new Map(asList(l.socketOptions).filter((o) => ["1", "6"].includes(str(o.level))).map((o) => [str(o.name), str(o.intValue)]));
        if (ct.tcpKeepalive) {
            const want = { enabled: "1", idleTime: String(durationMillis(ct.tcpKeepalive.idleTime) / 1000), interval: String(durationMillis(ct.tcpKeepalive.interval) / 1000), probes: String(ct.tcpKeepalive.probes) };
            for (const [k, option] of Object.entries(KEEPALIVE_OPTIONS)) {
                if (options.get(option) !== want[k as keyof typeof want]) out.push(`${at}: keepalive ${k} socket option is ${options.get(option) ?? "unset"}, config says ${want[k as keyof typeof want]}`);
            }
        } else if (options.has(KEEPALIVE_OPTIONS.enabled)) out.push(`${at}: TCP keepalive on, config sets no tcpKeepalive`);
        out.push(...chainProblems(at, l, ct));
    }
    for (const { listener, hcm } of connectionManagers(xds, namespace, name)) out.push(...addressProblems(`${t.label}: listener ${listener}`, hcm, ct));
    if (ct.clientIP !== undefined && t.config.auth.ipAllow !== undefined) {
        // The address lists must read the detected client address (SourceIPInput), not the connection's.
        for (const r of xds.routes.filter((x) => x.gateway === `${namespace}/${name}`)) {
            const inputs = [...JSON.stringify(dig(r.route, "typedPerFilterConfig", "envoy.filters.http.rbac")).matchAll(/network\.v3\.(\w+IPInput)/g)].map((m) => m[1]);
            if (inputs.length === 0 || inputs.some((i) => i !== "SourceIPInput")) out.push(`${t.label}: xDS route ${str(r.route.name)}: address lists read ${inputs.join(", ") || "nothing"}, expected the detected client address (SourceIPInput)`);
        }
    }
    return out;
}

/** The connection_limit network filter and the HTTP connection manager's limits. */
function chainProblems(at: string, listener: Obj, ct: UpstreamTranslation["config"]["gateway"]["clientTraffic"]): string[] {
    const out: string[] = [];
    const limit = ct.connectionLimit;
    for (const chain of [...asList(listener.filterChains), ...(listener.defaultFilterChain ? [asObj(listener.defaultFilterChain)] : [])]) {
        const filters = asList(chain.filters);
        const cl = filters.find((f) => f.name === "envoy.filters.network.connection_limit");
        if ((cl !== undefined) !== (limit?.value !== undefined)) out.push(`${at}: connection_limit filter ${cl ? "present" : "absent"}, config says value ${String(limit?.value)}`);
        if (cl && limit?.value !== undefined) {
            const c = dig(cl, "typedConfig");
            if (str(c.maxConnections) !== String(limit.value)) out.push(`${at}: maxConnections is ${str(c.maxConnections)}, config says ${limit.value}`);
            if (durationMs(c.delay) !== (limit.closeDelay === undefined ? undefined : durationMillis(limit.closeDelay))) out.push(`${at}: delay is ${str(c.delay)}, config says ${String(limit.closeDelay)}`);
        }
        for (const f of filters.filter((x) => x.name === "envoy.filters.network.http_connection_manager")) {
            const common = dig(f, "typedConfig", "commonHttpProtocolOptions");
            const field = (key: "maxConnectionDuration" | "maxStreamDuration", actual: unknown) => {
                const want = limit?.[key] === undefined ? undefined : durationMillis(limit[key]);
                if (durationMs(actual) !== want) out.push(`${at}: ${key} is ${str(actual)}, config says ${String(limit?.[key])}`);
            };
            field("maxConnectionDuration", common.maxConnectionDuration);
            field("maxStreamDuration", common.maxStreamDuration);
            if (common.maxRequestsPerConnection !== limit?.maxRequestsPerConnection) out.push(`${at}: maxRequestsPerConnection is ${str(common.maxRequestsPerConnection)}, config says ${String(limit?.maxRequestsPerConnection)}`);
        }
    }
    return out;
}

/** Where the connection manager takes the client's address from. */
function addressProblems(at: string, hcm: Obj, ct: UpstreamTranslation["config"]["gateway"]["clientTraffic"]): string[] {
    const detection = asList(hcm.originalIpDetectionExtensions);
    const xff = ct.clientIP?.xForwardedFor;
    const header = ct.clientIP?.customHeader;
    const problems: string[] = [];
    // Envoy Gateway writes trustedHops - 1 into the xff extension (Envoy counts the hop that connected
    // separately; envoyproxy/envoy#34241), which the xDS leaves out when it is 0.
    const xffExtension = detection.find((d) => d.name === "envoy.extensions.http.original_ip_detection.xff");
    if (xff?.trustedHops !== undefined) {
        const hops = Number(dig(xffExtension, "typedConfig").xffNumTrustedHops ?? 0) + 1;
        if (xffExtension === undefined || hops !== xff.trustedHops) problems.push(`${at}: the xff detection trusts ${xffExtension ? hops : "no"} hops, config says ${xff.trustedHops}`);
    }
    if (hcm.xffNumTrustedHops !== undefined) problems.push(`${at}: the connection manager's own xffNumTrustedHops is ${str(hcm.xffNumTrustedHops)}, where only the detection extension should count`);
    if ((xffExtension !== undefined) !== (xff !== undefined)) problems.push(`${at}: xff detection ${xffExtension ? "present" : "absent"}, config says ${JSON.stringify(xff ?? null)}`);
    const cidrs = detection.filter((d) => d.name === "envoy.extensions.http.original_ip_detection.xff").flatMap((d) => asList(dig(d, "typedConfig", "xffTrustedCidrs").cidrs).map((c) => `${str(c.addressPrefix)}/${str(c.prefixLen)}`));
    if (JSON.stringify(cidrs) !== JSON.stringify(xff?.trustedCIDRs ?? [])) problems.push(`${at}: trusted X-Forwarded-For ranges are [${cidrs.join(", ")}], config says [${(xff?.trustedCIDRs ?? []).join(", ")}]`);
    const custom = detection.find((d) => d.name === "envoy.extensions.http.original_ip_detection.custom_header");
    const c = dig(custom, "typedConfig");
    if ((custom !== undefined) !== (header !== undefined) || (header && (c.headerName !== header.name || (dig(c, "rejectWithStatus").code === "Forbidden") !== header.failClosed))) {
        problems.push(`${at}: custom-header detection is ${custom ? JSON.stringify(c) : "absent"}, config says ${JSON.stringify(header ?? null)}`);
    }
    return problems;
}
