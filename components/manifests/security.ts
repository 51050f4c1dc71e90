import type { ClientAuthConfig, ClientCertificatesConfig, ExtAuthConfig, GatewayConfig, JwtConfig, OidcConfig } from "../../config";
import { extAuthLocation, jwksLocation } from "../../config/schema";
import type { APIKeyAuth, Authorization, AuthorizationPrincipal, AuthorizationRule, ClientValidationContext, CORS, ExtAuth, JWTProvider, OIDC, SecurityPolicySpec } from "../../specs";
import { Manifest, manifest } from "../../specs/manifest";
import { childName, dnsLabel, serviceFqdn } from "../../config/names";
import { CLUSTER_DOMAIN } from "../../config/versions";
import { extAuthBackendName, jwksBackendName } from "../../plan/names";

/**
 * Client authentication (`ai-gateway:auth`): one SecurityPolicy on the Gateway, so every route on it
 * (model routes and passthrough routes alike) is protected the same way. No Pulumi here.
 */

/** The JWT provider's name; authorization rules refer to it. */
export const JWT_PROVIDER = "clients";

/** The JWT provider that verifies the access token of an OIDC session. */
export const OIDC_TOKEN_PROVIDER = "oidc-session";

/** The key of the OIDC client-secret Secret Envoy Gateway reads. */
export const OIDC_CLIENT_SECRET_KEY = "client-secret";

/** The key of the CA ConfigMap or Secret Envoy Gateway reads. */
export const CA_CERTIFICATE_KEY = "ca.crt";

/** The Opaque Secret of the OIDC client secret. */
export function oidcSecretName(gateway: string): string {
    return childName(gateway, "oidc-client");
}

/** The ConfigMap of client-certificate CAs given inline (auth.clientCertificates.ca.pem). */
export function clientCaConfigMapName(gateway: string): string {
    return childName(gateway, "client-ca");
}

export function securityPolicyName(gateway: string): string {
    return childName(gateway, "client-auth");
}

/** The Opaque Secret of client API keys: data key = client id, value = its key. */
export function apiKeySecretName(gateway: string): string {
    return childName(gateway, "client-api-keys");
}

type GatewayNames = Pick<GatewayConfig, "name" | "namespace">;

/** What ai-gateway:auth becomes; absent entries are not needed. */
export interface ClientAuthManifests {
    securityPolicy: Manifest<"SecurityPolicy">;
    /** Only for an in-cluster JWKS URI. */
    jwksBackend?: Manifest<"Backend">;
    /** Only with API keys: where the Secret goes and which apiKeys entry fills each client's key. */
    apiKeySecret?: { name: string; namespace: string; keys: Record<string, string> };
    /** Only with OIDC: where the client-secret Secret goes and which apiKeys entry fills it. */
    oidcSecret?: { name: string; namespace: string; key: string };
    /** Only with external authorization. */
    extAuthBackend?: Manifest<"Backend">;
    /** Only with client-certificate CAs given inline: the ConfigMap the ClientTrafficPolicy reads. */
    clientCaConfigMap?: { name: string; namespace: string; data: Record<string, string> };
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

    const oidcSecret = auth.oidc === undefined ? undefined : { name: oidcSecretName(gateway.name), namespace: gateway.namespace, key: auth.oidc.clientSecret };
    const extAuthBackend = auth.extAuth === undefined ? undefined : extAuthBackendManifest(gateway, auth.extAuth);
    const pem = auth.clientCertificates?.ca.pem;
    const clientCaConfigMap = pem === undefined ? undefined : { name: clientCaConfigMapName(gateway.name), namespace: gateway.namespace, data: { [CA_CERTIFICATE_KEY]: pem } };

