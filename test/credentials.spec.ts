import * as assert from "node:assert/strict";
import { backendNames } from "../plan/names";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { backendObjects } from "../components/manifests/backends";
import { parseConfig } from "../plan";
import { configProblems, evaluate, secretLeaks } from "./harness";
import { crdProblems } from "./support/manifests";

// Provider credentials beyond static keys: OIDC token exchange (AWS, Azure), GCP Workload Identity
// Federation, and per-request credentials (credentialOverride).

const gateway = { name: "ai-gateway", namespace: "ai-gateway" };
const ISSUER = "https://idp.example.com/realms/ai";
const ROLE = "arn:aws:iam::123456789012:role/bedrock-from-idp";
const exchange = { issuer: ISSUER, clientID: "ai-gateway", clientSecret: "idp" };

/** One backend `b` and a model on it; the OIDC client secret is set. */
const stack = (backend: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    backends: { b: backend },
    models: { m: { backends: [{ backend: "b" }] } },
    routing: { minBackendsPerModel: 1 },
    auth: { none: true },
    apiKeys: { idp: "known-idp-client-secret-0101", key: "sk-known-0102" },
    ...extra,
});

const bedrock = (auth: Record<string, unknown>) => ({ schema: "AWSBedrock", auth: { type: "AWSCredentials", region: "us-east-1", ...auth } });
const azure = (auth: Record<string, unknown>) => ({
    schema: "AzureOpenAI",
    version: "2025-01-01-preview",
    hostname: "entra.openai.azure.com",
    auth: { type: "AzureCredentials", clientID: "app-id", tenantID: "tenant-id", ...auth },
});
const wif = { projectID: "my-project-123", poolName: "ai-gateway-pool", providerName: "corporate-idp", oidcExchange: exchange };
const vertex = (auth: Record<string, unknown>) => ({
    schema: "GCPVertexAI",
    hostname: "us-central1-aiplatform.googleapis.com",
    auth: { type: "GCPCredentials", projectName: "my-project-123", region: "us-central1", ...auth },
});

const objectsOf = (raw: Record<string, unknown>) => {
    const config = parseConfig(raw).backends.b;
    return backendObjects({ key: "b", config, gateway, names: backendNames(gateway.name, "b", config.auth) });
};
const policyOf = (raw: Record<string, unknown>) => objectsOf(raw).securityPolicy!;

