import { passthroughRouteNames } from "../plan/names";
import { modelsTrafficPolicyName } from "../plan/names";
import * as assert from "node:assert/strict";
import { routeGroups } from "./support/routeGroups";
import { MAX_RATE_LIMIT_RULES, MODEL_PRESENT, passthroughRateLimitRules, rateLimitInUse, rateLimitRules, rateLimitRuleSet, sharedRateLimitRules } from "../plan/rateLimit";
import { AI_GATEWAY_METADATA_NAMESPACE, MODEL_HEADER, SPEND_COST_KEY, SPEND_COST_KEYS, TOKEN_COST_KEYS } from "../config/aiMetadata";
import { passthroughManifests } from "../components/manifests/passthrough";
import { protectionSections } from "../components/manifests/protection";
import { llmRequestCosts, rateLimitSection } from "../components/manifests/rateLimit";
import { modelRoutes, modelTrafficPolicies, ruleName, trafficPolicy } from "../components/manifests/routes";
import type { RateLimitRule } from "../specs";
import { parseConfig } from "../plan";
import { MOCK_PASSWORD, redactSecrets } from "../scripts/mocks";
import { configProblems, Evaluation, evaluate, stackFileConfig, valueOf, WITH_BUDGET } from "./harness";
import { crdProblems } from "./support/manifests";

// Rate limiting (ai-gateway:rateLimit, models.<name>.rateLimit): the rules, the token costs, the policies
// that hold them (the Gateway's for the shared budgets, each route's for its models'), and the Redis behind them.

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const local = (name: string) => ({ schema: "OpenAI", hostname: `${name}.default.svc.cluster.local`, port: 80 });
const backends = { a: local("a"), b: local("b") };
const model = (rateLimit?: unknown) => ({ backends: [{ backend: "a" }, { backend: "b" }], ...(rateLimit !== undefined && { rateLimit }) });

/** The contract's example budgets (contract §2). */
const contractBudgets = { requests: [{ limit: 3, window: "1m" }], tokens: [{ limit: 50, window: "1m" }] };

const user = { name: "x-user-id", type: "Distinct" };
const modelMatch = (name: string) => ({ name: MODEL_HEADER, type: "Exact", value: name });
const requestCost = { request: { from: "Number", number: 1 } };
const tokenCost = (key: string) => ({
    request: { from: "Number", number: 0 },
    response: { from: "Metadata", metadata: { namespace: AI_GATEWAY_METADATA_NAMESPACE, key } },
});

/** The rules of a raw config, as the program builds them. */
function rulesOf(raw: Record<string, unknown>): RateLimitRule[] {
    const c = parseConfig({ backends, ...raw });
    return rateLimitRules(c.rateLimit, c.models);
}

/** The rules selecting one model. */
const rulesForModel = (rules: RateLimitRule[], name: string) =>
    rules.filter((r) => r.clientSelectors?.[0].headers?.some((h) => h.name === MODEL_HEADER && h.value === name));

describe("rate limiting: token costs", () => {
    it("every count the AI Gateway records: input, output, total, cached input and reasoning, under the shared key names", () => {
        assert.deepEqual(llmRequestCosts(), [
            { metadataKey: TOKEN_COST_KEYS.input, type: "InputToken" },
            { metadataKey: TOKEN_COST_KEYS.output, type: "OutputToken" },
            { metadataKey: TOKEN_COST_KEYS.total, type: "TotalToken" },
            { metadataKey: TOKEN_COST_KEYS.cachedInput, type: "CachedInputToken" },
            { metadataKey: TOKEN_COST_KEYS.reasoning, type: "ReasoningToken" },
        ]);
        assert.deepEqual(Object.values(TOKEN_COST_KEYS), ["llm_input_token", "llm_output_token", "llm_total_token", "llm_cached_input_token", "llm_reasoning_token"]);
    });

    it("several token kinds side by side: each entry's type, else rateLimit.tokenType", () => {
        const rules = rulesOf({
            rateLimit: { tokenType: "output" },
            models: { m: model({ tokens: [{ limit: 1000, window: "1m", type: "input" }, { limit: 500, window: "1m" }, { limit: 9000, window: "1m", type: "total" }, { limit: 100, window: "1h", type: "reasoning" }] }) },
        });
        assert.deepEqual(
            rules.map((r) => [r.limit.requests, r.cost?.response?.metadata?.key]),
            [[1000, "llm_input_token"], [500, "llm_output_token"], [9000, "llm_total_token"], [100, "llm_reasoning_token"]],
        );
        assert.deepEqual(configProblems({ backends, models: { m: model({ tokens: [{ limit: 1, window: "1m", type: "prompt" }] }) } }), [
            'models.m.rateLimit.tokens[0].type: "prompt" is not allowed; use one of "total", "input", "output", "cachedInput", "reasoning"',
        ]);
        assert.deepEqual(configProblems({ backends, models: { m: model({ requests: [{ limit: 1, window: "1m", type: "input" }] }) } }), [
            'models.m.rateLimit.requests[0].type: unknown key; use one of "limit", "window", "shadow"',
        ]);
    });

    it("the key a token budget reads is the one rateLimit.tokenType names, and every route records it", () => {
        const recorded = llmRequestCosts().map((c) => c.metadataKey);
        for (const tokenType of ["total", "input", "output", "cachedInput", "reasoning"] as const) {
            const [rule] = rulesOf({ rateLimit: { tokenType }, models: { m: model({ tokens: [{ limit: 10, window: "1h" }] }) } });
            assert.deepEqual(rule.cost, tokenCost(TOKEN_COST_KEYS[tokenType]));
            assert.ok(recorded.includes(rule.cost!.response!.metadata!.key), tokenType);
        }
    });
});

