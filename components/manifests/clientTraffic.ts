import type { ClientTrafficConfig } from "../../config/schema";
import type { ClientTrafficPolicySpec } from "../../specs";

/**
 * The ClientTrafficPolicy sections of `gateway.clientTraffic.clientIP`, `proxyProtocol`, `tcpKeepalive` and
 * `connectionLimit`; only configured sections appear. No Pulumi here.
 */
export type ClientConnectionSections = Pick<ClientTrafficPolicySpec, "clientIPDetection" | "proxyProtocol" | "tcpKeepalive">;

export function clientConnectionSections(ct: Pick<ClientTrafficConfig, "clientIP" | "proxyProtocol" | "tcpKeepalive">): ClientConnectionSections {
    const { clientIP, proxyProtocol, tcpKeepalive } = ct;
    const xff = clientIP?.xForwardedFor;
    return {
        ...(clientIP !== undefined && {
            clientIPDetection:
                xff !== undefined
                    ? { xForwardedFor: xff.trustedHops !== undefined ? { numTrustedHops: xff.trustedHops } : { trustedCIDRs: [...(xff.trustedCIDRs ?? [])] } }
                    : { customHeader: { name: clientIP.customHeader!.name, failClosed: clientIP.customHeader!.failClosed } },
        }),
        // `proxyProtocol`, never the deprecated `enableProxyProtocol`; `optional` only when said.
        ...(proxyProtocol !== undefined && { proxyProtocol: proxyProtocol.optional ? { optional: true } : {} }),
        ...(tcpKeepalive !== undefined && { tcpKeepalive: { idleTime: tcpKeepalive.idleTime, interval: tcpKeepalive.interval, probes: tcpKeepalive.probes } }),
    };
}

/** `connection.connectionLimit`, with only the fields that are set. */
export function connectionLimitSection(ct: Pick<ClientTrafficConfig, "connectionLimit">): NonNullable<ClientTrafficPolicySpec["connection"]>["connectionLimit"] {
    const limit = ct.connectionLimit;
    if (limit === undefined) return undefined;
    return Object.fromEntries(Object.entries(limit).filter(([, v]) => v !== undefined));
}
