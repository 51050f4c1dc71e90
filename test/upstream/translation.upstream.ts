/**
 * `npm run test:upstream`: the dev and prod stacks and a corpus of fixtures (test/upstream/fixtures, one
 * file per group of features) rendered, translated by the pinned upstream translators, and checked
 * against what their configuration says. Needs the tools `npm run upstream:tools` builds (Go).
 */
import * as assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { AUTH_TYPES, parseConfig, SCHEMA_NAMES, type StackConfig } from "../../plan";
import { envoyTracingTarget } from "../../plan/observability";
import { AI_GATEWAY_ENDPOINTS, isCatchAll } from "../../plan/passthrough";
import { MAX_RATE_LIMIT_RULES, rateLimitRules, spendInUse, spendUnitsInUse } from "../../plan/rateLimit";
import { packModels } from "../../plan/packing";
import { patternModels } from "../../plan/routes";
import { UPSTREAM_TOOLS } from "../../config/versions";
import { DEFAULT_REQUEST_BUFFER } from "../../config/schema/requestBuffer";
import * as expected from "./expectations";
import { configOfFile } from "../harness";
import { clientConnectionProblems } from "./clientConnections";
import { loadBalancingProblems } from "./loadBalancing";
import { backendTlsProblems } from "./backendTls";
import { localRateLimitProblems } from "./localRateLimit";
import { guardrailProblems } from "./guardrails";
import { tools, translateStackFile, type UpstreamTranslation } from "./translate";
import { unreadFields } from "./translatorCrds";

const ROOT = join(__dirname, "..", "..");
const FIXTURES = join(__dirname, "fixtures");

const CASES = [
    { label: "stack dev", file: join(ROOT, "Pulumi.dev.yaml") },
    { label: "stack prod", file: join(ROOT, "Pulumi.prod.yaml") },
    ...readdirSync(FIXTURES)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => ({ label: `fixture ${f}`, file: join(FIXTURES, f) })),
];