describe("rate limiting: rules", () => {
    it("per model: the user's own bucket (Distinct) on the model's name (Exact); requests cost 1, tokens 0 then the count", () => {
        const rules = rulesOf({ models: { "qwen-with-fallback": model(contractBudgets) } });
        const selectors = [{ headers: [user, modelMatch("qwen-with-fallback")] }];
        assert.deepEqual(rules, [
            { clientSelectors: selectors, limit: { requests: 3, unit: "Minute" }, cost: requestCost, shared: true },
            { clientSelectors: selectors, limit: { requests: 50, unit: "Minute" }, cost: tokenCost("llm_total_token"), shared: true },
        ]);
    });

    it("several windows per budget, one rule each, in every unit Envoy Gateway counts", () => {
        const windows = ["1s", "1m", "1h", "1d", "1mo", "1y"].map((window, i) => ({ limit: i + 1, window }));
        const rules = rulesOf({ models: { m: model({ tokens: windows }) } });
        assert.deepEqual(rules.map((r) => [r.limit.requests, r.limit.unit]), [[1, "Second"], [2, "Minute"], [3, "Hour"], [4, "Day"], [5, "Month"], [6, "Year"]]);
    });

    it("defaults: for models without their own, per kind; a model's own list replaces that kind, [] switches it off", () => {
        const rules = rulesOf({
            rateLimit: { defaults: { requests: [{ limit: 60, window: "1m" }], tokens: [{ limit: 1000, window: "1h" }] } },
            models: {
                plain: model(),
                "own-tokens": model({ tokens: [{ limit: 10, window: "1h" }] }),
                unlimited: model({ requests: [], tokens: [] }),
            },
        });
        const summary = (name: string) => rulesForModel(rules, name).map((r) => `${r.cost?.response ? "tokens" : "requests"} ${r.limit.requests}/${r.limit.unit}`);
        assert.deepEqual(summary("plain"), ["requests 60/Minute", "tokens 1000/Hour"]);
        assert.deepEqual(summary("own-tokens"), ["requests 60/Minute", "tokens 10/Hour"]);
        assert.deepEqual(summary("unlimited"), []);
    });

    it("tenants (Exact value of the tenant header), per user across models (Distinct) and global: each only for requests that name a model", () => {
        const rules = rulesOf({
            rateLimit: {
                global: { requests: [{ limit: 1000, window: "1m" }] },
                tenants: { header: "x-org", budgets: { "tenant-b": { tokens: [{ limit: 5, window: "1d" }] }, "tenant-a": { requests: [{ limit: 7, window: "1h" }] } } },
                perUser: { tokens: [{ limit: 100, window: "1d" }] },
            },
            models: { m: model() },
        });
        const present = { name: MODEL_HEADER, type: "RegularExpression", value: ".+" };
        assert.deepEqual(MODEL_PRESENT, present);
        assert.deepEqual(rules, [
            { clientSelectors: [{ headers: [present] }], limit: { requests: 1000, unit: "Minute" }, cost: requestCost, shared: true },
            { clientSelectors: [{ headers: [{ name: "x-org", type: "Exact", value: "tenant-a" }, present] }], limit: { requests: 7, unit: "Hour" }, cost: requestCost, shared: true },
            { clientSelectors: [{ headers: [{ name: "x-org", type: "Exact", value: "tenant-b" }, present] }], limit: { requests: 5, unit: "Day" }, cost: tokenCost("llm_total_token"), shared: true },
            { clientSelectors: [{ headers: [user, present] }], limit: { requests: 100, unit: "Day" }, cost: tokenCost("llm_total_token"), shared: true },
        ]);
    });

    it("every rule is shared, so a counter belongs to the policy: one per model over all listeners, one global for all routes", () => {
        const rules = rulesOf(stackFileConfig("prod"));
        assert.ok(rules.length > 0);
        for (const r of rules) assert.equal(r.shared, true);
    });

    it("the order is fixed (global, tenants, per user, models by name), whatever the order of the config", () => {
        const a = rulesOf({ models: { b: model(contractBudgets), a: model(contractBudgets) }, rateLimit: { global: contractBudgets } });
        const b = rulesOf({ rateLimit: { global: contractBudgets }, models: { a: model(contractBudgets), b: model(contractBudgets) } });
        assert.deepEqual(a, b);
        assert.deepEqual(a.map((r) => (r.clientSelectors?.[0].headers?.[0].type === "Distinct" ? r.clientSelectors[0].headers[1].value : "global")), ["global", "global", "a", "a", "b", "b"]);
    });

    it("the user header comes from rateLimit.userHeader", () => {
        const [rule] = rulesOf({ rateLimit: { userHeader: "x-api-user" }, models: { m: model({ requests: [{ limit: 1, window: "1s" }] }) } });
        assert.deepEqual(rule.clientSelectors, [{ headers: [{ name: "x-api-user", type: "Distinct" }, modelMatch("m")] }]);
    });

    it("rate limiting off: no rules and no rateLimit section", () => {
        const c = parseConfig({ backends, rateLimit: { enabled: false }, models: { m: model() } });
        assert.deepEqual(rateLimitRules(c.rateLimit, c.models), []);
        assert.equal(rateLimitSection(rateLimitRules(c.rateLimit, c.models)), undefined);
    });

    it("the policies validate against the pinned CRD at the most rules one policy holds: 256 shared rules, and routes full of model rules", () => {
        const windows = (n: number) => [...Array(n).keys()].map((i) => ({ limit: i + 1, window: ["1s", "1m", "1h", "1d", "1mo", "1y"][i] }));
        const tenants = Object.fromEntries([...Array(64).keys()].map((i) => [`tenant-${i}`, { requests: windows(2), tokens: windows(2) }]));
        const models = Object.fromEntries([...Array(63).keys()].map((i) => [`model-${i}`, model({ requests: windows(6), tokens: windows(6) })]));
        const c = parseConfig({ backends, routing: { routeBuckets: 4 }, models, rateLimit: { tenants: { budgets: tenants } } });
        assert.equal(sharedRateLimitRules(c.rateLimit).length, MAX_RATE_LIMIT_RULES);
        const gateway = { name: "ai-gateway", namespace: "ai-gateway" };
        const routes = modelRoutes({ gateway, models: c.models, groups: routeGroups(c.models, 4, c.retry, undefined, gateway.name), serviceBackend: (b) => b });
        const policies = modelTrafficPolicies({ gateway, sharedPolicy: modelsTrafficPolicyName(gateway.name), models: c.models, routes, retry: c.retry, rateLimit: c.rateLimit, rules: rateLimitRuleSet(c.rateLimit, c.models) });
        assert.equal(policies.shared!.spec.rateLimit!.global!.rules.length, MAX_RATE_LIMIT_RULES);
        assert.equal(policies.shared!.spec.rateLimit!.type, "Global");
        // 63 models × 12 windows: 756 rules, more than one policy holds, spread over the routes' policies.
        const perRoute = policies.routes.map((r) => r.policy.spec.rateLimit!.global!.rules.length);
        assert.equal(perRoute.reduce((a, b) => a + b, 0), 63 * 12);
        assert.ok(Math.max(...perRoute) <= MAX_RATE_LIMIT_RULES);
        assert.deepEqual(crdProblems(policies.shared!, ...policies.routes.map((r) => r.policy), ...routes.map((r) => r.route)), []);
    });
});

