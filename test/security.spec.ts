import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, type ClientAuthConfig, type GatewayConfig } from "../plan";
import type { Authorization } from "../specs";
import { clientAuthManifests, JWT_PROVIDER } from "../components/manifests/security";
import { identityHeaders, withIdentityHeadersStripped, withVerifiedUser } from "../plan/identity";
import { isSecretValue, redactSecrets } from "../scripts/mocks";
import { configProblems, customResources, Evaluation, evaluate, secretLeaks, stackFileConfig } from "./harness";
import { catalog } from "./support/conformance";
import { crdProblems } from "./support/manifests";

// Client authentication (ai-gateway:auth): the SecurityPolicy on the Gateway, its JWKS Backend and
// API-key Secret, the rules that refuse what would not work, and the known key never leaking.

const SECRET = "kubernetes:core/v1:Secret";
const POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy";
const gateway = { name: "ai-gateway", namespace: "ai-gateway" };

/** The prod stack's JWT settings (the seed's tenants). */
const seedJwt = {
    issuer: "https://auth.example.com",
    jwksUri: "https://auth.example.com/.well-known/jwks.json",
    claimToHeaders: [{ claim: "tenant", header: "x-tenant" }],
    allow: { claim: "tenant", values: ["tenant-a", "tenant-b", "tenant-c"] },
};

/** ai-gateway:auth as the program sees it, with every key the clients name set in apiKeys. */
function auth(raw: Record<string, unknown>): ClientAuthConfig {
    const clients = (raw.apiKeys as { clients?: Record<string, string> } | undefined)?.clients ?? {};
    return parseConfig({ auth: raw, apiKeys: Object.fromEntries(Object.values(clients).map((k) => [k, `test-value-${k}`])) }).auth;
}
const local = (name: string) => ({ schema: "OpenAI", hostname: `${name}.models.svc.cluster.local`, port: 80 });
const models = {
    backends: { a: local("a"), b: local("b") },
    models: { m: { backends: [{ backend: "a" }, { backend: "b" }] } },
};

