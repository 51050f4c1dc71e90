import * as assert from "node:assert/strict";
import { budgetsOnVerifiedIdentity, exposedGatewayAuth, externalBackendTls, noPlainTextCredentials } from "../policy/guardrails";
import { stackFileConfig } from "./harness";
import { violations } from "./policyHarness";

// The policy pack's guardrails (policy/), run through the policy SDK's own interface on what the program registers.

const external = (extra: Record<string, unknown>) => ({
    backends: { ext: { schema: "OpenAI", hostname: "llm.example.com", ...extra }, local: { schema: "OpenAI", hostname: "vllm.models.svc.cluster.local", port: 8000 } },
    models: { m: { backends: [{ backend: "ext" }, { backend: "local", priority: 1 }] } },
    gateway: { envoyProxy: { service: { type: "ClusterIP" } } },
});

describe("policy pack: production guardrails", () => {
    it("the prod stack passes every guardrail", async () => {
        assert.deepEqual(await violations(stackFileConfig("prod")), []);
    });

    it("the dev stack passes too: its clients authenticate with API keys, which fill x-user-id", async () => {
        assert.deepEqual(await violations(stackFileConfig("dev")), []);
    });

    it("the dev stack without its client authentication does not: an exposed gateway that authenticates no client, budgets on a header clients set", async () => {
        const { auth: _auth, ...withoutAuth } = stackFileConfig("dev");
        assert.deepEqual(await violations(withoutAuth), [
            "client-auth-on-exposed-gateways: Gateway ai-gateway/ai-gateway is exposed through a NodePort Service and authenticates no client; set ai-gateway:auth (jwt, apiKeys, oidc or extAuth), or use a ClusterIP Service behind something that does",
            "budgets-on-verified-identity: BackendTrafficPolicy ai-gateway/ai-gateway-models-10-traffic counts budgets per x-user-id, which no client authentication sets: any client can pick its own budget; set ai-gateway:auth so that it fills x-user-id from a verified identity",
            "budgets-on-verified-identity: BackendTrafficPolicy ai-gateway/ai-gateway-models-traffic counts budgets per x-user-id, which no client authentication sets: any client can pick its own budget; set ai-gateway:auth so that it fills x-user-id from a verified identity",
        ]);
    });

    it("budgets per user without client authentication: a header clients set", async () => {
        const { auth: _auth, ...dev } = stackFileConfig("dev");
        const perUser = {
            ...dev,
            rateLimit: { enabled: true, userHeader: "x-user-id", perUser: { spend: [{ limit: 1, window: "1d" }] } },
            models: { ...(dev.models as Record<string, object>), "qwen-with-fallback": { ...(dev.models as Record<string, object>)["qwen-with-fallback"], rateLimit: { requests: [{ limit: 3, window: "1m" }] } } },
        };
        assert.deepEqual(await violations(perUser, [budgetsOnVerifiedIdentity]), [
            "budgets-on-verified-identity: BackendTrafficPolicy ai-gateway/ai-gateway-models-10-traffic counts budgets per x-user-id, which no client authentication sets: any client can pick its own budget; set ai-gateway:auth so that it fills x-user-id from a verified identity",
            "budgets-on-verified-identity: BackendTrafficPolicy ai-gateway/ai-gateway-models-traffic counts budgets per x-user-id, which no client authentication sets: any client can pick its own budget; set ai-gateway:auth so that it fills x-user-id from a verified identity",
        ]);
    });

    it("an external backend without TLS", async () => {
        assert.deepEqual(await violations(external({ port: 80 }), [externalBackendTls]), [
            "tls-to-external-backends: Backend ai-gateway/ai-gateway-ext sends requests to llm.example.com without TLS; use port 443 or tls: true on the backend in ai-gateway:backends",
        ]);
        assert.deepEqual(await violations(external({}), [externalBackendTls]), [], "port 443: a BackendTLSPolicy checks the certificate");
    });

    it("a gateway on a LoadBalancer with auth.none", async () => {
        const raw = { ...external({}), gateway: {}, auth: { none: true } };
        assert.deepEqual(await violations(raw, [exposedGatewayAuth]), [
            "client-auth-on-exposed-gateways: Gateway ai-gateway/ai-gateway is exposed through a LoadBalancer Service and authenticates no client; set ai-gateway:auth (jwt, apiKeys, oidc or extAuth), or use a ClusterIP Service behind something that does",
        ]);
        assert.deepEqual(await violations({ ...raw, auth: { apiKeys: { clients: { a: "a-key" } } }, apiKeys: { "a-key": "ck-known" } }, [exposedGatewayAuth]), []);
    });

    it("budgets per user are fine once client authentication fills the user header", async () => {
        const raw = { ...external({}), rateLimit: { perUser: { requests: [{ limit: 10, window: "1m" }] } } };
        assert.equal((await violations(raw, [budgetsOnVerifiedIdentity])).length, 1);
        assert.deepEqual(await violations({ ...raw, auth: { apiKeys: { clients: { a: "a-key" } } }, apiKeys: { "a-key": "ck-known" } }, [budgetsOnVerifiedIdentity]), []);
    });

    it("a credential in plain text outside a Secret, named by path, never echoed", async () => {
        const known = "sk-proj-known0123456789abcdefghij";
        const found = await violations(external({ headers: { set: { "x-team-token": known } } }), [noPlainTextCredentials]);
        assert.deepEqual(found, [
            "no-plain-text-credentials: kubernetes:aigateway.envoyproxy.io/v1beta1:AIServiceBackend backend-ext-service-backend: spec.headerMutation.set[0].value looks like an OpenAI-style API key, in plain text; keep it in ai-gateway:apiKeys (pulumi config set --secret --path 'apiKeys.<name>' ...) and refer to it by name",
        ]);
        assert.ok(!found.join("\n").includes(known));
        assert.deepEqual(await violations({ ...external({ auth: { type: "APIKey", secret: "ext" } }), apiKeys: { ext: known } }, [noPlainTextCredentials]), [], "in ai-gateway:apiKeys it lives in a Secret");
    });
});
