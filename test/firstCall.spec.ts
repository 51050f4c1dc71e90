import * as assert from "node:assert/strict";
import { parseConfig } from "../plan";
import { firstCallCommand, gatewayUrl, virtualModelNames } from "../components/manifests/firstCall";
import { gatewayNames } from "../plan/names";
import { MOCK_GATEWAY_ADDRESS } from "../scripts/mocks";
import { evaluate, stackFileConfig, valueOf, WITH_BUDGET } from "./harness";

const AB = [{ backend: "a" }, { backend: "b" }];

/** The snippet for a config, with Envoy in Envoy Gateway's namespace (the default deploy mode). */
function snippet(raw: Record<string, unknown>): string | undefined {
    const c = parseConfig(raw);
    return firstCallCommand({ gateway: c.gateway, names: gatewayNames(c.gateway), models: c.models, auth: c.auth, envoyNamespace: "envoy-gateway-system" });
}

describe("stack outputs: model names and the first call", () => {
    it("model names are the exact names, sorted; pattern entries are left out", () => {
        const c = parseConfig({
            ...WITH_BUDGET,
            models: {
                zeta: { backends: AB },
                alpha: { backends: AB },
                "any-llama": { match: { pattern: "^llama-.*" }, backends: AB },
            },
        });
        assert.deepEqual(virtualModelNames(c.models), ["alpha", "zeta"]);
    });

    it("the dev stack: the node address and the node port of listener port 80, then a chat completion for its first model with a client's API key", () => {
        assert.equal(
            snippet(stackFileConfig("dev")),
            [
                "ADDRESS=$(kubectl get gateway ai-gateway -n ai-gateway -o jsonpath='{.status.addresses[0].value}')",
                "PORT=$(kubectl get svc -n envoy-gateway-system -l gateway.envoyproxy.io/owning-gateway-name=ai-gateway,gateway.envoyproxy.io/owning-gateway-namespace=ai-gateway -o jsonpath='{.items[0].spec.ports[?(@.port==80)].nodePort}')",
                "# API_KEY: one of the client keys in ai-gateway:apiKeys.",
                `curl -s -H "x-api-key: $API_KEY" "http://$ADDRESS:$PORT/v1/chat/completions" -H 'content-type: application/json' -d '{"model":"qwen-with-fallback","messages":[{"role":"user","content":"Say hello"}]}'`,
            ].join("\n"),
        );
    });

    it("client certificates: the client sends its certificate and key, named without their contents", () => {
        const raw = {
            ...WITH_BUDGET,
            gateway: { redirectToHttps: true, listeners: [{ name: "http", protocol: "HTTP", port: 80 }, { name: "https", protocol: "HTTPS", port: 443, tls: { certificateRefs: [{ name: "t" }] } }] },
            auth: { clientCertificates: { ca: { secret: "client-ca" } }, extAuth: { url: "http://authz.auth.svc:9001" } },
        };
        const lines = snippet(raw)!.split("\n");
        assert.ok(lines.includes("# CLIENT_CERT, CLIENT_KEY: a client certificate issued by the CA of auth.clientCertificates, and its key."));
        assert.ok(lines.includes("# auth.extAuth: the authorization service decides; send what it checks."));
        assert.match(lines.at(-1)!, /^curl -s --cert "\$CLIENT_CERT" --key "\$CLIENT_KEY" "https:\/\/\$ADDRESS:443\/v1\/chat\/completions"/);
    });

    it("HTTPS with a hostname: sends the name, connecting to the address, and names the credential the client needs without its value", () => {
        const raw = {
            ...WITH_BUDGET,
            apiKeys: { "team-a-key": "sk-known-client-key" },
            auth: { apiKeys: { clients: { "team-a": "team-a-key" } } },
            gateway: {
                listeners: [
                    { name: "http", protocol: "HTTP", port: 80 },
                    { name: "https", protocol: "HTTPS", port: 443, hostname: "*.example.com", tls: { certificateRefs: [{ name: "tls" }] } },
                ],
                redirectToHttps: true,
            },
        };
        const s = snippet(raw)!;
        assert.ok(!s.includes("sk-known-client-key"));
        assert.match(s, /^# API_KEY: one of the client keys in ai-gateway:apiKeys\.$/m);
        assert.match(s, /^curl -s --connect-to "llm\.example\.com:443:\$ADDRESS:443" -H "x-api-key: \$API_KEY" "https:\/\/llm\.example\.com:443\/v1\/chat\/completions" /m);
        assert.doesNotMatch(s, /PORT=/, "a LoadBalancer serves the listener port");
    });

    it("a JWT gateway asks for a bearer token; a ClusterIP Service says where the call can run", () => {
        const s = snippet({
            ...WITH_BUDGET,
            auth: { jwt: { issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/jwks.json" } },
            gateway: { envoyProxy: { service: { type: "ClusterIP" } } },
        })!;
        assert.match(s, /-H "Authorization: Bearer \$TOKEN"/);
        const odd = snippet({ ...WITH_BUDGET, apiKeys: { k: "v" }, auth: { apiKeys: { header: "x-key$`!", clients: { a: "k" } } } })!;
        assert.match(odd, / -H 'x-key\$`!: '"\$API_KEY" /, "a header name the shell would expand is single-quoted");
        assert.match(s, /^# A ClusterIP Service: run this from inside the cluster\.$/m);
    });

    it("nothing to call: no Gateway created, or every model is a pattern or needs extra headers", () => {
        assert.equal(snippet({ ...WITH_BUDGET, gateway: { enabled: false } }), undefined);
        assert.equal(snippet({ ...WITH_BUDGET, models: { any: { match: { pattern: ".*" }, backends: AB } } }), undefined);
        assert.equal(snippet({ ...WITH_BUDGET, models: { m: { match: { headers: [{ name: "x-tenant", value: "a" }] }, backends: AB } } }), undefined);
    });
});

describe("stack outputs: the URL clients call", () => {
    const gateway = (raw: Record<string, unknown>) => parseConfig({ gateway: raw }).gateway;
    const at = (value: string) => ({ addresses: [{ type: "IPAddress", value }] });

    it("is the HTTPS listener's host name when it has one, else the address, with a port only when it is not the default", () => {
        const https = { listeners: [{ name: "http", protocol: "HTTP", port: 80 }, { name: "https", protocol: "HTTPS", port: 443, hostname: "llm.example.com", tls: { certificateRefs: [{ name: "tls" }] } }] };
        assert.equal(gatewayUrl(gateway(https), at("203.0.113.7")), "https://llm.example.com");
        assert.equal(gatewayUrl(gateway({}), at("203.0.113.7")), "http://203.0.113.7");
        assert.equal(gatewayUrl(gateway({ listeners: [{ name: "http", protocol: "HTTP", port: 8080 }] }), at("2001:db8::7")), "http://[2001:db8::7]:8080");
        assert.equal(gatewayUrl(gateway({ envoyProxy: { service: { type: "ClusterIP" } } }), at("10.96.0.20")), "http://10.96.0.20");
    });

    it("is unknown without an address, without a Gateway, and behind a NodePort (the node port is the Service's)", () => {
        assert.equal(gatewayUrl(gateway({}), undefined), undefined);
        assert.equal(gatewayUrl(gateway({}), { addresses: [] }), undefined);
        assert.equal(gatewayUrl(gateway({ envoyProxy: { service: { type: "NodePort" } } }), at("172.18.0.2")), undefined);
    });

    it("comes from the status the provider reads back from the Gateway", async () => {
        const e = await evaluate(WITH_BUDGET);
        assert.equal(await valueOf(e.outputs.url), `http://${MOCK_GATEWAY_ADDRESS}`);
        const prod = await evaluate(stackFileConfig("prod"));
        assert.equal(await valueOf(prod.outputs.url), "https://llm.example.com");
        assert.equal(await valueOf((await evaluate(stackFileConfig("dev"))).outputs.url), undefined, "the dev stack's NodePort");
    });
});
