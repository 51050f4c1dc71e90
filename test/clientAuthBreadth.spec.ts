import * as assert from "node:assert/strict";
import { join } from "node:path";
import type { z } from "zod";
import { clientAuthSchema, parseConfig, type ClientAuthConfig, type GatewayConfig } from "../plan";
import { clientAuthManifests, clientCertificateValidation, OIDC_TOKEN_PROVIDER } from "../components/manifests/security";
import { identityHeaders, withIdentityHeadersStripped, withVerifiedUser } from "../plan/identity";
import { isSecretValue, redactSecrets } from "../scripts/mocks";
import { render } from "../scripts/render";
import { configOfFile, configProblems, customResources, evaluate, secretLeaks } from "./harness";
import { mocks } from "./setup";
import { catalog } from "./support/conformance";
import { crdProblems } from "./support/manifests";

// Client authentication beyond JWT and API keys: OIDC login, external authorization, client
// certificates and address lists; each keeps default deny and names the user only from what it verified.

const gateway = { name: "ai-gateway", namespace: "ai-gateway" };
const FIXTURE = join(__dirname, "fixtures", "client-auth-breadth.yaml");
/** A CA certificate (the fixture's) and a certificate that is not a CA. */
const CA_PEM = (configOfFile(FIXTURE).auth as { clientCertificates: { ca: { pem: string } } }).clientCertificates.ca.pem;
const LEAF_PEM = `-----BEGIN CERTIFICATE-----
MIIBcjCCARigAwIBAgIUEFSLdy1oY+9RaKlAMwv4xmXsT6kwCgYIKoZIzj0EAwIw
DzENMAsGA1UEAwwEbGVhZjAgFw0yNjExMjkwMTM5MDJaGA8yMTI2MTEwNTAxMzkw
MlowDzENMAsGA1UEAwwEbGVhZjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABONv
zW/NJfx8DKl38IhBDalGMkZhUFvFcCs8JvUClW7teR5gz1qHhCVWoidiS3cYI/KG
D//DLsIafPBYueZLEpWjUDBOMB0GA1UdDgQWBBSWPHd8W0S8TGVD976qrM7C+zEc
lTAfBgNVHSMEGDAWgBSWPHd8W0S8TGVD976qrM7C+zEclTAMBgNVHRMBAf8EAjAA
MAoGCCqGSM49BAMCA0gAMEUCIFFgWyznipeVsf146GqycXfaBDqRfxjtOTMwmCfx
bILvAiEA/ubKXJAiRB6nWni3tffPkepu7e6ymN4jbTnb7FHQfPI=
-----END CERTIFICATE-----
`;

const oidc = {
    issuer: "https://idp.example.com/realms/ai",
    authorizationEndpoint: "https://idp.example.com/realms/ai/auth",
    tokenEndpoint: "https://idp.example.com/realms/ai/token",
    clientId: "ai-dashboard",
    clientSecret: "oidc-client-secret",
};
const accessToken = { jwksUri: "https://idp.example.com/realms/ai/certs", claimToHeaders: [{ claim: "tenant", header: "x-tenant" }], allow: { claim: "tenant", values: ["acme"] } };
const https = {
    redirectToHttps: true,
    listeners: [
        { name: "http", protocol: "HTTP", port: 80 },
        { name: "https", protocol: "HTTPS", port: 443, tls: { certificateRefs: [{ name: "llm-tls" }] } },
    ],
};
const local = (name: string) => ({ schema: "OpenAI", hostname: `${name}.models.svc.cluster.local`, port: 80 });
const models = { backends: { a: local("a"), b: local("b") }, models: { m: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] } } };
const perUser = { rateLimit: { perUser: { requests: [{ limit: 10, window: "1m" }] } } };

/** ai-gateway:auth as the program sees it (with the OIDC client secret set), and the HTTPS gateway. */
function auth(raw: Record<string, unknown>): ClientAuthConfig {
    return parseConfig({ auth: raw, gateway: https, apiKeys: { "oidc-client-secret": "v" } }).auth;
}