    const providers = [
        ...(auth.jwt !== undefined ? [jwtProvider(auth.jwt, jwksBackend)] : []),
        ...(auth.oidc?.accessToken !== undefined ? [oidcTokenProvider(auth.oidc)] : []),
    ];
    const authorization = authorizationSection(auth);
    const spec: SecurityPolicySpec = {
        targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.name }],
        ...(providers.length > 0 && { jwt: { providers } }),
        ...(authorization !== undefined && { authorization }),
        ...(apiKeySecret !== undefined && auth.apiKeys !== undefined && { apiKeyAuth: apiKeyAuth(auth.apiKeys, apiKeySecret.name) }),
        ...(auth.cors !== undefined && { cors: cors(auth.cors) }),
        ...(auth.oidc !== undefined && oidcSecret !== undefined && { oidc: oidc(auth.oidc, oidcSecret.name) }),
        ...(auth.extAuth !== undefined && extAuthBackend !== undefined && { extAuth: extAuth(auth.extAuth, extAuthBackend) }),
    };
    return {
        securityPolicy: manifest("SecurityPolicy", { name: securityPolicyName(gateway.name), namespace: gateway.namespace }, spec),
        jwksBackend,
        apiKeySecret,
        oidcSecret,
        extAuthBackend,
        clientCaConfigMap,
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

/** The claim allow-list of whichever JWT provider has one (JWT and OIDC never come together). */
function claimAllowList(auth: ClientAuthConfig): { provider: string; allow: NonNullable<JwtConfig["allow"]> } | undefined {
    if (auth.jwt?.allow !== undefined) return { provider: JWT_PROVIDER, allow: auth.jwt.allow };
    const allow = auth.oidc?.accessToken?.allow;
    return allow === undefined ? undefined : { provider: OIDC_TOKEN_PROVIDER, allow };
}

/**
 * Default deny: the listed address ranges of ipDeny are refused first; then one Allow rule for what
 * ipAllow and the claim allow-list name together (principals of one rule must all match).
 */
function authorizationSection(auth: ClientAuthConfig): Authorization | undefined {
    const claims = claimAllowList(auth);
    if (claims === undefined && auth.ipAllow === undefined) return undefined;
    const rules: AuthorizationRule[] = [];
    if (auth.ipDeny !== undefined) rules.push({ name: "deny-listed-addresses", action: "Deny", principal: { clientCIDRs: [...auth.ipDeny] } });
    const principal: AuthorizationPrincipal = {
        ...(auth.ipAllow !== undefined && { clientCIDRs: [...auth.ipAllow] }),
        ...(claims !== undefined && { jwt: { provider: claims.provider, claims: [{ name: claims.allow.claim, values: [...claims.allow.values] }] } }),
    };
    const named = [...(auth.ipAllow !== undefined ? ["addresses"] : []), ...(claims !== undefined ? [dnsLabel(claims.allow.claim)] : [])];
    rules.push({ name: `allow-listed-${named.join("-")}`, action: "Allow", principal });
    return { defaultAction: "Deny", rules };
}

/** The access token of an OIDC session (which the oauth2 filter puts into Authorization), verified as a JWT. */
function oidcTokenProvider(config: OidcConfig): JWTProvider {
    const token = config.accessToken!;
    return {
        name: OIDC_TOKEN_PROVIDER,
        issuer: config.issuer,
        ...(token.audiences !== undefined && { audiences: [...token.audiences] }),
        remoteJWKS: { uri: token.jwksUri },
        ...(token.claimToHeaders.length > 0 && { claimToHeaders: token.claimToHeaders.map(({ claim, header }) => ({ claim, header })) }),
    };
}

function oidc(config: OidcConfig, secret: string): OIDC {
    return {
        provider: {
            issuer: config.issuer,
            ...(config.authorizationEndpoint !== undefined && { authorizationEndpoint: config.authorizationEndpoint }),
            ...(config.tokenEndpoint !== undefined && { tokenEndpoint: config.tokenEndpoint }),
        },
        clientID: config.clientId,
        clientSecret: { group: "", kind: "Secret", name: secret },
        ...(config.scopes !== undefined && { scopes: [...config.scopes] }),
        ...(config.redirectUrl !== undefined && { redirectURL: config.redirectUrl }),
        ...(config.logoutPath !== undefined && { logoutPath: config.logoutPath }),
        ...(config.cookieDomain !== undefined && { cookieDomain: config.cookieDomain }),
        // The session's access token goes on in Authorization only where a JWT provider verifies it.
        forwardAccessToken: config.accessToken !== undefined,
    };
}

function extAuthBackendManifest(gateway: GatewayNames, config: ExtAuthConfig): Manifest<"Backend"> {
    const location = extAuthLocation(config.url);
    if ("error" in location) throw new Error(`auth.extAuth.url: ${location.error} (validation should have caught this)`);
    return manifest(
        "Backend",
        { name: extAuthBackendName(gateway.name), namespace: gateway.namespace },
        { endpoints: [{ fqdn: { hostname: serviceFqdn(location.service, location.namespace, CLUSTER_DOMAIN), port: location.port } }] },
    );
}

function extAuth(config: ExtAuthConfig, backend: Manifest<"Backend">): ExtAuth {
    const location = extAuthLocation(config.url);
    const port = backend.spec.endpoints?.[0]?.fqdn?.port;
    const backendRefs = [{ group: "gateway.envoyproxy.io", kind: "Backend", name: backend.metadata.name, ...(port !== undefined && { port }) }];
    const path = "path" in location ? location.path : "";
    return {
        ...(config.protocol === "GRPC"
            ? { grpc: { backendRefs } }
            : {
                  http: {
                      backendRefs,
                      ...(path !== "" && { path }),
                      ...(config.headersToBackend.length > 0 && { headersToBackend: [...config.headersToBackend] }),
                  },
              }),
        ...(config.headersToExtAuth !== undefined && { headersToExtAuth: [...config.headersToExtAuth] }),
        ...(config.timeout !== undefined && { timeout: config.timeout }),
        // Default deny: a service that does not answer denies the request.
        failOpen: false,
    };
}

/**
 * The ClientTrafficPolicy's client-certificate validation: the CA's ConfigMap or Secret, required on
 * every HTTPS connection. A SAN that names the user must be present, or the certificate is refused
 * (an empty value would leave the header to the client).
 */
export function clientCertificateValidation(gateway: string, certs: ClientCertificatesConfig): ClientValidationContext {
    const { ca, userFrom } = certs;
    const ref = ca.secret !== undefined ? { group: "", kind: "Secret", name: ca.secret } : { group: "", kind: "ConfigMap", name: ca.configMap ?? clientCaConfigMapName(gateway) };
    const present = [{ type: "RegularExpression" as const, value: ".+" }];
    return {
        caCertificateRefs: [ref],
        ...(userFrom === "uriSan" && { subjectAltNames: { uris: present } }),
        ...(userFrom === "dnsSan" && { subjectAltNames: { dnsNames: present } }),
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
