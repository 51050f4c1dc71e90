import * as assert from "node:assert/strict";
import { resolvedOAuth } from "../plan/mcp";
import { buildPlan } from "../plan/plan";
import { parseConfig } from "../plan";
import { mcpManifests, type McpInput } from "../components/manifests/mcp";
import { gatewayLevelNames, mcpRouteName, mcpServerNames } from "../plan/names";
import { join } from "node:path";
import { configOfFile, configProblems, evaluate, secretLeaks } from "./harness";
import { crdProblems } from "./support/manifests";

// The MCP gateway (ai-gateway:mcp): the MCPRoute, each server's Backend, BackendTLSPolicy and Secret, and
// what validation refuses or warns about.

const gateway = { name: "ai-gateway", namespace: "ai-gateway", parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway" }] };
/** The builder with the names the plan gives it. */
const manifestsOf = (input: Omit<McpInput, "names">) =>
    mcpManifests({ ...input, names: gatewayLevelNames({ ...input.gateway, className: "" }, Object.keys(input.config.servers)).mcp });
const github = { hostname: "api.githubcopilot.com", path: "/mcp/readonly", auth: { type: "APIKey", secret: "github-pat" }, tools: { include: ["get_me"] } };
const kiwi = { service: { name: "kiwi-mcp", namespace: "tools" }, port: 8080, tools: { excludeRegex: ["^delete_.*"] } };
// auth.none: the servers carry credentials, and an exposed gateway in front of them needs client auth or the explicit opt-out.
const withMcp = (mcp: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ mcp, apiKeys: { "github-pat": "known-github-pat" }, auth: { none: true }, ...extra });
const jwt = { issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/.well-known/jwks.json", audiences: ["https://llm.example.com/mcp"] };

describe("MCP builders: MCPRoute, Backends, BackendTLSPolicies, Secrets", () => {
    it("an MCPRoute <gateway>-mcp with a backendRef per server (in name order) to a Backend carrying the server's name", () => {
        const config = parseConfig(withMcp({ servers: { kiwi, github } })).mcp!;
        const m = manifestsOf({ config, gateway });
        assert.deepEqual(m.route.metadata, { name: "ai-gateway-mcp", namespace: "ai-gateway" });
        assert.equal(m.route.apiVersion, "aigateway.envoyproxy.io/v1beta1");
        assert.deepEqual(m.route.spec, {
            parentRefs: gateway.parentRefs,
            path: "/mcp",
            backendRefs: [
                {
                    group: "gateway.envoyproxy.io",
                    kind: "Backend",
                    name: "github",
                    path: "/mcp/readonly",
                    toolSelector: { include: ["get_me"] },
                    securityPolicy: { apiKey: { secretRef: { name: "ai-gateway-mcp-github-apikey" } } },
                },
                { group: "gateway.envoyproxy.io", kind: "Backend", name: "kiwi", path: "/mcp", toolSelector: { excludeRegex: ["^delete_.*"] } },
            ],
        });
        assert.deepEqual(crdProblems(m.route, ...m.servers.flatMap((s) => [s.objects.backend, s.objects.tlsPolicy])), []);
    });

    it("a server outside the cluster on 443: TLS against the system CAs; a Service in the cluster: its DNS name, plain HTTP", () => {
        const m = manifestsOf({ config: parseConfig(withMcp({ servers: { kiwi, github } })).mcp!, gateway });
        const [gh, kw] = m.servers;
        assert.deepEqual(gh.objects.backend.spec, { endpoints: [{ fqdn: { hostname: "api.githubcopilot.com", port: 443 } }] });
        assert.deepEqual(gh.objects.tlsPolicy?.metadata, { name: "ai-gateway-mcp-github-tls", namespace: "ai-gateway" });
        assert.deepEqual(gh.objects.tlsPolicy?.spec, {
            targetRefs: [{ group: "gateway.envoyproxy.io", kind: "Backend", name: "github" }],
            validation: { hostname: "api.githubcopilot.com", wellKnownCACertificates: "System" },
        });
        assert.deepEqual(gh.objects.secret, { name: "ai-gateway-mcp-github-apikey", namespace: "ai-gateway", key: "apiKey", apiKey: "github-pat" });
        assert.deepEqual(kw.objects.backend.spec, { endpoints: [{ fqdn: { hostname: "kiwi-mcp.tools.svc.cluster.local", port: 8080 } }] });
        assert.equal(kw.objects.tlsPolicy, undefined);
        assert.equal(kw.objects.secret, undefined);
        const inGatewayNamespace = manifestsOf({ config: parseConfig(withMcp({ servers: { kiwi: { service: { name: "kiwi-mcp" }, port: 80 } } })).mcp!, gateway });
        assert.equal(inGatewayNamespace.servers[0].objects.backend.spec.endpoints?.[0].fqdn?.hostname, "kiwi-mcp.ai-gateway.svc.cluster.local");
    });

    it("an API key in a header of its own; host names, OAuth and the backend selector as set", () => {
        const config = parseConfig(
            withMcp({
                path: "/tools/mcp",
                hostnames: ["mcp.example.com"],
                servers: { github: { ...github, auth: { ...github.auth, header: "X-Api-Key" } } },
                oauth: { ...jwt, resource: "https://mcp.example.com/tools/mcp", scopes: ["mcp:tools"] },
                backendSelector: { rules: [{ cel: "request.mcp.backend in request.auth.jwt.claims.servers" }] },
            }),
        ).mcp!;
        const oauth = resolvedOAuth(config.oauth!, undefined);
        const { spec } = manifestsOf({ config, gateway, oauth }).route;
        assert.equal(spec.path, "/tools/mcp");
        assert.deepEqual(spec.hostnames, ["mcp.example.com"]);
        assert.deepEqual(spec.backendRefs[0].securityPolicy, { apiKey: { secretRef: { name: "ai-gateway-mcp-github-apikey" }, header: "X-Api-Key" } });
        assert.deepEqual(spec.securityPolicy, {
            oauth: {
                issuer: "https://auth.example.com",
                audiences: ["https://llm.example.com/mcp"],
                jwks: { remoteJWKS: { uri: "https://auth.example.com/.well-known/jwks.json" } },
                protectedResourceMetadata: { resource: "https://mcp.example.com/tools/mcp", scopesSupported: ["mcp:tools"] },
            },
        });
        assert.deepEqual(spec.backendSelector, { defaultAction: "Deny", rules: [{ cel: "request.mcp.backend in request.auth.jwt.claims.servers", action: "Allow" }] });
        assert.deepEqual(crdProblems(manifestsOf({ config, gateway, oauth }).route), []);
    });

    it("OAuth takes issuer, keys and audiences from ai-gateway:auth.jwt; without audiences anywhere, the resource URL", () => {
        const raw = withMcp({ servers: { kiwi }, oauth: { resource: "https://llm.example.com/mcp" } }, { auth: { jwt } });
        const c = parseConfig(raw);
        assert.deepEqual(manifestsOf({ config: c.mcp!, gateway, oauth: buildPlan(c).mcpOAuth }).route.spec.securityPolicy?.oauth, {
            issuer: jwt.issuer,
            audiences: jwt.audiences,
            jwks: { remoteJWKS: { uri: jwt.jwksUri } },
            protectedResourceMetadata: { resource: "https://llm.example.com/mcp" },
        });
        const noAudience = parseConfig(withMcp({ servers: { kiwi }, oauth: { issuer: jwt.issuer, jwksUri: jwt.jwksUri, resource: "https://llm.example.com/mcp" } }, { auth: { none: true } }));
        assert.deepEqual(manifestsOf({ config: noAudience.mcp!, gateway, oauth: buildPlan(noAudience).mcpOAuth }).route.spec.securityPolicy?.oauth?.audiences, ["https://llm.example.com/mcp"]);
    });

    it("names depend only on their own inputs", () => {
        assert.equal(mcpRouteName("edge"), "edge-mcp");
        assert.deepEqual(mcpServerNames("edge", "github"), { component: "mcp-gateway-github", backend: "github", tlsPolicy: "edge-mcp-github-tls", secret: "edge-mcp-github-apikey" });
        const one = manifestsOf({ config: parseConfig(withMcp({ servers: { github } })).mcp!, gateway });
        const two = manifestsOf({ config: parseConfig(withMcp({ servers: { github, kiwi } })).mcp!, gateway });
        assert.deepEqual(two.servers.find((s) => s.name === "github"), one.servers[0]);
    });
});

describe("MCP in the program: created only when ai-gateway:mcp is set, after the CRDs; the API key only in a Secret", () => {
    it("the fixture mcp-oauth.yaml: OAuth replacing the client API keys on the MCP path, said in a warning (beside the one on keys over plain HTTP)", async () => {
        const e = await evaluate(configOfFile(join(__dirname, "fixtures", "mcp-oauth.yaml")));
        assert.deepEqual(e.config.warnings, [
            "gateway.listeners: have no HTTPS listener, so clients send their auth.apiKeys credentials to a LoadBalancer over plain HTTP (listener http), readable and replayable by anything on the way; add an HTTPS listener and set gateway.redirectToHttps: true, or keep the Service internal (ClusterIP)",
            "mcp.oauth: takes the place of ai-gateway:auth on /tools/mcp: auth.apiKeys does not apply there, only the OAuth access token does; remove mcp.oauth to keep ai-gateway:auth on the MCP path",
        ]);
        const route = e.object("MCPRoute", "ai-gateway-mcp");
        assert.deepEqual(route.spec.securityPolicy, {
            oauth: {
                issuer: "https://login.example.com/realms/tools",
                audiences: ["tools-mcp"],
                jwks: { remoteJWKS: { uri: "https://login.example.com/realms/tools/protocol/openid-connect/certs" } },
                protectedResourceMetadata: { resource: "https://tools.example.com/tools/mcp" },
            },
        });
        assert.deepEqual(await secretLeaks(e, "test-search", "mcp-gateway-search-secret"), []);
    });

    it("no MCP object without ai-gateway:mcp", async () => {
        const e = await evaluate({ auth: { none: true } });
        assert.deepEqual(e.objects("MCPRoute"), []);
        assert.equal(e.all("ai-gateway:mcp:McpGateway").length, 0);
    });

    it("the MCPRoute waits for the AI Gateway CRDs and for every server's objects; the key is in the Secret only", async () => {
        const e = await evaluate(withMcp({ servers: { github, kiwi } }, { auth: { none: true } }));
        assert.equal(e.object("MCPRoute", "ai-gateway-mcp").apiVersion, "aigateway.envoyproxy.io/v1beta1");
        assert.deepEqual(e.objects("Backend").map((b) => b.metadata.name).sort(), ["github", "kiwi"]);
        const route = e.get("kubernetes:aigateway.envoyproxy.io/v1beta1:MCPRoute", "mcp-gateway-route");
        for (const name of ["ai-gateway-crds", "ai-gateway-release", "mcp-gateway-github-backend", "mcp-gateway-github-tls-policy", "mcp-gateway-github-secret", "mcp-gateway-kiwi-backend"]) {
            assert.ok(route.dependsOn.includes(name), `MCPRoute waits for ${name}; waits for ${route.dependsOn.join(", ")}`);
        }
        assert.equal(route.parent, "mcp-gateway");
        const secret = e.get("kubernetes:core/v1:Secret", "mcp-gateway-github-secret");
        assert.deepEqual((secret.inputs.metadata as { name: string }).name, "ai-gateway-mcp-github-apikey");
        assert.deepEqual(await secretLeaks(e, "known-github-pat", "mcp-gateway-github-secret"), []);
    });
});

describe("config: ai-gateway:mcp", () => {
    const mcp = (m: Record<string, unknown>, extra: Record<string, unknown> = {}) => withMcp({ servers: { github }, ...m }, extra);

    it("server names are DNS labels that no other Backend of the gateway namespace has", () => {
        assert.deepEqual(configProblems(withMcp({ servers: { GitHub: github } })), [
            `mcp.servers.GitHub: "GitHub" is not a DNS-1123 label; name the server with lower-case letters, digits and '-' (at most 63, starting and ending with a letter or digit): it names its Backend and clients see it in front of every tool (<server>__<tool>)`,
        ]);
        const backends = { a: { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80 } };
        assert.deepEqual(configProblems(withMcp({ servers: { "ai-gateway-a": kiwi } }, { backends })), [
            `mcp.servers.ai-gateway-a: "ai-gateway-a" is already the name of the Backend of backends.a in namespace ai-gateway; give the server another name`,
        ]);
        assert.deepEqual(configProblems(withMcp({ servers: {} })), [
            "mcp.servers: lists no server; add one, e.g. servers: {github: {hostname: api.githubcopilot.com, path: /mcp/readonly}}",
        ]);
    });

    it("names starting with ai-eg-mcp- are the controller's (its MCP proxy's shared Backend ai-eg-mcp-proxy): refused for servers and backends", () => {
        assert.deepEqual(configProblems(withMcp({ servers: { "ai-eg-mcp-proxy": kiwi, "ai-eg-mcp-tools": github } })), [
            `mcp.servers.ai-eg-mcp-proxy: "ai-eg-mcp-proxy" is already the name of the Backend of the AI Gateway's MCP proxy in namespace ai-gateway; give the server another name`,
            `mcp.servers.ai-eg-mcp-tools: "ai-eg-mcp-tools" starts with ai-eg-mcp-, which the AI Gateway controller names its own MCP objects with; give the server another name`,
        ]);
        const backends = { "mcp-proxy": { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80 } };
        assert.deepEqual(configProblems({ gateway: { name: "ai-eg" }, backends, models: { m: { backends: [{ backend: "mcp-proxy" }] } }, routing: { minBackendsPerModel: 1 } }), [
            "backends.mcp-proxy: names the Backend ai-eg-mcp-proxy, and names starting with ai-eg-mcp- are the AI Gateway controller's own (its MCP proxy's); give the backend (or gateway.name) another name",
        ]);
    });

    it("where a server runs: hostname or service, never a URL, never both, never neither", () => {
        assert.deepEqual(configProblems(withMcp({ servers: { kiwi: { ...kiwi, hostname: "kiwi.example.com" } } })), [
            "mcp.servers.kiwi.service: is set together with hostname; keep one of them: hostname for a server outside the cluster, service for one in it",
        ]);
        assert.deepEqual(configProblems(withMcp({ servers: { kiwi: { port: 80 } } })), [
            "mcp.servers.kiwi: says nowhere where the server runs; set hostname (e.g. api.githubcopilot.com) or service ({name: <service>, namespace: <namespace>})",
        ]);
        assert.deepEqual(configProblems(withMcp({ servers: { github: { ...github, hostname: "https://api.githubcopilot.com/mcp" } } })), [
            `mcp.servers.github.hostname: "https://api.githubcopilot.com/mcp" is a URL, a host name belongs here; use "api.githubcopilot.com" (and set port/prefix separately)`,
        ]);
        assert.deepEqual(configProblems(withMcp({ servers: { kiwi: { ...kiwi, port: 0 } } })), ["mcp.servers.kiwi.port: is out of range; use a port from 1 to 65535"]);
        assert.deepEqual(configProblems(withMcp({ servers: { meta: { hostname: "169.254.169.254", port: 80 } } })), [
            `mcp.servers.meta.hostname: "169.254.169.254" is a link-local address, where cloud metadata services hand out the node's credentials; an MCP server must not point there: use the real service's own host name`,
        ]);
        assert.deepEqual(configProblems(withMcp({ servers: { sys: { service: { name: "x", namespace: "kube-system" }, port: 80 } } })), [
            `mcp.servers.sys.service.namespace: is a Service in namespace "kube-system", which holds the cluster's own components; an MCP server must not point there: run it in a namespace of its own`,
        ]);
    });

    it("an API key only over TLS outside the cluster, and only from ai-gateway:apiKeys", () => {
        assert.deepEqual(configProblems(mcp({ servers: { github: { ...github, port: 80 } } })), [
            "mcp.servers.github.port: sends the API key to api.githubcopilot.com without TLS, readable by anything on the way; use TLS (port 443, or tls: true)",
        ]);
        assert.deepEqual(configProblems(mcp({ servers: { github: { ...github, tls: false } } })), [
            "mcp.servers.github.tls: sends the API key to api.githubcopilot.com without TLS, readable by anything on the way; use TLS (port 443, or tls: true)",
        ]);
        assert.doesNotThrow(() => parseConfig(mcp({ servers: { kiwi: { ...kiwi, auth: { type: "APIKey", secret: "github-pat" } } } })));
        assert.deepEqual(configProblems({ mcp: { servers: { github } }, apiKeys: { "github-token": "x" }, auth: { none: true } }), [
            `mcp.servers.github.auth.secret: names secret "github-pat", which is not in ai-gateway:apiKeys; run: pulumi config set --secret --path 'apiKeys.github-pat' <value>`,
        ]);
        assert.deepEqual(configProblems(mcp({ servers: { github: { ...github, auth: { type: "Bearer", secret: "github-pat" } } } })), [
            'mcp.servers.github.auth.type: "Bearer" is not allowed; use one of "APIKey"',
        ]);
    });

    it("tool filters: at least one list, include or includeRegex, exclude or excludeRegex, RE2 expressions", () => {
        const tools = (t: Record<string, unknown>) => mcp({ servers: { github: { ...github, tools: t } } });
        assert.deepEqual(configProblems(tools({})), [
            "mcp.servers.github.tools: is empty and would select nothing; set include, includeRegex, exclude or excludeRegex, or remove tools to offer every tool",
        ]);
        assert.deepEqual(configProblems(tools({ include: ["a"], includeRegex: ["b.*"], exclude: ["c"], excludeRegex: ["d"] })), [
            "mcp.servers.github.tools.includeRegex: is set together with include; keep one of them",
            "mcp.servers.github.tools.excludeRegex: is set together with exclude; keep one of them",
        ]);
        assert.deepEqual(configProblems(tools({ includeRegex: ["(get"], excludeRegex: ["^(?!get).*"] })), [
            `mcp.servers.github.tools.includeRegex[0]: "(get" is not an RE2 expression: missing closing ): \`(get\`; rewrite it in RE2 syntax (no lookaround, no back-references, repeats up to {1000})`,
            `mcp.servers.github.tools.excludeRegex[0]: "^(?!get).*" is not an RE2 expression: invalid or unsupported Perl syntax: \`(?!\`; rewrite it in RE2 syntax (no lookaround, no back-references, repeats up to {1000})`,
        ]);
        assert.deepEqual(configProblems(tools({ include: [] })), ["mcp.servers.github.tools.include: is empty; list at least one entry or remove the key"]);
    });

    it("the MCP path: never a model endpoint or a passthrough's exact path; under a passthrough prefix, a warning", () => {
        assert.deepEqual(configProblems(mcp({ path: "/v1/chat/completions" })), [
            `mcp.path: "/v1/chat/completions" is an endpoint of the model routes, which the MCP route would take away; use a path of its own, e.g. /mcp`,
        ]);
        assert.deepEqual(configProblems(mcp({ path: "mcp" })), ["mcp.path: is not a request path; start it with '/' and leave out any query, e.g. /mcp"]);
        const passthrough = (path: string, pathType: string) => ({ passthrough: { tools: { path, pathType, service: { name: "tools", port: 80 } } } });
        assert.deepEqual(configProblems(mcp({}, passthrough("/mcp", "Exact"))), [`mcp.path: "/mcp" is already the path of passthrough.tools; give one of them another path`]);
        assert.deepEqual(parseConfig(mcp({ path: "/tools/mcp" }, passthrough("/tools", "PathPrefix"))).warnings, [
            `mcp.path: "/tools/mcp" lies under passthrough.tools (/tools), which no longer receives it: the MCP route's exact match wins; move one of them if the passthrough service should answer it`,
        ]);
        assert.deepEqual(parseConfig(mcp({}, passthrough("/", "PathPrefix"))).warnings, [], "the catch-all takes only what no other route does");
    });

    it("OAuth: issuer and keys set or taken from auth.jwt; replacing ai-gateway:auth on the MCP path is a warning", () => {
        const resource = "https://llm.example.com/mcp";
        assert.deepEqual(configProblems(mcp({ oauth: { resource } })), [
            "mcp.oauth.issuer: is required: ai-gateway:auth.jwt is not set to take it from; set the authorization server's issuer, e.g. https://auth.example.com",
            "mcp.oauth.jwksUri: is required: ai-gateway:auth.jwt is not set to take it from; set the HTTPS URL of the token-signing keys, e.g. https://auth.example.com/.well-known/jwks.json",
        ]);
        const inClusterJwks = { ...jwt, jwksUri: "http://keycloak.auth.svc.cluster.local:8080/certs" };
        assert.deepEqual(configProblems(mcp({ oauth: { resource } }, { auth: { jwt: inClusterJwks } })), [
            `mcp.oauth.jwksUri: is unset, and ai-gateway:auth.jwt.jwksUri "http://keycloak.auth.svc.cluster.local:8080/certs" is plain HTTP, which the MCP route cannot fetch keys from; set mcp.oauth.jwksUri to an HTTPS URL`,
        ]);
        assert.deepEqual(configProblems(mcp({ oauth: { ...jwt, resource: "http://llm.example.com/mcp" } })), [
            `mcp.oauth.resource: "http://llm.example.com/mcp" is plain HTTP outside the cluster, where the MCP endpoint could be impersonated; use https://, or http:// only for an in-cluster Service (<service>.<namespace>.svc.cluster.local)`,
        ]);
        const apiKeyClients = { apiKeys: { clients: { "team-a": "team-a-key" } }, ipAllow: ["10.0.0.0/8"] };
        const warned = parseConfig({ ...mcp({ oauth: { ...jwt, resource } }), auth: apiKeyClients, apiKeys: { "github-pat": "x", "team-a-key": "y" } });
        assert.deepEqual(warned.warnings, [
            'gateway.listeners: have no HTTPS listener, so clients send their auth.apiKeys credentials to a LoadBalancer over plain HTTP (listener http), readable and replayable by anything on the way; add an HTTPS listener and set gateway.redirectToHttps: true, or keep the Service internal (ClusterIP)',
            "auth.ipAllow: is matched against the address Envoy sees, and a LoadBalancer Service with externalTrafficPolicy Cluster replaces the client's address with a node's; set gateway.envoyProxy.service.externalTrafficPolicy: Local (behind an L7 load balancer or an NLB with proxy protocol, set gateway.clientTraffic.clientIP or proxyProtocol instead)",
            "mcp.oauth: takes the place of ai-gateway:auth on /mcp: auth.apiKeys, auth.ipAllow do not apply there, only the OAuth access token does; remove mcp.oauth to keep ai-gateway:auth on the MCP path",
        ]);
        assert.deepEqual(parseConfig(mcp({ oauth: { ...jwt, resource } }, { auth: { none: true } })).warnings, []);
    });

    it("the backend selector: never one that denies every server; one that allows every server is a warning", () => {
        assert.deepEqual(configProblems(mcp({ backendSelector: {} })), [
            "mcp.backendSelector: has no rules and denies by default, so no session could use any server; add rules that allow servers, or remove backendSelector",
        ]);
        assert.deepEqual(configProblems(mcp({ backendSelector: { rules: [{ cel: 'request.mcp.backend == "github"', action: "Deny" }] } })), [
            "mcp.backendSelector.rules: only deny, and so does defaultAction: no session could use any server; add a rule with action Allow, or set defaultAction: Allow",
        ]);
        assert.deepEqual(parseConfig(mcp({ backendSelector: { defaultAction: "Allow" } })).warnings, [
            "mcp.backendSelector: allows every server whatever its rules say (they only allow, and so does defaultAction); remove backendSelector, or add rules with action Deny",
        ]);
        const byClaim = { rules: [{ cel: "request.mcp.backend in request.auth.jwt.claims.servers" }] };
        assert.deepEqual(configProblems(mcp({ backendSelector: byClaim }, { auth: { none: true } })), [
            "mcp.backendSelector.rules[0].cel: reads request.auth (the JWT's claims or scopes) at column 32, but nothing verifies that token on the MCP path, so its claims would be whatever the client wrote; set mcp.oauth or ai-gateway:auth.jwt, or decide on something the gateway verified",
        ]);
        assert.doesNotThrow(() => parseConfig(mcp({ backendSelector: byClaim }, { auth: { jwt } })));
        assert.deepEqual(configProblems(mcp({ backendSelector: { rules: [{ cel: " " }] } })), [
            "mcp.backendSelector.rules[0].cel: is empty; write a CEL expression, e.g. request.mcp.backend in request.auth.jwt.claims.mcp_servers",
        ]);
        assert.deepEqual(configProblems(mcp({ backendSelector: { rules: [{ cel: "true", action: "Maybe" }] } })), [
            'mcp.backendSelector.rules[0].action: "Maybe" is not allowed; use one of "Allow", "Deny"',
        ]);
    });

    it("authorization: tools of known servers, scopes and claims only with OAuth, never one that refuses every request", () => {
        const resource = "https://llm.example.com/mcp";
        const rules = [
            { tools: [{ server: "github", tool: "get_me" }], claims: [{ name: "groups", values: ["triage"], valueType: "StringArray" }], scopes: ["mcp:read"] },
            { cel: 'request.mcp.method == "tools/list"' },
            { tools: [{ server: "github", tool: "create_issue" }], action: "Deny" },
        ];
        const c = parseConfig(mcp({ oauth: { ...jwt, resource }, authorization: { rules } }, { auth: { none: true } }));
        assert.deepEqual(manifestsOf({ config: c.mcp!, gateway, oauth: buildPlan(c).mcpOAuth }).route.spec.securityPolicy?.authorization, {
            defaultAction: "Deny",
            rules: [
                {
                    source: { jwt: { scopes: ["mcp:read"], claims: [{ name: "groups", values: ["triage"], valueType: "StringArray" }] } },
                    target: { tools: [{ backend: "github", tool: "get_me" }] },
                    action: "Allow",
                },
                { cel: 'request.mcp.method == "tools/list"', action: "Allow" },
                { target: { tools: [{ backend: "github", tool: "create_issue" }] }, action: "Deny" },
            ],
        });
        assert.deepEqual(c.warnings, [
            `mcp.authorization.rules[2].tools[0].tool: "create_issue" is not among the tools mcp.servers.github.tools offers, so the rule never applies to it; offer the tool, or remove it from the rule`,
        ]);
        assert.deepEqual(crdProblems(manifestsOf({ config: c.mcp!, gateway, oauth: buildPlan(c).mcpOAuth }).route), []);

        assert.deepEqual(configProblems(mcp({ authorization: { rules: [{ scopes: ["mcp:read"], claims: [{ name: "groups", values: ["a"] }] }] } }, { auth: { jwt } })), [
            "mcp.authorization.rules[0].scopes: are read from the OAuth access token, which only mcp.oauth verifies on the MCP path; set mcp.oauth, or use cel on what the gateway verified",
            "mcp.authorization.rules[0].claims: are read from the OAuth access token, which only mcp.oauth verifies on the MCP path; set mcp.oauth, or use cel on what the gateway verified",
        ]);
        assert.deepEqual(configProblems(mcp({ authorization: { rules: [{ tools: [{ server: "githb", tool: "get_me" }] }] } })), [
            `mcp.authorization.rules[0].tools[0].server: "githb" is not a server of mcp.servers; did you mean "github"?`,
        ]);
        assert.deepEqual(configProblems(mcp({ authorization: {} })), [
            "mcp.authorization: has no rules and denies by default, so every MCP request would be refused; add a rule with action Allow, or set defaultAction: Allow",
        ]);
        assert.deepEqual(configProblems(mcp({ authorization: { rules: [{ cel: "request.auth.jwt.claims.admin == true", action: "Deny" }] } }, { auth: { none: true } })), [
            "mcp.authorization.rules: only denies, and so does defaultAction, so every MCP request would be refused; add a rule with action Allow, or set defaultAction: Allow",
            "mcp.authorization.rules[0].cel: reads request.auth (the JWT's claims or scopes) at column 9, but nothing verifies that token on the MCP path, so its claims would be whatever the client wrote; set mcp.oauth or ai-gateway:auth.jwt, or decide on something the gateway verified",
        ]);
        assert.deepEqual(configProblems(mcp({ authorization: { rules: [{ claims: [{ name: "groups", values: ["a"], valueType: "List" }] }] } })), [
            'mcp.authorization.rules[0].claims[0].valueType: "List" is not allowed; use one of "String", "StringArray"',
        ]);
    });

    it("host names: at least one a listener answers for; others are a warning", () => {
        const listeners = [
            { name: "http", protocol: "HTTP", port: 80 },
            { name: "https", protocol: "HTTPS", port: 443, hostname: "*.example.com", tls: { certificateRefs: [{ name: "tls" }] } },
        ];
        const gatewayConfig = { gateway: { redirectToHttps: true, listeners } };
        assert.deepEqual(configProblems(mcp({ hostnames: ["mcp.example.org"] }, gatewayConfig)), [
            "mcp.hostnames: matches no listener of the Gateway (*.example.com), so the MCP route would attach nowhere; use the listeners' host names, or remove hostnames",
        ]);
        assert.deepEqual(parseConfig(mcp({ hostnames: ["mcp.example.com", "mcp.example.org"] }, gatewayConfig)).warnings, [
            "mcp.hostnames: mcp.example.org matches no listener of the Gateway (*.example.com) and so never reaches the MCP route; remove it, or add a listener",
        ]);
        assert.deepEqual(parseConfig(mcp({ hostnames: ["mcp.example.org"] })).warnings, [], "a listener without a host name answers for every host");
    });

    it("bounds: host names and servers", () => {
        assert.deepEqual(configProblems(mcp({ hostnames: ["MCP.example.com"] })), [
            "mcp.hostnames[0]: is not a host name; use a lower-case DNS name such as mcp.example.com (or *.example.com)",
        ]);
        const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`s${i}`, kiwi]));
        assert.deepEqual(configProblems(withMcp({ servers: many })), ["mcp.servers: lists 257 servers, more than the 256 one MCPRoute accepts; remove some"]);
    });
});
