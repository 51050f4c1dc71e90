import { clientAuthMechanisms, verifiedUserSources } from "../identity";
import { extAuthBackendName, jwksBackendName } from "../names";
import { childName } from "../../config/names";
import { envoyServiceType, extAuthLocation, jwksLocation } from "../../config/schema";
import type { Rule } from "../../config/rules/types";
import { headerNameProblem } from "../../config/policies/headers";

/** ai-gateway:auth settings that parse on their own but do not fit together. */
export const clientAuthSettings: Rule = (config, ctx) => {
    const { jwt, apiKeys, cors } = config.auth;

    const mechanisms = clientAuthMechanisms(config.auth);
    const authenticated = mechanisms.length > 0;
    if (config.auth.none === true && authenticated) {
        ctx.add(["auth", "none"], `contradicts auth.${mechanisms[0]}; remove one of them`);
    }
    // An open proxy: anyone who reaches the load balancer spends the provider keys.
    const proxy = config.gateway.envoyProxy;
    const routed = new Set(Object.values(config.models).flatMap((m) => m.backends.map((b) => b.backend)));
    // Everything the gateway adds a credential to: routed backends with auth, and MCP servers with an API key.
    const withCredentials = [
        ...Object.entries(config.backends)
            .filter(([name, b]) => b.auth !== undefined && routed.has(name))
            .map(([name]) => name)
            .sort(),
        ...Object.entries(config.mcp?.servers ?? {})
            .filter(([, s]) => s.auth !== undefined)
            .map(([name]) => `mcp.servers.${name}`)
            .sort(),
    ];
    // Without the program's EnvoyProxy, Envoy Gateway's default Service applies: a LoadBalancer too.
    if (!authenticated && config.auth.none !== true && (proxy.enabled || config.gateway.enabled) && envoyServiceType(config.gateway) === "LoadBalancer" && withCredentials.length > 0) {
        const service = proxy.enabled ? "a LoadBalancer Service" : "Envoy Gateway's default LoadBalancer Service (gateway.envoyProxy.enabled is false)";
        const internal = proxy.enabled ? "use gateway.envoyProxy.service.type ClusterIP" : "set gateway.envoyProxy.enabled: true with service.type ClusterIP";
        ctx.add(
            ["auth"],
            `is not set, and the gateway is exposed through ${service} with upstreams the gateway adds credentials to (${withCredentials.join(", ")}): anyone who reaches it spends your provider accounts; add auth.jwt, auth.apiKeys, auth.oidc, auth.extAuth, auth.clientCertificates or auth.ipAllow, or set auth.none: true if something in front of the gateway authenticates clients (or ${internal})`,
        );
    }

    plainHttpCredentials(config, ctx);

    if (jwt !== undefined && apiKeys !== undefined) {
        ctx.add(
            ["auth", "apiKeys"],
            "cannot be combined with auth.jwt: Envoy Gateway would demand both a token and a key on every request (its authentication methods never stand in for each other); keep one of them",
        );
    }

    // One verified identity per user: the one budgets, logs and metrics read from rateLimit.userHeader.
    const userHeader = config.rateLimit.userHeader;
    const tokens: [(string | number)[], { userClaim: string; claimToHeaders: { claim: string; header: string }[] } | undefined][] = [
        [["auth", "jwt"], jwt],
        [["auth", "oidc", "accessToken"], config.auth.oidc?.accessToken],
    ];
    for (const [at, token] of tokens) {
        token?.claimToHeaders.forEach((c, i) => {
            const copied = headerNameProblem(c.header, "copy");
            if (copied !== undefined) ctx.add([...at, "claimToHeaders", i, "header"], copied);
            if (c.header.toLowerCase() === userHeader.toLowerCase() && c.claim !== token.userClaim) {
                ctx.add(
                    [...at, "claimToHeaders", i, "claim"],
                    `maps "${c.claim}" into ${c.header}, rateLimit.userHeader, which carries ${at.join(".")}.userClaim ("${token.userClaim}"); set userClaim: ${c.claim} instead, and remove this entry`,
                );
            }
        });
    }
    loginCertificateAndAddressSettings(config, ctx);
    const forwarded = apiKeys?.forwardClientIdHeader?.toLowerCase();
    if (apiKeys?.forwardClientIdHeader !== undefined && forwarded !== userHeader.toLowerCase() && forwarded !== apiKeys.header.toLowerCase()) {
        ctx.add(
            ["auth", "apiKeys", "forwardClientIdHeader"],
            `is ${apiKeys.forwardClientIdHeader}, but budgets, access logs and metrics identify users by rateLimit.userHeader (${userHeader}), which the gateway fills with the client's name; remove it, or set rateLimit.userHeader: ${apiKeys.forwardClientIdHeader}`,
        );
    }

    // Only the ClientTrafficPolicy removes what clients send in the headers the gateway fills from verified identity.
    if (verifiedUserSources(config.auth).length > 0 && !config.gateway.clientTraffic.enabled) {
        const copied = [...(jwt?.claimToHeaders ?? []), ...(config.auth.oidc?.accessToken?.claimToHeaders ?? [])].map((c) => c.header);
        ctx.add(
            ["gateway", "clientTraffic", "enabled"],
            `is false, but client authentication fills ${userHeader}${copied.length ? ` and ${copied.join(", ")}` : ""} from the verified identity, and only the ClientTrafficPolicy removes what clients send there: any client could claim any user or tenant; set it to true`,
        );
    }

    if (apiKeys !== undefined) {
        const forward = apiKeys.forwardClientIdHeader;
        const copied = forward === undefined ? undefined : headerNameProblem(forward, "copy");
        if (forward !== undefined && forward.toLowerCase() === apiKeys.header.toLowerCase()) {
            ctx.add(["auth", "apiKeys", "forwardClientIdHeader"], `is the header clients send their key in (${apiKeys.header}); use another header, e.g. x-client-id`);
        } else if (copied !== undefined) ctx.add(["auth", "apiKeys", "forwardClientIdHeader"], copied);
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

    // The in-cluster JWKS and authorization Backends share the Backend namespace and naming with the model backends.
    const location = jwt === undefined ? undefined : jwksLocation(jwt.jwksUri);
    const ownBackends: [string, string][] = [
        ...(location !== undefined && "kind" in location && location.kind === "in-cluster" ? [[jwksBackendName(config.gateway.name), "fetches the in-cluster JWKS of auth.jwt.jwksUri"] as [string, string]] : []),
        ...(config.auth.extAuth !== undefined ? [[extAuthBackendName(config.gateway.name), "reaches the authorization service of auth.extAuth.url"] as [string, string]] : []),
    ];
    for (const [name, what] of ownBackends) {
        for (const backend of Object.keys(config.backends)) {
            if (childName(config.gateway.name, backend) === name) {
                ctx.add(["backends", backend], `its Backend would be named "${name}", the name of the Backend that ${what}; rename the backend`);
            }
        }
    }
};

/** OIDC, external authorization, client certificates and address lists: what does not fit together. */
function loginCertificateAndAddressSettings(config: Parameters<Rule>[0], ctx: Parameters<Rule>[1]): void {
    const { jwt, apiKeys, oidc, extAuth, clientCertificates: certs, ipAllow, ipDeny } = config.auth;
    const { gateway } = config;
    const userHeader = config.rateLimit.userHeader.toLowerCase();
    const https = gateway.listeners.some((l) => l.protocol === "HTTPS");
    const plainHttp = gateway.listeners.some((l) => l.protocol === "HTTP") && !gateway.redirectToHttps;

    if (oidc !== undefined) {
        // Envoy Gateway chains the methods of one policy: a browser has neither a token of its own nor a key.
        for (const [key, other] of [["jwt", jwt], ["apiKeys", apiKeys]] as const) {
            if (other === undefined) continue;
            ctx.add(
                ["auth", "oidc"],
                `cannot be combined with auth.${key}: Envoy Gateway would demand a login session and ${key === "jwt" ? "a token of the client's own" : "an API key"} on every request; keep one of them (auth.oidc.accessToken verifies the session's token as a JWT)`,
            );
        }
        if (gateway.enabled && !https) {
            ctx.warn(["auth", "oidc"], "logs browsers in, and the Gateway has no HTTPS listener: session cookies and the login code cross the network in plain text; add an HTTPS listener (and set gateway.redirectToHttps: true)");
        }
    }

    if (extAuth !== undefined) {
        const location = extAuthLocation(extAuth.url);
        if (extAuth.protocol === "GRPC" && "path" in location && location.path !== "") {
            ctx.add(["auth", "extAuth", "url"], `has the path ${location.path}, and a gRPC service has none (Envoy calls its Check method); remove the path, or set protocol: HTTP`);
        }
        const seen = new Map<string, number>();
        extAuth.headersToBackend.forEach((h, i) => {
            const lower = h.toLowerCase();
            const first = seen.get(lower);
            if (first !== undefined) ctx.add(["auth", "extAuth", "headersToBackend", i], `"${h}" is already listed at headersToBackend[${first}]; list each header once`);
            else seen.set(lower, i);
            const copied = headerNameProblem(h, "copy");
            if (copied !== undefined) ctx.add(["auth", "extAuth", "headersToBackend", i], copied);
        });
        const other = verifiedUserSources(config.auth).filter((s) => s !== "auth.extAuth")[0];
        const index = extAuth.headersToBackend.findIndex((h) => h.toLowerCase() === userHeader);
        if (other !== undefined && index >= 0) {
            ctx.add(
                ["auth", "extAuth", "headersToBackend", index],
                `is rateLimit.userHeader, which ${other} already fills with the verified user; remove it here, so one mechanism names the user`,
            );
        }
    }

    if (certs !== undefined) {
        const at = ["auth", "clientCertificates"];
        if (gateway.enabled && !https) {
            ctx.add(at, "applies to HTTPS listeners, and the Gateway has none; add an HTTPS listener (gateway.listeners) or remove auth.clientCertificates");
        }
        if (gateway.enabled && https && plainHttp) {
            ctx.add(at, "are checked on HTTPS only, and the Gateway also serves plain HTTP, where no certificate is asked for; set gateway.redirectToHttps: true, or remove the HTTP listener");
        }
        if (!gateway.clientTraffic.enabled) {
            ctx.add(["gateway", "clientTraffic", "enabled"], "is false, but auth.clientCertificates is checked by the ClientTrafficPolicy; set it to true");
        }
        const other = verifiedUserSources(config.auth).filter((s) => s !== "auth.clientCertificates.userFrom" && s !== "auth.extAuth")[0];
        if (certs.userFrom !== undefined && other !== undefined) {
            ctx.add([...at, "userFrom"], `names the user in rateLimit.userHeader, which ${other} already fills with the verified user; remove userFrom, so one mechanism names the user`);
        }
        if (certs.userFrom !== undefined && (gateway.clientTraffic.headers.earlyRequestHeaders?.remove ?? []).some((h) => h.toLowerCase() === userHeader)) {
            ctx.add(
                ["gateway", "clientTraffic", "headers", "earlyRequestHeaders", "remove"],
                `removes ${config.rateLimit.userHeader}, which auth.clientCertificates.userFrom sets from the certificate (removal comes after), so no request would carry a user; remove it from the list`,
            );
        }
    }

    if (ipDeny !== undefined && ipAllow === undefined) {
        ctx.add(["auth", "ipDeny"], "refuses ranges within auth.ipAllow, and there is none (default deny keeps every address out); add ipAllow, e.g. [0.0.0.0/0, ::/0] to allow every other address");
    }
    ipDeny?.forEach((range, i) => {
        const same = ipAllow?.indexOf(range) ?? -1;
        if (same >= 0) ctx.add(["auth", "ipDeny", i], `"${range}" is also auth.ipAllow[${same}], where it would allow nothing (deny comes first); remove it from one list`);
    });
    const service = gateway.envoyProxy.service;
    // With clientIP or proxyProtocol the client's address comes from the request, not the connection.
    const sourceKnown = gateway.clientTraffic.enabled && (gateway.clientTraffic.clientIP !== undefined || gateway.clientTraffic.proxyProtocol !== undefined);
    if (ipAllow !== undefined && !sourceKnown && gateway.envoyProxy.enabled && service.type !== "ClusterIP" && service.externalTrafficPolicy !== "Local") {
        ctx.warn(
            ["auth", "ipAllow"],
            `is matched against the address Envoy sees, and a ${service.type} Service with externalTrafficPolicy Cluster replaces the client's address with a node's; set gateway.envoyProxy.service.externalTrafficPolicy: Local (behind an L7 load balancer or an NLB with proxy protocol, set gateway.clientTraffic.clientIP or proxyProtocol instead)`,
        );
    }
}

/**
 * Client credentials (a JWT, an API key) sent over a plain-HTTP listener of a LoadBalancer
 * can be read on the way: a warning, or an error when the Gateway has an HTTPS listener they could use.
 */
function plainHttpCredentials(config: Parameters<Rule>[0], ctx: Parameters<Rule>[1]): void {
    const { gateway } = config;
    const sent = (["jwt", "apiKeys"] as const).filter((m) => config.auth[m] !== undefined);
    if (sent.length === 0 || !gateway.enabled || envoyServiceType(gateway) !== "LoadBalancer" || gateway.redirectToHttps) return;
    const plain = gateway.listeners.filter((l) => l.protocol === "HTTP").map((l) => l.name);
    if (plain.length === 0) return;
    const what = `clients send their ${sent.map((m) => `auth.${m}`).join(", ")} credentials to a LoadBalancer over plain HTTP (listener ${plain.join(", ")}), readable and replayable by anything on the way`;
    if (gateway.listeners.some((l) => l.protocol === "HTTPS")) ctx.add(["gateway", "redirectToHttps"], `is false, so ${what}; set it to true (the HTTPS listener is there), or remove the HTTP listener`);
    else ctx.warn(["gateway", "listeners"], `have no HTTPS listener, so ${what}; add an HTTPS listener and set gateway.redirectToHttps: true, or keep the Service internal (ClusterIP)`);
}
