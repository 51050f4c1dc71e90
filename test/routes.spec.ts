import * as assert from "node:assert/strict";
import { parseConfig } from "../plan";
import type { ModelConfig } from "../config";
import fc from "fast-check";
import { bucketId, MAX_RULES_PER_ROUTE, ModelBucket, packModels, routeBucket, splitPrefix } from "../plan/packing";
import { MODEL_HEADER, modelRoutes, ModelRoutesInput, retrySection, ruleName, trafficPolicy } from "../components/manifests/routes";
import type { AIGatewayRouteRule } from "../specs";
import { routeGroups } from "./support/routeGroups";
import { crdProblems } from "./support/manifests";

// Pure route builders: packing, rules, and the one BackendTrafficPolicy per route. No Pulumi here.

/** Same seed per run of the suite unless FC_SEED says otherwise, so a failure reproduces. */
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261122;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const gateway = { name: "ai-gateway", namespace: "ai-gateway" };

/** Models parsed the way the program sees them (defaults applied). */
function models(raw: Record<string, { backends: Record<string, unknown>[]; timeouts?: Record<string, string> }>): Record<string, ModelConfig> {
    const backends = Object.fromEntries(
        [...new Set(Object.values(raw).flatMap((m) => m.backends.map((b) => String(b.backend))))].map((b) => [b, { schema: "OpenAI", hostname: `${b}.default.svc.cluster.local`, port: 80 }]),
    );
    return parseConfig({ backends, models: raw, routing: { minBackendsPerModel: 1 } }).models;
}

const input = (m: Record<string, ModelConfig>, buckets = 16): ModelRoutesInput => ({ gateway, models: m, groups: routeGroups(m, buckets, parseConfig({}).retry, undefined, gateway.name), serviceBackend: (b) => `ai-gateway-${b}` });

/** The rule of a model, wherever it was packed. */
function ruleOf(routes: ReturnType<typeof modelRoutes>, model: string): AIGatewayRouteRule {
    const rules = routes.flatMap((r) => r.route.spec.rules).filter((rule) => rule.matches?.[0].headers?.[0].value === model);
    assert.equal(rules.length, 1, `one rule for ${model}`);
    return rules[0];
}

/** Route name of each model. */
function placement(routes: ReturnType<typeof modelRoutes>): Map<string, string> {
    return new Map(routes.flatMap((r) => r.bucket.models.map((m) => [m, r.route.metadata.name] as const)));
}

const manyModels = (n: number) => models(Object.fromEntries([...Array(n).keys()].map((i) => [`model-${i}`, { backends: [{ backend: "a" }, { backend: "b" }] }])));

