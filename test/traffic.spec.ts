import { modelsTrafficPolicyName } from "../plan/names";
import * as assert from "node:assert/strict";
import { retryGroupId } from "../plan/routes";
import { routeGroups } from "./support/routeGroups";
import { rateLimitRuleSet } from "../plan/rateLimit";
import { effectiveRetry, parseConfig, type PassthroughRouteConfig, type TrafficProtectionConfig } from "../plan";
import { lastRetryStart } from "../plan/rules/protection";
import { passthroughManifests } from "../components/manifests/passthrough";
import { passthroughRouteNames } from "../plan/names";
import { AI_GATEWAY_ENDPOINTS, capturedEndpoints, catchAllPathRegexes } from "../plan/passthrough";
import { protectionSections } from "../components/manifests/protection";
import { modelRoutes, modelTrafficPolicies } from "../components/manifests/routes";
import { configProblems, customResources, Evaluation, evaluate, stackFileConfig } from "./harness";
import { catalog } from "./support/conformance";
import { crdProblems } from "./support/manifests";

// Traffic protection (ai-gateway:traffic) in the one BackendTrafficPolicy of each route, passthrough
// routes (ai-gateway:passthrough) with their ReferenceGrants, and the retry budget.

const traffic = (raw: Record<string, unknown>): TrafficProtectionConfig => parseConfig({ traffic: raw }).traffic;
const passthrough = (raw: Record<string, unknown>): PassthroughRouteConfig => parseConfig({ passthrough: { r: raw } }).passthrough.r;
const local = (name: string) => ({ schema: "OpenAI", hostname: `${name}.models.svc.cluster.local`, port: 80 });
const twoBackends = { backends: [{ backend: "a" }, { backend: "b" }] };
const inCluster = { backends: { a: local("a"), b: local("b") }, models: { m: twoBackends } };
const iris = { path: "/v1/models/sklearn-iris", service: { name: "sklearn-iris-predictor", namespace: "tenant-a", port: 80 } };
const gateway = { name: "ai-gateway", namespace: "ai-gateway", parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway" }] };

/** The seed's traffic protection, every section on. */
const seed = {
    timeouts: { connect: "10s", request: "60s", idle: "300s" },
    circuitBreaker: { maxConnections: 100, maxPendingRequests: 50, maxParallelRequests: 200, maxParallelRetries: 10 },
    healthCheck: { passive: {}, active: { path: "/health", expectedStatuses: [200, 201] } },
};

describe("traffic builders: policy sections", () => {
    it("nothing configured: no section at all (Envoy's defaults)", () => {
        assert.deepEqual(protectionSections(traffic({})), { timeout: undefined, circuitBreaker: undefined, healthCheck: undefined });
    });

    it("a section given empty takes the seed's values", () => {
        assert.deepEqual(protectionSections(traffic({ timeouts: {}, circuitBreaker: {}, healthCheck: { passive: {} } })), {
            timeout: { tcp: { connectTimeout: "10s" }, http: { connectionIdleTimeout: "300s" } },
            circuitBreaker: { maxConnections: 100, maxPendingRequests: 50, maxParallelRequests: 200 },
            healthCheck: {
                passive: { consecutive5XxErrors: 5, splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 5, interval: "3s", baseEjectionTime: "30s", maxEjectionPercent: 10 },
            },
        });
    });

    it("the request timeout never enters the policy: the route rule's own timeout would win over it", () => {
        const sections = protectionSections(traffic(seed));
        assert.deepEqual(sections.timeout, { tcp: { connectTimeout: "10s" }, http: { connectionIdleTimeout: "300s" } });
        assert.ok(!JSON.stringify(sections).includes("requestTimeout"));
    });

    it("active health check where a path is given: an HTTP GET probe with the expected statuses", () => {
        assert.deepEqual(protectionSections(traffic(seed)).healthCheck?.active, {
            type: "HTTP",
            interval: "3s",
            timeout: "1s",
            healthyThreshold: 2,
            unhealthyThreshold: 3,
            http: { path: "/health", method: "GET", expectedStatuses: [200, 201] },
        });
        assert.equal(protectionSections(traffic({ healthCheck: { passive: {} } })).healthCheck?.active, undefined);
        assert.equal(protectionSections(traffic(seed)).circuitBreaker?.maxParallelRetries, 10);
    });
});

describe("traffic builders: passthrough routes", () => {
    const sections = protectionSections(traffic(seed));

    it("an HTTPRoute <gateway>-passthrough-<name> to the Service, in the gateway namespace", () => {
        const m = passthroughManifests({ names: passthroughRouteNames("ai-gateway", "sklearn-iris"), config: passthrough(iris), gateway, requestTimeout: "60s", protection: sections });
        assert.deepEqual(m.route, {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: { name: "ai-gateway-passthrough-sklearn-iris", namespace: "ai-gateway" },
            spec: {
                parentRefs: gateway.parentRefs,
                rules: [
                    {
                        matches: [{ path: { type: "PathPrefix", value: "/v1/models/sklearn-iris" } }],
                        backendRefs: [{ group: "", kind: "Service", name: "sklearn-iris-predictor", namespace: "tenant-a", port: 80 }],
                        timeouts: { request: "60s" },
                    },
                ],
            },
        });
        assert.deepEqual(crdProblems(m.route, m.referenceGrant, m.trafficPolicy), []);
    });

    it("a ReferenceGrant only for a Service in another namespace: from HTTPRoutes of the gateway namespace, to that one Service", () => {
        const cross = passthroughManifests({ names: passthroughRouteNames("ai-gateway", "iris"), config: passthrough(iris), gateway, protection: {} });
        assert.deepEqual(cross.referenceGrant, {
            apiVersion: "gateway.networking.k8s.io/v1beta1",
            kind: "ReferenceGrant",
            metadata: { name: "ai-gateway-passthrough-iris", namespace: "tenant-a" },
            spec: {
                from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "ai-gateway" }],
                to: [{ group: "", kind: "Service", name: "sklearn-iris-predictor" }],
            },
        });
        for (const namespace of [undefined, "ai-gateway"]) {
            const same = passthroughManifests({ names: passthroughRouteNames("ai-gateway", "iris"), config: passthrough({ ...iris, service: { ...iris.service, namespace } }), gateway, protection: {} });
            assert.equal(same.referenceGrant, undefined, `namespace ${namespace}`);
            assert.deepEqual(same.route.spec.rules?.[0].backendRefs, [{ group: "", kind: "Service", name: "sklearn-iris-predictor", port: 80 }]);
        }
    });

    it("its own BackendTrafficPolicy only when traffic protection sets something", () => {
        const without = passthroughManifests({ names: passthroughRouteNames("ai-gateway", "iris"), config: passthrough(iris), gateway, protection: protectionSections(traffic({})) });
        assert.equal(without.trafficPolicy, undefined);
        assert.equal(without.route.spec.rules?.[0].timeouts, undefined);
        const withPolicy = passthroughManifests({ names: passthroughRouteNames("ai-gateway", "iris"), config: passthrough(iris), gateway, protection: sections });
        assert.deepEqual(withPolicy.trafficPolicy?.metadata, { name: "ai-gateway-passthrough-iris-traffic", namespace: "ai-gateway" });
        assert.deepEqual(withPolicy.trafficPolicy?.spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "ai-gateway-passthrough-iris" }]);
        assert.equal(withPolicy.trafficPolicy?.spec.retry, undefined, "ai-gateway:retry is the models' fallback, not the passthrough routes'");
    });

    it("never a name of the AI Gateway's routes or the redirect route", () => {
        for (const name of ["models-00", "models-00-01", "models", "https-redirect", "00", "Models 00"]) {
            const route = passthroughRouteNames("ai-gateway", name).name;
            assert.match(route, /^ai-gateway-passthrough-/);
            assert.doesNotMatch(route, /^ai-gateway-models-\d+(-[01]+)?$/);
            assert.notEqual(route, "ai-gateway-https-redirect");
        }
    });

    it("which AI Gateway endpoints a path would capture", () => {
        const captured = (path: string, pathType = "PathPrefix") => capturedEndpoints({ path, pathType: pathType as PassthroughRouteConfig["pathType"] });
        assert.deepEqual(captured("/"), [], "the catch-all leaves them out (catchAllPathRegexes)");
        assert.deepEqual(captured("/v1"), AI_GATEWAY_ENDPOINTS.filter((e) => e.startsWith("/v1/")));
        assert.deepEqual(captured("/v1/chat"), ["/v1/chat/completions"]);
        assert.deepEqual(captured("/v1/chat/"), ["/v1/chat/completions"]);
        assert.deepEqual(captured("/v1/models"), ["/v1/models"]);
        assert.deepEqual(captured("/v1/models/sklearn-iris"), []);
        assert.deepEqual(captured("/v1/chat/comp"), [], "PathPrefix matches whole segments");
        assert.deepEqual(captured("/v1/responses"), ["/v1/responses", "/v1/responses/input_tokens"]);
        assert.deepEqual(captured("/v1/responses/input_tokens"), ["/v1/responses/input_tokens"]);
        assert.deepEqual(captured("/v1/responses/resp_123"), [], "a sub-path of an endpoint is no endpoint");
        assert.deepEqual(captured("/anthropic"), ["/anthropic/v1/models", "/anthropic/v1/messages", "/anthropic/v1/messages/count_tokens"]);
        assert.deepEqual(captured("/tokenize"), ["/tokenize"]);
        assert.deepEqual(captured("/tokenize", "Exact"), ["/tokenize"]);
        assert.deepEqual(captured("/v1/audio"), ["/v1/audio/speech", "/v1/audio/transcriptions", "/v1/audio/translations"]);
        assert.deepEqual(captured("/v1/models", "Exact"), ["/v1/models"]);
        assert.deepEqual(captured("/v1", "Exact"), []);
        assert.deepEqual(captured("^/v1/.*", "RegularExpression"), []);
    });
});

