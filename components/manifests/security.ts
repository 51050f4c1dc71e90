import type { ClientAuthConfig, GatewayConfig, JwtConfig } from "../../config";
import { jwksLocation } from "../../config/schema";
import type { APIKeyAuth, Authorization, CORS, JWTProvider, SecurityPolicySpec } from "../specs";
import { Manifest, manifest } from "../specs/customResource";
import { childName, dnsLabel, serviceFqdn } from "./names";
import { CLUSTER_DOMAIN } from "./versions";

/**
 * Client authentication (`ai-gateway:auth`): one SecurityPolicy on the Gateway, so every route on it
 * (model routes and passthrough routes alike) is protected the same way. No Pulumi here.
 */

/** The JWT provider's name; authorization rules refer to it. */
export const JWT_PROVIDER = "clients";

export function securityPolicyName(gateway: string): string {
    return childName(gateway, "client-auth");
}

/** The Envoy Gateway Backend that reaches an in-cluster JWKS Service. */
export function jwksBackendName(gateway: string): string {
    return childName(gateway, "jwks");
}

/** The Opaque Secret of client API keys: data key = client id, value = its key. */
export function apiKeySecretName(gateway: string): string {
    return childName(gateway, "client-api-keys");
}

/** Whether ai-gateway:auth asks for a SecurityPolicy at all. */
export function clientAuthEnabled(auth: ClientAuthConfig): boolean {
    return auth.jwt !== undefined || auth.apiKeys !== undefined || auth.cors !== undefined;
}

type GatewayNames = Pick<GatewayConfig, "name" | "namespace">;

/** What ai-gateway:auth becomes; absent entries are not needed. */
export interface ClientAuthManifests {
    securityPolicy: Manifest<"SecurityPolicy">;
    /** Only for an in-cluster JWKS URI. */
    jwksBackend?: Manifest<"Backend">;
    /** Only with API keys: where the Secret goes and which apiKeys entry fills each client's key. */
    apiKeySecret?: { name: string; namespace: string; keys: Record<string, string> };
}

export function clientAuthManifests(gateway: GatewayNames, auth: ClientAuthConfig): ClientAuthManifests {
    const location = auth.jwt === undefined ? undefined : jwksLocation(auth.jwt.jwksUri);
    if (location !== undefined && "error" in location) throw new Error(`auth.jwt.jwksUri: ${location.error} (validation should have caught this)`);

    const jwksBackend =
        location?.kind === "in-cluster"
            ? manifest(
                  "Backend",
                  { name: jwksBackendName(gateway.name), namespace: gateway.namespace },
                  { endpoints: [{ fqdn: { hostname: serviceFqdn(location.service, location.namespace, CLUSTER_DOMAIN), port: location.port } }] },
              )
            : undefined;
    const apiKeySecret =
        auth.apiKeys === undefined ? undefined : { name: apiKeySecretName(gateway.name), namespace: gateway.namespace, keys: { ...auth.apiKeys.clients } };

    const spec: SecurityPolicySpec = {
        targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.name }],
        ...(auth.jwt !== undefined && { jwt: { providers: [jwtProvider(auth.jwt, jwksBackend)] } }),
        ...(auth.jwt?.allow !== undefined && { authorization: tenantAuthorization(auth.jwt.allow) }),
        ...(apiKeySecret !== undefined && auth.apiKeys !== undefined && { apiKeyAuth: apiKeyAuth(auth.apiKeys, apiKeySecret.name) }),
        ...(auth.cors !== undefined && { cors: cors(auth.cors) }),
    };
    return {
        securityPolicy: manifest("SecurityPolicy", { name: securityPolicyName(gateway.name), namespace: gateway.namespace }, spec),
        jwksBackend,
        apiKeySecret,
    };
}

function jwtProvider(jwt: JwtConfig, jwksBackend: Manifest<"Backend"> | undefined): JWTProvider {
    const endpoint = jwksBackend?.spec.endpoints?.[0]?.fqdn;
    return {
        name: JWT_PROVIDER,
        issuer: jwt.issuer,
        ...(jwt.audiences !== undefined && { audiences: [...jwt.audiences] }),
        remoteJWKS: {
            uri: jwt.jwksUri,
            // Plain HTTP in the cluster: Envoy Gateway only fetches it through an explicit backend.
            ...(jwksBackend !== undefined &&
                endpoint !== undefined && {
                    backendRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: jwksBackend.metadata.name, port: endpoint.port }],
                }),
        },
        ...(jwt.claimToHeaders.length > 0 && { claimToHeaders: jwt.claimToHeaders.map(({ claim, header }) => ({ claim, header })) }),
    };
}