describe("credentials: OIDC token exchange", () => {
    const secretRef = { name: "ai-gateway-b-credentials", namespace: "ai-gateway" };
    const oidc = { provider: { issuer: ISSUER }, clientID: "ai-gateway", clientSecret: secretRef };

    it("AWS: the role the token is exchanged for, the client secret in the backend's Secret under client-secret; no AWS identity needed", () => {
        const raw = stack(bedrock({ oidcExchange: { ...exchange, roleArn: ROLE, scopes: ["bedrock"] } }));
        const o = objectsOf(raw);
        assert.deepEqual(o.securityPolicy?.spec.awsCredentials, {
            region: "us-east-1",
            oidcExchangeToken: { oidc: { ...oidc, scopes: ["bedrock"] }, awsRoleArn: ROLE },
        });
        assert.deepEqual(o.secret, { name: "ai-gateway-b-credentials", namespace: "ai-gateway", key: "client-secret", apiKey: "idp" });
        assert.deepEqual(parseConfig(raw).warnings, []);
        assert.deepEqual(crdProblems(o.securityPolicy), []);
    });

    it("Azure: oidcExchangeToken instead of clientSecretRef", () => {
        const o = objectsOf(stack(azure({ oidcExchange: { ...exchange, tokenEndpoint: "https://idp.example.com/oauth2/token" } })));
        assert.deepEqual(o.securityPolicy?.spec.azureCredentials, {
            clientID: "app-id",
            tenantID: "tenant-id",
            oidcExchangeToken: { oidc: { ...oidc, provider: { issuer: ISSUER, tokenEndpoint: "https://idp.example.com/oauth2/token" } } },
        });
        assert.equal(o.secret?.key, "client-secret");
        assert.deepEqual(crdProblems(o.securityPolicy), []);
    });

    it("GCP: Workload Identity Federation with service-account impersonation", () => {
        const o = objectsOf(stack(vertex({ workloadIdentityFederation: { ...wif, serviceAccount: "vertex-caller" } })));
        assert.deepEqual(o.securityPolicy?.spec.gcpCredentials, {
            projectName: "my-project-123",
            region: "us-central1",
            workloadIdentityFederationConfig: {
                projectID: "my-project-123",
                workloadIdentityPoolName: "ai-gateway-pool",
                workloadIdentityProviderName: "corporate-idp",
                oidcExchangeToken: { oidc },
                serviceAccountImpersonation: { serviceAccountName: "vertex-caller" },
            },
        });
        assert.deepEqual(o.secret, { name: "ai-gateway-b-credentials", namespace: "ai-gateway", key: "client-secret", apiKey: "idp" });
        assert.deepEqual(crdProblems(o.securityPolicy), []);
    });

    it("GCP without impersonation: the federated identity itself", () => {
        const spec = policyOf(stack(vertex({ workloadIdentityFederation: wif }))).spec.gcpCredentials;
        assert.equal(spec?.workloadIdentityFederationConfig?.serviceAccountImpersonation, undefined);
    });

    it("issuers and token endpoints: https only, never with credentials (not echoed), no query", () => {
        const at = "backends.b.auth.oidcExchange";
        const problems = (issuer: string) => configProblems(stack(azure({ oidcExchange: { ...exchange, issuer } })));
        assert.deepEqual(problems("http://idp.example.com"), [
            `${at}.issuer: "http://idp.example.com" is not an https:// URL: the client secret and the tokens cross it, and an issuer must be https; use e.g. https://idp.example.com/realms/ai`,
        ]);
        assert.deepEqual(problems("https://user:hunter2@idp.example.com"), [
            `${at}.issuer: holds credentials in the URL; remove them (the client secret goes in ai-gateway:apiKeys, never in the OpenID provider's issuer)`,
        ]);
        assert.deepEqual(problems("https://idp.example.com/?x=1"), [`${at}.issuer: "https://idp.example.com/?x=1" has a query or fragment, which an OpenID issuer never has; remove it`]);
        assert.deepEqual(problems("idp.example.com"), [`${at}.issuer: "idp.example.com" is not a URL; use e.g. https://idp.example.com/realms/ai`]);
        assert.deepEqual(configProblems(stack(azure({ oidcExchange: { clientID: "c", clientSecret: "idp" } }))), [
            `${at}.issuer: is required; set the OpenID provider's issuer, e.g. https://idp.example.com/realms/ai`,
        ]);
        assert.deepEqual(configProblems(stack(azure({ oidcExchange: { ...exchange, tokenEndpoint: "http://idp.example.com/token" } }))), [
            `${at}.tokenEndpoint: "http://idp.example.com/token" is not an https:// URL: the client secret and the tokens cross it, and an issuer must be https; use e.g. https://idp.example.com/oauth2/token`,
        ]);
    });

    it("the client secret is a key of ai-gateway:apiKeys that is set; bounds on scopes and names", () => {
        assert.deepEqual(configProblems(stack(azure({ oidcExchange: { ...exchange, clientSecret: "idq" } }))), [
            `backends.b.auth.oidcExchange.clientSecret: names secret "idq", which is not in ai-gateway:apiKeys (did you mean "idp"?); run: pulumi config set --secret --path 'apiKeys.idq' <value>`,
        ]);
        assert.deepEqual(configProblems(stack(vertex({ workloadIdentityFederation: { ...wif, oidcExchange: { ...exchange, clientSecret: "nope" } } }))), [
            `backends.b.auth.workloadIdentityFederation.oidcExchange.clientSecret: names secret "nope", which is not in ai-gateway:apiKeys; run: pulumi config set --secret --path 'apiKeys.nope' <value>`,
        ]);
        assert.deepEqual(configProblems(stack(azure({ oidcExchange: { ...exchange, scopes: Array.from({ length: 17 }, (_, i) => `s${i}`) } }))), [
            "backends.b.auth.oidcExchange.scopes: lists more than 16 scopes; keep the ones the exchange needs",
        ]);
        assert.deepEqual(configProblems(stack(azure({ oidcExchange: { ...exchange, scopes: ["a b"] } }))), [
            "backends.b.auth.oidcExchange.scopes[0]: is not an OAuth scope; use a scope name such as api://ai-gateway/.default",
        ]);
        assert.deepEqual(configProblems(stack(azure({ oidcExchange: { ...exchange, clientID: "" } }))), [
            "backends.b.auth.oidcExchange.clientID: is empty; set the client ID registered at the OpenID provider for the gateway",
        ]);
    });

    it("an AWS role ARN in its shape", () => {
        assert.deepEqual(configProblems(stack(bedrock({ oidcExchange: { ...exchange, roleArn: "bedrock-from-idp" } }))), [
            "backends.b.auth.oidcExchange.roleArn: is not an IAM role ARN; use e.g. arn:aws:iam::123456789012:role/bedrock-from-idp",
        ]);
        assert.deepEqual(configProblems(stack(bedrock({ oidcExchange: exchange }))), [
            "backends.b.auth.oidcExchange.roleArn: is required; set the IAM role the token is exchanged for, e.g. arn:aws:iam::123456789012:role/bedrock-from-idp",
        ]);
        assert.doesNotThrow(() => parseConfig(stack(bedrock({ oidcExchange: { ...exchange, roleArn: "arn:aws-us-gov:iam::123456789012:role/team/a/bedrock" } }))));
    });

    it("GCP IDs in their shape", () => {
        const problems = configProblems(stack(vertex({ workloadIdentityFederation: { ...wif, projectID: "P", poolName: "gcp", providerName: "idp-", serviceAccount: "Vertex" } })));
        assert.deepEqual(problems, [
            "backends.b.auth.workloadIdentityFederation.projectID: is not a GCP project ID: 6–30 lower-case letters, digits and '-', starting with a letter and not ending with '-'; use e.g. my-project-123456",
            "backends.b.auth.workloadIdentityFederation.poolName: is not a workload identity pool ID: 4–32 lower-case letters, digits and '-', starting with a letter and not ending with '-'; use e.g. ai-gateway-pool",
            "backends.b.auth.workloadIdentityFederation.providerName: is not a workload identity pool provider ID: 4–32 lower-case letters, digits and '-', starting with a letter and not ending with '-'; use e.g. corporate-idp",
            "backends.b.auth.workloadIdentityFederation.serviceAccount: is not a service account name: 6–30 lower-case letters, digits and '-', starting with a letter and not ending with '-'; use e.g. vertex-caller",
        ]);
    });

    it("exactly one credential source per auth", () => {
        assert.deepEqual(configProblems(stack(azure({}))), [
            "backends.b.auth: needs exactly one credential source; set secret (the key of ai-gateway:apiKeys holding the client secret) or oidcExchange (an OpenID provider the application trusts)",
        ]);
        assert.deepEqual(configProblems(stack(azure({ secret: "key", oidcExchange: exchange }))), [
            "backends.b.auth.oidcExchange: cannot be used together with secret: the application signs in one way; remove one of them",
        ]);
        assert.deepEqual(configProblems(stack(bedrock({ credentialsSecret: "key", oidcExchange: { ...exchange, roleArn: ROLE } }))), [
            "backends.b.auth.oidcExchange: cannot be used together with credentialsSecret: requests are signed with one AWS identity; remove one of them",
        ]);
        assert.deepEqual(configProblems(stack(vertex({ secret: "key", workloadIdentityFederation: wif }))), [
            "backends.b.auth.workloadIdentityFederation: cannot be used together with secret: Vertex AI is called with one identity; remove one of them",
        ]);
        assert.deepEqual(configProblems(stack(bedrock({ profile: "p", oidcExchange: { ...exchange, roleArn: ROLE } }))), [
            "backends.b.auth.profile: only applies to a credentials file; set auth.credentialsSecret or remove the profile",
        ]);
    });

    it("the OIDC client secret is only ever in the Kubernetes Secret", async () => {
        const raw = stack(bedrock({ oidcExchange: { ...exchange, roleArn: ROLE } }));
        const e = await evaluate(raw);
        const holder = e.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && JSON.stringify(r.inputs).includes("ai-gateway-b-credentials"));
        assert.ok(holder, "the backend's Secret");
        assert.deepEqual(await secretLeaks(e, "known-idp-client-secret-0101", holder.name), []);
    });
});