describe("client auth breadth: builders", () => {
    it("OIDC: the provider's endpoints, the client secret by reference, and the session's access token verified as a JWT", () => {
        const m = clientAuthManifests(gateway, auth({ oidc: { ...oidc, scopes: ["email"], redirectUrl: "https://llm.example.com/oauth2/callback", accessToken } }));
        assert.deepEqual(m.securityPolicy.spec.oidc, {
            provider: { issuer: oidc.issuer, authorizationEndpoint: oidc.authorizationEndpoint, tokenEndpoint: oidc.tokenEndpoint },
            clientID: "ai-dashboard",
            clientSecret: { group: "", kind: "Secret", name: "ai-gateway-oidc-client" },
            scopes: ["email"],
            redirectURL: "https://llm.example.com/oauth2/callback",
            forwardAccessToken: true,
        });
        assert.deepEqual(m.oidcSecret, { name: "ai-gateway-oidc-client", namespace: "ai-gateway", key: "oidc-client-secret" });
        assert.deepEqual(m.securityPolicy.spec.jwt?.providers, [
            { name: OIDC_TOKEN_PROVIDER, issuer: oidc.issuer, remoteJWKS: { uri: accessToken.jwksUri }, claimToHeaders: [{ claim: "tenant", header: "x-tenant" }] },
        ]);
        assert.deepEqual(m.securityPolicy.spec.authorization, {
            defaultAction: "Deny",
            rules: [{ name: "allow-listed-tenant", action: "Allow", principal: { jwt: { provider: OIDC_TOKEN_PROVIDER, claims: [{ name: "tenant", values: ["acme"] }] } } }],
        });
        assert.deepEqual(crdProblems(m.securityPolicy), []);
    });

    it("OIDC without accessToken: login only, the access token stays with Envoy, no JWT provider", () => {
        const { spec } = clientAuthManifests(gateway, auth({ oidc })).securityPolicy;
        assert.equal(spec.oidc?.forwardAccessToken, false);
        assert.equal(spec.jwt, undefined);
        assert.equal(spec.authorization, undefined);
    });

    it("external authorization over HTTP: a Backend to the in-cluster Service, the path prefix, headers both ways, never fail open", () => {
        const m = clientAuthManifests(gateway, auth({ extAuth: { url: "http://ext-authz.auth.svc:9002/check", headersToExtAuth: ["authorization"], headersToBackend: ["x-tenant"], timeout: "2s" } }));
        assert.deepEqual(m.extAuthBackend, {
            apiVersion: "gateway.envoyproxy.io/v1alpha1",
            kind: "Backend",
            metadata: { name: "ai-gateway-ext-auth", namespace: "ai-gateway" },
            spec: { endpoints: [{ fqdn: { hostname: "ext-authz.auth.svc.cluster.local", port: 9002 } }] },
        });
        assert.deepEqual(m.securityPolicy.spec.extAuth, {
            http: { backendRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: "ai-gateway-ext-auth", port: 9002 }], path: "/check", headersToBackend: ["x-tenant"] },
            headersToExtAuth: ["authorization"],
            timeout: "2s",
            failOpen: false,
        });
        assert.deepEqual(crdProblems(m.securityPolicy, m.extAuthBackend), []);
    });

    it("external authorization over gRPC: the same Backend, no path", () => {
        const { spec } = clientAuthManifests(gateway, auth({ extAuth: { protocol: "GRPC", url: "http://authz.auth.svc.cluster.local:9001" } })).securityPolicy;
        assert.deepEqual(spec.extAuth, { grpc: { backendRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: "ai-gateway-ext-auth", port: 9001 }] }, failOpen: false });
    });

    it("address lists: refused ranges first, then the allowed ranges and the tenant claim together, everything else denied", () => {
        const { spec } = clientAuthManifests(gateway, auth({ oidc: { ...oidc, accessToken }, ipAllow: ["10.0.0.0/8", "2001:db8::/32"], ipDeny: ["10.13.0.0/16"] })).securityPolicy;
        assert.deepEqual(spec.authorization, {
            defaultAction: "Deny",
            rules: [
                { name: "deny-listed-addresses", action: "Deny", principal: { clientCIDRs: ["10.13.0.0/16"] } },
                {
                    name: "allow-listed-addresses-tenant",
                    action: "Allow",
                    principal: { clientCIDRs: ["10.0.0.0/8", "2001:db8::/32"], jwt: { provider: OIDC_TOKEN_PROVIDER, claims: [{ name: "tenant", values: ["acme"] }] } },
                },
            ],
        });
        const alone = clientAuthManifests(gateway, auth({ ipAllow: ["192.168.0.0/16"] })).securityPolicy;
        assert.deepEqual(alone.spec.authorization, { defaultAction: "Deny", rules: [{ name: "allow-listed-addresses", action: "Allow", principal: { clientCIDRs: ["192.168.0.0/16"] } }] });
        assert.deepEqual(crdProblems(alone), []);
    });

    it("client certificates: the CA by reference or inline (a ConfigMap), and a SAN that names the user must be present", () => {
        const pem = auth({ clientCertificates: { ca: { pem: CA_PEM } } });
        assert.deepEqual(clientAuthManifests(gateway, pem).clientCaConfigMap, { name: "ai-gateway-client-ca", namespace: "ai-gateway", data: { "ca.crt": CA_PEM } });
        assert.deepEqual(clientCertificateValidation("ai-gateway", pem.clientCertificates!), { caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "ai-gateway-client-ca" }] });
        const secret = auth({ clientCertificates: { ca: { secret: "client-ca" }, userFrom: "uriSan" } });
        assert.deepEqual(clientCertificateValidation("ai-gateway", secret.clientCertificates!), {
            caCertificateRefs: [{ group: "", kind: "Secret", name: "client-ca" }],
            subjectAltNames: { uris: [{ type: "RegularExpression", value: ".+" }] },
        });
        assert.equal(clientAuthManifests(gateway, secret).clientCaConfigMap, undefined);
        const configMap = auth({ clientCertificates: { ca: { configMap: "client-ca" }, userFrom: "dnsSan" } });
        assert.deepEqual(clientCertificateValidation("ai-gateway", configMap.clientCertificates!).subjectAltNames, { dnsNames: [{ type: "RegularExpression", value: ".+" }] });
    });
});