describe("rate limiting: a policy per route, merged into the Gateway's of the shared budgets", () => {
    const gateway = { name: "ai-gateway", namespace: "ai-gateway" };
    const policiesOfConfig = (raw: Record<string, unknown>) => {
        const c = parseConfig({ backends, routing: { routeBuckets: 64 }, ...raw });
        const routes = modelRoutes({ gateway, models: c.models, groups: routeGroups(c.models, 64, c.retry, undefined, gateway.name), serviceBackend: (b) => b });
        return { routes, policies: modelTrafficPolicies({ gateway, sharedPolicy: modelsTrafficPolicyName(gateway.name), models: c.models, routes, retry: c.retry, rateLimit: c.rateLimit, rules: rateLimitRuleSet(c.rateLimit, c.models) }) };
    };

    it("the builder: <route>-traffic on each route (merged into the Gateway's), <gateway>-models-traffic on the Gateway with the shared budgets", () => {
        const { routes, policies } = policiesOfConfig({
            models: { "model-1": model(contractBudgets), "model-2": model(), "model-3": model() },
            rateLimit: { global: contractBudgets },
        });
        assert.ok(routes.length > 1);
        assert.deepEqual(
            policies.routes.map((r) => [r.policy.metadata.name, r.policy.spec.targetRefs, r.policy.spec.mergeType]),
            routes.map((r) => [`${r.route.metadata.name}-traffic`, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: r.route.metadata.name }], "StrategicMerge"]),
        );
        assert.deepEqual(policies.shared!.metadata, { name: "ai-gateway-models-traffic", namespace: "ai-gateway" });
        assert.deepEqual(policies.shared!.spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway" }]);
        assert.deepEqual(Object.keys(policies.shared!.spec).sort(), ["rateLimit", "targetRefs"], "only budgets: retries are each route's");
        // model-1's own budgets are in its route's policy only.
        const withRules = policies.routes.filter((r) => r.policy.spec.rateLimit !== undefined);
        assert.deepEqual(withRules.map((r) => r.bucket.models), [["model-1"]]);
        assert.equal(routes[0].bucket.trafficPolicy, `${routes[0].route.metadata.name}-traffic`);
        assert.throws(() => trafficPolicy([], "x", {}), /at least one route/);
    });

    it("no shared budget: no policy on the Gateway at all; routes keep their own", () => {
        const { policies } = policiesOfConfig({ models: { "model-1": model(contractBudgets) } });
        assert.equal(policies.shared, undefined);
        assert.equal(policies.routes.length, 1);
    });

    it("adding a model changes only the policy of its own route", () => {
        const models = Object.fromEntries([...Array(40).keys()].map((i) => [`model-${i}`, model(contractBudgets)]));
        const before = policiesOfConfig({ models, rateLimit: { perUser: contractBudgets } }).policies;
        const after = policiesOfConfig({ models: { ...models, "model-new": model(contractBudgets) }, rateLimit: { perUser: contractBudgets } }).policies;
        assert.deepEqual(after.shared, before.shared);
        const text = (p: typeof before) => new Map(p.routes.map((r) => [r.policy.metadata.name, JSON.stringify(r.policy)]));
        const [a, b] = [text(before), text(after)];
        const changed = [...b].filter(([name, spec]) => a.get(name) !== spec).map(([name]) => name);
        const newRoute = after.routes.find((r) => r.bucket.models.includes("model-new"))!.policy.metadata.name;
        assert.deepEqual(changed, [newRoute]);
    });

    let dev: Evaluation;
    let prod: Evaluation;
    before(async () => {
        dev = await evaluate(stackFileConfig("dev"));
        prod = await evaluate(stackFileConfig("prod"));
    });

    /** The policies that target the HTTPRoute the controller generates for an AIGatewayRoute (the whole route, or `rule`). */
    const policiesOf = (e: Evaluation, route: string, rule?: string) =>
        e
            .objects("BackendTrafficPolicy")
            .filter((p) => (p.spec.targetRefs as { kind: string; name: string; sectionName?: string }[]).some((t) => t.kind === "HTTPRoute" && t.name === route && t.sectionName === rule));
    const gatewayPolicies = (e: Evaluation) =>
        e.objects("BackendTrafficPolicy").filter((p) => (p.spec.targetRefs as { kind: string }[]).some((t) => t.kind === "Gateway"));

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: every generated HTTPRoute has exactly one policy, with its retry, merged into the one Gateway policy of the shared budgets`, () => {
            const e = stack === "dev" ? dev : prod;
            const routes = e.objects("AIGatewayRoute").map((r) => r.metadata.name);
            assert.ok(routes.length > 0);
            for (const route of routes) {
                const policies = policiesOf(e, route);
                assert.equal(policies.length, 1, `${route}: a second policy on the same target would be Conflicted`);
                const spec = policies[0].spec as Values;
                assert.equal(spec.retry.numAttemptsPerPriority, 1, `${route}: retry (priority fallback)`);
                assert.equal(spec.mergeType, "StrategicMerge", `${route}: merged into the Gateway's policy, not in its place`);
            }
            // A pattern model's own retry: one policy on its rule, merged the same way.
            const patterns = Object.entries(parseConfig(stackFileConfig(stack)).models).filter(([, m]) => m.match?.pattern !== undefined && m.retry !== undefined);
            for (const [model] of patterns) {
                const policies = policiesOf(e, "ai-gateway-models-patterns", ruleName(model));
                assert.equal(policies.length, 1, `${model}: its rule's policy`);
                assert.equal((policies[0].spec as Values).mergeType, "StrategicMerge", model);
            }
            const [shared, ...more] = gatewayPolicies(e);
            assert.deepEqual(more, []);
            assert.deepEqual(shared.metadata, { name: "ai-gateway-models-traffic", namespace: "ai-gateway" });
            assert.equal(e.objects("BackendTrafficPolicy").length, routes.length + patterns.length + 1);
        });
    }

    it("the Gateway's policy keeps the Pulumi name of the one policy it replaces, and waits for every route; each route's waits for its route", () => {
        const resource = prod.get("kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy", "model-routes-traffic");
        for (const r of prod.all("kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute")) assert.ok(resource.dependsOn.includes(r.name), r.name);
        assert.equal(resource.parent, "model-routes");
        for (const r of prod.all("kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute")) {
            const own = prod.get("kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy", `${r.name}-traffic`);
            assert.ok(own.dependsOn.includes(r.name), r.name);
        }
    });

    it("every AIGatewayRoute records the token counts, and the spend cost in each unit a budget counts (both stacks set spend budgets, prod's global one in 0.00001 USD)", () => {
        for (const [e, keys] of [[dev, [SPEND_COST_KEY]], [prod, [SPEND_COST_KEY, SPEND_COST_KEYS[10]]]] as const) {
            for (const route of e.objects("AIGatewayRoute")) {
                const costs = route.spec.llmRequestCosts as { metadataKey: string; type: string }[];
                assert.deepEqual(costs.slice(0, -keys.length), llmRequestCosts(), route.metadata.name);
                assert.deepEqual(costs.slice(-keys.length).map((c) => [c.metadataKey, c.type]), keys.map((k) => [k, "CEL"]), route.metadata.name);
            }
        }
    });

    /** Every rule of every policy of a stack: the Gateway's first, then the routes' in route order. */
    const allRules = (e: Evaluation) =>
        [...gatewayPolicies(e), ...e.objects("AIGatewayRoute").flatMap((r) => policiesOf(e, r.metadata.name))].flatMap(
            (p) => ((p.spec as Values).rateLimit?.global.rules ?? []) as RateLimitRule[],
        );

    it("dev: qwen-with-fallback has the contract's budgets per user in its route's policy, virtual-qwen-model none and no retry", () => {
        const rules = allRules(dev);
        const selectors = [{ headers: [user, modelMatch("qwen-with-fallback")] }];
        assert.deepEqual(rulesForModel(rules, "qwen-with-fallback"), [
            { clientSelectors: selectors, limit: { requests: 3, unit: "Minute" }, cost: requestCost, shared: true },
            { clientSelectors: selectors, limit: { requests: 50, unit: "Minute" }, cost: tokenCost("llm_total_token"), shared: true },
        ]);
        assert.deepEqual(rulesForModel(rules, "virtual-qwen-model"), []);
        // And one dollar a day per user, all models together, on the Gateway.
        const shared = (gatewayPolicies(dev)[0].spec as Values).rateLimit.global.rules;
        assert.deepEqual(shared, [{ clientSelectors: [{ headers: [user, MODEL_PRESENT] }], limit: { requests: 1_000_000, unit: "Day" }, cost: tokenCost(SPEND_COST_KEY), shared: true }]);
        assert.equal(rules.length, 3);
        const weighted = dev.objects("AIGatewayRoute").find((r) => (r.spec.rules as { name: string }[]).some((x) => x.name === "virtual-qwen-model"))!;
        assert.equal((policiesOf(dev, weighted.metadata.name)[0].spec as Values).retry.numRetries, 0);
    });

    it("prod: the global and tenant budgets once each, a monthly spend per user, defaults for gpt-4o-mini, gpt-4.1's own tokens (an output-token cap among them) and daily spend with the default requests", () => {
        const rules = allRules(prod);
        const describe = (r: RateLimitRule) =>
            `${(r.clientSelectors?.[0].headers ?? []).filter((h) => h !== MODEL_PRESENT && h.type !== "RegularExpression").map((h) => h.value ?? `${h.name}:${h.type}`).join("+") || "everyone"} ${r.cost?.response ? (r.cost.response.metadata?.key ?? "tokens") : "requests"} ${r.limit.requests}/${r.limit.unit}`;
        assert.deepEqual(rules.map(describe).slice(0, 6), [
            "everyone requests 5000/Minute",
            "everyone llm_total_token 2000000/Minute",
            "everyone llm_spend_10_micro_usd 2000000000/Month",
            "tenant-a llm_total_token 20000000/Day",
            "tenant-b llm_total_token 5000000/Day",
            "x-user-id:Distinct llm_spend_micro_usd 50000000/Month",
        ]);
        assert.deepEqual(rules.map(describe).slice(6).sort(), [
            "x-user-id:Distinct+gpt-4.1 llm_output_token 20000/Hour",
            "x-user-id:Distinct+gpt-4.1 llm_spend_micro_usd 5000000/Day",
            "x-user-id:Distinct+gpt-4.1 llm_total_token 250000/Day",
            "x-user-id:Distinct+gpt-4.1 llm_total_token 50000/Hour",
            "x-user-id:Distinct+gpt-4.1 requests 60/Minute",
            "x-user-id:Distinct+gpt-4o-mini llm_total_token 1000000/Day",
            "x-user-id:Distinct+gpt-4o-mini llm_total_token 200000/Hour",
            "x-user-id:Distinct+gpt-4o-mini requests 60/Minute",
        ]);
        assert.deepEqual(rules[3].clientSelectors, [{ headers: [{ name: "x-tenant", type: "Exact", value: "tenant-a" }, MODEL_PRESENT] }]);
    });
});