describe("security builders: the SecurityPolicy", () => {
    it("JWT on the Gateway: provider, remote JWKS over HTTPS, claims copied into headers", () => {
        const m = clientAuthManifests(gateway, auth({ jwt: { ...seedJwt, audiences: ["llm-gateway"] } }));
        assert.deepEqual(m.securityPolicy.metadata, { name: "ai-gateway-client-auth", namespace: "ai-gateway" });
        assert.deepEqual(m.securityPolicy.spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway" }]);
        assert.deepEqual(m.securityPolicy.spec.jwt, {
            providers: [
                {
                    name: JWT_PROVIDER,
                    issuer: "https://auth.example.com",
                    audiences: ["llm-gateway"],
                    remoteJWKS: { uri: "https://auth.example.com/.well-known/jwks.json" },
                    claimToHeaders: [{ claim: "tenant", header: "x-tenant" }],
                },
            ],
        });
        assert.equal(m.jwksBackend, undefined, "HTTPS is fetched directly, without a Backend");
        assert.equal(m.apiKeySecret, undefined);
        assert.deepEqual(crdProblems(m.securityPolicy), []);
    });

    it("default deny, and one Allow rule for the listed tenants of the claim", () => {
        const { spec } = clientAuthManifests(gateway, auth({ jwt: seedJwt })).securityPolicy;
        assert.deepEqual(spec.authorization, {
            defaultAction: "Deny",
            rules: [
                {
                    name: "allow-listed-tenant",
                    action: "Allow",
                    principal: { jwt: { provider: JWT_PROVIDER, claims: [{ name: "tenant", values: ["tenant-a", "tenant-b", "tenant-c"] }] } },
                },
            ],
        });
        // The Allow rule names the provider the policy defines (the CRD's CEL rule needs spec.jwt).
        assert.equal(spec.jwt?.providers[0].name, spec.authorization?.rules?.[0].principal.jwt?.provider);
    });

    it("JWT without allow: any valid token passes, no authorization section", () => {
        const { spec } = clientAuthManifests(gateway, auth({ jwt: { issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/keys" } })).securityPolicy;
        assert.equal(spec.authorization, undefined);
        assert.equal(spec.jwt?.providers[0].claimToHeaders, undefined);
    });

    it("an in-cluster JWKS over HTTP: a Backend to the Service and remoteJWKS.backendRefs", () => {
        const m = clientAuthManifests(gateway, auth({ jwt: { issuer: "inference-in-a-box", jwksUri: "http://jwt-server.default.svc:8080/.well-known/jwks.json" } }));
        assert.deepEqual(m.jwksBackend, {
            apiVersion: "gateway.envoyproxy.io/v1alpha1",
            kind: "Backend",
            metadata: { name: "ai-gateway-jwks", namespace: "ai-gateway" },
            spec: { endpoints: [{ fqdn: { hostname: "jwt-server.default.svc.cluster.local", port: 8080 } }] },
        });
        assert.deepEqual(m.securityPolicy.spec.jwt?.providers[0].remoteJWKS, {
            uri: "http://jwt-server.default.svc:8080/.well-known/jwks.json",
            backendRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: "ai-gateway-jwks", port: 8080 }],
        });
        assert.deepEqual(crdProblems(m.securityPolicy, m.jwksBackend), []);
    });

    it("client API keys: apiKeyAuth reads the Opaque Secret, the key never goes upstream", () => {
        const m = clientAuthManifests(gateway, auth({ apiKeys: { clients: { "team-a": "team-a-key", "team-b": "team-b-key" }, forwardClientIdHeader: "x-user-id" } }));
        assert.deepEqual(m.securityPolicy.spec.apiKeyAuth, {
            credentialRefs: [{ group: "", kind: "Secret", name: "ai-gateway-client-api-keys" }],
            extractFrom: [{ headers: ["x-api-key"] }],
            forwardClientIDHeader: "x-user-id",
            sanitize: true,
        });
        assert.deepEqual(m.apiKeySecret, { name: "ai-gateway-client-api-keys", namespace: "ai-gateway", keys: { "team-a": "team-a-key", "team-b": "team-b-key" } });
        assert.equal(m.securityPolicy.spec.jwt, undefined);
        assert.equal(m.securityPolicy.spec.authorization, undefined, "no default deny: the key itself is the permission");
        assert.deepEqual(crdProblems(m.securityPolicy), []);
    });

    it("CORS only: a policy that answers preflights and authenticates nobody", () => {
        const cors = { allowOrigins: ["https://app.example.com", "https://*.example.com"], allowMethods: ["GET", "POST"], allowHeaders: ["authorization", "content-type"], maxAge: "10m", allowCredentials: true };
        const { spec } = clientAuthManifests(gateway, auth({ cors })).securityPolicy;
        assert.deepEqual(spec.cors, cors);
        assert.deepEqual(Object.keys(spec).sort(), ["cors", "targetRefs"]);
        assert.deepEqual(crdProblems(clientAuthManifests(gateway, auth({ jwt: seedJwt, cors })).securityPolicy), []);
    });
});

describe("security builders: identity headers are never taken from the client", () => {
    const gatewayConfig = (raw: Record<string, unknown> = {}): GatewayConfig => parseConfig({ gateway: raw }).gateway;

    it("copied claims and the forwarded client id are removed early, before authentication adds them", () => {
        assert.deepEqual(identityHeaders(auth({ jwt: { ...seedJwt, claimToHeaders: [{ claim: "tenant", header: "X-Tenant" }, { claim: "sub", header: "x-jwt-sub" }] } })), ["x-jwt-sub", "x-tenant"]);
        assert.deepEqual(identityHeaders(auth({ apiKeys: { clients: { a: "k" }, forwardClientIdHeader: "x-user-id" } })), ["x-user-id"]);
        assert.deepEqual(identityHeaders(auth({})), []);

        const stripped = withIdentityHeadersStripped(gatewayConfig({ clientTraffic: { headers: { earlyRequestHeaders: { remove: ["x-debug", "X-Tenant"] } } } }), auth({ jwt: seedJwt }));
        assert.deepEqual(stripped.clientTraffic.headers.earlyRequestHeaders, { remove: ["x-debug", "X-Tenant"] }, "already removed: not twice");
        assert.deepEqual(withIdentityHeadersStripped(gatewayConfig(), auth({ jwt: seedJwt })).clientTraffic.headers.earlyRequestHeaders, { remove: ["x-tenant"] });
    });

    it("the user identity comes from what the gateway verified: the JWT's userClaim, or the API-key client's name, in rateLimit.userHeader", () => {
        const jwt = withVerifiedUser(auth({ jwt: seedJwt }), "x-user-id");
        assert.deepEqual(jwt.jwt?.claimToHeaders, [{ claim: "tenant", header: "x-tenant" }, { claim: "sub", header: "x-user-id" }]);
        assert.deepEqual(identityHeaders(jwt), ["x-tenant", "x-user-id"], "so clients cannot send it");
        const email = withVerifiedUser(auth({ jwt: { ...seedJwt, userClaim: "email" } }), "x-user");
        assert.deepEqual(email.jwt?.claimToHeaders.at(-1), { claim: "email", header: "x-user" });
        const keys = withVerifiedUser(auth({ apiKeys: { clients: { "team-a": "k" } } }), "x-user-id");
        assert.equal(keys.apiKeys?.forwardClientIdHeader, "x-user-id");
        assert.deepEqual(identityHeaders(keys), ["x-user-id"]);
        const none = auth({});
        assert.equal(withVerifiedUser(none, "x-user-id"), none, "no client auth: nothing verified to write");
    });

    it("nothing to strip, or no ClientTrafficPolicy: the gateway config is unchanged", () => {
        const plain = gatewayConfig();
        assert.equal(withIdentityHeadersStripped(plain, auth({ jwt: { ...seedJwt, claimToHeaders: [] } })), plain);
        const off = gatewayConfig({ clientTraffic: { enabled: false } });
        assert.equal(withIdentityHeadersStripped(off, auth({ jwt: seedJwt })), off);
    });
});

describe("config: ai-gateway:auth", () => {
    const jwt = (extra: Record<string, unknown>) => ({ auth: { jwt: { ...seedJwt, ...extra } } });

    it("the JWKS URI: HTTPS, or HTTP only to an in-cluster Service", () => {
        assert.deepEqual(configProblems(jwt({ jwksUri: "http://auth.example.com/jwks.json" })), [
            'auth.jwt.jwksUri: "http://auth.example.com/jwks.json" is plain HTTP outside the cluster, where the keys that sign tokens could be swapped; use https://, or http:// only for an in-cluster Service (<service>.<namespace>.svc.cluster.local)',
        ]);
        assert.deepEqual(configProblems(jwt({ jwksUri: "auth.example.com/jwks.json" })), [
            'auth.jwt.jwksUri: "auth.example.com/jwks.json" is not a URL; use e.g. https://auth.example.com/.well-known/jwks.json',
        ]);
        assert.deepEqual(configProblems(jwt({ jwksUri: "ftp://auth.example.com/jwks.json" })), [
            'auth.jwt.jwksUri: "ftp://auth.example.com/jwks.json" is not an http(s) URL; use e.g. https://auth.example.com/.well-known/jwks.json',
        ]);
        assert.deepEqual(configProblems(jwt({ jwksUri: "" })), ["auth.jwt.jwksUri: is empty; set the JWKS URL, e.g. https://auth.example.com/.well-known/jwks.json"]);
        for (const uri of ["http://jwks.auth.svc.cluster.local:8080/keys", "http://jwks.auth.svc/keys", "https://auth.example.com/keys"]) {
            assert.doesNotThrow(() => parseConfig(jwt({ jwksUri: uri })), uri);
        }
    });

    it("the issuer: a URI when it has a ':'", () => {
        assert.deepEqual(configProblems(jwt({ issuer: "auth example:com" })), [
            `auth.jwt.issuer: "auth example:com" contains ':' but is not a URI; use the issuer exactly as tokens carry it, e.g. https://auth.example.com`,
        ]);
        assert.doesNotThrow(() => parseConfig(jwt({ issuer: "inference-in-a-box" })));
    });

    it("claim names and values must not be empty, tenants are unique", () => {
        assert.deepEqual(configProblems(jwt({ claimToHeaders: [{ claim: " ", header: "x-tenant" }], allow: { claim: "", values: ["tenant-a", "", "tenant-b", "tenant-a"] } })), [
            "auth.jwt.claimToHeaders[0].claim: is empty; name a claim, e.g. tenant (nested claims with dots: org.id)",
            "auth.jwt.allow.claim: is empty; name the claim to authorize on, e.g. tenant",
            "auth.jwt.allow.values[1]: is empty; list non-empty claim values",
            'auth.jwt.allow.values[3]: "tenant-a" is already listed at values[0]; list each allowed value once',
        ]);
        assert.deepEqual(configProblems(jwt({ allow: { claim: "tenant", values: [] } })), ["auth.jwt.allow.values: is empty; list at least one allowed value"]);
    });

    it("claim headers: valid, each once, never a header that carries the request", () => {
        assert.deepEqual(configProblems(jwt({ claimToHeaders: [{ claim: "tenant", header: "x tenant" }] })), [
            "auth.jwt.claimToHeaders[0].header: is not a header name; use letters, digits and '-', e.g. x-tenant",
        ]);
        assert.deepEqual(configProblems(jwt({ claimToHeaders: [{ claim: "tenant", header: "x-tenant" }, { claim: "org", header: "X-Tenant" }] })), [
            'auth.jwt.claimToHeaders[1].header: "x-tenant" is already the header of claimToHeaders[0]; copy each claim into its own header',
        ]);
        assert.deepEqual(configProblems(jwt({ claimToHeaders: [{ claim: "model", header: "x-ai-eg-model" }, { claim: "sub", header: "Authorization" }] })), [
            'auth.jwt.claimToHeaders[0].header: "x-ai-eg-model" is a header of the gateway itself (x-ai-eg-*), which it sets and reads; use a header of your own',
            `auth.jwt.claimToHeaders[1].header: "Authorization" carries a credential, which only the backend's auth (or ai-gateway:auth) sets; use a header of your own`,
        ]);
    });

    it("at most 8 audiences", () => {
        assert.deepEqual(configProblems(jwt({ audiences: [...Array(9).keys()].map((i) => `aud-${i}`) })), [
            "auth.jwt.audiences: lists more than 8 audiences, the most Envoy Gateway accepts; keep 8",
        ]);
    });

    it("JWT and API keys are alternatives, never both", () => {
        assert.deepEqual(configProblems({ auth: { jwt: seedJwt, apiKeys: { clients: { "team-a": "k" } } }, apiKeys: { k: "v" } }), [
            "auth.apiKeys: cannot be combined with auth.jwt: Envoy Gateway would demand both a token and a key on every request (its authentication methods never stand in for each other); keep one of them",
        ]);
    });

    it("API keys: each client names a key of ai-gateway:apiKeys, its own, under a usable client id", () => {
        assert.deepEqual(configProblems({ auth: { apiKeys: { clients: { "team-a": "team-a-key" } } }, apiKeys: { "team-b-key": "v" } }), [
            `auth.apiKeys.clients.team-a: names secret "team-a-key", which is not in ai-gateway:apiKeys (did you mean "team-b-key"?); run: pulumi config set --secret --path 'apiKeys.team-a-key' <value>`,
        ]);
        assert.deepEqual(configProblems({ auth: { apiKeys: { clients: { a: "shared", b: "shared" } } }, apiKeys: { shared: "v" } }), [
            'auth.apiKeys.clients.b: uses secret "shared" like clients.a, so the gateway could not tell the two clients apart; give each client its own key',
        ]);
        const equal = configProblems({ auth: { apiKeys: { clients: { a: "ka", b: "kb", c: "kc" } } }, apiKeys: { ka: "ck-known-equal", kb: "ck-known-equal", kc: "ck-other" } });
        assert.deepEqual(equal, [
            "auth.apiKeys.clients.b: its key (apiKeys.kb) equals that of clients.a (apiKeys.ka), and Envoy Gateway refuses every client key when two are the same; give each client a key of its own",
        ]);
        assert.ok(!equal.join("\n").includes("ck-known-equal"), "the key itself is never named");
        assert.doesNotThrow(() => parseConfig({ auth: { apiKeys: { clients: { a: "ka", b: "kb" } } }, apiKeys: { ka: pulumi.secret("same"), kb: pulumi.secret("same") } }), "Outputs are known only at deploy time");
        assert.deepEqual(configProblems({ auth: { apiKeys: { clients: { "team a": "k" } } }, apiKeys: { k: "v" } }), [
            `auth.apiKeys.clients["team a"]: is not a usable client id (it becomes a Secret data key); use letters, digits, '-', '_' and '.'`,
        ]);
        assert.deepEqual(configProblems({ auth: { apiKeys: { clients: {} } } }), [
            "auth.apiKeys.clients: is empty; add a client, e.g. team-a: team-a-key (the value names a key of ai-gateway:apiKeys)",
        ]);
        assert.deepEqual(configProblems({ auth: { apiKeys: { clients: { a: "k" }, forwardClientIdHeader: "X-API-Key" } }, apiKeys: { k: "v" } }), [
            "auth.apiKeys.forwardClientIdHeader: is the header clients send their key in (x-api-key); use another header, e.g. x-client-id",
        ]);
    });

    it("CORS: origins in Envoy Gateway's syntax, no credentials for every origin", () => {
        assert.deepEqual(configProblems({ auth: { cors: { allowOrigins: ["app.example.com"] } } }), [
            "auth.cors.allowOrigins[0]: is not an origin; use scheme://host[:port] such as https://app.example.com, https://*.example.com, or *",
        ]);
        assert.deepEqual(configProblems({ auth: { cors: { allowOrigins: ["*"], allowCredentials: true } } }), [
            'auth.cors.allowCredentials: cannot be true with allowOrigins "*": browsers refuse credentials for a wildcard origin; list the origins instead of "*"',
        ]);
    });

    it("the in-cluster JWKS Backend cannot share its name with a model backend", () => {
        assert.deepEqual(configProblems({ ...jwt({ jwksUri: "http://jwks.auth.svc.cluster.local/keys" }), backends: { jwks: local("jwks") } }), [
            'backends.jwks: its Backend would be named "ai-gateway-jwks", the name of the Backend that fetches the in-cluster JWKS of auth.jwt.jwksUri; rename the backend',
        ]);
        assert.doesNotThrow(() => parseConfig({ ...jwt({}), backends: { jwks: local("jwks") } }), "no Backend for an HTTPS JWKS");
    });

    it("an unknown key under auth gets a did-you-mean", () => {
        assert.deepEqual(configProblems({ auth: { jwts: seedJwt } }), ['auth.jwts: unknown key; did you mean "jwt"?']);
    });
});

describe("client security: components", () => {
    const KNOWN_KEY = "client-known-test-key-5f1e2d3c4b5a6978";
    const OTHER_KEY = "client-other-test-key-0a9b8c7d6e5f4a3b";
    const apiKeysStack = {
        ...models,
        auth: { apiKeys: { clients: { "team-a": "team-a-key", "team-b": "team-b-key" } } },
        apiKeys: { "team-a-key": KNOWN_KEY, "team-b-key": OTHER_KEY },
        passthrough: { iris: { path: "/v1/models/sklearn-iris", service: { name: "sklearn-iris-predictor", namespace: "tenant-a", port: 80 } } },
    };

    let e: Evaluation;
    before(async () => {
        e = await evaluate(apiKeysStack);
    });

    it("one ClientSecurity with the Secret and the policy; the policy waits for its Secret", () => {
        assert.equal(e.all("ai-gateway:security:ClientSecurity").length, 1);
        assert.deepEqual(e.resources.filter((r) => r.parent === "client-security").map((r) => r.name).sort(), ["client-security-api-keys", "client-security-policy"]);
        const policy = e.get(POLICY, "client-security-policy");
        assert.ok(policy.dependsOn.includes("client-security-api-keys"));
        assert.ok(policy.dependsOn.includes("envoy-gateway-release"), "waits for its CRD");
        assert.ok(policy.dependsOn.includes("gateway-core-namespace"));
    });

    it("every route waits for the policy: no route is served before authentication is in place", () => {
        const routes = e.resources.filter((r) => r.custom && ["AIGatewayRoute", "HTTPRoute"].includes(String(r.inputs.kind)));
        assert.deepEqual(routes.map((r) => String(r.inputs.kind)).sort(), ["AIGatewayRoute", "HTTPRoute"]);
        for (const r of routes) assert.ok(r.dependsOn.includes("client-security-policy"), `${r.name} waits for the SecurityPolicy`);
    });

    it("the API-key Secret: Opaque, one data key per client id, the values secret", () => {
        const secret = e.get(SECRET, "client-security-api-keys");
        assert.deepEqual(secret.inputs.metadata, { name: "ai-gateway-client-api-keys", namespace: "ai-gateway" });
        assert.equal(secret.inputs.type, "Opaque");
        assert.ok(isSecretValue(secret.inputs.stringData), "stringData is a secret value");
        assert.deepEqual(redactSecrets(secret.inputs.stringData), { "team-a": "[secret]", "team-b": "[secret]" });
        assert.deepEqual((secret.inputs.stringData as { value: unknown }).value, { "team-a": KNOWN_KEY, "team-b": OTHER_KEY });
    });

    it("a known client key appears nowhere in plain text outside the Secret: not in other inputs, render or stack outputs", async () => {
        for (const key of [KNOWN_KEY, OTHER_KEY]) assert.deepEqual(await secretLeaks(e, key, "client-security-api-keys"), []);
    });

    it("every custom resource validates against the CRDs", () => {
        assert.deepEqual(customResources(e).flatMap((o) => catalog().validate(o)), []);
    });

    it("an in-cluster JWKS: the policy waits for its Backend", async () => {
        const ev = await evaluate({ ...models, auth: { jwt: { ...seedJwt, jwksUri: "http://jwks.auth.svc.cluster.local:8080/keys" } } });
        assert.deepEqual(ev.resources.filter((r) => r.parent === "client-security").map((r) => r.name).sort(), ["client-security-jwks-backend", "client-security-policy"]);
        assert.ok(ev.get(POLICY, "client-security-policy").dependsOn.includes("client-security-jwks-backend"));
        assert.deepEqual(customResources(ev).flatMap((o) => catalog().validate(o)), []);
    });

    it("no ai-gateway:auth: no SecurityPolicy, and routes wait only for the namespace", async () => {
        const ev = await evaluate(models);
        assert.deepEqual(ev.objects("SecurityPolicy"), []);
        assert.equal(ev.all("ai-gateway:security:ClientSecurity").length, 0);
        assert.deepEqual(ev.object("ClientTrafficPolicy", "ai-gateway-client-traffic").spec.headers, undefined);
    });
});

describe("client security: stack files", () => {
    it("prod: JWT on the Gateway with the seed's tenants, default deny, the user from the verified sub claim, claim headers stripped from clients", async () => {
        const e = await evaluate(stackFileConfig("prod"));
        const policies = e.objects("SecurityPolicy");
        assert.equal(policies.length, 1);
        const { spec } = policies[0];
        assert.deepEqual(spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway" }]);
        assert.deepEqual((spec.jwt as { providers: unknown[] }).providers, [
            {
                name: JWT_PROVIDER,
                issuer: "https://auth.example.com",
                audiences: ["ai-gateway"],
                remoteJWKS: { uri: "https://auth.example.com/.well-known/jwks.json" },
                // The user that budgets, logs and metrics count: the verified sub claim, in rateLimit.userHeader.
                claimToHeaders: [
                    { claim: "tenant", header: "x-tenant" },
                    { claim: "sub", header: "x-user-id" },
                ],
            },
        ]);
        const authorization = spec.authorization as Authorization;
        assert.equal(authorization.defaultAction, "Deny");
        assert.deepEqual(authorization.rules?.[0].principal.jwt?.claims, [{ name: "tenant", values: ["tenant-a", "tenant-b", "tenant-c"] }]);
        assert.deepEqual((e.object("ClientTrafficPolicy", "ai-gateway-client-traffic").spec.headers as Record<string, unknown>).earlyRequestHeaders, { remove: ["x-tenant", "x-user-id"] });
        // Clients reach it over HTTPS: the prod Gateway terminates TLS for llm.example.com, and plain HTTP only redirects.
        const listeners = e.object("Gateway", "ai-gateway").spec.listeners as { protocol: string; hostname?: string }[];
        assert.ok(listeners.some((l) => l.protocol === "HTTPS" && l.hostname === "llm.example.com"));
        assert.deepEqual((e.object("HTTPRoute", "ai-gateway-https-redirect").spec.rules as { filters: unknown[] }[])[0].filters, [
            { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } },
        ]);
        assert.deepEqual(customResources(e).flatMap((o) => catalog().validate(o)), []);
    });

    it("dev: client API keys, the client's name in x-user-id, a client's own x-user-id removed first", async () => {
        const e = await evaluate(stackFileConfig("dev"));
        const policies = e.objects("SecurityPolicy");
        assert.equal(policies.length, 1);
        const apiKeyAuth = policies[0].spec.apiKeyAuth as { extractFrom: { headers: string[] }[]; forwardClientIDHeader: string; credentialRefs: { name: string }[] };
        assert.deepEqual(apiKeyAuth.extractFrom, [{ headers: ["x-api-key"] }]);
        assert.equal(apiKeyAuth.forwardClientIDHeader, "x-user-id");
        const keys = e.object("Secret", apiKeyAuth.credentialRefs[0].name);
        // The Secret's data is a Pulumi secret: its keys are the client names.
        const data = (keys.stringData ?? keys.data) as { value?: Record<string, unknown> };
        assert.deepEqual(Object.keys(data.value ?? data).sort(), ["alice", "bob"]);
        assert.ok(((e.object("ClientTrafficPolicy", "ai-gateway-client-traffic").spec.headers as { earlyRequestHeaders: { remove: string[] } }).earlyRequestHeaders.remove).includes("x-user-id"));
    });

    it("authentication off: no SecurityPolicy, and nothing waits for one", async () => {
        const { auth: _auth, ...dev } = stackFileConfig("dev");
        const e = await evaluate(dev);
        assert.deepEqual(e.objects("SecurityPolicy"), []);
        for (const r of e.resources) assert.ok(!r.dependsOn.some((d) => d.startsWith("client-security")), r.name);
    });
});