describe("client auth breadth: the user comes from what the gateway verified", () => {
    const gatewayConfig = (): GatewayConfig => parseConfig({ gateway: https }).gateway;

    it("OIDC: the access token's userClaim into rateLimit.userHeader, and every claim header removed from what clients send", () => {
        const a = withVerifiedUser(auth({ oidc: { ...oidc, accessToken } }), "x-user-id");
        assert.deepEqual(a.oidc?.accessToken?.claimToHeaders, [{ claim: "tenant", header: "x-tenant" }, { claim: "sub", header: "x-user-id" }]);
        assert.deepEqual(identityHeaders(a), ["x-tenant", "x-user-id"]);
        const loginOnly = auth({ oidc });
        assert.equal(withVerifiedUser(loginOnly, "x-user-id"), loginOnly, "no verified token: nothing names the user");
    });

    it("external authorization: its answer names the user when nothing else does; its headers are removed from what clients send", () => {
        const alone = withVerifiedUser(auth({ extAuth: { url: "http://authz.auth.svc:9001", protocol: "GRPC", headersToBackend: ["x-tenant"] } }), "x-user-id");
        assert.deepEqual(alone.extAuth?.headersToBackend, ["x-tenant", "x-user-id"]);
        assert.deepEqual(identityHeaders(alone), ["x-tenant", "x-user-id"]);
        const withCerts = withVerifiedUser(auth({ extAuth: { url: "http://authz.auth.svc:9001" }, clientCertificates: { ca: { secret: "ca" }, userFrom: "subject" } }), "x-user-id");
        assert.deepEqual(withCerts.extAuth?.headersToBackend, [], "the certificate names the user");
    });

    it("client certificates: the certificate's field overwrites the client's header before anything reads it (never also removed)", () => {
        const a = auth({ clientCertificates: { ca: { secret: "ca" }, userFrom: "subject" }, extAuth: { url: "http://authz.auth.svc:9001", headersToBackend: ["x-tenant"] } });
        const g = withIdentityHeadersStripped(gatewayConfig(), withVerifiedUser(a, "x-user-id"), "x-user-id");
        assert.deepEqual(g.clientTraffic.headers.earlyRequestHeaders, { remove: ["x-tenant"], set: [{ name: "x-user-id", value: "%DOWNSTREAM_PEER_SUBJECT%" }] });
        const noUser = auth({ clientCertificates: { ca: { secret: "ca" } } });
        const plain = gatewayConfig();
        assert.equal(withIdentityHeadersStripped(plain, noUser, "x-user-id"), plain, "a certificate without userFrom names nobody");
    });
});