describe("credentials: per-request credentials (credentialOverride)", () => {
    const openai = { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "key" } };
    const extAuth = (headersToBackend: string[] = []) => ({ extAuth: { protocol: "GRPC", url: "http://authz.auth.svc.cluster.local:9001", headersToBackend } });
    const at = "backends.b.credentialOverride";

    it("from the external authorization filter's metadata: namespace by default, fallback written out", () => {
        const raw = stack({ ...openai, credentialOverride: { fromDynamicMetadata: { key: "team-key", fallbackToConfigured: false } } }, { auth: extAuth() });
        const policy = policyOf(raw);
        assert.deepEqual(policy.spec.credentialOverride, { fromDynamicMetadata: { namespace: "envoy.filters.http.ext_authz", key: "team-key", fallbackToConfigured: false } });
        assert.equal(policy.apiVersion, "aigateway.envoyproxy.io/v1beta1", "credentialOverride exists only in v1beta1");
        assert.deepEqual(parseConfig(raw).warnings, []);
        assert.deepEqual(crdProblems(policy), []);
    });

    it("bring your own key: the client's header, lower-cased, and the configured key when it sends none", () => {
        const raw = stack({ ...openai, credentialOverride: { fromRequestHeaders: { header: "X-Team-OpenAI-Key", setBy: "client" } } }, { auth: { apiKeys: { clients: { a: "key" } } } });
        const policy = policyOf(raw);
        assert.deepEqual(policy.spec.credentialOverride, { fromRequestHeaders: { header: "x-team-openai-key", fallbackToConfigured: true } });
        assert.deepEqual(crdProblems(policy), []);
    });

    it("written by the authorization service: listed in its headersToBackend (whose client copies are removed)", () => {
        const raw = stack({ ...openai, credentialOverride: { fromRequestHeaders: { setBy: "extAuth" } } }, { auth: extAuth(["x-aigw-api-key"]) });
        assert.deepEqual(policyOf(raw).spec.credentialOverride, { fromRequestHeaders: { fallbackToConfigured: true } });
        assert.deepEqual(configProblems(stack({ ...openai, credentialOverride: { fromRequestHeaders: { setBy: "extAuth" } } }, { auth: extAuth(["x-tenant"]) })), [
            `${at}.fromRequestHeaders.setBy: is extAuth, but auth.extAuth.headersToBackend does not list x-aigw-api-key, so a client's own copy would reach the backend as the credential; add it to headersToBackend (whose client copies are removed)`,
        ]);
        assert.deepEqual(configProblems(stack({ ...openai, credentialOverride: { fromRequestHeaders: { setBy: "extAuth" } } })), [
            `${at}.fromRequestHeaders.setBy: is extAuth, but auth.extAuth is not set; set auth.extAuth with the header in its headersToBackend, or use setBy: client for keys the clients send`,
        ]);
    });

    it("a header the authorization service writes is not the client's", () => {
        assert.deepEqual(configProblems(stack({ ...openai, credentialOverride: { fromRequestHeaders: { setBy: "client" } } }, { auth: extAuth(["x-aigw-api-key"]) })), [
            `${at}.fromRequestHeaders.setBy: is client, but "x-aigw-api-key" is in auth.extAuth.headersToBackend, whose client copies are removed; use setBy: extAuth, or a header the authorization service does not write`,
        ]);
    });

    it("a key the client brings reaching the authorization service is a warning, unless headersToExtAuth leaves it out", () => {
        const byok = { ...openai, credentialOverride: { fromRequestHeaders: { setBy: "client" } } };
        assert.deepEqual(parseConfig(stack(byok, { auth: extAuth() })).warnings, [
            `${at}.fromRequestHeaders: reaches the authorization service of auth.extAuth with every check (clients' own provider keys); make sure it never logs them, or set auth.extAuth.headersToExtAuth to the headers it needs`,
        ]);
        const narrowed = { extAuth: { protocol: "GRPC", url: "http://authz.auth.svc.cluster.local:9001", headersToExtAuth: ["authorization"] } };
        assert.deepEqual(parseConfig(stack(byok, { auth: narrowed })).warnings, []);
    });

    it("never a header that carries the request, the client's identity, the user or the model", () => {
        const headerProblems = (header: string, extra: Record<string, unknown> = {}) =>
            configProblems(stack({ ...openai, credentialOverride: { fromRequestHeaders: { header, setBy: "client" } } }, extra));
        const message = (h: string) => `${at}.fromRequestHeaders.header: "${h}" already carries the request, the client's identity, the user or the model (and some of these are logged); name a header of its own, e.g. x-aigw-api-key`;
        assert.deepEqual(headerProblems("Authorization"), [message("authorization")]);
        assert.deepEqual(headerProblems("x-user-id"), [message("x-user-id")]);
        assert.deepEqual(headerProblems("x-ai-eg-model"), [message("x-ai-eg-model")]);
        assert.deepEqual(headerProblems("x-gw-key", { auth: { apiKeys: { header: "x-gw-key", clients: { a: "key" } } } }), [message("x-gw-key")]);
    });

    it("never a header a mutation of the backend or its models touches", () => {
        const raw = stack({ ...openai, headers: { remove: ["x-aigw-api-key"] }, credentialOverride: { fromRequestHeaders: { setBy: "client" } } });
        assert.deepEqual(configProblems(raw), [
            `${at}.fromRequestHeaders: "x-aigw-api-key" is also set or removed by a headers mutation of this backend or its models; remove it from the mutation (the AI Gateway removes the credential header itself)`,
        ]);
    });

    it("an authorization-service header would reach passthrough services too: refused", () => {
        const raw = stack(
            { ...openai, credentialOverride: { fromRequestHeaders: { setBy: "extAuth" } } },
            { auth: extAuth(["x-aigw-api-key"]), passthrough: { predict: { path: "/v1/models/iris:predict", service: { name: "iris", port: 80 } } } },
        );
        assert.deepEqual(configProblems(raw), [
            `${at}.fromRequestHeaders.setBy: is extAuth, whose headers are set on every request of the gateway, so passthrough routes (predict) would forward the provider credential to their services; use fromDynamicMetadata (metadata never leaves Envoy), or remove the passthrough routes`,
        ]);
    });

    it("metadata: a namespace something writes", () => {
        assert.deepEqual(configProblems(stack({ ...openai, credentialOverride: { fromDynamicMetadata: {} } })), [
            `${at}.fromDynamicMetadata.namespace: is written by the external authorization filter, but auth.extAuth is not set, so nothing writes it; set auth.extAuth (its service returns the credential as dynamic metadata), or use fromRequestHeaders with setBy: client`,
        ]);
        const httpService = { extAuth: { protocol: "HTTP", url: "http://authz.auth.svc.cluster.local:8080/check" } };
        assert.deepEqual(configProblems(stack({ ...openai, credentialOverride: { fromDynamicMetadata: {} } }, { auth: httpService })), [
            `${at}.fromDynamicMetadata.namespace: is written by the external authorization filter only from a gRPC service's answer, and auth.extAuth.protocol is HTTP, so nothing writes it; use protocol: GRPC (its CheckResponse carries dynamic_metadata), or fromRequestHeaders with setBy: extAuth`,
        ]);
        assert.deepEqual(configProblems(stack({ ...openai, credentialOverride: { fromDynamicMetadata: { namespace: "io.envoy.ai_gateway" } } })), [
            `${at}.fromDynamicMetadata.namespace: is the AI Gateway's own namespace, written from the request and read by the access log; use the namespace of the filter that writes the credential, e.g. envoy.filters.http.ext_authz`,
        ]);
        assert.deepEqual(parseConfig(stack({ ...openai, credentialOverride: { fromDynamicMetadata: { namespace: "my.lua.filter" } } })).warnings, [
            `${at}.fromDynamicMetadata.namespace: "my.lua.filter" is written by no filter the program configures; make sure a filter of yours writes it on every request, or requests use the configured credential`,
        ]);
        assert.deepEqual(configProblems(stack({ ...openai, credentialOverride: { fromDynamicMetadata: { namespace: "bad namespace" } } })), [
            `${at}.fromDynamicMetadata.namespace: is not an Envoy metadata namespace; use a filter name such as envoy.filters.http.ext_authz`,
        ]);
    });

    it("exactly one source, a setBy, and an auth to override", () => {
        assert.deepEqual(configProblems(stack({ ...openai, credentialOverride: {} })), [`${at}: names no source; set exactly one of fromDynamicMetadata or fromRequestHeaders`]);
        assert.deepEqual(configProblems(stack({ ...openai, credentialOverride: { fromDynamicMetadata: {}, fromRequestHeaders: { setBy: "client" } } }, { auth: extAuth() })), [
            `${at}: names two sources; set exactly one of fromDynamicMetadata or fromRequestHeaders`,
        ]);
        assert.deepEqual(configProblems(stack({ ...openai, credentialOverride: { fromRequestHeaders: {} } })), [
            `${at}.fromRequestHeaders.setBy: is required; use one of "extAuth", "client"`,
        ]);
        assert.deepEqual(configProblems(stack({ schema: "OpenAI", simulator: {}, credentialOverride: { fromRequestHeaders: { setBy: "client" } } })), [
            `${at}: is set by simulator (the backend is the simulator the program runs); remove credentialOverride, or remove simulator to use a real backend`,
        ]);
        const { auth: _auth, ...noAuth } = openai;
        assert.deepEqual(configProblems(stack({ ...noAuth, credentialOverride: { fromRequestHeaders: { setBy: "client" } } })), [
            `${at}: needs auth: the override replaces the credential of auth.type for a request; set auth (with the credential used when a request carries none), or remove credentialOverride`,
        ]);
    });

    it("AWS: three headers under the prefix, each checked, and a warning that a secret access key travels in headers", () => {
        const raw = stack({ ...bedrock({ oidcExchange: { ...exchange, roleArn: ROLE } }), credentialOverride: { fromRequestHeaders: { setBy: "client" } } });
        assert.deepEqual(parseConfig(raw).warnings, [
            `${at}.fromRequestHeaders: carries an AWS secret access key in request headers, which clients can set and proxies in front may log; prefer fromDynamicMetadata, written by your authorization service`,
        ]);
        const clash = stack({ ...bedrock({ oidcExchange: { ...exchange, roleArn: ROLE } }), credentialOverride: { fromRequestHeaders: { header: "x-user-", setBy: "client" } } }, {
            rateLimit: { userHeader: "x-user-session-token" },
        });
        assert.deepEqual(configProblems(clash), [
            `${at}.fromRequestHeaders.header: "x-user-session-token" already carries the request, the client's identity, the user or the model (and some of these are logged); name a header of its own, e.g. x-aigw-aws-`,
        ]);
    });
});

describe("credentials: the examples of docs/providers.md", () => {
    const section = readFileSync(join(__dirname, "..", "docs", "providers.md"), "utf8");
    const examples = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]) as { config: Record<string, unknown> });

    it("every stack snippet of the two sections is accepted as written, without warnings", () => {
        assert.equal(examples.length, 3, "the OIDC exchange, bring-your-own-key and authorization-service examples");
        for (const { config } of examples) {
            const raw = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^ai-gateway:/, ""), v]));
            // Encrypted values stand for the secrets: any string will do offline.
            raw.apiKeys = Object.fromEntries(Object.keys(raw.apiKeys as object).map((k) => [k, `value-of-${k}`]));
            // The examples show the credential settings on a plain-HTTP gateway; the warning about keys over plain HTTP is expected there.
            assert.deepEqual(parseConfig(raw).warnings.filter((w) => !/credentials to a LoadBalancer over plain HTTP/.test(w)), []);
        }
    });
});