describe("routes: rules", () => {
    const seed = models({
        "virtual-qwen-model": {
            backends: [
                { backend: "qwen-primary", model: "qwen2.5:1.5b", weight: 50 },
                { backend: "qwen-secondary", model: "qwen2.5:0.5b", weight: 30 },
                { backend: "qwen-tertiary", model: "qwen2.5:0.5b", weight: 20 },
            ],
        },
        "qwen-with-fallback": {
            backends: [
                { backend: "qwen-primary", model: "qwen2.5:1.5b", priority: 0 },
                { backend: "qwen-fallback", model: "qwen2.5:0.5b", priority: 1 },
            ],
        },
    });

    it("weights and model overrides land on the right backendRefs", () => {
        const rule = ruleOf(modelRoutes(input(seed)), "virtual-qwen-model");
        assert.deepEqual(rule.backendRefs, [
            { name: "ai-gateway-qwen-primary", modelNameOverride: "qwen2.5:1.5b", weight: 50 },
            { name: "ai-gateway-qwen-secondary", modelNameOverride: "qwen2.5:0.5b", weight: 30 },
            { name: "ai-gateway-qwen-tertiary", modelNameOverride: "qwen2.5:0.5b", weight: 20 },
        ]);
        assert.deepEqual(rule.matches, [{ headers: [{ type: "Exact", name: MODEL_HEADER, value: "virtual-qwen-model" }] }]);
        assert.equal(MODEL_HEADER, "x-ai-eg-model");
    });

    it("priorities land on the right backendRefs", () => {
        const rule = ruleOf(modelRoutes(input(seed)), "qwen-with-fallback");
        assert.deepEqual(rule.backendRefs, [
            { name: "ai-gateway-qwen-primary", modelNameOverride: "qwen2.5:1.5b", priority: 0 },
            { name: "ai-gateway-qwen-fallback", modelNameOverride: "qwen2.5:0.5b", priority: 1 },
        ]);
    });

    it("unset weight, priority and model leave the CRD defaults (1, 0, the client's model name)", () => {
        const rule = ruleOf(modelRoutes(input(models({ m: { backends: [{ backend: "a" }, { backend: "b" }] } }))), "m");
        assert.deepEqual(rule.backendRefs, [{ name: "ai-gateway-a" }, { name: "ai-gateway-b" }]);
    });

    it("the /v1/models catalog: ownedBy and createdAt reach the rule; a bad time is refused", () => {
        const c = parseConfig({
            backends: { a: { schema: "OpenAI", hostname: "a.m.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.m.svc.cluster.local", port: 80 } },
            models: { m: { backends: [{ backend: "a" }, { backend: "b" }], ownedBy: "openai", createdAt: "2024-05-13T00:00:00Z" }, plain: { backends: [{ backend: "a" }, { backend: "b" }] } },
        });
        const routes = modelRoutes(input(c.models));
        assert.deepEqual([ruleOf(routes, "m").modelsOwnedBy, ruleOf(routes, "m").modelsCreatedAt], ["openai", "2024-05-13T00:00:00Z"]);
        assert.deepEqual([ruleOf(routes, "plain").modelsOwnedBy, ruleOf(routes, "plain").modelsCreatedAt], [undefined, undefined]);
        assert.deepEqual(crdProblems(...routes.map((r) => r.route)), []);
        assert.throws(
            () => parseConfig({ backends: c.backends, models: { m: { backends: [{ backend: "a" }, { backend: "b" }], createdAt: "2024-13-45" } } }),
            /models\.m\.createdAt: is not an RFC 3339 time; use e\.g\. "2024-05-13T00:00:00Z"/,
        );
    });

    it("extra matches per model: each header a request must also carry, exact or by regular expression", () => {
        const backends = { a: { schema: "OpenAI", hostname: "a.m.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.m.svc.cluster.local", port: 80 } };
        const c = parseConfig({
            backends,
            models: { m: { backends: [{ backend: "a" }, { backend: "b" }], match: { headers: [{ name: "x-team", value: "team-x" }, { name: "x-region", value: "eu-.*", type: "RegularExpression" }] } } },
        });
        assert.deepEqual(ruleOf(modelRoutes(input(c.models)), "m").matches, [
            {
                headers: [
                    { type: "Exact", name: MODEL_HEADER, value: "m" },
                    { type: "Exact", name: "x-team", value: "team-x" },
                    { type: "RegularExpression", name: "x-region", value: "eu-.*" },
                ],
            },
        ]);
        assert.deepEqual(crdProblems(...modelRoutes(input(c.models)).map((r) => r.route)), []);
        const bad = (headers: unknown[]) => {
            try {
                parseConfig({ backends, models: { m: { backends: [{ backend: "a" }, { backend: "b" }], match: { headers } } } });
                return [];
            } catch (e) {
                return (e as { problems: { path: string; message: string }[] }).problems.map((p) => `${p.path}: ${p.message}`);
            }
        };
        assert.deepEqual(bad([{ name: "x-ai-eg-model", value: "x" }, { name: "x-r", value: "(", type: "RegularExpression" }, { name: "x-s", value: "(?!a)b", type: "RegularExpression" }]), [
            `models.m.match.headers[0].name: "x-ai-eg-model" is the header the model name is matched in already; match another header`,
            'models.m.match.headers[1].value: "(" is not an RE2 expression: missing closing ): `(`; rewrite it in RE2 syntax (no lookaround, no back-references, repeats up to {1000}), or use type Exact',
            'models.m.match.headers[2].value: "(?!a)b" is not an RE2 expression: invalid or unsupported Perl syntax: `(?!`; rewrite it in RE2 syntax (no lookaround, no back-references, repeats up to {1000}), or use type Exact',
        ]);
    });

    it("pattern models: one route of their own, RE2 over the model header, in match.order then key order; exact models keep their buckets", () => {
        const backends = { a: { schema: "OpenAI", hostname: "a.m.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.m.svc.cluster.local", port: 80 } };
        const two = [{ backend: "a" }, { backend: "b", priority: 1 }];
        const c = parseConfig({
            backends,
            models: {
                "catch-all": { backends: two, match: { pattern: ".*", order: 100 } },
                "local-any": { backends: two, match: { pattern: "^(qwen|llama)-.*" } },
                "b-first": { backends: two, match: { pattern: "^b-.*" } },
                "gpt-4o": { backends: two },
            },
        });
        const routes = modelRoutes(input(c.models));
        const patterns = routes.find((r) => r.route.metadata.name === "ai-gateway-models-patterns");
        assert.ok(patterns, routes.map((r) => r.route.metadata.name).join(", "));
        assert.deepEqual(
            patterns.route.spec.rules.map((r) => r.matches?.[0].headers?.[0]),
            [
                { type: "RegularExpression", name: MODEL_HEADER, value: "^b-.*" },
                { type: "RegularExpression", name: MODEL_HEADER, value: "^(qwen|llama)-.*" },
                { type: "RegularExpression", name: MODEL_HEADER, value: ".*" },
            ],
        );
        assert.deepEqual(ruleOf(routes, "gpt-4o").matches?.[0].headers, [{ type: "Exact", name: MODEL_HEADER, value: "gpt-4o" }]);
        assert.equal(patterns.route.spec.rules[1].backendRefs?.[0].modelNameOverride, undefined, "the requested name passes through");
        assert.deepEqual(crdProblems(...routes.map((r) => r.route)), []);
    });

    it("pattern models: refused with extra headers, an own budget or a bad expression; order only with a pattern; defaults warn", () => {
        const backends = { a: { schema: "OpenAI", hostname: "a.m.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.m.svc.cluster.local", port: 80 } };
        const two = [{ backend: "a" }, { backend: "b", priority: 1 }];
        const problems = (models: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
            try {
                parseConfig({ backends, models, ...extra });
                return [];
            } catch (e) {
                return (e as { problems: { path: string; message: string }[] }).problems.map((p) => `${p.path}: ${p.message}`);
            }
        };
        assert.deepEqual(problems({ q: { backends: two, match: { pattern: "(" } } }), ['models.q.match.pattern: "(" is not an RE2 expression: missing closing ): `(`; rewrite it in RE2 syntax (no lookaround, no back-references, repeats up to {1000})']);
        assert.deepEqual(
            problems({
                p: { backends: two, match: { pattern: ".*", headers: [{ name: "x-team", value: "t" }] }, rateLimit: { requests: [{ limit: 1, window: "1m" }] } },
                e: { backends: two, match: { order: 3 } },
            }),
            [
                "models.p.match.headers: cannot be combined with match.pattern: with more headers to match, the pattern would outrank exact model names; give the headers to an exact model, or remove them",
                "models.p.rateLimit: cannot be set on a pattern model: its rule could not tell this model's requests from those of exact models whose names the pattern also matches; use rateLimit.perUser, tenants or global, which count every model",
                "models.e.match.order: orders pattern models among themselves, and this model has no pattern; remove it",
            ],
        );
        const warned = parseConfig({ backends, models: { p: { backends: two, match: { pattern: ".*" } }, m: { backends: two } }, rateLimit: { defaults: { requests: [{ limit: 1, window: "1m" }] } }, auth: { none: true } }).warnings;
        assert.ok(warned.includes("rateLimit.defaults: apply to exact model names only, not to the pattern models (p); count those with rateLimit.perUser, tenants or global"), warned.join("\n"));
    });

    it("LLM-sized timeouts: 120s by default, and the stream idle timeout when set", () => {
        const routes = modelRoutes(
            input(
                models({
                    plain: { backends: [{ backend: "a" }, { backend: "b" }] },
                    ttft: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }], timeouts: { request: "300s", streamIdle: "10s" } },
                }),
            ),
        );
        assert.deepEqual(ruleOf(routes, "plain").timeouts, { request: "120s" });
        assert.equal(ruleOf(routes, "plain").streamIdleTimeout, undefined);
        assert.deepEqual(ruleOf(routes, "ttft").timeouts, { request: "300s" });
        assert.equal(ruleOf(routes, "ttft").streamIdleTimeout, "10s");
    });

    it("rule names are unique DNS labels, even for ids with '/', ':', '.' and capitals", () => {
        const ids = ["Qwen/Qwen3-1.7B", "qwen-qwen3-1-7b", "anthropic.claude-3-haiku-20240307-v1:0", "gpt-4.1", "gpt-4-1", "route-not-found"];
        const names = ids.map(ruleName);
        for (const n of names) assert.match(n, DNS_LABEL);
        assert.equal(new Set(names).size, ids.length);
        assert.equal(ruleName("qwen-qwen3-1-7b"), "qwen-qwen3-1-7b", "a name that is already a label stays as it is");
        assert.match(ruleName("Qwen/Qwen3-1.7B"), /^qwen-qwen3-1-7b-[0-9a-f]{6}$/);
        assert.notEqual(ruleName("route-not-found"), "route-not-found", "the controller reserves that rule name");
        assert.equal(ruleName("Qwen/Qwen3-1.7B"), ruleName("Qwen/Qwen3-1.7B"), "stable");
    });

    it("routes attach to the gateway, in its namespace, and validate against the CRD", () => {
        const m = models({
            "Qwen/Qwen3-1.7B": { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] },
            "anthropic.claude-3-haiku-20240307-v1:0": { backends: [{ backend: "a", weight: 3 }, { backend: "b", weight: 1 }] },
        });
        const routes = modelRoutes(input(m, 1));
        assert.equal(routes.length, 1);
        const { route } = routes[0];
        assert.deepEqual(route.metadata, { name: "ai-gateway-models-0", namespace: "ai-gateway" });
        assert.deepEqual(route.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway" }]);
        assert.deepEqual(routes[0].backends, ["a", "b"]);
        assert.deepEqual(crdProblems(route), []);
    });
});