describe("client auth breadth: config", () => {
    it("every key of the new mechanisms says what it means (.describe), for the generated JSON Schema", () => {
        const keys = ["oidc", "extAuth", "clientCertificates", "ipAllow", "ipDeny"] as const;
        const undescribed: string[] = [];
        const walk = (path: string, schema: z.ZodType) => {
            if (!schema.description) undescribed.push(path);
            let inner: z.core.$ZodType = schema;
            while (["optional", "default", "prefault"].includes(inner._zod.def.type)) inner = (inner._zod.def as unknown as { innerType: z.core.$ZodType }).innerType;
            if (inner._zod.def.type !== "object") return;
            for (const [k, v] of Object.entries((inner as z.ZodObject).shape)) walk(`${path}.${k}`, v as z.ZodType);
        };
        for (const k of keys) walk(`auth.${k}`, clientAuthSchema.shape[k]);
        assert.deepEqual(undescribed, []);
    });

    const base = { ...models, gateway: https, apiKeys: { "oidc-client-secret": "v" } };
    const problems = (authConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) => configProblems({ ...base, auth: authConfig, ...extra });

    it("OIDC: URLs over HTTPS without credentials, a client secret from ai-gateway:apiKeys, bounded scopes, a cookie domain", () => {
        assert.deepEqual(
            problems({
                oidc: {
                    ...oidc,
                    issuer: "http://idp.example.com",
                    tokenEndpoint: "https://client:hunter2@idp.example.com/token",
                    authorizationEndpoint: "idp.example.com/auth",
                    redirectUrl: "/oauth2/callback",
                    scopes: ["email profile"],
                    cookieDomain: ".example.com",
                },
            }),
            [
                'auth.oidc.issuer: "http://idp.example.com" is plain HTTP outside the cluster, where the OpenID provider could be impersonated; use https://, or http:// only for an in-cluster Service (<service>.<namespace>.svc.cluster.local)',
                'auth.oidc.authorizationEndpoint: "idp.example.com/auth" is not a URL; use e.g. https://idp.example.com/authorize',
                "auth.oidc.tokenEndpoint: holds credentials in the URL; remove them (the token endpoint is reached without credentials in its URL)",
                "auth.oidc.redirectUrl: is not a callback URL; use the full URL registered at the provider, e.g. https://llm.example.com/oauth2/callback",
                "auth.oidc.scopes[0]: is not an OAuth scope; use a scope name such as email or profile",
                "auth.oidc.cookieDomain: is not a domain; use a lower-case DNS name without a leading dot, e.g. example.com",
            ],
        );
        assert.deepEqual(problems({ oidc: { ...oidc, clientSecret: "oidc-client-secrt" } }), [
            `auth.oidc.clientSecret: names secret "oidc-client-secrt", which is not in ai-gateway:apiKeys (did you mean "oidc-client-secret"?); run: pulumi config set --secret --path 'apiKeys.oidc-client-secrt' <value>`,
        ]);
        assert.deepEqual(problems({ oidc: { ...oidc, clientId: "" } }), ["auth.oidc.clientId: is empty; set the client id registered at the OpenID provider, e.g. ai-dashboard"]);
        assert.deepEqual(problems({ oidc: { ...oidc, scopes: [...Array(17).keys()].map((i) => `s${i}`) } }), ["auth.oidc.scopes: lists more than 16 scopes; keep the ones the gateway needs"]);
    });

    it("OIDC: never with JWT or API keys (Envoy Gateway would demand both), and a warning without HTTPS", () => {
        assert.deepEqual(problems({ oidc, jwt: { issuer: "https://a.example.com", jwksUri: "https://a.example.com/keys" } }), [
            "auth.oidc: cannot be combined with auth.jwt: Envoy Gateway would demand a login session and a token of the client's own on every request; keep one of them (auth.oidc.accessToken verifies the session's token as a JWT)",
        ]);
        const warnings = parseConfig({ ...models, auth: { oidc }, apiKeys: { "oidc-client-secret": "v" } }).warnings;
        assert.deepEqual(warnings, [
            "auth.oidc: logs browsers in, and the Gateway has no HTTPS listener: session cookies and the login code cross the network in plain text; add an HTTPS listener (and set gateway.redirectToHttps: true)",
        ]);
    });

    it("OIDC access token: claim headers like a JWT's, never a header that carries the request", () => {
        assert.deepEqual(problems({ oidc: { ...oidc, accessToken: { ...accessToken, claimToHeaders: [{ claim: "email", header: "x-user-id" }, { claim: "x", header: "Host" }] } } }), [
            'auth.oidc.accessToken.claimToHeaders[0].claim: maps "email" into x-user-id, rateLimit.userHeader, which carries auth.oidc.accessToken.userClaim ("sub"); set userClaim: email instead, and remove this entry',
            'auth.oidc.accessToken.claimToHeaders[1].header: "Host" frames the request itself and must stay as the client and the gateway set it; use a header of your own',
        ]);
    });

    it("external authorization: an in-cluster Service URL without credentials, no path for gRPC, headers each once and not the request's own", () => {
        assert.deepEqual(problems({ extAuth: { url: "https://authz.example.com/check" } }), [
            'auth.extAuth.url: "https://authz.example.com/check" is not an in-cluster Service URL: the authorization service is reached inside the cluster, over plain HTTP or gRPC; use http://<service>.<namespace>.svc.cluster.local:<port>[/path], e.g. http://ext-authz.auth.svc.cluster.local:9002/check',
        ]);
        assert.deepEqual(problems({ extAuth: { url: "http://user:pw@authz.auth.svc:9002" } }), [
            "auth.extAuth.url: holds credentials in the URL; remove them: Envoy calls the authorization service without credentials, inside the cluster",
        ]);
        assert.deepEqual(problems({ extAuth: { protocol: "GRPC", url: "http://authz.auth.svc:9001/check", headersToBackend: ["x-tenant", "X-Tenant", "content-type"] } }), [
            "auth.extAuth.url: has the path /check, and a gRPC service has none (Envoy calls its Check method); remove the path, or set protocol: HTTP",
            'auth.extAuth.headersToBackend[1]: "X-Tenant" is already listed at headersToBackend[0]; list each header once',
            'auth.extAuth.headersToBackend[2]: "content-type" frames the request itself and must stay as the client and the gateway set it; use a header of your own',
        ]);
        assert.deepEqual(problems({ extAuth: { protocol: "SOAP", url: "http://authz.auth.svc:9001" } }), ['auth.extAuth.protocol: "SOAP" is not allowed; use one of "HTTP", "GRPC"']);
        assert.deepEqual(problems({ extAuth: { url: "http://authz.auth.svc:9001", timeout: "2m" } }), ["auth.extAuth.timeout: is outside 1ms to 60s: every request waits for the check; use e.g. 2s"]);
        assert.deepEqual(problems({ extAuth: { url: "http://authz.auth.svc:9001", timeout: 5 } }), [
            "auth.extAuth.timeout: must be a duration with a unit, got the number 5; use a value such as 5s or 5ms (units h, m, s, ms)",
        ]);
    });

    it("external authorization: the user header stays with the mechanism that already names the user", () => {
        assert.deepEqual(problems({ extAuth: { url: "http://authz.auth.svc:9001", headersToBackend: ["x-user-id"] }, clientCertificates: { ca: { secret: "ca" }, userFrom: "subject" } }), [
            "auth.extAuth.headersToBackend[0]: is rateLimit.userHeader, which auth.clientCertificates.userFrom already fills with the verified user; remove it here, so one mechanism names the user",
        ]);
    });

    it("client certificates: exactly one CA source, CA certificates only (a pasted key is refused and never echoed)", () => {
        assert.deepEqual(problems({ clientCertificates: { ca: {} } }), ["auth.clientCertificates.ca: names no CA; set exactly one of configMap, secret (their key ca.crt) or pem"]);
        assert.deepEqual(problems({ clientCertificates: { ca: { configMap: "a", secret: "b" } } }), ["auth.clientCertificates.ca: sets configMap and secret; set exactly one of configMap, secret (their key ca.crt) or pem"]);
        assert.deepEqual(problems({ clientCertificates: { ca: { pem: LEAF_PEM } } }), [
            "auth.clientCertificates.ca.pem: certificate 1 (CN=leaf) is not a CA certificate; use the certificate of the CA that issues the client certificates",
        ]);
        const key = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKnownTestKeyMaterial0123456789abcdef\n-----END PRIVATE KEY-----\n";
        const found = problems({ clientCertificates: { ca: { pem: CA_PEM + key } } });
        assert.deepEqual(found, ["auth.clientCertificates.ca.pem: holds a private key; remove it at once (and rotate it): only CA certificates belong here, never a key"]);
        assert.ok(!found.join().includes("KnownTestKeyMaterial"));
        assert.deepEqual(problems({ clientCertificates: { ca: { pem: "not a certificate" } } }), [
            "auth.clientCertificates.ca.pem: holds no PEM certificate; paste the CA certificate(s), from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----",
        ]);
        assert.deepEqual(problems({ clientCertificates: { ca: { secret: "Client CA" }, userFrom: "cn" } }), [
            "auth.clientCertificates.ca.secret: is not a valid Kubernetes name; use lower-case letters, digits, '-' and '.'",
            'auth.clientCertificates.userFrom: "cn" is not allowed; use one of "subject", "uriSan", "dnsSan"',
        ]);
    });

    it("client certificates: HTTPS only, never beside plain HTTP that is not redirected, checked by the ClientTrafficPolicy", () => {
        const certs = { clientCertificates: { ca: { secret: "ca" } } };
        assert.deepEqual(configProblems({ ...models, auth: certs }), [
            "auth.clientCertificates: applies to HTTPS listeners, and the Gateway has none; add an HTTPS listener (gateway.listeners) or remove auth.clientCertificates",
        ]);
        assert.deepEqual(configProblems({ ...models, auth: certs, gateway: { ...https, redirectToHttps: false, clientTraffic: { enabled: false } } }), [
            "auth.clientCertificates: are checked on HTTPS only, and the Gateway also serves plain HTTP, where no certificate is asked for; set gateway.redirectToHttps: true, or remove the HTTP listener",
            "gateway.clientTraffic.enabled: is false, but auth.clientCertificates is checked by the ClientTrafficPolicy; set it to true",
        ]);
    });

    it("address lists: CIDR ranges, each once, deny only within an allow list, a warning when the Service hides client addresses", () => {
        assert.deepEqual(problems({ ipAllow: ["10.0.0.1", "10.0.0.0/33", "fe80::/129", "10.0.0.0/8", "10.0.0.0/8", "example.com/8"] }), [
            'auth.ipAllow[0]: "10.0.0.1" is not a CIDR range (no prefix length); use e.g. 10.0.0.1/32 for one address',
            'auth.ipAllow[1]: "10.0.0.0/33" has a prefix longer than 32 bits; use /0 to /32',
            'auth.ipAllow[2]: "fe80::/129" has a prefix longer than 128 bits; use /0 to /128',
            'auth.ipAllow[5]: "example.com/8" is not a CIDR range; use e.g. 10.0.0.0/8, 203.0.113.7/32 or 2001:db8::/32',
            'auth.ipAllow[4]: "10.0.0.0/8" is already listed at [3]; list each range once',
        ]);
        assert.deepEqual(problems({ ipAllow: [] }), ["auth.ipAllow: is empty; list the client address ranges allowed to call the gateway, or remove the key"]);
        assert.deepEqual(problems({ ipDeny: ["10.13.0.0/16"] }), [
            "auth.ipDeny: refuses ranges within auth.ipAllow, and there is none (default deny keeps every address out); add ipAllow, e.g. [0.0.0.0/0, ::/0] to allow every other address",
        ]);
        assert.deepEqual(problems({ ipAllow: ["10.0.0.0/8"], ipDeny: ["10.0.0.0/8"] }), [
            'auth.ipDeny[0]: "10.0.0.0/8" is also auth.ipAllow[0], where it would allow nothing (deny comes first); remove it from one list',
        ]);
        assert.deepEqual(parseConfig({ ...base, auth: { ipAllow: ["10.0.0.0/8"] } }).warnings, [
            "auth.ipAllow: is matched against the address Envoy sees, and a LoadBalancer Service with externalTrafficPolicy Cluster replaces the client's address with a node's; set gateway.envoyProxy.service.externalTrafficPolicy: Local (behind an L7 load balancer or an NLB with proxy protocol, set gateway.clientTraffic.clientIP or proxyProtocol instead)",
        ]);
    });

    it("per-user budgets with a mechanism that names no user: an error, not a silent shared budget", () => {
        assert.deepEqual(problems({ ipAllow: ["10.0.0.0/8"], clientCertificates: { ca: { secret: "ca" } } }, perUser), [
            "rateLimit.userHeader: per-user budgets need a verified user, and auth.clientCertificates, auth.ipAllow name none, so x-user-id would be whatever the client sends; set auth.oidc.accessToken or auth.clientCertificates.userFrom, add auth.jwt, auth.apiKeys or auth.extAuth, or remove the per-user budgets",
        ]);
        assert.deepEqual(problems({ oidc }, perUser), [
            "rateLimit.userHeader: per-user budgets need a verified user, and auth.oidc names none, so x-user-id would be whatever the client sends; set auth.oidc.accessToken or auth.clientCertificates.userFrom, add auth.jwt, auth.apiKeys or auth.extAuth, or remove the per-user budgets",
        ]);
        for (const ok of [{ oidc: { ...oidc, accessToken } }, { clientCertificates: { ca: { secret: "ca" }, userFrom: "subject" } }, { extAuth: { url: "http://authz.auth.svc:9001" } }]) {
            assert.doesNotThrow(() => parseConfig({ ...base, auth: ok, ...perUser }), JSON.stringify(ok));
        }
    });

    it("the new mechanisms contradict auth.none, and count as client authentication for a LoadBalancer in front of credentials", () => {
        assert.deepEqual(problems({ none: true, ipAllow: ["10.0.0.0/8"] }), ["auth.none: contradicts auth.ipAllow; remove one of them"]);
        const exposed = { backends: { openai: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } }, b: local("b") }, models: { m: { backends: [{ backend: "openai" }, { backend: "b", priority: 1 }] } } };
        assert.doesNotThrow(() => parseConfig({ ...exposed, gateway: https, auth: { extAuth: { url: "http://authz.auth.svc:9001" } }, apiKeys: { openai: "k" } }));
        assert.match(configProblems({ ...exposed, gateway: https, apiKeys: { openai: "k" } })[0], /^auth: is not set, and the gateway is exposed through a LoadBalancer Service/);
    });

    it("the authorization Backend cannot share its name with a model backend", () => {
        assert.deepEqual(problems({ extAuth: { url: "http://authz.auth.svc:9001" } }, { backends: { ...models.backends, "ext-auth": local("x") } }), [
            'backends.ext-auth: its Backend would be named "ai-gateway-ext-auth", the name of the Backend that reaches the authorization service of auth.extAuth.url; rename the backend',
        ]);
    });
});