describe("config: the retry budget fits each model's request timeout", () => {
    it("the last retry starts, at the latest, after numRetries × perRetryTimeout plus the longest back-offs", () => {
        const retry = (raw: Record<string, unknown>) => parseConfig({ retry: raw }).retry;
        // Defaults: 3 × 30s, back-off up to 0.1s + 0.3s + 0.7s.
        assert.deepEqual(lastRetryStart(retry({})), { attempts: 90_000, backOff: 1_100, total: 91_100 });
        // Each back-off is capped at maxInterval: 0.1 + 0.3 + 0.7 + 1 + 1 (not 1.5 and 3.1).
        assert.deepEqual(lastRetryStart(retry({ numRetries: 5, perRetryTimeout: "20s", backOff: { maxInterval: "1s" } })), { attempts: 100_000, backOff: 3_100, total: 103_100 });
        assert.deepEqual(lastRetryStart(retry({ numRetries: 0 })), { attempts: 0, backOff: 0, total: 0 });
    });

    it("defaults fit: 3 retries of 30s start before the default 120s", () => {
        assert.deepEqual(parseConfig(inCluster).warnings, []);
    });

    it("a request timeout that ends before the last retry can start is a warning, with the formula in the message", () => {
        assert.deepEqual(parseConfig({ ...inCluster, retry: { numRetries: 3, perRetryTimeout: "60s" } }).warnings, [
            "models.m.timeouts.request: 120s ends the request before its last retry can start: with retry.numRetries 3 and retry.perRetryTimeout 60s, the last retry may start 181.1s after the request (3 × 60s for the first attempt and the 2 retries after it, plus up to 1.1s of back-off); raise timeouts.request to 182s or more, or lower retry.numRetries or retry.perRetryTimeout",
        ]);
        assert.deepEqual(parseConfig({ ...inCluster, models: { m: { ...twoBackends, timeouts: { request: "30s" } } }, retry: { numRetries: 1 } }).warnings, [
            "models.m.timeouts.request: 30s ends the request before its last retry can start: with retry.numRetries 1 and retry.perRetryTimeout 30s, the last retry may start 30.1s after the request (1 × 30s for the first attempt, plus up to 0.1s of back-off); raise timeouts.request to 31s or more, or lower retry.numRetries or retry.perRetryTimeout",
        ]);
    });

    it("the seed tutorial's retries (5 × 30s) with the default 120s request timeout deploy, with the warning", () => {
        const seed = { numRetries: 5, numAttemptsPerPriority: 1, perRetryTimeout: "30s", backOff: { baseInterval: "100ms", maxInterval: "10s" } };
        const config = parseConfig({ ...inCluster, retry: seed });
        assert.equal(config.warnings.length, 1);
        assert.match(config.warnings[0], /^models\.m\.timeouts\.request: 120s ends the request before its last retry can start/);
    });

    it("no request timeout (0s), or no retries: nothing to fit", () => {
        assert.deepEqual(parseConfig({ ...inCluster, models: { m: { ...twoBackends, timeouts: { request: "0s" } } }, retry: { perRetryTimeout: "10m" } }).warnings, []);
        assert.deepEqual(parseConfig({ ...inCluster, models: { m: { ...twoBackends, timeouts: { request: "1s" } } }, retry: { numRetries: 0, numAttemptsPerPriority: 0 } }).warnings, []);
    });
});