describe("routes: packing", () => {
    const node = (b: ModelBucket) => `${b.bucket}:${b.prefix}`;
    /** `<bucket>:<32 split bits>` of a model: the path of its name through the buckets and their splits. */
    const paths = new Map<string, string>();
    const pathOf = (model: string, buckets: number): string => {
        const key = `${buckets} ${model}`;
        const known = paths.get(key);
        if (known !== undefined) return known;
        const path = `${routeBucket(model, buckets)}:${splitPrefix(model, 32)}`;
        paths.set(key, path);
        return path;
    };

    /** What holds for any set: routes of at most 15 models, each model in its bucket and under its split prefix, none that could be its parent. */
    function assertWellFormed(routes: ModelBucket[], models: Set<string>, buckets: number): void {
        assert.deepEqual(routes.flatMap((b) => b.models).sort(), [...models].sort(), "every model in exactly one route");
        const at = new Map([...models].map((m) => [m, pathOf(m, buckets)]));
        const under = (n: string) => [...at.values()].filter((h) => h.startsWith(n)).length;
        for (const b of routes) {
            assert.ok(b.models.length >= 1 && b.models.length <= MAX_RULES_PER_ROUTE, `${b.id}: ${b.models.length} models`);
            assert.equal(b.id, b.prefix === "" ? bucketId(b.bucket, buckets) : `${bucketId(b.bucket, buckets)}-${b.prefix}`);
            for (const m of b.models) assert.ok(at.get(m)!.startsWith(node(b)), `${m} is under ${b.id}`);
            // A route is a leaf: its parent holds more than 15 models, else the parent would be the route.
            if (b.prefix !== "") assert.ok(under(`${b.bucket}:${b.prefix.slice(0, -1)}`) > MAX_RULES_PER_ROUTE, `${b.id} could be its parent`);
        }
    }

    /**
     * The stability bound of one step (one model added or removed): the routes that differ lie under one
     * node of the model's own hash path (its bucket, then a prefix of its split bits), and are one route
     * whose models changed (same name), one route that appeared or vanished holding only this model, or one
     * route split into two below it (two merged into it). Every other route keeps its name and its models.
     */
    function assertOneStep(before: ModelBucket[], after: ModelBucket[], model: string, added: boolean, buckets: number): string {
        const layout = (routes: ModelBucket[]) => new Map(routes.map((r) => [r.id, r.models.join("\n")]));
        const [b, a] = [layout(before), layout(after)];
        const gone = before.filter((r) => a.get(r.id) !== b.get(r.id));
        const came = after.filter((r) => b.get(r.id) !== a.get(r.id));
        const what = `${added ? "adding" : "removing"} ${JSON.stringify(model)}: ${gone.map((r) => r.id).join(",")} → ${came.map((r) => r.id).join(",")}`;
        const [from, to] = added ? [gone, came] : [came, gone];
        const shape = `${from.length}→${to.length}`;
        assert.ok(["0→1", "1→1", "1→2"].includes(shape), `${what}: ${shape}`);
        const changed = [...from, ...to];
        const top = changed.map((r) => r.prefix).sort((x, y) => x.length - y.length)[0];
        const path = pathOf(model, buckets);
        const subtree = `${path.split(":")[0]}:${top}`;
        assert.ok(path.startsWith(subtree), `${what}: the changed routes are under the model's own hash path`);
        for (const r of changed) assert.ok(node(r).startsWith(subtree), `${what}: ${r.id} is under ${subtree}`);
        if (shape === "0→1") assert.deepEqual(to[0].models, [model]);
        if (shape === "1→1") assert.equal(from[0].id, to[0].id);
        if (shape === "1→2") {
            assert.equal(from[0].prefix, top, `${what}: the pair is below the single route`);
            assert.deepEqual([from[0].models.length, to[0].models.length + to[1].models.length], [MAX_RULES_PER_ROUTE, MAX_RULES_PER_ROUTE + 1]);
        }
        // Whatever moved, moved inside that subtree.
        const routeOf = (rs: ModelBucket[]) => new Map(rs.flatMap((r) => r.models.map((m) => [m, r.id] as const)));
        const [rb, ra] = [routeOf(before), routeOf(after)];
        for (const [m, id] of rb) {
            if (ra.has(m) && ra.get(m) !== id) assert.ok(pathOf(m, buckets).startsWith(subtree), `${what}: ${m} moved outside ${subtree}`);
        }
        return `${added ? "add" : "remove"} ${shape}`;
    }

    it("a model's bucket and split bits depend on its name only (pinned: a changed hash would move every model)", () => {
        assert.equal(routeBucket("virtual-qwen-model", 16), 6);
        assert.equal(routeBucket("qwen-with-fallback", 16), 10);
        for (const n of [1, 16, 64]) assert.ok(routeBucket("Qwen/Qwen3-1.7B", n) < n);
        assert.equal(splitPrefix("virtual-qwen-model", 8), "10110101");
        assert.equal(splitPrefix("qwen-with-fallback", 8), "11110001");
        assert.equal(splitPrefix("Qwen/Qwen3-1.7B", 32), "10110110100111111101110111011010");
    });

    it("40 models: each in exactly one route of at most 15 rules, rules in name order, one route per bucket as long as none passes 15", () => {
        const m = manyModels(40);
        const routes = modelRoutes(input(m));
        assert.ok(routes.length > 1);
        const seen = routes.flatMap((r) => r.route.spec.rules.map((rule) => rule.matches?.[0].headers?.[0].value));
        assert.deepEqual([...seen].sort(), Object.keys(m).sort());
        for (const { route, bucket } of routes) {
            assert.ok(route.spec.rules.length <= MAX_RULES_PER_ROUTE);
            assert.deepEqual(bucket.models, [...bucket.models].sort());
            assert.match(route.metadata.name, /^ai-gateway-models-\d\d$/);
            assert.deepEqual(crdProblems(route), []);
        }
        assert.equal(new Set(routes.map((r) => r.route.metadata.name)).size, routes.length);
    });

    it("a bucket of 15 models is one route; the 16th splits it into exactly two, named after the bucket and the split bits", () => {
        const names = [...Array(16).keys()].map((i) => `model-${i}`);
        assert.deepEqual(packModels(names.slice(0, 15), 1).map((b) => b.id), ["0"]);
        assert.deepEqual(packModels(names, 1).map((b) => [b.id, b.models.length]), [["0-0", 11], ["0-1", 5]]);
        const routes = modelRoutes(input(manyModels(16), 1));
        assert.deepEqual(routes.map((r) => r.route.metadata.name), ["ai-gateway-models-0-0", "ai-gateway-models-0-1"]);
        for (const { route, bucket } of routes) for (const model of bucket.models) assert.equal(splitPrefix(model, 1), route.metadata.name.slice(-1));
    });

    it("generated add/remove sequences: each step changes only routes under one node of the model's own hash path", () => {
        const name = fc.oneof(fc.nat(3000).map((i) => `model-${i}`), fc.string({ minLength: 1, maxLength: 24 }));
        const step = fc.record({ add: fc.boolean(), name, pick: fc.nat() });
        const seen = new Set<string>();
        fc.assert(
            fc.property(
                fc.constantFrom(1, 2, 16),
                fc.uniqueArray(name, { maxLength: 160, size: "max" }),
                fc.array(step, { minLength: 1, maxLength: 40, size: "max" }),
                (buckets, initial, steps) => {
                    const models = new Set(initial);
                    let before = packModels(models, buckets);
                    assertWellFormed(before, models, buckets);
                    for (const { add, name: fresh, pick } of steps) {
                        const existing = [...models];
                        const added = add || existing.length === 0;
                        const model = added ? fresh : existing[pick % existing.length];
                        if (added && models.has(model)) continue;
                        if (added) models.add(model);
                        else models.delete(model);
                        const after = packModels(models, buckets);
                        assertWellFormed(after, models, buckets);
                        seen.add(assertOneStep(before, after, model, added, buckets));
                        before = after;
                    }
                },
            ),
            { numRuns: 80, seed },
        );
        // Every kind of step happened: a route filled or emptied, appeared or vanished, split or merged.
        assert.deepEqual([...seen].sort(), ["add 0→1", "add 1→1", "add 1→2", "remove 0→1", "remove 1→1", "remove 1→2"]);
    });

    it("5,000 models with the default 16 buckets: at most 15 rules per route, and one more or one fewer changes only its own route", () => {
        const names = [...Array(5000).keys()].map((i) => `org-${i % 7}/model-${i}:v${i % 3}`);
        const packed = packModels(names, 16);
        assertWellFormed(packed, new Set(names), 16);
        const extra = "org-0/model-5000:v0";
        assertOneStep(packed, packModels([...names, extra], 16), extra, true, 16);
        assertOneStep(packed, packModels(names.slice(1), 16), names[0], false, 16);
        // Splits go about as deep as log2(5000 / 16 / 15) + 2, far from the 32-bit bound.
        assert.ok(Math.max(...packed.map((b) => b.prefix.length)) < 10);
    });

    it("the split depth is bounded: more than 15 models under a full-length prefix stay one (refused) route, never a deeper split", () => {
        const names = [...Array(70).keys()].map((i) => `model-${i}`);
        const packed = packModels(names, 1, 2);
        assert.ok(packed.every((b) => b.prefix.length <= 2));
        assert.ok(packed.some((b) => b.models.length > MAX_RULES_PER_ROUTE));
        assert.deepEqual(packed.flatMap((b) => b.models).sort(), [...names].sort());
    });

    it("removing a model or adding one moves no other model and renames no route while no bucket passes 15", () => {
        const before = manyModels(40);
        const { "model-17": removed, ...after } = before;
        void removed;
        const added = { ...before, "Qwen/Qwen3-1.7B": before["model-0"] };
        const base = placement(modelRoutes(input(before)));
        for (const variant of [after, added]) {
            const moved = placement(modelRoutes(input(variant)));
            for (const [model, route] of moved) {
                if (base.has(model)) assert.equal(route, base.get(model), `${model} stayed in ${base.get(model)}`);
            }
            // Every route name of the variant is either an existing route or the new model's own bucket.
            const baseRoutes = new Set(base.values());
            const newRoutes = [...new Set(moved.values())].filter((r) => !baseRoutes.has(r));
            assert.ok(newRoutes.length <= 1);
            if (newRoutes.length === 1) assert.equal(moved.get("Qwen/Qwen3-1.7B"), newRoutes[0]);
        }
    });

    it("only non-empty buckets become routes", () => {
        const routes = packModels(["a"], 16);
        assert.equal(routes.length, 1);
        assert.equal(routes[0].id.length, 2);
        assert.deepEqual(packModels([], 16), []);
    });
});