/** Every configuration feature, so that the corpus provably switches each one on somewhere. */
const FEATURES: Record<string, (c: StackConfig) => boolean> = {
    ...Object.fromEntries(SCHEMA_NAMES.map((s) => [`backend schema ${s}`, (c: StackConfig) => Object.values(c.backends).some((b) => b.schema === s)])),
    ...Object.fromEntries(AUTH_TYPES.map((a) => [`backend auth ${a}`, (c: StackConfig) => Object.values(c.backends).some((b) => b.auth?.type === a)])),
    "in-cluster backend without TLS": (c) => Object.values(c.backends).some((b) => b.port !== 443 && b.tls !== true),
    "weighted backends": (c) => Object.values(c.models).some((m) => m.backends.some((b) => (b.weight ?? 1) > 1)),
    "priority fallback": (c) => Object.values(c.models).some((m) => m.backends.some((b) => (b.priority ?? 0) > 0)),
    "the same backend twice with different models": (c) =>
        Object.values(c.models).some((m) => new Set(m.backends.map((b) => b.backend)).size < m.backends.length),
    "model name override": (c) => Object.values(c.models).some((m) => m.backends.some((b) => b.model !== undefined)),
    "several AIGatewayRoutes": (c) => Object.keys(c.models).length > 4,
    "a route bucket split by further hash bits": (c) => packModels(Object.keys(c.models).filter((m) => c.models[m].match?.pattern === undefined), c.routing.routeBuckets).some((b) => b.prefix !== ""),
    "header and body mutation, per backend and per model": (c) =>
        Object.values(c.backends).some((b) => b.headers && b.body) && Object.values(c.models).some((m) => m.backends.some((b) => b.headers && b.body)),
    "extra header matches (exact and regular expression)": (c) => Object.values(c.models).some((m) => new Set(m.match?.headers?.map((h) => h.type)).size === 2),
    "pattern models, a catch-all among them": (c) => patternModels(c.models).length > 1 && Object.values(c.models).some((m) => m.match?.pattern === ".*"),
    "model catalog (ownedBy, createdAt)": (c) => Object.values(c.models).some((m) => m.ownedBy !== undefined && m.createdAt !== undefined),
    "stream idle timeout": (c) => Object.values(c.models).some((m) => m.timeouts.streamIdle !== undefined),
    "custom retry policy": (c) => c.retry.retryOn.triggers.includes("reset"),
    "a model's own retry: none at all, and time-to-first-token failover beside budgets": (c) =>
        Object.values(c.models).some((m) => m.retry?.numRetries === 0) &&
        Object.values(c.models).some((m) => m.retry?.retryOn?.triggers?.includes("reset") && m.timeouts.streamIdle !== undefined && m.rateLimit !== undefined),
    "a pattern model's own retry (a policy on its rule)": (c) => Object.values(c.models).some((m) => m.match?.pattern !== undefined && m.retry !== undefined),
    "errors: Envoy's own bodies (gateway.errors.format envoy)": (c) => c.gateway.errors.format === "envoy",
    "route host names: the Gateway's and a model's own": (c) => c.gateway.hostnames !== undefined && Object.values(c.models).some((m) => m.hostnames !== undefined),
    "rate limit: a shadow limit beside an enforced one": (c) => (c.rateLimit.perUser?.requests ?? []).some((b) => b.shadow === true),
    "rate limiting off": (c) => !c.rateLimit.enabled,
    "rate limit: a local burst limit per replica beside the budgets": (c) => c.rateLimit.local !== undefined && c.rateLimit.perUser !== undefined,
    "rate limit: global": (c) => c.rateLimit.global !== undefined,
    "rate limit: tenants": (c) => c.rateLimit.tenants !== undefined,
    "rate limit: per user": (c) => c.rateLimit.perUser !== undefined,
    "rate limit: defaults": (c) => c.rateLimit.defaults !== undefined,
    "rate limit: per model": (c) => Object.values(c.models).some((m) => m.rateLimit !== undefined),
    "rate limit: input tokens": (c) => c.rateLimit.tokenType === "input",
    "rate limit: several token kinds": (c) => Object.values(c.models).some((m) => new Set(m.rateLimit?.tokens?.map((b) => b.type ?? c.rateLimit.tokenType)).size > 2),
    "rate limit: more rules in all than one policy holds": (c) => rateLimitRules(c.rateLimit, c.models).length > MAX_RATE_LIMIT_RULES,
    "rate limit: fail closed with a timeout": (c) => c.rateLimit.failClosed && c.rateLimit.timeout !== undefined,
    "backend request buffer: the default limit and one of its own": (c) =>
        Object.values(c.backends).some((b) => b.requestBuffer?.limit === DEFAULT_REQUEST_BUFFER) && Object.values(c.backends).some((b) => b.requestBuffer !== undefined && b.requestBuffer.limit !== DEFAULT_REQUEST_BUFFER),
    "observability: request headers recorded in access-log lines and Envoy's spans": (c) =>
        Object.keys(c.observability.accessLog?.headers ?? {}).length > 0 && Object.keys(c.observability.tracing?.headers ?? {}).length > 0,
    "guardrails: two guards, one in another namespace, one on the response too": (c) =>
        Object.keys(c.guardrails).length > 1 && Object.values(c.guardrails).some((g) => g.service.namespace !== undefined && g.phases.includes("response")),
    "rate limit: spend budgets at cached-input prices": (c) =>
        spendInUse(c.rateLimit, c.models) && Object.values(c.backends).some((b) => Object.values(b.prices ?? {}).some((p) => p.cachedInput !== undefined)),
    "rate limit: a spend budget too large for micro-dollars (a coarser unit)": (c) => spendUnitsInUse(c.rateLimit, c.models).some((u) => u > 1),
    "provider quotas with a shadow window": (c) => Object.values(c.backends).some((b) => Object.values(b.quotas ?? {}).some((q) => q.some((e) => e.shadow === true))),
    "rate limit: existing Redis": (c) => !c.platform.redis.install,
    "client auth: JWT with authorization": (c) => c.auth.jwt?.allow !== undefined && c.auth.jwt.audiences !== undefined,
    "client auth: JWKS in the cluster": (c) => c.auth.jwt?.jwksUri.startsWith("http://") === true,
    "client auth: API keys": (c) => c.auth.apiKeys !== undefined,
    "client auth: CORS": (c) => c.auth.cors !== undefined,
    "client auth: explicitly none": (c) => c.auth.none === true,
    "client auth: OIDC login with its access token verified": (c) => c.auth.oidc?.accessToken?.allow !== undefined && c.auth.oidc.authorizationEndpoint !== undefined,
    "client auth: external authorization over HTTP": (c) => c.auth.extAuth?.protocol === "HTTP" && c.auth.extAuth.headersToBackend.length > 0,
    "client auth: external authorization over gRPC, naming the user": (c) => c.auth.extAuth?.protocol === "GRPC" && c.auth.jwt === undefined && c.auth.clientCertificates === undefined,
    "client auth: client certificates naming the user": (c) => c.auth.clientCertificates?.userFrom !== undefined,
    "client auth: address allow and deny lists": (c) => c.auth.ipAllow !== undefined && c.auth.ipDeny !== undefined,
    "passthrough: same namespace": (c) => Object.values(c.passthrough).some((p) => p.service.namespace === undefined),
    "passthrough: other namespace": (c) => Object.values(c.passthrough).some((p) => p.service.namespace !== undefined),
    "passthrough: exact path": (c) => Object.values(c.passthrough).some((p) => p.pathType === "Exact"),
    "passthrough: the catch-all /": (c) => Object.values(c.passthrough).some(isCatchAll),
    "passthrough: a request budget of its own": (c) => Object.values(c.passthrough).some((p) => (p.rateLimit?.requests?.length ?? 0) > 0),
    "rate limit: shared request budgets over every route (scope allRoutes)": (c) => c.rateLimit.scope === "allRoutes" && Object.keys(c.passthrough).length > 0,
    "backend load balancing: consistent hash on the verified user and on a header": (c) =>
        Object.values(c.backends).some((b) => b.loadBalancer?.hashOn === "user") && Object.values(c.backends).some((b) => typeof b.loadBalancer?.hashOn === "object"),
    "backend load balancing: least request with slow start over a priority fallback": (c) =>
        Object.values(c.backends).some((b) => b.loadBalancer?.type === "LeastRequest" && b.loadBalancer.slowStart !== undefined),
    "backend load balancing: the local zone preferred": (c) => Object.values(c.backends).some((b) => b.loadBalancer?.zoneAware?.minEndpoints !== undefined),
    "backend TCP keepalive": (c) => Object.values(c.backends).some((b) => b.tcpKeepalive !== undefined),
    "backend TLS: a private CA inline, in a Secret and in a ConfigMap": (c) =>
        (["pem", "secret", "configMap"] as const).every((k) => Object.values(c.backends).some((b) => typeof b.tls === "object" && b.tls.caCertificate?.[k] !== undefined)),
    "backend TLS: a client certificate (mutual TLS)": (c) => Object.values(c.backends).some((b) => typeof b.tls === "object" && b.tls.clientCertificate !== undefined),
    "traffic: timeouts": (c) => c.traffic.timeouts !== undefined,
    "traffic: circuit breaker": (c) => c.traffic.circuitBreaker?.maxParallelRetries !== undefined,
    "traffic: passive health check": (c) => c.traffic.healthCheck.passive?.consecutiveGatewayErrors !== undefined,
    "traffic: active health check": (c) => c.traffic.healthCheck.active !== undefined,
    "observability: Envoy tracing": (c) => c.observability.tracing !== undefined && envoyTracingTarget(c.observability.tracing) !== undefined,
    "observability: OTLP headers": (c) => c.observability.tracing?.headersSecret !== undefined,
    "observability: JSON access log": (c) => c.observability.accessLog?.format === "json",
    "observability: text access log": (c) => c.observability.accessLog?.format === "text",
    "observability: ServiceMonitor and dashboard": (c) => c.observability.metrics?.serviceMonitor === true && c.observability.dashboard?.enabled === true,
    "gateway: HTTPS listeners with host names": (c) => c.gateway.listeners.filter((l) => l.protocol === "HTTPS" && l.hostname).length > 1,
    "gateway: redirect to HTTPS": (c) => c.gateway.redirectToHttps,
    "gateway: HPA and PDB": (c) => c.gateway.envoyProxy.hpa.enabled && c.gateway.envoyProxy.pdb.enabled,
    "gateway: every client-traffic setting": (c) => {
        const ct = c.gateway.clientTraffic;
        return ct.timeout.requestReceived !== undefined && ct.tls.minVersion !== undefined && ct.headers.requestID !== undefined && ct.path.escapedSlashesAction !== undefined && ct.healthCheck !== undefined;
    },
    "gateway: client IP from X-Forwarded-For past trusted ranges, proxy protocol required": (c) =>
        c.gateway.clientTraffic.clientIP?.xForwardedFor?.trustedCIDRs !== undefined && c.gateway.clientTraffic.proxyProtocol?.optional === false,
    "gateway: client IP from X-Forwarded-For hops": (c) => c.gateway.clientTraffic.clientIP?.xForwardedFor?.trustedHops !== undefined,
    "gateway: client IP from a header, failing closed; optional proxy protocol": (c) =>
        c.gateway.clientTraffic.clientIP?.customHeader?.failClosed === true && c.gateway.clientTraffic.proxyProtocol?.optional === true,
    "gateway: TCP keepalive and every connection limit": (c) => c.gateway.clientTraffic.tcpKeepalive !== undefined && c.gateway.clientTraffic.connectionLimit?.closeDelay !== undefined,
    "gateway: HTTP/2 windows set": (c) => c.gateway.clientTraffic.http2.initialStreamWindowSize !== "16Mi",
    "gateway: extProc env and resources": (c) => c.gateway.gatewayConfig.extProc.env.length > 0,
    "gateway: forward proxy": (c) => c.gateway.gatewayConfig.forwardProxy !== undefined,
    "MCP: servers outside the cluster with API keys (Authorization and a header of their own) and in it": (c) => {
        const servers = Object.values(c.mcp?.servers ?? {});
        return servers.some((s) => s.auth !== undefined && s.auth.header === undefined) && servers.some((s) => s.auth?.header !== undefined) && servers.some((s) => s.service !== undefined);
    },
    "MCP: tool filters of every kind": (c) => {
        const tools = Object.values(c.mcp?.servers ?? {}).map((s) => s.tools ?? {});
        return (["include", "includeRegex", "exclude", "excludeRegex"] as const).every((k) => tools.some((t) => t[k] !== undefined));
    },
    "MCP: OAuth taking its settings from auth.jwt": (c) => c.mcp?.oauth !== undefined && c.mcp.oauth.issuer === undefined && c.auth.jwt !== undefined,
    "MCP: authorization by tools, claims, scopes and CEL, allowing and denying": (c) => {
        const rules = c.mcp?.authorization?.rules ?? [];
        return ["tools", "claims", "scopes", "cel"].every((k) => rules.some((r) => Object.hasOwn(r, k))) && new Set(rules.map((r) => r.action)).size === 2;
    },
    "MCP: backend selector and host names": (c) => c.mcp?.backendSelector !== undefined && c.mcp.hostnames !== undefined,
    "backend auth: AWS OIDC token exchange": (c) => Object.values(c.backends).some((b) => b.auth?.type === "AWSCredentials" && b.auth.oidcExchange !== undefined),
    "backend auth: Azure OIDC token exchange": (c) => Object.values(c.backends).some((b) => b.auth?.type === "AzureCredentials" && b.auth.oidcExchange !== undefined),
    "backend auth: GCP Workload Identity Federation with impersonation": (c) =>
        Object.values(c.backends).some((b) => b.auth?.type === "GCPCredentials" && b.auth.workloadIdentityFederation?.serviceAccount !== undefined),
    "per-request credentials: from metadata": (c) => Object.values(c.backends).some((b) => b.credentialOverride?.fromDynamicMetadata !== undefined),
    "per-request credentials: a header the client sets": (c) => Object.values(c.backends).some((b) => b.credentialOverride?.fromRequestHeaders?.setBy === "client"),
    "per-request credentials: a header the authorization service writes": (c) =>
        Object.values(c.backends).some((b) => b.credentialOverride?.fromRequestHeaders?.setBy === "extAuth"),
    "InferencePool: installed with its Endpoint Picker": (c) => Object.values(c.backends).some((b) => b.inferencePool?.selector !== undefined && b.inferencePool.endpointPicker !== undefined),
    "InferencePool: an existing pool by name": (c) => Object.values(c.backends).some((b) => b.inferencePool?.name !== undefined),
    "AWS: Pod Identity": (c) => c.aws?.podIdentity === true,
    "AWS: IRSA": (c) => c.aws?.irsa !== undefined,
};