describe("config: durations given as numbers", () => {
    it("keep the hint: which unit to add (what `pulumi config set --path ... 20` stores is a number)", () => {
        assert.deepEqual(configProblems({ retry: { perRetryTimeout: 20 }, traffic: { timeouts: { connect: 5 } } }), [
            "retry.perRetryTimeout: must be a duration with a unit, got the number 20; use a value such as 20s or 20ms (units h, m, s, ms)",
            "traffic.timeouts.connect: must be a duration with a unit, got the number 5; use a value such as 5s or 5ms (units h, m, s, ms)",
        ]);
        assert.deepEqual(configProblems({ retry: { perRetryTimeout: true } }), ["retry.perRetryTimeout: must be a duration, got true; use a value such as 30s, 500ms or 1m30s"]);
    });
});

describe("config: ai-gateway:traffic", () => {
    it("timeouts parse; a connect timeout of 0s is refused", () => {
        assert.deepEqual(configProblems({ traffic: { timeouts: { connect: "10 s", idle: "5min" } } }), [
            "traffic.timeouts.connect: is not a duration; use a value such as 30s, 500ms or 1m30s (units h, m, s, ms)",
            "traffic.timeouts.idle: is not a duration; use a value such as 30s, 500ms or 1m30s (units h, m, s, ms)",
        ]);
        assert.deepEqual(configProblems({ traffic: { timeouts: { connect: "0s" } } }), ["traffic.timeouts.connect: 0s would fail every connection attempt; use a positive duration such as 10s"]);
    });

    it("circuit-breaker limits and health-check settings are positive whole numbers", () => {
        assert.deepEqual(configProblems({ traffic: { circuitBreaker: { maxConnections: 0, maxPendingRequests: 1.5 }, healthCheck: { passive: { maxEjectionPercent: 150 } } } }), [
            "traffic.circuitBreaker.maxConnections: must be at least 1; use 1 or more",
            "traffic.circuitBreaker.maxPendingRequests: must be a whole number, got number 1.5; change it to a whole number",
            "traffic.healthCheck.passive.maxEjectionPercent: is above 100; use a percentage from 0 to 100",
        ]);
    });

    it("an active check needs a path, and only in-cluster backends behind the model routes", () => {
        assert.deepEqual(configProblems({ traffic: { healthCheck: { active: { path: "health" } } } }), [
            "traffic.healthCheck.active.path: is not a request path; start it with '/', e.g. /v1/models/sklearn-iris",
        ]);
        assert.deepEqual(configProblems({ traffic: { healthCheck: { active: {} } } }), ["traffic.healthCheck.active.path: is required; set it to a string"]);
        const external = {
            backends: { openai: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } }, a: local("a") },
            models: { m: { backends: [{ backend: "openai" }, { backend: "a" }] } },
            apiKeys: { openai: "k" },
            auth: { none: true },
        };
        assert.deepEqual(configProblems({ ...external, traffic: { healthCheck: { active: { path: "/health" } } } }), [
            'traffic.healthCheck.active: would probe every backend of the model routes, and "openai" is outside the cluster: a provider API answers unauthenticated probes with errors, so the gateway would stop sending it requests; remove traffic.healthCheck.active (passive checks suit every backend), or route only to in-cluster backends',
        ]);
        assert.doesNotThrow(() => parseConfig({ ...inCluster, traffic: { healthCheck: { active: { path: "/health" } } } }));
    });

    it("an unknown key gets a did-you-mean", () => {
        assert.deepEqual(configProblems({ traffic: { circuitBreakers: {} } }), ['traffic.circuitBreakers: unknown key; did you mean "circuitBreaker"?']);
        assert.deepEqual(configProblems({ trafic: {} }), ['ai-gateway:trafic: unknown key; did you mean "ai-gateway:traffic"?']);
    });
});

