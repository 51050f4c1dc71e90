import * as assert from "node:assert/strict";
import { modelBuckets } from "../plan/routes";
import { routeGroups } from "./support/routeGroups";
import { rateLimitRuleSet } from "../plan/rateLimit";
import { modelRoutes, modelTrafficPolicies } from "../components/manifests/routes";
import { routeName, modelsTrafficPolicyName } from "../plan/names";
import { parseConfig } from "../plan";
import { configProblems } from "./harness";
import { crdProblems } from "./support/manifests";

// Route host names: gateway.hostnames on every model route, a model's own hostnames on a route of its host names.

const backends = { a: { schema: "OpenAI", hostname: "a.default.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.default.svc.cluster.local", port: 80 } };
const two = { backends: [{ backend: "a" }, { backend: "b" }] };
const listeners = [
    { name: "team-a", protocol: "HTTP", port: 80, hostname: "team-a.llm.example.com" },
    { name: "team-b", protocol: "HTTP", port: 8080, hostname: "team-b.llm.example.com" },
];
const gateway = { name: "ai-gateway", namespace: "ai-gateway" };

const build = (raw: Record<string, unknown>) => {
    const c = parseConfig(raw);
    const routes = modelRoutes({ gateway, models: c.models, groups: routeGroups(c.models, c.routing.routeBuckets, c.retry, c.gateway.hostnames, gateway.name), serviceBackend: (k) => k });
    return { c, routes, policies: modelTrafficPolicies({ gateway, sharedPolicy: modelsTrafficPolicyName(gateway.name), models: c.models, routes, retry: c.retry, rateLimit: c.rateLimit, rules: rateLimitRuleSet(c.rateLimit, c.models) }) };
};

describe("hostnames: gateway.hostnames and models.<m>.hostnames", () => {
    it("two teams, two model sets, one Gateway: each model's route answers on its team's host only", () => {
        const { routes, policies } = build({
            backends,
            gateway: { listeners, hostnames: ["team-a.llm.example.com"] },
            models: { "gpt-a": two, "qwen-a": two, "gpt-b": { ...two, hostnames: ["team-b.llm.example.com"] }, "qwen-b": { ...two, hostnames: ["team-b.llm.example.com"] } },
        });
        const hostsOf = (model: string) => routes.find((r) => r.bucket.models.includes(model))!.route.spec.hostnames;
        assert.deepEqual(hostsOf("gpt-a"), ["team-a.llm.example.com"]);
        assert.deepEqual(hostsOf("qwen-a"), ["team-a.llm.example.com"]);
        assert.deepEqual(hostsOf("gpt-b"), ["team-b.llm.example.com"]);
        const teamB = routes.find((r) => r.bucket.models.includes("gpt-b"))!;
        assert.deepEqual(teamB.bucket.models, ["gpt-b", "qwen-b"], "one route for the models of one host");
        assert.match(teamB.route.metadata.name, /^ai-gateway-models-hosts-[0-9a-f]{8}$/);
        assert.equal(policies.routes.find((p) => p.bucket.id === teamB.bucket.id)!.policy.spec.retry!.numRetries, 3, "ai-gateway:retry");
        assert.deepEqual(crdProblems(...routes.map((r) => r.route)), []);
    });

    it("no host names anywhere: no hostnames field, routes as before", () => {
        const { routes } = build({ backends, models: { m: two } });
        assert.equal(routes[0].route.spec.hostnames, undefined);
        assert.match(routeName("ai-gateway", routes[0].bucket), /^ai-gateway-models-\d\d$/);
    });

    it("the group is named by the host names as a set and the retry: the same hosts in another order share it, another retry does not", () => {
        const c = parseConfig({
            backends,
            gateway: { listeners },
            models: {
                x: { ...two, hostnames: ["team-a.llm.example.com", "team-b.llm.example.com"] },
                y: { ...two, hostnames: ["team-b.llm.example.com", "team-a.llm.example.com"] },
                z: { ...two, hostnames: ["team-a.llm.example.com", "team-b.llm.example.com"], retry: { numRetries: 0 } },
            },
        });
        const buckets = modelBuckets(c.models, c.routing.routeBuckets);
        assert.deepEqual(buckets.map((b) => b.models).sort(), [["x", "y"], ["z"]]);
        assert.ok(buckets.every((b) => b.id.startsWith("hosts-")), buckets.map((b) => b.id).join(", "));
    });

    it("validation: host names no listener serves, a pattern model's own, bad names, too many", () => {
        assert.deepEqual(configProblems({ backends, gateway: { listeners, hostnames: ["llm.other.com"] }, models: { m: two } }), [
            "gateway.hostnames: matches no listener of the Gateway (team-a.llm.example.com, team-b.llm.example.com), so the model routes would be reachable nowhere; use the listeners' host names, or add a listener for them",
        ]);
        assert.deepEqual(parseConfig({ backends, gateway: { listeners }, models: { m: { ...two, hostnames: ["team-a.llm.example.com", "llm.other.com"] } } }).warnings, [
            "models.m.hostnames: llm.other.com matches no listener of the Gateway (team-a.llm.example.com, team-b.llm.example.com), so model m never answers there; remove it, or add a listener",
        ]);
        assert.deepEqual(configProblems({ backends, models: { any: { ...two, match: { pattern: ".*" }, hostnames: ["a.example.com"] } } }), [
            "models.any.hostnames: is set on a pattern model, but the pattern models share one route (their order depends on it) and so the host names of gateway.hostnames; remove it, or give the model an exact name",
        ]);
        const bad = configProblems({ backends, gateway: { hostnames: ["Not A Host"] }, models: { m: two } });
        assert.equal(bad.length, 1, bad.join("\n"));
        assert.match(bad[0], /^gateway\.hostnames\[0\]: .*; /);
        assert.equal(configProblems({ backends, gateway: { hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`) }, models: { m: two } })[0], "gateway.hostnames: lists more than 16 host names, the most a route accepts; keep 16");
        assert.deepEqual(configProblems({ backends, gateway: { hostnames: ["a.example.com", "a.example.com"] }, models: { m: two } }), ["gateway.hostnames: lists a host name twice; list each once"]);
        assert.deepEqual(configProblems({ backends, gateway: { hostnames: [] }, models: { m: two } }), ["gateway.hostnames: is empty; list at least one host name or remove the key"]);
    });
});
