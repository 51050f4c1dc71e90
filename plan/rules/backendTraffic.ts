import { verifiedUserSources } from "../identity";
import type { Rule } from "../../config/rules/types";
import { effectiveRetry } from "../../config/schema/retry";
import { sizeBytes } from "../../config/schema/primitives";
import { DEFAULT_REQUEST_BUFFER } from "../../config/schema/requestBuffer";

/**
 * `backends.<b>.loadBalancer`, `backends.<b>.tcpKeepalive` and `backends.<b>.requestBuffer`: Envoy Gateway
 * builds one cluster per route rule, so the backends of one model share one load balancer, one keepalive and
 * one request buffer. Hashing on the user needs
 * a user the gateway verified.
 */
/** Envoy Gateway's connection buffer when no ClientTrafficPolicy sets one. */
const ENVOY_CONNECTION_BUFFER = 32 * 1024;

export const backendClusterSettings: Rule = (config, ctx) => {
    const reached = new Set(Object.values(config.models).flatMap((m) => m.backends.map((b) => b.backend)));
    for (const [key, backend] of Object.entries(config.backends)) {
        for (const setting of ["loadBalancer", "tcpKeepalive", "requestBuffer"] as const) {
            if (backend[setting] !== undefined && !reached.has(key)) {
                ctx.warn(["backends", key, setting], `does nothing: no model routes to backend ${key}, and it applies on the route rules of the models that do; route a model to it, or remove ${setting}`);
            }
        }
        if (backend.loadBalancer?.hashOn === "user" && verifiedUserSources(config.auth).length === 0) {
            ctx.add(
                ["backends", key, "loadBalancer", "hashOn"],
                `hashes the user the gateway verified (in ${config.rateLimit.userHeader}), and ai-gateway:auth verifies none, so it would hash what each client sends; turn on auth.jwt, auth.apiKeys, auth.oidc.accessToken, auth.clientCertificates.userFrom or auth.extAuth, or hash on a header: hashOn: {header: x-session-id}`,
            );
        }
    }
    // Without requestBuffer, Envoy keeps a copy of a body for a retry only up to the connection buffer.
    const ct = config.gateway.clientTraffic;
    const connectionBuffer = ct.enabled ? sizeBytes(ct.bufferLimit) : ENVOY_CONNECTION_BUFFER;
    const small = connectionBuffer !== undefined && connectionBuffer < sizeBytes(DEFAULT_REQUEST_BUFFER)!;
    const bufferText = ct.enabled ? `gateway.clientTraffic.bufferLimit (${ct.bufferLimit})` : "Envoy's 32 KiB connection buffer (gateway.clientTraffic.enabled is false)";
    for (const [name, model] of Object.entries(config.models)) {
        const keys = [...new Set(model.backends.map((b) => b.backend))].filter((k) => config.backends[k] !== undefined);
        const zoned = keys.find((k) => config.backends[k].loadBalancer?.zoneAware !== undefined);
        if (zoned !== undefined && model.backends.length > 1) {
            ctx.add(
                ["models", name, "backends"],
                `reach backend ${zoned}, whose loadBalancer.zoneAware makes Envoy Gateway build one cluster per backend of the model: priorities would become an even split and a retry would stay on the backend first picked; use zoneAware on backends of single-backend models only, or remove it`,
            );
        }
        if (small && effectiveRetry(config.retry, model.retry).numRetries > 0 && !keys.some((k) => config.backends[k].requestBuffer !== undefined)) {
            ctx.warn(
                ["models", name, "retry"],
                `retries, but a request body larger than ${bufferText} is forwarded once and never retried, without an error; set requestBuffer: {} on backend ${keys[0] ?? "of this model"} (16Mi), or raise bufferLimit`,
            );
        }
        for (const setting of ["loadBalancer", "tcpKeepalive", "requestBuffer"] as const) {
            const set = keys.filter((k) => config.backends[k][setting] !== undefined);
            if (set.length === 0) continue;
            const first = JSON.stringify(config.backends[set[0]][setting]);
            const other = set.find((k) => JSON.stringify(config.backends[k][setting]) !== first);
            if (other !== undefined) {
                ctx.add(
                    ["models", name, "backends"],
                    `reach backends ${set[0]} and ${other}, whose ${setting} differ, and one model is one Envoy cluster with one ${setting}; give both the same ${setting}, or route them from different models`,
                );
                continue;
            }
            const without = keys.filter((k) => config.backends[k][setting] === undefined);
            if (without.length > 0) {
                ctx.warn(
                    ["models", name, "backends"],
                    `reach ${set.join(", ")} with a ${setting} and ${without.join(", ")} without, and one model is one Envoy cluster: ${without.join(", ")} get${without.length === 1 ? "s" : ""} the ${setting} of ${set[0]} for this model; set it on ${without.join(", ")} too to say so`,
                );
            }
        }
    }
};