describe("config: ai-gateway:passthrough", () => {
    const route = (extra: Record<string, unknown>) => ({ passthrough: { iris: { ...iris, ...extra } } });

    it("a path starts with '/'; a regular expression must compile", () => {
        assert.deepEqual(configProblems(route({ path: "v1/models/sklearn-iris" })), [
            `passthrough.iris.path: "v1/models/sklearn-iris" is not a request path; start it with '/' and leave out any query, e.g. /v1/models/sklearn-iris`,
        ]);
        assert.deepEqual(configProblems(route({ path: "^/v1/models/(iris", pathType: "RegularExpression" })), [
            'passthrough.iris.path: "^/v1/models/(iris" is not an RE2 expression: missing closing ): `^/v1/models/(iris`; rewrite it in RE2 syntax (no lookaround, no back-references, repeats up to {1000}), or use pathType PathPrefix',
        ]);
        assert.deepEqual(configProblems(route({ path: "^/v1/models/(?!admin).*", pathType: "RegularExpression" })), [
            'passthrough.iris.path: "^/v1/models/(?!admin).*" is not an RE2 expression: invalid or unsupported Perl syntax: `(?!`; rewrite it in RE2 syntax (no lookaround, no back-references, repeats up to {1000}), or use pathType PathPrefix',
        ]);
        assert.doesNotThrow(() => parseConfig(route({ path: "^/v1/models/sklearn-iris(:predict)?$", pathType: "RegularExpression" })));
    });

    it("the catch-all / is allowed: its path expressions match everything but the AI Gateway's endpoints, within Gateway API's limit", () => {
        const parts = catchAllPathRegexes();
        assert.ok(parts.length > 1 && parts.every((p) => p.length <= 1024), parts.map((p) => p.length).join(", "));
        const matching = (path: string) => parts.filter((p) => new RegExp(`^(?:${p})$`).test(path)).length;
        for (const e of AI_GATEWAY_ENDPOINTS) assert.equal(matching(e), 0, e);
        // v1.1.0's endpoints that an older list missed: a catch-all must leave each of them to the model routes.
        for (const e of ["/v1/audio/transcriptions", "/v1/audio/translations", "/tokenize", "/v1/responses/input_tokens", "/anthropic/v1/models", "/anthropic/v1/messages/count_tokens"]) {
            assert.equal(matching(e), 0, e);
        }
        // The extProc matches paths exactly: sub-paths and near misses of an endpoint are the passthrough's.
        for (const p of [
            "/", "/healthz", "/v", "/v1", "/v1/", "/v1/chat", "/v1/models/sklearn-iris:predict", "/v1/chat/completions/x", "/anthropic/v1/messages2", "/cohere/v2/rerank/",
            "/v1/responses/", "/v1/responses/input_tokens/x", "/v1/responses/resp_123", "/tokenize/", "/tokenizer", "/detokenize", "/anthropic/v1/models/claude",
            "/anthropic/v1/messages/count_tokens/x", "/anthropic/v1/messages/batches", "/v1/audio/transcriptions/x", "/v1/audio",
        ]) {
            assert.equal(matching(p), 1, `${p}: exactly one part matches`);
        }
        assert.doesNotMatch(parts.join(""), /\(\?[=!<]|\\[1-9]/, "no lookaround or backreference (RE2)");
        const c = parseConfig(route({ path: "/" }));
        const m = passthroughManifests({ names: passthroughRouteNames("ai-gateway", "everything"), config: c.passthrough.iris, gateway: { name: "ai-gateway", namespace: "ai-gateway", parentRefs: [] }, protection: {} });
        assert.deepEqual(m.route.spec.rules?.[0].matches, parts.map((value) => ({ path: { type: "RegularExpression", value } })));
        assert.deepEqual(crdProblems(m.route), []);
    });

    it("never the AI Gateway's own endpoints", () => {
        assert.deepEqual(configProblems(route({ path: "/v1" })), [
            `passthrough.iris.path: "/v1" (PathPrefix) would take the AI Gateway's own endpoints /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses, /v1/responses/input_tokens, /v1/audio/speech, /v1/audio/transcriptions, /v1/audio/translations, /v1/images/generations, /v1/models away from the model routes; use a path below them, e.g. /v1/models/<name>`,
        ]);
        assert.deepEqual(configProblems(route({ path: "/v1/chat/completions", pathType: "Exact" })), [
            `passthrough.iris.path: "/v1/chat/completions" (Exact) would take the AI Gateway's own endpoint /v1/chat/completions away from the model routes; use a path below them, e.g. /v1/models/<name>`,
        ]);
    });

    it("each route its own path; Service names are DNS labels", () => {
        assert.deepEqual(configProblems({ passthrough: { a: iris, b: iris } }), [`passthrough.b.path: "/v1/models/sklearn-iris" (PathPrefix) is already the path of passthrough.a; give each route its own path`]);
        assert.deepEqual(configProblems(route({ service: { name: "Iris", port: 80 } })), [
            "passthrough.iris.service.name: is not a DNS-1123 label; use lower-case letters, digits and '-', starting and ending with a letter or digit",
        ]);
        assert.deepEqual(configProblems(route({ pathType: "Prefix" })), ['passthrough.iris.pathType: "Prefix" is not allowed; use one of "PathPrefix", "Exact", "RegularExpression"']);
    });
});

describe("traffic protection: components", () => {
    const stack = {
        ...inCluster,
        models: { m: twoBackends, n: twoBackends, "org/Model-2": twoBackends },
        traffic: seed,
        passthrough: {
            "sklearn-iris": iris,
            "local-echo": { path: "/echo", pathType: "Exact", service: { name: "echo", port: 8080 } },
        },
    };
    let e: Evaluation;
    before(async () => {
        e = await evaluate(stack);
    });

    it("exactly one BackendTrafficPolicy per HTTPRoute target, model routes and passthrough routes alike", () => {
        const targets = e.objects("BackendTrafficPolicy").flatMap((p) => (p.spec.targetRefs as { kind: string; name: string }[]).map((t) => `${t.kind}/${t.name}`));
        const httpRoutes = [...e.objects("AIGatewayRoute"), ...e.objects("HTTPRoute")].map((r) => `HTTPRoute/${r.metadata.name}`);
        assert.deepEqual([...targets].sort(), [...new Set(targets)].sort(), "no target twice");
        assert.deepEqual([...targets].sort(), httpRoutes.sort(), "every route has its policy");
    });

    it("each model route's policy carries its retries and the protection together, merged into the Gateway's", () => {
        const routes = e.objects("AIGatewayRoute").map((r) => r.metadata.name).sort();
        const own = routes.map((r) => e.object("BackendTrafficPolicy", `${r}-traffic`));
        for (const { spec } of own) {
            assert.deepEqual(Object.keys(spec).sort(), ["circuitBreaker", "healthCheck", "mergeType", "retry", "targetRefs", "timeout"]);
            assert.equal(spec.mergeType, "StrategicMerge");
            assert.equal((spec.retry as { numRetries: number }).numRetries, 3);
            assert.deepEqual(spec.circuitBreaker, { maxConnections: 100, maxPendingRequests: 50, maxParallelRequests: 200, maxParallelRetries: 10 });
            assert.deepEqual(spec.timeout, { tcp: { connectTimeout: "10s" }, http: { connectionIdleTimeout: "300s" } });
        }
        assert.deepEqual(own.map((p) => (p.spec.targetRefs as { name: string }[])[0].name), routes);
    });

    it("the request timeout is on the route rules: the models' own, traffic.timeouts.request on passthrough routes", () => {
        for (const p of e.objects("BackendTrafficPolicy")) assert.ok(!JSON.stringify(p.spec).includes("requestTimeout"), p.metadata.name);
        for (const r of e.objects("AIGatewayRoute")) for (const rule of r.spec.rules as { timeouts: { request: string } }[]) assert.equal(rule.timeouts.request, "120s");
        for (const r of e.objects("HTTPRoute")) assert.deepEqual((r.spec.rules as { timeouts: unknown }[])[0].timeouts, { request: "60s" });
    });

    it("ReferenceGrants only where the Service is in another namespace", () => {
        assert.deepEqual(e.objects("ReferenceGrant").map((g) => [g.metadata.namespace, g.metadata.name]), [["tenant-a", "ai-gateway-passthrough-sklearn-iris"]]);
        assert.deepEqual(e.objects("HTTPRoute").map((r) => r.metadata.name).sort(), ["ai-gateway-passthrough-local-echo", "ai-gateway-passthrough-sklearn-iris"]);
    });

    it("a route waits for its grant and the namespace; its policy waits for the route", () => {
        const type = (kind: string, version = "v1") => `kubernetes:gateway.networking.k8s.io/${version}:${kind}`;
        const route = e.get(type("HTTPRoute"), "passthrough-routes-sklearn-iris-route");
        assert.equal(route.parent, "passthrough-routes");
        assert.ok(route.dependsOn.includes("passthrough-routes-sklearn-iris-grant"));
        assert.ok(route.dependsOn.includes("gateway-core-namespace"));
        assert.ok(e.get(type("ReferenceGrant", "v1beta1"), "passthrough-routes-sklearn-iris-grant").dependsOn.includes("envoy-gateway-release"));
        assert.ok(e.get("kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy", "passthrough-routes-sklearn-iris-traffic").dependsOn.includes("passthrough-routes-sklearn-iris-route"));
    });

    it("every custom resource validates against the CRDs", () => {
        assert.deepEqual(customResources(e).flatMap((o) => catalog().validate(o)), []);
    });

    it("with HTTP redirected to HTTPS, passthrough routes attach to the HTTPS listeners only", async () => {
        const ev = await evaluate({
            passthrough: { "sklearn-iris": iris },
            gateway: {
                redirectToHttps: true,
                listeners: [
                    { name: "http", protocol: "HTTP", port: 80 },
                    { name: "https", protocol: "HTTPS", port: 443, tls: { certificateRefs: [{ name: "ai-gateway-tls" }] } },
                ],
            },
        });
        assert.deepEqual(ev.object("HTTPRoute", "ai-gateway-passthrough-sklearn-iris").spec.parentRefs, [
            { group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway", sectionName: "https" },
        ]);
    });

    it("no ai-gateway:traffic: the model routes' policies hold the retries only (error bodies are opt-in), passthrough routes get none", async () => {
        const ev = await evaluate({ ...inCluster, passthrough: { "sklearn-iris": iris } });
        const policies = ev.objects("BackendTrafficPolicy");
        assert.equal(policies.length, ev.objects("AIGatewayRoute").length);
        for (const p of policies) assert.deepEqual(Object.keys(p.spec).sort(), ["mergeType", "retry", "targetRefs"]);
    });
});

describe("traffic protection: stack files", () => {
    it("prod: circuit breaker, connect and idle timeouts and outlier detection beside the retries, on every model route", async () => {
        const e = await evaluate(stackFileConfig("prod"));
        const policies = e.objects("BackendTrafficPolicy").filter((p) => (p.spec.targetRefs as { kind: string }[])[0].kind === "HTTPRoute");
        assert.equal(policies.length, e.objects("AIGatewayRoute").length);
        for (const p of policies) {
            assert.deepEqual(p.spec.circuitBreaker, { maxConnections: 100, maxPendingRequests: 50, maxParallelRequests: 200 });
            assert.deepEqual(p.spec.timeout, { tcp: { connectTimeout: "10s" }, http: { connectionIdleTimeout: "300s" } });
            assert.equal((p.spec.healthCheck as { passive: { consecutive5XxErrors: number } }).passive.consecutive5XxErrors, 5);
            assert.equal((p.spec.retry as { numAttemptsPerPriority: number }).numAttemptsPerPriority, 1);
        }
    });

    it("dev: no traffic protection, the tutorial's retries within the models' request timeout, none for the weighted model, one for the qwen pattern", async () => {
        const e = await evaluate(stackFileConfig("dev"));
        const retries: Record<string, number> = {};
        for (const p of e.objects("BackendTrafficPolicy")) {
            const keys = Object.keys(p.spec).sort();
            if (p.metadata.name === "ai-gateway-models-traffic") {
                assert.deepEqual(keys, ["rateLimit", "targetRefs"]);
                continue;
            }
            assert.deepEqual(keys.filter((k) => k !== "rateLimit"), ["mergeType", "retry", "targetRefs"]);
            const [target] = p.spec.targetRefs as { name: string; sectionName?: string }[];
            const route = e.object("AIGatewayRoute", target.name);
            for (const rule of route.spec.rules as { name: string }[]) {
                // A policy on one rule takes that rule from its route's policy.
                if (target.sectionName === undefined ? retries[rule.name] === undefined : target.sectionName === rule.name) retries[rule.name] = (p.spec.retry as { numRetries: number }).numRetries;
            }
        }
        assert.deepEqual(retries, { "qwen-any": 1, "qwen-with-fallback": 5, "virtual-qwen-model": 0 });
    });
});

describe("config: a model's own retry (models.<name>.retry)", () => {
    const fallback = { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] };
    const withModels = (models: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...inCluster, models, ...extra });

    it("what it sets replaces ai-gateway:retry, field by field; the rest comes from ai-gateway:retry", () => {
        const c = parseConfig(withModels({ m: { ...twoBackends, retry: { numRetries: 1, backOff: { maxInterval: "2s" } } } }, { retry: { perRetryTimeout: "45s" } }));
        assert.deepEqual(effectiveRetry(c.retry, c.models.m.retry), {
            numRetries: 1,
            numAttemptsPerPriority: 1,
            perRetryTimeout: "45s",
            backOff: { baseInterval: "100ms", maxInterval: "2s" },
            retryOn: { httpStatusCodes: [500, 502, 503, 504, 404], triggers: ["connect-failure", "retriable-status-codes"] },
        });
        assert.equal(effectiveRetry(c.retry, undefined), c.retry);
    });

    it("bad values are refused where they are, with the fix", () => {
        assert.deepEqual(configProblems(withModels({ m: { ...twoBackends, retry: { numRetries: -1 } } })), [RETRY_BAD_VALUES[0]]);
        assert.deepEqual(configProblems(withModels({ m: { ...twoBackends, retry: { numRetries: 101, perRetryTimeout: "soon", retryOn: { triggers: ["5xx", "sometimes"] } } } })), RETRY_BAD_VALUES.slice(1, 4));
        assert.deepEqual(configProblems(withModels({ m: { ...twoBackends, retry: { retries: 0 } } })), [RETRY_BAD_VALUES[4]]);
    });

    it("settings that would do nothing or never fall back are refused at the model's retry", () => {
        assert.deepEqual(configProblems(withModels({ m: { ...fallback, retry: { numRetries: 0 } } })), [
            'models.m.retry.numRetries: is 0: with numAttemptsPerPriority 1 no attempt reaches priority 1, so "m" never falls back; set it to at least 1',
        ]);
        assert.deepEqual(configProblems(withModels({ m: { ...twoBackends, retry: { retryOn: { triggers: ["reset"] } } } })), [
            "models.m.retry.retryOn.httpStatusCodes: only take effect with the trigger retriable-status-codes; add it to models.m.retry.retryOn.triggers, or remove the codes",
        ]);
        assert.deepEqual(configProblems(withModels({ m: { ...twoBackends, retry: { backOff: { baseInterval: "20s" } } } })), [
            "models.m.retry.backOff.maxInterval: 10s is shorter than baseInterval 20s; raise it or lower models.m.retry.backOff.baseInterval",
        ]);
        // A model that takes its attempts from ai-gateway:retry is named there.
        assert.deepEqual(configProblems(withModels({ m: { ...fallback, retry: { perRetryTimeout: "10s" } } }, { retry: { numRetries: 0 } })), [
            'retry.numRetries: is 0: with numAttemptsPerPriority 1 no attempt reaches priority 1, so "m" never falls back; set it to at least 1',
        ]);
        // ai-gateway:retry that only a model with its own retry would fall back through: nothing to refuse.
        assert.doesNotThrow(() => parseConfig(withModels({ m: { ...fallback, retry: { numRetries: 2 } } }, { retry: { numRetries: 0 } })));
    });

    it("a pattern model's retry is checked like an exact model's, where it is", () => {
        assert.doesNotThrow(() => parseConfig(withModels({ m: twoBackends, any: { ...twoBackends, match: { pattern: ".*" }, retry: { numRetries: 0 } } })));
        assert.deepEqual(configProblems(withModels({ any: { ...fallback, match: { pattern: ".*" }, retry: { numRetries: 0 } } })), [
            'models.any.retry.numRetries: is 0: with numAttemptsPerPriority 1 no attempt reaches priority 1, so "any" never falls back; set it to at least 1',
        ]);
        assert.deepEqual(parseConfig(withModels({ any: { ...twoBackends, match: { pattern: ".*" }, retry: { numRetries: 3 } } })).warnings, [
            "models.any.retry: sets nothing that differs from ai-gateway:retry, so it changes nothing; remove it, or set what this model should do differently (e.g. numRetries: 0 for no retry)",
        ]);
    });

    it("a retry that changes nothing is a warning; the retry budget warning names the model's retry", () => {
        assert.deepEqual(parseConfig(withModels({ m: { ...twoBackends, retry: { numRetries: 3 } } })).warnings, [
            "models.m.retry: sets nothing that differs from ai-gateway:retry, so it changes nothing; remove it, or set what this model should do differently (e.g. numRetries: 0 for no retry)",
        ]);
        assert.deepEqual(parseConfig(withModels({ m: { ...twoBackends, retry: { numRetries: 5 } } })).warnings, [
            "models.m.timeouts.request: 120s ends the request before its last retry can start: with models.m.retry.numRetries 5 and models.m.retry.perRetryTimeout 30s, the last retry may start 155.7s after the request (5 × 30s for the first attempt and the 4 retries after it, plus up to 5.7s of back-off); raise timeouts.request to 156s or more, or lower models.m.retry.numRetries or models.m.retry.perRetryTimeout",
        ]);
        assert.deepEqual(parseConfig(withModels({ m: { ...twoBackends, retry: { numRetries: 0 } } }, { retry: { numRetries: 5 } })).warnings.filter((w) => w.startsWith("models.m")), [], "no retry, nothing to fit");
    });
});

