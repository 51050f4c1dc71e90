import { jwksBackendName } from "../../components/manifests/security";
import { childName } from "../../components/manifests/names";
import { MODEL_HEADER } from "../../components/manifests/aiMetadata";
import { jwksLocation } from "../schema";
import type { Rule } from "./types";

/** Headers a copied claim or client id must not overwrite: the request would change meaning. */
const RESERVED_HEADERS = ["authorization", "host", "content-length", "content-type", "transfer-encoding", MODEL_HEADER];

/** ai-gateway:auth settings that parse on their own but do not fit together. */
export const clientAuthSettings: Rule = (config, ctx) => {
    const { jwt, apiKeys, cors } = config.auth;

    const authenticated = jwt !== undefined || apiKeys !== undefined;
    if (config.auth.none === true && authenticated) {
        ctx.add(["auth", "none"], `contradicts auth.${jwt !== undefined ? "jwt" : "apiKeys"}; remove one of them`);
    }
    // An open proxy: anyone who reaches the load balancer spends the provider keys.
    const proxy = config.gateway.envoyProxy;
    const routed = new Set(Object.values(config.models).flatMap((m) => m.backends.map((b) => b.backend)));
    const withCredentials = Object.entries(config.backends)
        .filter(([name, b]) => b.auth !== undefined && routed.has(name))
        .map(([name]) => name)
        .sort();
    if (!authenticated && config.auth.none !== true && proxy.enabled && proxy.service.type === "LoadBalancer" && withCredentials.length > 0) {
        ctx.add(
            ["auth"],
            `is not set, and the gateway is exposed through a LoadBalancer Service with models on backends that carry credentials (${withCredentials.join(", ")}): anyone who reaches it spends your provider accounts; add auth.jwt or auth.apiKeys, or set auth.none: true if something in front of the gateway authenticates clients (or use gateway.envoyProxy.service.type ClusterIP)`,
        );
    }

    if (jwt !== undefined && apiKeys !== undefined) {
        ctx.add(
            ["auth", "apiKeys"],
            "cannot be combined with auth.jwt: Envoy Gateway would demand both a token and a key on every request (its authentication methods never stand in for each other); keep one of them",
        );
    }

    // One verified identity per user: the one budgets, logs and metrics read from rateLimit.userHeader.
    const userHeader = config.rateLimit.userHeader;
    jwt?.claimToHeaders.forEach((c, i) => {
        if (c.header.toLowerCase() === userHeader.toLowerCase() && c.claim !== jwt.userClaim) {
            ctx.add(
                ["auth", "jwt", "claimToHeaders", i, "claim"],
                `maps "${c.claim}" into ${c.header}, rateLimit.userHeader, which carries auth.jwt.userClaim ("${jwt.userClaim}"); set userClaim: ${c.claim} instead, and remove this entry`,
            );
        }
    });
    const forwarded = apiKeys?.forwardClientIdHeader?.toLowerCase();
    if (apiKeys?.forwardClientIdHeader !== undefined && forwarded !== userHeader.toLowerCase() && forwarded !== apiKeys.header.toLowerCase()) {
        ctx.add(
            ["auth", "apiKeys", "forwardClientIdHeader"],
            `is ${apiKeys.forwardClientIdHeader}, but budgets, access logs and metrics identify users by rateLimit.userHeader (${userHeader}), which the gateway fills with the client's name; remove it, or set rateLimit.userHeader: ${apiKeys.forwardClientIdHeader}`,
        );
    }

    // Only the ClientTrafficPolicy removes what clients send in the headers the gateway fills from verified identity.
    if ((jwt !== undefined || apiKeys !== undefined) && !config.gateway.clientTraffic.enabled) {
        ctx.add(
            ["gateway", "clientTraffic", "enabled"],
            `is false, but client authentication fills ${userHeader}${jwt?.claimToHeaders.length ? ` and ${jwt.claimToHeaders.map((c) => c.header).join(", ")}` : ""} from the verified identity, and only the ClientTrafficPolicy removes what clients send there: any client could claim any user or tenant; set it to true`,
        );
    }

    jwt?.claimToHeaders.forEach((c, i) => {
        if (RESERVED_HEADERS.includes(c.header.toLowerCase())) {
            ctx.add(["auth", "jwt", "claimToHeaders", i, "header"], `"${c.header}" carries the request itself and must not be overwritten by a claim; use a header of its own, e.g. x-${c.claim.replace(/[^A-Za-z0-9-]+/g, "-").toLowerCase()}`);
        }
    });

    if (apiKeys !== undefined) {
        const forward = apiKeys.forwardClientIdHeader;
        if (forward !== undefined && RESERVED_HEADERS.includes(forward.toLowerCase())) {
            ctx.add(["auth", "apiKeys", "forwardClientIdHeader"], `"${forward}" carries the request itself and must not be overwritten by the client id; use a header of its own, e.g. x-client-id`);
        }
        if (forward !== undefined && forward.toLowerCase() === apiKeys.header.toLowerCase()) {
            ctx.add(["auth", "apiKeys", "forwardClientIdHeader"], `is the header clients send their key in (${apiKeys.header}); use another header, e.g. x-client-id`);
        }
        // The gateway finds the client by its key: two clients with one key are one client.
        const owners = new Map<string, string>();
        for (const [client, secret] of Object.entries(apiKeys.clients)) {
            const first = owners.get(secret);
            if (first === undefined) owners.set(secret, client);
            else ctx.add(["auth", "apiKeys", "clients", client], `uses secret "${secret}" like clients.${first}, so the gateway could not tell the two clients apart; give each client its own key`);
        }
    }

    if (cors?.allowCredentials === true && cors.allowOrigins.includes("*")) {
        ctx.add(["auth", "cors", "allowCredentials"], 'cannot be true with allowOrigins "*": browsers refuse credentials for a wildcard origin; list the origins instead of "*"');
    }

    // The in-cluster JWKS Backend shares the Backend namespace and naming with the model backends.
    const location = jwt === undefined ? undefined : jwksLocation(jwt.jwksUri);
    if (location !== undefined && "kind" in location && location.kind === "in-cluster") {
        const name = jwksBackendName(config.gateway.name);
        for (const backend of Object.keys(config.backends)) {
            if (childName(config.gateway.name, backend) === name) {
                ctx.add(["backends", backend], `its Backend would be named "${name}", the name of the Backend that fetches the in-cluster JWKS of auth.jwt.jwksUri; rename the backend`);
            }
        }
    }
};
