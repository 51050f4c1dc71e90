import { envoyServiceType } from "../../config/schema";
import { durationMillis } from "../../config/schema/primitives";
import type { Rule } from "../../config/rules/types";

/**
 * The client-connection settings of `gateway.clientTraffic` (clientIP, proxyProtocol, tcpKeepalive,
 * connectionLimit), and what address `auth.ipAllow`/`ipDeny` see behind a load balancer.
 */
export const clientConnectionSettings: Rule = (config, ctx) => {
    const { clientTraffic } = config.gateway;
    const at = (key: string) => ["gateway", "clientTraffic", key];
    const set = (["clientIP", "proxyProtocol", "tcpKeepalive", "connectionLimit"] as const).filter((k) => clientTraffic[k] !== undefined);
    if (!clientTraffic.enabled) {
        for (const key of set) ctx.add(at(key), "does nothing while clientTraffic.enabled is false (the program creates no ClientTrafficPolicy to carry it); set enabled: true, or remove it");
        return;
    }

    const { ipAllow, ipDeny } = config.auth;
    const sourceKnown = clientTraffic.clientIP !== undefined || clientTraffic.proxyProtocol !== undefined;
    // Where externalTrafficPolicy Cluster hides client addresses, the client-auth rule warns already (naming both fixes).
    const nodeAddress = ipAllow !== undefined && config.gateway.envoyProxy.enabled && config.gateway.envoyProxy.service.externalTrafficPolicy !== "Local";
    if ((ipAllow !== undefined || ipDeny !== undefined) && !sourceKnown && !nodeAddress && envoyServiceType(config.gateway) === "LoadBalancer") {
        ctx.warn(
            ["auth", ipAllow !== undefined ? "ipAllow" : "ipDeny"],
            "is matched against the address of whatever connects to Envoy: behind an L7 load balancer (or an NLB with proxy protocol) that is the balancer's address, so the list would let everyone in or no one; if anything forwards requests to the gateway, set gateway.clientTraffic.clientIP (xForwardedFor or customHeader) or gateway.clientTraffic.proxyProtocol: true",
        );
    }

    const streamLimit = clientTraffic.connectionLimit?.maxStreamDuration;
    if (streamLimit !== undefined) {
        const limit = durationMillis(streamLimit);
        const cut = Object.entries(config.models)
            .filter(([, m]) => {
                const request = durationMillis(m.timeouts.request);
                return request === 0 || request > limit;
            })
            .map(([name]) => name)
            .sort();
        if (cut.length > 0) {
            ctx.warn(
                [...at("connectionLimit"), "maxStreamDuration"],
                `(${streamLimit}) is shorter than the request timeout of ${cut.length === 1 ? "model" : "models"} ${cut.slice(0, 5).join(", ")}${cut.length > 5 ? ` and ${cut.length - 5} more` : ""}, so their streamed answers are reset before they may finish; raise it above the longest timeouts.request, or remove it`,
            );
        }
    }
};