describe("routes: models with a retry of their own", () => {
    const models = {
        ...Object.fromEntries([...Array(20).keys()].map((i) => [`plain-${i}`, twoBackends])),
        "once-a": { ...twoBackends, retry: { numRetries: 0 } },
        "once-b": { ...twoBackends, retry: { numRetries: 0 } },
        ttft: { ...twoBackends, timeouts: { streamIdle: "10s" }, retry: { retryOn: { httpStatusCodes: [502, 503, 504], triggers: ["connect-failure", "reset", "retriable-status-codes"] } } },
    };
    const gateway = { name: "ai-gateway", namespace: "ai-gateway" };
    const policiesOf = (raw: Record<string, unknown>) => {
        const c = parseConfig(raw);
        const routes = modelRoutes({ gateway, models: c.models, groups: routeGroups(c.models, c.routing.routeBuckets, c.retry, undefined, gateway.name), serviceBackend: (k) => k });
        return modelTrafficPolicies({ gateway, sharedPolicy: modelsTrafficPolicyName(gateway.name), models: c.models, routes, retry: c.retry, rateLimit: c.rateLimit, rules: rateLimitRuleSet(c.rateLimit, c.models) }).routes;
    };

    it("share a route only with models of the same retry, <gateway>-models-retry-<hash of the retry>, whose policy has that retry", () => {
        const policies = policiesOf({ ...inCluster, models });
        const byModel = new Map(policies.flatMap((p) => p.bucket.models.map((m) => [m, p] as const)));
        const once = byModel.get("once-a")!;
        assert.equal(byModel.get("once-b"), once);
        assert.deepEqual(once.bucket.models, ["once-a", "once-b"]);
        assert.equal(once.policy.metadata.name, `ai-gateway-models-${retryGroupId({ numRetries: 0 })}-traffic`);
        assert.match(once.policy.metadata.name, /^ai-gateway-models-retry-[0-9a-f]{8}-traffic$/);
        assert.equal(once.policy.spec.retry!.numRetries, 0);
        const ttft = byModel.get("ttft")!;
        assert.deepEqual(ttft.bucket.models, ["ttft"]);
        assert.deepEqual(ttft.policy.spec.retry!.retryOn, { httpStatusCodes: [502, 503, 504], triggers: ["connect-failure", "reset", "retriable-status-codes"] });
        assert.equal(ttft.policy.spec.retry!.numRetries, 3, "the rest from ai-gateway:retry");
        for (const p of policies.filter((x) => x.bucket.models[0].startsWith("plain-"))) {
            assert.ok(p.bucket.models.every((m) => m.startsWith("plain-")), p.policy.metadata.name);
            assert.equal(p.policy.spec.retry!.numRetries, 3);
            assert.match(p.policy.metadata.name, /^ai-gateway-models-\d\d-traffic$/);
        }
        // The group's name depends on the retry as written, not the order of its keys.
        assert.equal(retryGroupId({ numRetries: 1, perRetryTimeout: "5s" }), retryGroupId({ perRetryTimeout: "5s", numRetries: 1 }));
        assert.deepEqual(crdProblems(...policies.map((p) => p.policy)), []);
    });

    it("giving one model a retry of its own moves it alone: every other route and policy stays as it was", () => {
        const text = (ps: ReturnType<typeof policiesOf>) => new Map(ps.map((p) => [p.policy.metadata.name, JSON.stringify(p)]));
        const before = text(policiesOf({ ...inCluster, models }));
        const after = text(policiesOf({ ...inCluster, models: { ...models, "plain-3": { ...twoBackends, retry: { numRetries: 0 } } } }));
        const changed = [...new Set([...before.keys(), ...after.keys()])].filter((n) => before.get(n) !== after.get(n));
        const oldRoute = [...before].find(([, v]) => v.includes('"plain-3"'))![0];
        assert.deepEqual(changed.sort(), [oldRoute, `ai-gateway-models-${retryGroupId({ numRetries: 0 })}-traffic`].sort());
    });
});