describe("rate limiting: Envoy Gateway and Redis", () => {
    it("the rate-limit backend is the Redis Service the program runs, the password only through REDIS_AUTH from a Secret", async () => {
        const e = await evaluate(stackFileConfig("dev"));
        const eg = (e.get(RELEASE, "envoy-gateway-release").inputs.values as Values).config.envoyGateway;
        const service = e.object("Service", "redis") as Values;
        const url = `${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${service.spec.ports[0].port}`;
        assert.deepEqual(eg.rateLimit, { backend: { type: "Redis", redis: { url } } });
        assert.equal(url, "redis.redis-system.svc.cluster.local:6379");
        assert.equal(await valueOf(e.outputs.redisUrl!), url);
        const [env] = eg.provider.kubernetes.rateLimitDeployment.container.env;
        assert.equal(env.name, "REDIS_AUTH");
        const secret = e.objects("Secret").find((s) => s.metadata.namespace === "envoy-gateway-system" && s.metadata.name === env.valueFrom.secretKeyRef.name);
        assert.ok(secret, "the Secret REDIS_AUTH reads, beside the ratelimit pods");
        assert.deepEqual(redactSecrets(secret.stringData), { [env.valueFrom.secretKeyRef.key]: "[secret]" });
        assert.ok(!JSON.stringify(eg).includes(MOCK_PASSWORD));
    });

    it("the ratelimit image stays the chart's default", async () => {
        const e = await evaluate(stackFileConfig("prod"));
        const values = e.get(RELEASE, "envoy-gateway-release").inputs.values as Values;
        assert.equal(values.global, undefined);
        assert.deepEqual(Object.keys(values.config.envoyGateway.provider.kubernetes.rateLimitDeployment), ["container"]);
        assert.deepEqual(Object.keys(values.config.envoyGateway.provider.kubernetes.rateLimitDeployment.container), ["env"]);
    });

    it("failClosed and timeout reach Envoy Gateway's rate-limit settings", async () => {
        const e = await evaluate({ ...WITH_BUDGET, rateLimit: { failClosed: true, timeout: "50ms", global: { requests: [{ limit: 100, window: "1m" }] } } });
        const eg = (e.get(RELEASE, "envoy-gateway-release").inputs.values as Values).config.envoyGateway;
        assert.equal(eg.rateLimit.failClosed, true);
        assert.equal(eg.rateLimit.timeout, "50ms");
    });

    it("an existing Redis given as a URL: that URL, its password from apiKeys, no Redis of ours", async () => {
        const e = await evaluate({
            ...WITH_BUDGET,
            platform: { redis: { install: false, url: "cache.abc123.use1.cache.amazonaws.com:6380", passwordSecret: "redis" } },
            apiKeys: { redis: "known-redis-password" },
        });
        const eg = (e.get(RELEASE, "envoy-gateway-release").inputs.values as Values).config.envoyGateway;
        assert.equal(eg.rateLimit.backend.redis.url, "cache.abc123.use1.cache.amazonaws.com:6380");
        assert.equal(eg.provider.kubernetes.rateLimitDeployment.container.env[0].name, "REDIS_AUTH");
        assert.equal(e.all("ai-gateway:platform:Redis").length, 0);
        assert.ok(!JSON.stringify(eg).includes("known-redis-password"));
    });

    it("rate limiting off: no rules, no Redis, no rate-limit settings in Envoy Gateway; retries and token counts stay", async () => {
        const raw = stackFileConfig("prod");
        // Without the prices and quotas, which only budgets and the quota service read.
        const backends = Object.fromEntries(Object.entries(raw.backends as Record<string, Record<string, unknown>>).map(([k, { prices: _p, quotas: _q, ...b }]) => [k, b]));
        const e = await evaluate({ ...raw, backends, rateLimit: { enabled: false }, models: stripBudgets(raw.models as Record<string, Record<string, unknown>>) });
        const [policy] = e.objects("BackendTrafficPolicy");
        assert.equal(policy.spec.rateLimit, undefined);
        assert.ok(policy.spec.retry, "retries do not depend on rate limiting");
        // Access logs and metrics read the token counts whether or not anything is rate limited.
        for (const route of e.objects("AIGatewayRoute")) assert.deepEqual(route.spec.llmRequestCosts, llmRequestCosts(), route.metadata.name);
        assert.equal(e.all("ai-gateway:platform:Redis").length, 0);
        assert.equal(e.resources.filter((r) => JSON.stringify(r.inputs.metadata ?? {}).includes("redis")).length, 0, "no Redis object, no redis-auth Secret");
        const eg = (e.get(RELEASE, "envoy-gateway-release").inputs.values as Values).config.envoyGateway;
        assert.equal(eg.rateLimit, undefined);
        assert.equal(eg.provider.kubernetes, undefined, "no REDIS_AUTH");
        assert.equal(e.outputs.redisUrl, undefined);
        assert.equal(e.outputs.namespaces.redis, undefined);
    });

    it("rate limiting off with an existing Redis configured: nothing points at it", async () => {
        const e = await evaluate({ rateLimit: { enabled: false }, platform: { redis: { install: false, host: "redis.example.com" } } });
        assert.equal((e.get(RELEASE, "envoy-gateway-release").inputs.values as Values).config.envoyGateway.rateLimit, undefined);
    });
});