describe("routes: BackendTrafficPolicy", () => {
    const retry = parseConfig({}).retry;
    const [{ route }] = modelRoutes(input(models({ m: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] } })));

    it("targets the HTTPRoute the controller generates with the AIGatewayRoute's name", () => {
        const btp = trafficPolicy(route, `${route.metadata.name}-traffic`, { retry: retrySection(retry) });
        assert.deepEqual(btp.metadata, { name: `${route.metadata.name}-traffic`, namespace: "ai-gateway" });
        assert.deepEqual(btp.spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: route.metadata.name }]);
        assert.deepEqual(crdProblems(btp), []);
    });

    it("retry: the seed's defaults, with one attempt per priority for fallback", () => {
        assert.deepEqual(retrySection(retry), {
            numRetries: 3,
            numAttemptsPerPriority: 1,
            perRetry: { timeout: "30s", backOff: { baseInterval: "100ms", maxInterval: "10s" } },
            retryOn: { httpStatusCodes: [500, 502, 503, 504, 404], triggers: ["connect-failure", "retriable-status-codes"] },
        });
    });

    it("composes sections into one policy: only those set appear", () => {
        const rateLimit = { global: { rules: [{ limit: { requests: 10, unit: "Minute" as const } }] } };
        const btp = trafficPolicy(route, `${route.metadata.name}-traffic`, { retry: retrySection(retry), rateLimit, timeout: undefined });
        assert.deepEqual(Object.keys(btp.spec).sort(), ["rateLimit", "retry", "targetRefs"]);
        assert.deepEqual(btp.spec.rateLimit, rateLimit);
    });
});