describe("routes: pattern models with a retry of their own", () => {
    const gateway = { name: "ai-gateway", namespace: "ai-gateway" };
    const patterns = {
        exact: twoBackends,
        "qwen-any": { ...twoBackends, match: { pattern: "^qwen.*", order: 1 }, retry: { numRetries: 0 } },
        "llama-any": { ...twoBackends, match: { pattern: "^llama.*", order: 2 } },
        anything: { ...twoBackends, match: { pattern: ".*", order: 9 }, retry: { numRetries: 1, perRetryTimeout: "5s" } },
    };
    const build = (models: Record<string, unknown>) => {
        const c = parseConfig({ ...inCluster, models });
        const routes = modelRoutes({ gateway, models: c.models, groups: routeGroups(c.models, c.routing.routeBuckets, c.retry, undefined, gateway.name), serviceBackend: (k) => k });
        return { routes, policies: modelTrafficPolicies({ gateway, sharedPolicy: modelsTrafficPolicyName(gateway.name), models: c.models, routes, retry: c.retry, rateLimit: c.rateLimit, rules: rateLimitRuleSet(c.rateLimit, c.models), protection: protectionSections(c.traffic) }) };
    };

    it("stay in the patterns' route in their documented order; each own retry is a policy on its rule, merged like the route's", () => {
        const { routes, policies } = build(patterns);
        const route = routes.find((r) => r.bucket.id === "patterns")!;
        assert.deepEqual(route.bucket.models, ["qwen-any", "llama-any", "anything"]);
        assert.deepEqual(policies.rules.map((r) => [r.model, r.route, r.policy.metadata.name]), [
            ["qwen-any", "ai-gateway-models-patterns", "ai-gateway-models-patterns-qwen-any-traffic"],
            ["anything", "ai-gateway-models-patterns", "ai-gateway-models-patterns-anything-traffic"],
        ]);
        const [qwen, anything] = policies.rules.map((r) => r.policy);
        assert.deepEqual(qwen.spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "ai-gateway-models-patterns", sectionName: "qwen-any" }]);
        assert.equal(qwen.spec.mergeType, "StrategicMerge");
        assert.equal(qwen.spec.retry!.numRetries, 0);
        assert.deepEqual([anything.spec.retry!.numRetries, anything.spec.retry!.perRetry?.timeout, anything.spec.retry!.numAttemptsPerPriority], [1, "5s", 1]);
        // The rule names the policies target are the rules of the route.
        const ruleNames = route.route.spec.rules.map((r) => r.name);
        for (const p of policies.rules) assert.ok(ruleNames.includes(p.policy.spec.targetRefs![0].sectionName!), p.policy.metadata.name);
        // The route's own policy keeps ai-gateway:retry for the other patterns, whichever pattern comes first.
        const routePolicy = policies.routes.find((r) => r.bucket.id === "patterns")!.policy;
        assert.equal(routePolicy.spec.retry!.numRetries, 3);
        assert.deepEqual(crdProblems(...policies.rules.map((r) => r.policy), routePolicy), []);
    });

    it("giving a pattern a retry changes no route and no other policy", () => {
        const { retry: _own, ...plainQwen } = patterns["qwen-any"];
        const before = build({ ...patterns, "qwen-any": plainQwen });
        const after = build(patterns);
        assert.deepEqual(after.routes.map((r) => r.route), before.routes.map((r) => r.route));
        assert.deepEqual(after.policies.routes.map((r) => r.policy), before.policies.routes.map((r) => r.policy));
        assert.deepEqual(after.policies.rules.map((r) => r.model).filter((m) => !before.policies.rules.some((b) => b.model === m)), ["qwen-any"]);
    });
});

/** What a model's bad retry values are refused with. */
const RETRY_BAD_VALUES = [
    "models.m.retry.numRetries: must not be negative; use 0 or more",
    "models.m.retry.numRetries: must be at most 100; lower it (each retry waits up to perRetryTimeout)",
    "models.m.retry.perRetryTimeout: is not a duration; use a value such as 30s, 500ms or 1m30s (units h, m, s, ms)",
    'models.m.retry.retryOn.triggers[1]: "sometimes" is not allowed; use one of "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream", "retriable-status-codes", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"',
    'models.m.retry.retries: unknown key; use one of "numRetries", "numAttemptsPerPriority", "perRetryTimeout", "backOff", "retryOn"',
];