describe(`upstream translation: aigw ${UPSTREAM_TOOLS.aigw.version} and egctl ${UPSTREAM_TOOLS.egctl.version} on the stacks and fixtures`, function () {
    /** What the translation could not prove → the cases it concerns. */
    const notes = new Map<string, Set<string>>();
    const note = (what: string, label: string) => notes.set(what, (notes.get(what) ?? new Set()).add(label));

    after(() => {
        if (notes.size === 0) return;
        const lines = [...notes].map(([what, labels]) => `    - ${what} (${[...labels].join(", ")})\n`);
        process.stdout.write(`\n  Not proven by the translators:\n${lines.join("")}`);
    });

    for (const c of CASES) {
        describe(c.label, () => {
            let t: UpstreamTranslation;
            before(async () => {
                t = await translateStackFile(c.file, c.label);
                for (const u of t.untranslated) note(u.why, `${c.label}: ${u.object}`);
            });

            it("every Gateway listener, route, policy and Backend is accepted, resolved and attached; nothing conflicts", () => {
                assert.deepEqual(expected.statusProblems(t), []);
            });

            it("each model's xDS route: its backends, weights, priorities, model overrides, request timeout and retry policy; the /v1/models catalog; the error bodies gateway.errors.format asks for", () => {
                assert.deepEqual([...expected.modelRouteProblems(t), ...expected.catalogProblems(t), ...expected.mutationProblems(t), ...expected.errorFormatProblems(t)], []);
            });

            it("each InferencePool model: its HTTPRoute rule names the pool alone, the extProc sends it OpenAI with the model override, Envoy routes the model", () => {
                assert.deepEqual(expected.inferencePoolProblems(t), []);
            });

            it("a rate-limit action for every budget that applies to the model, and no other; token counts on every route; the spend cost at each backend's prices", () => {
                assert.deepEqual([...expected.rateLimitProblems(t), ...expected.tokenCountProblems(t), ...expected.spendCostProblems(t)], []);
            });

            it("every budget is one counter: a shared budget one descriptor of the Gateway's policy over every route, a model's own one of its route's policy", () => {
                assert.deepEqual(expected.counterProblems(t), []);
            });

            it("client authentication on every listener and every route; the user identity from what it verified, never from the client", () => {
                assert.deepEqual([...expected.clientAuthProblems(t), ...expected.identityProblems(t)], []);
            });

            it("per-request credentials: the extProc reads them from the configured source; their headers never logged or added by a route; the authorization service's own replace the client's", () => {
                assert.deepEqual([...expected.credentialOverrideProblems(t), ...expected.credentialHeaderProblems(t)], []);
            });

            it("rule names: each AIGatewayRoute's rule names on the HTTPRoute the controller generates", () => {
                assert.deepEqual(expected.ruleNameProblems(t), []);
            });

            it("listeners: HTTP/2 windows, and only the redirect on HTTP when HTTPS is enforced", () => {
                assert.deepEqual([...expected.listenerProblems(t), ...expected.redirectProblems(t)], []);
            });

            it("backend load balancing and keepalive: each model's clusters balance as its backends say, a hash reads the header it names (the verified user for hashOn user)", () => {
                assert.deepEqual(loadBalancingProblems(t), []);
            });

            it("backend TLS: a private CA's backends verified against it, a client certificate presented where set and nowhere else", () => {
                assert.deepEqual(backendTlsProblems(t), []);
            });

            it("rateLimit.local: Envoy's local token bucket on every model route, sized as configured, and none without it", () => {
                assert.deepEqual(localRateLimitProblems(t), []);
            });

            it("client connections: the client's address from X-Forwarded-For, a header or the PROXY protocol, read by the address lists; TCP keepalive; connection limits", () => {
                assert.deepEqual(clientConnectionProblems(t), []);
            });

            it("traffic protection on every model and passthrough cluster; passthrough routes at their paths", () => {
                assert.deepEqual([...expected.protectionProblems(t), ...expected.passthroughProblems(t)], []);
            });

            it("exact model names before every pattern, and patterns in their documented order, in Envoy's route order", () => {
                assert.deepEqual(expected.patternOrderProblems(t, patternModels(t.config.models)), []);
            });

            it("every AI Gateway endpoint reaches the AI Gateway's routes first; other paths reach their passthrough route", () => {
                const catchAll = Object.values(t.config.passthrough).some(isCatchAll);
                const others = catchAll ? ["/", "/healthz", "/v1", "/v1/models/sklearn-iris:predict", "/v1/chat/completions/extra", "/v1/responses/resp_1", "/anthropic/v1/models/claude", "/tokenizer"] : [];
                assert.deepEqual(expected.endpointRoutingProblems(t, AI_GATEWAY_ENDPOINTS, others), []);
            });

            it("MCP: the main route at the MCP path first, a route per server to its Backend and path with its API key injected, OAuth; the proxy's tool filters and authorization", () => {
                assert.deepEqual(expected.mcpProblems(t), []);
            });

            it("observability: Envoy's tracer and access log", () => {
                const tracing = t.config.observability.tracing;
                assert.deepEqual(expected.observabilityProblems(t, tracing ? envoyTracingTarget(tracing) : undefined), []);
            });

            it("guardrails: a processor per guardrail before the buffer filter on every listener, enabled on every route of the model routes", () => {
                assert.deepEqual(guardrailProblems(t), []);
            });

            it("AI Gateway fields: only what the translator's version (the installed one) reads", () => {
                assert.deepEqual(unreadFields(t, tools().aigw.moduleDir), []);
            });
        });
    }

    it("the corpus switches on every configuration feature", () => {
        const configs = CASES.map((c) => parseConfig(configOfFile(c.file)));
        const missing = Object.entries(FEATURES)
            .filter(([, on]) => !configs.some((config) => on(config)))
            .map(([feature]) => feature);
        assert.deepEqual(missing, [], "add a fixture to test/upstream/fixtures that switches these on");
    });
});
