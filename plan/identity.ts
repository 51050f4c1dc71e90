import type { ClientAuthConfig, GatewayConfig } from "../config";

/** Whether ai-gateway:auth asks for a SecurityPolicy at all. */
export function clientAuthEnabled(auth: ClientAuthConfig): boolean {
    return (
        auth.jwt !== undefined ||
        auth.apiKeys !== undefined ||
        auth.cors !== undefined ||
        auth.oidc !== undefined ||
        auth.extAuth !== undefined ||
        auth.ipAllow !== undefined ||
        auth.clientCertificates !== undefined
    );
}

/** The ai-gateway:auth settings that restrict who may call the gateway (CORS and `none` do not). */
export function clientAuthMechanisms(auth: ClientAuthConfig): string[] {
    const keys = ["jwt", "apiKeys", "oidc", "extAuth", "clientCertificates", "ipAllow"] as const;
    return keys.filter((k) => auth[k] !== undefined);
}

/**
 * The mechanisms that verify who the user is, and so can fill rateLimit.userHeader, in the order the
 * program picks the one that does: a JWT's claim, an API key's client, an OIDC session's verified access
 * token, a client certificate, and last the external authorization service's answer.
 */
export function verifiedUserSources(auth: ClientAuthConfig): string[] {
    const sources: [string, boolean][] = [
        ["auth.jwt", auth.jwt !== undefined],
        ["auth.apiKeys", auth.apiKeys !== undefined],
        ["auth.oidc.accessToken", auth.oidc?.accessToken !== undefined],
        ["auth.clientCertificates.userFrom", auth.clientCertificates?.userFrom !== undefined],
        ["auth.extAuth", auth.extAuth !== undefined],
    ];
    return sources.filter(([, on]) => on).map(([name]) => name);
}

/** The Envoy formatter of each certificate field that can name the user. */
const CERTIFICATE_USER_FIELDS = {
    subject: "%DOWNSTREAM_PEER_SUBJECT%",
    uriSan: "%DOWNSTREAM_PEER_URI_SAN%",
    dnsSan: "%DOWNSTREAM_PEER_DNS_SAN%",
} as const;

/**
 * Client auth with the user's verified identity in `userHeader` (rateLimit.userHeader), which per-user
 * budgets, access logs and metrics read: the JWT's `userClaim`, the API-key client's name, the OIDC
 * session's access-token `userClaim`, or the authorization service's answer. The header is then one of
 * the identity headers, removed from what clients send. (A client certificate's field is set by the
 * ClientTrafficPolicy instead: withIdentityHeadersStripped.)
 */
export function withVerifiedUser(auth: ClientAuthConfig, userHeader: string): ClientAuthConfig {
    const header = userHeader.toLowerCase();
    const writes = (claims: { header: string }[]) => claims.some((c) => c.header.toLowerCase() === header);
    if (auth.jwt !== undefined && !writes(auth.jwt.claimToHeaders)) {
        return { ...auth, jwt: { ...auth.jwt, claimToHeaders: [...auth.jwt.claimToHeaders, { claim: auth.jwt.userClaim, header: userHeader }] } };
    }
    if (auth.apiKeys !== undefined && auth.apiKeys.forwardClientIdHeader === undefined) {
        return { ...auth, apiKeys: { ...auth.apiKeys, forwardClientIdHeader: userHeader } };
    }
    const token = auth.oidc?.accessToken;
    if (auth.oidc !== undefined && token !== undefined && !writes(token.claimToHeaders)) {
        return { ...auth, oidc: { ...auth.oidc, accessToken: { ...token, claimToHeaders: [...token.claimToHeaders, { claim: token.userClaim, header: userHeader }] } } };
    }
    // The authorization service names the user only when nothing before it in verifiedUserSources does.
    const sources = verifiedUserSources(auth);
    if (auth.extAuth !== undefined && sources.length === 1 && !auth.extAuth.headersToBackend.some((h) => h.toLowerCase() === header)) {
        return { ...auth, extAuth: { ...auth.extAuth, headersToBackend: [...auth.extAuth.headersToBackend, userHeader] } };
    }
    return auth;
}

/**
 * Headers the gateway sets from verified identity (copied claims, the API-key client id, the
 * authorization service's answer). Envoy adds them to what the client sent instead of replacing it, so
 * a client could smuggle its own value next to the verified one; the ClientTrafficPolicy removes them
 * from every request before authentication.
 */
export function identityHeaders(auth: ClientAuthConfig): string[] {
    const forwarded = auth.apiKeys?.forwardClientIdHeader;
    const headers = [
        ...(auth.jwt?.claimToHeaders.map((c) => c.header) ?? []),
        ...(forwarded !== undefined ? [forwarded] : []),
        ...(auth.oidc?.accessToken?.claimToHeaders.map((c) => c.header) ?? []),
        ...(auth.extAuth?.headersToBackend ?? []),
    ];
    return [...new Set(headers.map((h) => h.toLowerCase()))].sort();
}

/**
 * The gateway config with the identity headers added to `clientTraffic.headers.earlyRequestHeaders.remove`
 * (early header mutation runs before every HTTP filter, so the verified values are added afterwards),
 * and, with `auth.clientCertificates.userFrom`, `userHeader` set from the verified certificate.
 */
export function withIdentityHeadersStripped(gateway: GatewayConfig, auth: ClientAuthConfig, userHeader?: string): GatewayConfig {
    const strip = identityHeaders(auth);
    const userFrom = auth.clientCertificates?.userFrom;
    const set = userFrom !== undefined && userHeader !== undefined ? [{ name: userHeader, value: CERTIFICATE_USER_FIELDS[userFrom] }] : [];
    if ((strip.length === 0 && set.length === 0) || !gateway.clientTraffic.enabled) return gateway;
    const { headers } = gateway.clientTraffic;
    const early = headers.earlyRequestHeaders ?? {};
    const remove = [...(early.remove ?? [])];
    for (const h of strip) if (!remove.some((r) => r.toLowerCase() === h)) remove.push(h);
    // A set header overwrites what the client sent (early mutations set before they remove).
    const sets = [...(early.set ?? []), ...set];
    return {
        ...gateway,
        clientTraffic: {
            ...gateway.clientTraffic,
            headers: { ...headers, earlyRequestHeaders: { ...early, ...(remove.length > 0 && { remove }), ...(sets.length > 0 && { set: sets }) } },
        },
    };
}