/** Default deny; one Allow rule for the listed values of one claim (the seed's tenants). */
function tenantAuthorization(allow: NonNullable<JwtConfig["allow"]>): Authorization {
    return {
        defaultAction: "Deny",
        rules: [
            {
                name: `allow-listed-${dnsLabel(allow.claim)}`,
                action: "Allow",
                principal: { jwt: { provider: JWT_PROVIDER, claims: [{ name: allow.claim, values: [...allow.values] }] } },
            },
        ],
    };
}

function apiKeyAuth(apiKeys: NonNullable<ClientAuthConfig["apiKeys"]>, secret: string): APIKeyAuth {
    return {
        credentialRefs: [{ group: "", kind: "Secret", name: secret }],
        extractFrom: [{ headers: [apiKeys.header] }],
        ...(apiKeys.forwardClientIdHeader !== undefined && { forwardClientIDHeader: apiKeys.forwardClientIdHeader }),
        // The key authenticates the client to the gateway; backends never see it.
        sanitize: true,
    };
}

function cors(config: NonNullable<ClientAuthConfig["cors"]>): CORS {
    const { allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials } = config;
    return {
        allowOrigins: [...allowOrigins],
        ...(allowMethods !== undefined && { allowMethods: [...allowMethods] }),
        ...(allowHeaders !== undefined && { allowHeaders: [...allowHeaders] }),
        ...(exposeHeaders !== undefined && { exposeHeaders: [...exposeHeaders] }),
        ...(maxAge !== undefined && { maxAge }),
        ...(allowCredentials !== undefined && { allowCredentials }),
    };
}

/**
 * Client auth with the user's verified identity in `userHeader` (rateLimit.userHeader), which per-user
 * budgets, access logs and metrics read: the JWT's `userClaim`, or the API-key client's name. The header
 * is then one of the identity headers, removed from what clients send.
 */
export function withVerifiedUser(auth: ClientAuthConfig, userHeader: string): ClientAuthConfig {
    const header = userHeader.toLowerCase();
    if (auth.jwt !== undefined && !auth.jwt.claimToHeaders.some((c) => c.header.toLowerCase() === header)) {
        return { ...auth, jwt: { ...auth.jwt, claimToHeaders: [...auth.jwt.claimToHeaders, { claim: auth.jwt.userClaim, header: userHeader }] } };
    }
    if (auth.apiKeys !== undefined && auth.apiKeys.forwardClientIdHeader === undefined) {
        return { ...auth, apiKeys: { ...auth.apiKeys, forwardClientIdHeader: userHeader } };
    }
    return auth;
}

/**
 * Headers the gateway sets from verified identity (copied claims, the API-key client id). Envoy adds
 * them to what the client sent instead of replacing it, so a client could smuggle its own value next
 * to the verified one; the ClientTrafficPolicy removes them from every request before authentication.
 */
export function identityHeaders(auth: ClientAuthConfig): string[] {
    const forwarded = auth.apiKeys?.forwardClientIdHeader;
    const headers = [...(auth.jwt?.claimToHeaders.map((c) => c.header) ?? []), ...(forwarded !== undefined ? [forwarded] : [])];
    return [...new Set(headers.map((h) => h.toLowerCase()))].sort();
}

/**
 * The gateway config with the identity headers added to `clientTraffic.headers.earlyRequestHeaders.remove`
 * (early header mutation runs before every HTTP filter, so the verified values are added afterwards).
 */
export function withIdentityHeadersStripped(gateway: GatewayConfig, auth: ClientAuthConfig): GatewayConfig {
    const strip = identityHeaders(auth);
    if (strip.length === 0 || !gateway.clientTraffic.enabled) return gateway;
    const { headers } = gateway.clientTraffic;
    const early = headers.earlyRequestHeaders ?? {};
    const remove = [...(early.remove ?? [])];
    for (const h of strip) if (!remove.some((r) => r.toLowerCase() === h)) remove.push(h);
    return {
        ...gateway,
        clientTraffic: { ...gateway.clientTraffic, headers: { ...headers, earlyRequestHeaders: { ...early, remove } } },
    };
}