/** A stack's models without their budgets. */
function stripBudgets(models: Record<string, Record<string, unknown>>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(models).map(([name, { rateLimit: _budgets, ...rest }]) => [name, rest]));
}

describe("rate limiting: configuration", () => {
    const withModel = (budgets: unknown, rateLimit: Record<string, unknown> = {}) => ({ backends, models: { m: model(budgets) }, rateLimit });

    it("budgets while rate limiting is off would do nothing: refused where they are", () => {
        assert.deepEqual(
            configProblems({
                backends,
                models: { m: model(contractBudgets), open: model({ requests: [] }) },
                rateLimit: { enabled: false, defaults: contractBudgets, global: contractBudgets, tenants: { budgets: { acme: contractBudgets } } },
            }),
            [
                "rateLimit.global: sets budgets, but rateLimit.enabled is false, so nothing would enforce them; remove them, or set rateLimit.enabled: true",
                "rateLimit.tenants.budgets.acme: sets budgets, but rateLimit.enabled is false, so nothing would enforce them; remove them, or set rateLimit.enabled: true",
                "rateLimit.defaults: sets budgets, but rateLimit.enabled is false, so nothing would enforce them; remove them, or set rateLimit.enabled: true",
                "models.m.rateLimit: sets budgets, but rateLimit.enabled is false, so nothing would enforce them; remove them, or set rateLimit.enabled: true",
            ],
        );
    });

    it("failClosed and timeout while rate limiting is off would do nothing", () => {
        assert.deepEqual(configProblems({ rateLimit: { enabled: false, failClosed: true, timeout: "50ms" } }), [
            "rateLimit.failClosed: is set, but rateLimit.enabled is false, so there is no rate-limit service it could apply to; remove it, or set rateLimit.enabled: true",
            "rateLimit.timeout: is set, but rateLimit.enabled is false, so there is no rate-limit service it could apply to; remove it, or set rateLimit.enabled: true",
        ]);
        assert.doesNotThrow(() => parseConfig({ rateLimit: { enabled: false, failClosed: false } }));
    });

    it("failClosed and timeout without any budget would do nothing", () => {
        assert.deepEqual(configProblems({ rateLimit: { failClosed: true, timeout: "50ms" } }), [
            "rateLimit.failClosed: is set, but no budget is, so no request is ever checked against the rate-limit service; add a budget, or remove it",
            "rateLimit.timeout: is set, but no budget is, so no request is ever checked against the rate-limit service; add a budget, or remove it",
        ]);
        assert.doesNotThrow(() => parseConfig({ backends, models: { m: model() }, rateLimit: { failClosed: true, timeout: "50ms", perUser: { requests: [{ limit: 10, window: "1m" }] } } }));
    });

    it("a budget without any model would count nothing: passthrough routes count only their own budgets then", () => {
        const passthrough = { iris: { path: "/v1/models/iris", service: { name: "iris", port: 80 } } };
        const budgets = { global: contractBudgets, perUser: contractBudgets, defaults: contractBudgets, tenants: { budgets: { acme: contractBudgets } } };
        const why = "applies to the model routes, and there is no model, so it would count nothing; add a model to ai-gateway:models, or remove it; count passthrough routes with passthrough.<route>.rateLimit.requests";
        assert.deepEqual(configProblems({ passthrough, rateLimit: budgets }), [
            `rateLimit.global: ${why}`,
            `rateLimit.tenants.budgets.acme: ${why}`,
            `rateLimit.perUser: ${why}`,
            `rateLimit.defaults: ${why}`,
        ]);
        assert.doesNotThrow(() => parseConfig({ passthrough, backends, models: { m: model() }, rateLimit: budgets }));
        assert.doesNotThrow(() => parseConfig({ passthrough: { iris: { ...passthrough.iris, rateLimit: { requests: [{ limit: 5, window: "1m" }] } } } }));
    });

    it("token and spend budgets need Envoy Gateway v1.8.2 or newer, which charges a shared rule its cost", () => {
        const tokens = withModel({ tokens: [{ limit: 1000, window: "1m" }] });
        const at = (envoyGateway: Record<string, unknown>) => ({ ...tokens, platform: { envoyGateway } });
        assert.deepEqual(configProblems(at({ version: "v1.8.1" })), [
            "platform.envoyGateway.version: is v1.8.1, which charges a token or spend budget 1 per request instead of its tokens or cost (envoyproxy/gateway#9244, fixed in v1.8.2), so the budgets set here would not hold; use v1.8.2 or newer, or remove the token and spend budgets",
        ]);
        assert.equal(configProblems(at({ version: "v1.8.2-rc.1" })).length, 1, "a pre-release of v1.8.2 comes before it");
        const platformWarnings = (raw: Record<string, unknown>) => parseConfig(raw).warnings.filter((w) => w.startsWith("platform."));
        for (const version of ["v1.8.2", "v1.8.3", "v1.9.0", "v2.0.0"]) assert.deepEqual(platformWarnings(at({ version })), [], version);
        // Request budgets carry no cost: any version counts them right.
        assert.doesNotThrow(() => parseConfig({ ...withModel({ requests: [{ limit: 10, window: "1m" }] }), platform: { envoyGateway: { version: "v1.8.0" } } }));
        assert.deepEqual(platformWarnings(at({ install: false })), [
            "platform.envoyGateway.install: is false and token or spend budgets are set: the Envoy Gateway on the cluster must be v1.8.2 or newer, because v1.8.0 and v1.8.1 charge a token or spend budget 1 per request instead of its tokens or cost (envoyproxy/gateway#9244); check its version",
        ]);
    });

    it("two limits for one window of a budget", () => {
        assert.deepEqual(configProblems(withModel({ tokens: [{ limit: 50, window: "1m" }, { limit: 500, window: "1h" }, { limit: 80, window: "1m" }] })), [
            "models.m.rateLimit.tokens[2].window: 1m already has a limit on total tokens at tokens[0]; give each window one limit (keep the one you mean)",
        ]);
        assert.deepEqual(configProblems({ backends, models: { m: model() }, rateLimit: { global: { requests: [{ limit: 1, window: "1s" }, { limit: 2, window: "1s" }] } } }), [
            "rateLimit.global.requests[1].window: 1s already has a limit at requests[0]; give each window one limit (keep the one you mean)",
        ]);
        // The same window for requests and for tokens is two budgets, not a duplicate.
        assert.doesNotThrow(() => parseConfig(withModel(contractBudgets)));
    });

    it("limits are whole numbers from 1 to Envoy Gateway's largest", () => {
        assert.deepEqual(configProblems(withModel({ requests: [{ limit: 0, window: "1m" }] })), ["models.m.rateLimit.requests[0].limit: must be at least 1; use 1 or more"]);
        assert.deepEqual(configProblems(withModel({ requests: [{ limit: 5_000_000_000, window: "1d" }] })), [
            "models.m.rateLimit.requests[0].limit: must be at most 4294967295; use a longer window instead",
        ]);
    });

    it("windows: one whole unit, with the nearest unit and the limit of the same rate suggested", () => {
        assert.deepEqual(configProblems(withModel({ tokens: [{ limit: 600, window: "10m" }] })), [
            'models.m.rateLimit.tokens[0].window: "10m" is not one whole unit: Envoy Gateway counts per one second, minute, hour, day, month or year; use window 1h with limit 3600 (the same rate)',
        ]);
        assert.deepEqual(configProblems({ backends, rateLimit: { perUser: { tokens: [{ limit: 7000, window: "7d" }] } } }), [
            'rateLimit.perUser.tokens[0].window: "7d" is not one whole unit: Envoy Gateway counts per one second, minute, hour, day, month or year; use window 1mo with limit 30000 (the same rate)',
        ]);
    });

    it("tenant names must be usable header values", () => {
        assert.deepEqual(configProblems({ backends, models: { m: model() }, rateLimit: { tenants: { budgets: { " acme": contractBudgets, "": contractBudgets } } } }), [
            'rateLimit.tenants.budgets[" acme"]: is not a usable tenant name: it is matched as the value of header x-tenant; use printable ASCII without leading or trailing spaces, at most 1024 characters',
            'rateLimit.tenants.budgets[""]: is not a usable tenant name: it is matched as the value of header x-tenant; use printable ASCII without leading or trailing spaces, at most 1024 characters',
        ]);
    });

    it("a model with a budget must have a name a rule can match (at most 1024 characters)", () => {
        const long = `m-${"x".repeat(1100)}`;
        assert.deepEqual(configProblems({ backends, models: { [long]: model(contractBudgets) } }), [
            `models.${long}: is longer than 1024 characters, the longest header value a rate-limit rule matches; use a shorter model name`,
        ]);
        assert.doesNotThrow(() => parseConfig({ backends, models: { [long]: model() } }), "without a budget nothing matches on it");
    });

    it("header names: valid, and never the model header the gateway sets itself", () => {
        assert.deepEqual(configProblems({ rateLimit: { userHeader: "x user" } }), ["rateLimit.userHeader: is not a header name; use e.g. x-user-id"]);
        assert.deepEqual(configProblems({ rateLimit: { tenants: { header: "x_tenant!" } } }), ["rateLimit.tenants.header: is not a header name; use e.g. x-tenant"]);
        assert.deepEqual(configProblems({ rateLimit: { userHeader: "X-AI-EG-Model", tenants: { header: MODEL_HEADER } } }), [
            `rateLimit.userHeader: "X-AI-EG-Model" is a header of the gateway itself (x-ai-eg-*), which it sets and reads; use a header of your own`,
            `rateLimit.tenants.header: "x-ai-eg-model" is a header of the gateway itself (x-ai-eg-*), which it sets and reads; use a header of your own`,
        ]);
    });

    it("more rules than one policy holds: the shared budgets' policy on the Gateway, or one route's", () => {
        // 258 model rules in all: fine, since each route's policy holds only its own models'.
        const models = Object.fromEntries([...Array(129).keys()].map((i) => [`model-${i}`, model()]));
        assert.doesNotThrow(() => parseConfig({ backends, models, routing: { routeBuckets: 64 }, rateLimit: { defaults: contractBudgets } }));
        const tenants = Object.fromEntries([...Array(129).keys()].map((i) => [`tenant-${i}`, contractBudgets]));
        assert.deepEqual(configProblems({ backends, models: { m: model() }, rateLimit: { tenants: { budgets: tenants } } }), [
            "rateLimit: needs 258 rate-limit rules for the global, tenant and per-user budgets (one per window of each), but their one BackendTrafficPolicy, ai-gateway-models-traffic, holds at most 256; use fewer windows or fewer tenants",
        ]);
        // 15 models of one route with 18 windows each: 270 rules for the route's policy.
        const units = ["1s", "1m", "1h", "1d", "1mo", "1y"];
        const many = {
            requests: units.map((window) => ({ limit: 10, window })),
            tokens: [...units.map((window) => ({ limit: 10, window })), ...units.map((window) => ({ limit: 10, window, type: "input" }))],
        };
        const names = [...Array(15).keys()].map((i) => `m${i}`);
        assert.deepEqual(configProblems({ backends, routing: { routeBuckets: 1 }, models: Object.fromEntries(names.map((m) => [m, model(many)])) }), [
            `models: ${[...names].sort().map((m) => `"${m}"`).join(", ")} share the route whose BackendTrafficPolicy ai-gateway-models-0-traffic holds at most 256 rate-limit rules, and their budgets need 270 (one per window, per model); use fewer windows per model, or count what models share with rateLimit.perUser (one rule per window for all models)`,
        ]);
    });

    it("shared budgets on a Gateway the program does not create: a warning that a policy of the user's on it would conflict", () => {
        const raw = { backends, models: { m: model() }, rateLimit: { global: contractBudgets }, gateway: { enabled: false } };
        assert.deepEqual(parseConfig(raw).warnings.filter((w) => w.startsWith("rateLimit:")), [
            "rateLimit: the global, tenant and per-user budgets go into BackendTrafficPolicy ai-gateway-models-traffic on Gateway ai-gateway, which the program does not create; Envoy Gateway applies one BackendTrafficPolicy per Gateway (the older wins, the other is Conflicted), so remove any policy of yours that targets that Gateway, and check that ai-gateway-models-traffic reports Accepted",
        ]);
        assert.deepEqual(parseConfig({ ...raw, rateLimit: {}, models: { m: model(contractBudgets) } }).warnings.filter((w) => w.startsWith("rateLimit:")), [], "models' own budgets stay on their routes");
    });

    it("an existing Redis: host:port only, no scheme, no credentials (never echoed), one node, not with host", () => {
        const redis = (url: string, extra: Record<string, unknown> = {}) => configProblems({ platform: { redis: { install: false, url, ...extra } } });
        assert.deepEqual(redis("redis://cache.example.com:6379"), ['platform.redis.url: "redis://cache.example.com:6379" has a scheme; Envoy Gateway takes host:port: use "cache.example.com:6379"']);
        assert.deepEqual(redis("rediss://cache.example.com:6380"), [
            'platform.redis.url: "rediss://cache.example.com:6380" has a scheme (TLS to Redis is not supported); Envoy Gateway takes host:port: use "cache.example.com:6380"',
        ]);
        const leaked = redis("redis://default:hunter2-secret@cache.example.com:6379");
        assert.deepEqual(leaked, [
            "platform.redis.url: holds credentials; give only host:port here, put the password in ai-gateway:apiKeys and name it in platform.redis.passwordSecret",
        ]);
        assert.ok(!leaked.join().includes("hunter2"));
        assert.deepEqual(redis("cache.example.com"), ['platform.redis.url: "cache.example.com" has no port; use "cache.example.com:6379" (or the port your Redis listens on)']);
        assert.deepEqual(redis("a.example.com:6379,b.example.com:6379"), [
            'platform.redis.url: "a.example.com:6379,b.example.com:6379" lists several nodes, but only a single Redis is supported; give one host:port',
        ]);
        assert.deepEqual(redis("cache.example.com:6379", { host: "cache.example.com" }), [
            "platform.redis.url: is set together with host; set either url (host:port) or host and port, not both",
        ]);
        assert.deepEqual(configProblems({ platform: { redis: { url: "cache.example.com:6379" } } }), [
            "platform.redis: host, url and passwordSecret describe an existing Redis, but install is true; remove them or set install: false",
        ]);
        assert.doesNotThrow(() => parseConfig({ platform: { redis: { install: false, url: "cache.example.com:6379" } } }));
    });

    it("an existing Redis's password secret must be in apiKeys", () => {
        assert.deepEqual(configProblems({ platform: { redis: { install: false, url: "cache.example.com:6379", passwordSecret: "redis" } } }), [
            "platform.redis.passwordSecret: names secret \"redis\", which is not in ai-gateway:apiKeys; run: pulumi config set --secret --path 'apiKeys.redis' <value>",
        ]);
    });
});