describe("client auth breadth: components", () => {
    const KNOWN_SECRET = "oidc-known-client-secret-7c1d9e2f4a6b8d0e";
    const stack = {
        ...models,
        gateway: https,
        auth: { oidc: { ...oidc, accessToken }, ipAllow: ["10.0.0.0/8"], ipDeny: ["10.13.0.0/16"] },
        apiKeys: { "oidc-client-secret": KNOWN_SECRET },
    };

    it("OIDC: the client secret only inside its Secret, never in other inputs, render or stack outputs", async () => {
        const e = await evaluate(stack);
        const secret = e.get("kubernetes:core/v1:Secret", "client-security-oidc-client");
        assert.deepEqual(secret.inputs.metadata, { name: "ai-gateway-oidc-client", namespace: "ai-gateway" });
        assert.ok(isSecretValue(secret.inputs.stringData));
        assert.deepEqual(redactSecrets(secret.inputs.stringData), { "client-secret": "[secret]" });
        assert.deepEqual((secret.inputs.stringData as { value: unknown }).value, { "client-secret": KNOWN_SECRET });
        assert.ok(e.get("kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", "client-security-policy").dependsOn.includes("client-security-oidc-client"));
        assert.deepEqual(await secretLeaks(e, KNOWN_SECRET, "client-security-oidc-client"), []);
        assert.deepEqual(customResources(e).flatMap((o) => catalog().validate(o)), []);
    });

    it("render (YAML and JSON) of the upstream OIDC fixture never prints its client secret", async () => {
        const file = join(__dirname, "upstream", "fixtures", "oidc-ip-lists.yaml");
        const known = (configOfFile(file).apiKeys as Record<string, string>)["oidc-client-secret"];
        assert.equal(known, "test-oidc-client-secret");
        for (const format of ["yaml", "json"] as const) {
            const result = await render({ stack: "oidc", file, format }, mocks);
            assert.equal(result.code, 0, result.stderr);
            assert.ok(result.stdout.includes("ai-gateway-oidc-client"), "the render names the Secret");
            assert.ok(!result.stdout.includes(known) && !result.stderr.includes(known), format);
        }
    });

    it("the fixture: the CA ConfigMap, the ClientTrafficPolicy that requires certificates and sets the user from their subject, the authorization Backend", async () => {
        const e = await evaluate(configOfFile(FIXTURE));
        const ca = e.get("kubernetes:core/v1:ConfigMap", "client-security-client-ca");
        assert.deepEqual(ca.inputs.metadata, { name: "ai-gateway-client-ca", namespace: "ai-gateway" });
        assert.deepEqual(ca.inputs.data, { "ca.crt": CA_PEM });
        const ctp = e.object("ClientTrafficPolicy", "ai-gateway-client-traffic").spec as { tls: unknown; headers: unknown };
        assert.deepEqual(ctp.tls, { clientValidation: { caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "ai-gateway-client-ca" }] } });
        assert.deepEqual(ctp.headers, { earlyRequestHeaders: { remove: ["x-tenant"], set: [{ name: "x-user-id", value: "%DOWNSTREAM_PEER_SUBJECT%" }] } });
        assert.deepEqual(e.object("Backend", "ai-gateway-ext-auth").spec, { endpoints: [{ fqdn: { hostname: "authz.auth.svc.cluster.local", port: 9001 } }] });
        const routes = e.resources.filter((r) => r.custom && String(r.inputs.kind) === "AIGatewayRoute");
        for (const r of routes) assert.ok(r.dependsOn.includes("client-security-client-ca"), `${r.name} waits for the CA`);
    });
});