describe("rate limiting: passthrough routes (passthrough.<r>.rateLimit, rateLimit.scope)", () => {
    const backends = { a: { schema: "OpenAI", hostname: "a.default.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.default.svc.cluster.local", port: 80 } };
    const models = { m: { backends: [{ backend: "a" }, { backend: "b" }] } };
    const route = (extra: Record<string, unknown> = {}) => ({ path: "/v1/models/iris", service: { name: "iris", port: 80 }, ...extra });
    const gateway = { name: "ai-gateway", namespace: "ai-gateway", parentRefs: [] };
    const user = { name: "x-user-id", type: "Distinct" };
    const present = MODEL_PRESENT;
    const built = (raw: Record<string, unknown>, name = "iris") => {
        const c = parseConfig(raw);
        return passthroughManifests({ names: passthroughRouteNames("ai-gateway", name), config: c.passthrough[name], gateway, protection: protectionSections(c.traffic), rateLimit: c.rateLimit, rules: passthroughRateLimitRules(c.rateLimit, c.passthrough[name]) });
    };

    it("a route's own request budgets: per user, in its own policy, merged into the Gateway's", () => {
        const m = built({ backends, models, passthrough: { iris: route({ rateLimit: { requests: [{ limit: 50, window: "1m" }, { limit: 1000, window: "1d" }] } }) } });
        const policy = m.trafficPolicy!;
        assert.deepEqual(policy.metadata, { name: "ai-gateway-passthrough-iris-traffic", namespace: "ai-gateway" });
        assert.equal(policy.spec.mergeType, "StrategicMerge");
        assert.deepEqual(policy.spec.rateLimit, {
            type: "Global",
            global: {
                rules: [
                    { clientSelectors: [{ headers: [user] }], limit: { requests: 50, unit: "Minute" }, cost: { request: { from: "Number", number: 1 } }, shared: true },
                    { clientSelectors: [{ headers: [user] }], limit: { requests: 1000, unit: "Day" }, cost: { request: { from: "Number", number: 1 } }, shared: true },
                ],
            },
        });
        assert.deepEqual(crdProblems(m.route, policy), []);
        // Rate limiting in use: Redis and the rate-limit service, even without a model's budget.
        const c = parseConfig({ backends, models, passthrough: { iris: route({ rateLimit: { requests: [{ limit: 5, window: "1m" }] } }) } });
        assert.ok(rateLimitInUse(c.rateLimit, c.models, c.passthrough));
        assert.ok(!rateLimitInUse(c.rateLimit, c.models));
    });

    it("scope allRoutes: the shared request budgets drop the model header, token and spend budgets keep it; passthrough policies merge", () => {
        const rateLimit = {
            scope: "allRoutes",
            global: { requests: [{ limit: 5000, window: "1m" }], tokens: [{ limit: 100000, window: "1m" }] },
            tenants: { budgets: { acme: { requests: [{ limit: 600, window: "1m" }] } } },
            perUser: { requests: [{ limit: 60, window: "1m" }] },
        };
        const c = parseConfig({ backends, models, passthrough: { iris: route() }, rateLimit });
        const rules = sharedRateLimitRules(c.rateLimit);
        assert.deepEqual(
            rules.map((r) => r.clientSelectors ?? "everything"),
            ["everything", [{ headers: [present] }], [{ headers: [{ name: "x-tenant", type: "Exact", value: "acme" }] }], [{ headers: [user] }]],
        );
        // Without scope, every shared rule requires the model header.
        const models_ = sharedRateLimitRules(parseConfig({ backends, models, rateLimit: { ...rateLimit, scope: "models" } }).rateLimit);
        assert.ok(models_.every((r) => r.clientSelectors?.[0].headers?.some((h) => h === present)));
        // A passthrough route with traffic protection merges into the Gateway's policy, so the shared budgets count it.
        const withProtection = built({ backends, models, passthrough: { iris: route() }, rateLimit, traffic: { timeouts: { request: "60s" } } });
        assert.equal(withProtection.trafficPolicy?.spec.mergeType, "StrategicMerge");
        const scopedModels = built({ backends, models, passthrough: { iris: route() }, traffic: { timeouts: { request: "60s" } } });
        assert.equal(scopedModels.trafficPolicy?.spec.mergeType, undefined, "scope models: unchanged");
        // No policy of its own: the Gateway's reaches it as it is.
        assert.equal(built({ backends, models, passthrough: { iris: route() }, rateLimit }).trafficPolicy, undefined);
    });

    it("token and spend budgets are refused on a passthrough route, with the reason", () => {
        assert.deepEqual(configProblems({ backends, models, passthrough: { iris: route({ rateLimit: { tokens: [{ limit: 5, window: "1m" }], spend: [{ limit: 5, window: "1d" }] } }) } }), [
            "passthrough.iris.rateLimit.tokens: a passthrough route has no model, so the AI Gateway records no token count for its responses and a tokens budget would count nothing; use requests here, or put the tokens budget on a model (models.<m>.rateLimit)",
            "passthrough.iris.rateLimit.spend: a passthrough route has no model, so the AI Gateway records no cost for its responses and a spend budget would count nothing; use requests here, or put the spend budget on a model (models.<m>.rateLimit)",
        ]);
    });

    it("what would do nothing: budgets with rate limiting off, two limits for a window, a scope with nothing to count", () => {
        const own = { requests: [{ limit: 5, window: "1m" }] };
        assert.deepEqual(configProblems({ backends, models, passthrough: { iris: route({ rateLimit: own }) }, rateLimit: { enabled: false } }), [
            "passthrough.iris.rateLimit: sets budgets, but rateLimit.enabled is false, so nothing would enforce them; remove them, or set rateLimit.enabled: true",
        ]);
        assert.deepEqual(configProblems({ backends, models, passthrough: { iris: route({ rateLimit: { requests: [{ limit: 5, window: "1m" }, { limit: 6, window: "1m" }] } }) } }), [
            "passthrough.iris.rateLimit.requests[1].window: 1m already has a limit at requests[0]; give each window one limit (keep the one you mean)",
        ]);
        assert.deepEqual(parseConfig({ backends, models, passthrough: { iris: route() }, rateLimit: { scope: "allRoutes", perUser: { tokens: [{ limit: 5, window: "1m" }] } } }).warnings, [
            "rateLimit.scope: is allRoutes, but no perUser, tenant or global request budget is set, and only those count other routes, so it changes nothing; add one (e.g. rateLimit.global.requests), or remove scope",
            "rateLimit.userHeader: per-user budgets count by x-user-id as the client sends it, so a client gets a fresh budget with every new value; turn on client authentication (ai-gateway:auth.jwt or auth.apiKeys), which fills x-user-id from the verified identity",
        ]);
        assert.deepEqual(parseConfig({ backends, models, rateLimit: { scope: "allRoutes", global: { requests: [{ limit: 5, window: "1m" }] } } }).warnings, [
            "rateLimit.scope: is allRoutes, but there is no passthrough or MCP route, so it changes nothing; remove it, or add the routes it should count",
        ]);
        // A passthrough route's per-user budget without client authentication: the same warning as a model's.
        assert.deepEqual(parseConfig({ backends, models, passthrough: { iris: route({ rateLimit: own }) } }).warnings, [
            "rateLimit.userHeader: per-user budgets count by x-user-id as the client sends it, so a client gets a fresh budget with every new value; turn on client authentication (ai-gateway:auth.jwt or auth.apiKeys), which fills x-user-id from the verified identity",
        ]);
    });

    it("the seed's configuration renders: per-user, tenant and global request limits over its KServe routes and the catch-all", async () => {
        const e = await evaluate(stackFileConfig("prod"));
        assert.ok(e.objects("BackendTrafficPolicy").length > 0);
        const seed = parseConfig(SEED_PASSTHROUGH_LIMITS);
        // The seed serves JWT clients on a plain-HTTP LoadBalancer, which is worth its warning; nothing else is.
        assert.deepEqual(seed.warnings.map((w) => w.split(":")[0]), ["gateway.listeners"]);
        const iris = passthroughManifests({ names: passthroughRouteNames("ai-gateway", "iris"), config: seed.passthrough.iris, gateway, protection: protectionSections(seed.traffic), rateLimit: seed.rateLimit, rules: passthroughRateLimitRules(seed.rateLimit, seed.passthrough.iris) });
        const everything = passthroughManifests({ names: passthroughRouteNames("ai-gateway", "everything"), config: seed.passthrough.everything, gateway, protection: protectionSections(seed.traffic), rateLimit: seed.rateLimit, rules: passthroughRateLimitRules(seed.rateLimit, seed.passthrough.everything) });
        assert.equal(iris.trafficPolicy?.spec.mergeType, "StrategicMerge");
        assert.equal(everything.trafficPolicy?.spec.rateLimit?.global?.rules.length, 1);
        assert.deepEqual(crdProblems(iris.route, iris.trafficPolicy, everything.route, everything.trafficPolicy), []);
        const shared = sharedRateLimitRules(seed.rateLimit).filter((r) => r.cost?.response === undefined);
        assert.equal(shared.length, 3, "global, tenant and per-user request limits, counting every route");
        assert.ok(shared.every((r) => !(r.clientSelectors ?? []).some((s) => s.headers?.some((h) => h.name === MODEL_HEADER))));
    });
});

/** The seed's Envoy Gateway limits over its KServe predictors and the Istio fallback, as stack config. */
const SEED_PASSTHROUGH_LIMITS: Record<string, unknown> = {
    backends: {
        qwen: { schema: "OpenAI", hostname: "qwen-predictor-00001.default.svc.cluster.local", port: 80 },
        "qwen-spare": { schema: "OpenAI", hostname: "qwen-spare-predictor-00001.default.svc.cluster.local", port: 80 },
    },
    models: { qwen: { backends: [{ backend: "qwen" }, { backend: "qwen-spare", priority: 1 }] } },
    auth: { jwt: { issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/.well-known/jwks.json", userClaim: "sub" } },
    passthrough: {
        iris: { path: "/v1/models/sklearn-iris", service: { name: "sklearn-iris-predictor", port: 80 } },
        everything: { path: "/", service: { name: "istio-ingressgateway", namespace: "istio-system", port: 80 }, rateLimit: { requests: [{ limit: 100, window: "1m" }] } },
    },
    rateLimit: {
        scope: "allRoutes",
        global: { requests: [{ limit: 5000, window: "1m" }] },
        tenants: { header: "x-tenant", budgets: { "tenant-a": { requests: [{ limit: 1000, window: "1m" }] } } },
        perUser: { requests: [{ limit: 60, window: "1m" }] },
    },
    traffic: { timeouts: { request: "60s" } },
};

describe("rate limiting: shadow budgets (shadow: true)", () => {
    const backends = {
        a: { schema: "OpenAI", hostname: "a.default.svc.cluster.local", port: 80, prices: { m: { input: 1, output: 2 } } },
        b: { schema: "OpenAI", hostname: "b.default.svc.cluster.local", port: 80, prices: { m: { input: 1, output: 2 } } },
    };
    const models = { m: { backends: [{ backend: "a" }, { backend: "b" }] } };

    it("a shadow entry is its rule with shadowMode: counted, never a 429; every kind and scope; enforced entries unchanged", () => {
        const c = parseConfig({
            backends,
            models,
            rateLimit: {
                perUser: { requests: [{ limit: 100, window: "1m" }, { limit: 50, window: "1m", shadow: true }] },
                global: { tokens: [{ limit: 100000, window: "1m", shadow: true }], spend: [{ limit: 20000, window: "1mo", shadow: true }] },
                defaults: { requests: [{ limit: 10, window: "1s", shadow: false }] },
            },
            passthrough: { iris: { path: "/v1/models/iris", service: { name: "iris", port: 80 }, rateLimit: { requests: [{ limit: 5, window: "1m", shadow: true }] } } },
        });
        const rules = rateLimitRules(c.rateLimit, c.models, c.passthrough);
        const shadow = (r: RateLimitRule) => r.shadowMode === true;
        assert.deepEqual(
            rules.map((r) => [r.limit.requests, shadow(r)]),
            [
                [100000, true],
                [2_000_000_000, true],
                [100, false],
                [50, true],
                [10, false],
                [5, true],
            ],
        );
        assert.ok(rules.filter((r) => !shadow(r)).every((r) => !("shadowMode" in r)), "no shadowMode: false written");
        assert.deepEqual(crdProblems(trafficPolicy(modelRoutes({ gateway: { name: "g", namespace: "n" }, models: c.models, groups: routeGroups(c.models, 1, c.retry, undefined, "g"), serviceBackend: (k) => k })[0].route, "g-models-0-traffic", { rateLimit: rateLimitSection(rules) })), []);
    });

    it("a shadow limit beside an enforced one of the same window is allowed; two of either kind are not", () => {
        assert.doesNotThrow(() => parseConfig({ backends, models, rateLimit: { perUser: { requests: [{ limit: 100, window: "1m" }, { limit: 50, window: "1m", shadow: true }] } } }));
        assert.deepEqual(configProblems({ backends, models, rateLimit: { perUser: { requests: [{ limit: 100, window: "1m", shadow: true }, { limit: 50, window: "1m", shadow: true }] } } }), [
            "rateLimit.perUser.requests[1].window: 1m already has a limit at requests[0]; give each window one limit (keep the one you mean)",
        ]);
        assert.deepEqual(configProblems({ backends, models, rateLimit: { perUser: { requests: [{ limit: 100, window: "1m", shadow: "yes" }] } } }), [
            'rateLimit.perUser.requests[0].shadow: must be true or false, got string "yes"; change it to true or false',
        ]);
    });
});
