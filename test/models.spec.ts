import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { splitPrefix } from "../plan/packing";
import { toJson, toYaml } from "../scripts/format";
import { isSecretValue, redactSecrets } from "../scripts/mocks";
import { Evaluation, evaluate, stackFileConfig, valueOf } from "./harness";

// The ModelBackend and ModelRoutes components under the recording mocks: what is registered, with
// which parents and dependencies, and where the provider keys go.

const SECRET = "kubernetes:core/v1:Secret";
const KNOWN_KEY = "sk-known-test-key-0123456789abcdef";
const AZURE_KEY = "azure-known-test-key-fedcba9876543210";

const local = (name: string, namespace: string) => ({ schema: "OpenAI", hostname: `${name}.${namespace}.svc.cluster.local`, port: 80, namespace });

/** OpenAI primary, Azure fallback, plus the seed's in-cluster qwen models in another namespace. */
const stack = {
    backends: {
        openai: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } },
        azure: { schema: "AzureOpenAI", version: "2025-01-01-preview", hostname: "r.openai.azure.com", auth: { type: "AzureAPIKey", secret: "azure" } },
        "qwen-primary": local("qwen-primary-predictor-00001", "kserve"),
        "qwen-secondary": local("qwen-secondary-predictor-00001", "kserve"),
    },
    models: {
        "gpt-4o-mini": { backends: [{ backend: "openai" }, { backend: "azure", model: "gpt-4o-mini-deployment", priority: 1 }] },
        "virtual-qwen-model": { backends: [{ backend: "qwen-primary", model: "qwen2.5:1.5b", weight: 50 }, { backend: "qwen-secondary", model: "qwen2.5:0.5b", weight: 50 }] },
    },
    apiKeys: { openai: KNOWN_KEY, azure: AZURE_KEY },
    // Client authentication is not what these tests are about (something in front authenticates).
    auth: { none: true },
};

type Spec = Record<string, unknown>;

/** The one resource with this logical name (custom resources' type tokens carry their kind). */
function byName(e: Evaluation, name: string) {
    const found = e.resources.filter((r) => r.name === name);
    assert.equal(found.length, 1, `one resource named ${name}`);
    return found[0];
}

/** Custom resources the model components registered. */
const modelCustomResources = (e: Evaluation) =>
    e.resources.filter((r) => r.custom && r.type !== SECRET && (r.parent?.startsWith("backend-") || r.parent === "model-routes"));

describe("models: components", () => {
    // One evaluation for the tests that only read it; evaluate() copies what it recorded.
    let e: Evaluation;
    before(async () => {
        e = await evaluate(stack);
    });

    it("one ModelBackend per backend, one ModelRoutes, each with its children", () => {
        assert.deepEqual(e.all("ai-gateway:models:ModelBackend").map((r) => r.name).sort(), ["backend-azure", "backend-openai", "backend-qwen-primary", "backend-qwen-secondary"]);
        const children = (parent: string) => e.resources.filter((r) => r.parent === parent).map((r) => r.name).sort();
        assert.deepEqual(children("backend-openai"), [
            "backend-openai-backend",
            "backend-openai-secret",
            "backend-openai-security-policy",
            "backend-openai-service-backend",
            "backend-openai-tls-policy",
        ]);
        assert.deepEqual(children("backend-qwen-primary"), ["backend-qwen-primary-backend", "backend-qwen-primary-service-backend"]);
        assert.equal(e.all("ai-gateway:models:ModelRoutes").length, 1);
        const routes = e.objects("AIGatewayRoute").map((r) => r.metadata.name).sort();
        const policies = e.objects("BackendTrafficPolicy").filter((p) => (p.spec.targetRefs as { kind: string }[])[0].kind === "Gateway").length;
        assert.equal(children("model-routes").length, 2 * routes.length + policies, "an AIGatewayRoute per bucket with its policy, and the Gateway's policy of the shared budgets if any");
    });

    it("the security policy waits for its Secret; every custom resource waits for its CRDs' release", () => {
        const bsp = byName(e, "backend-openai-security-policy");
        assert.ok(bsp.dependsOn.includes("backend-openai-secret"));
        assert.ok(bsp.dependsOn.includes("backend-openai-service-backend"));
        for (const r of modelCustomResources(e)) {
            assert.ok(r.dependsOn.includes("ai-gateway-release") || r.dependsOn.includes("envoy-gateway-release"), `${r.name} waits for the platform`);
        }
        assert.ok(byName(e, "backend-openai-service-backend").dependsOn.includes("ai-gateway-crds"));
        assert.ok(byName(e, "backend-openai-backend").dependsOn.includes("envoy-gateway-release"));
    });

    it("a route waits for every object of the backends its models use, and only those", () => {
        const routeOf = (model: string) => {
            const name = e.objects("AIGatewayRoute").find((r) => JSON.stringify(r.spec.rules).includes(`"value":"${model}"`))!.metadata.name;
            return modelCustomResources(e).find((r) => (r.inputs.metadata as { name: string }).name === name && r.inputs.kind === "AIGatewayRoute")!;
        };
        const gpt = routeOf("gpt-4o-mini");
        for (const dep of ["backend-openai-backend", "backend-openai-service-backend", "backend-openai-tls-policy", "backend-openai-secret", "backend-openai-security-policy", "backend-azure-security-policy"]) {
            assert.ok(gpt.dependsOn.includes(dep), `${gpt.name} waits for ${dep}`);
        }
        if (routeOf("virtual-qwen-model").name !== gpt.name) {
            assert.ok(!gpt.dependsOn.some((d) => d.startsWith("backend-qwen")), "not for backends of other routes");
            assert.ok(routeOf("virtual-qwen-model").dependsOn.includes("backend-qwen-secondary-service-backend"));
        }
    });

    it("weights, priorities and overrides reach the rendered routes", () => {
        const rules = e.objects("AIGatewayRoute").flatMap((r) => r.spec.rules as Spec[]);
        const refs = (model: string) => rules.find((r) => r.name === model)!.backendRefs;
        assert.deepEqual(refs("gpt-4o-mini"), [{ name: "ai-gateway-openai" }, { name: "ai-gateway-azure", modelNameOverride: "gpt-4o-mini-deployment", priority: 1 }]);
        assert.deepEqual(refs("virtual-qwen-model"), [
            { name: "ai-gateway-qwen-primary", modelNameOverride: "qwen2.5:1.5b", weight: 50 },
            { name: "ai-gateway-qwen-secondary", modelNameOverride: "qwen2.5:0.5b", weight: 50 },
        ]);
    });

    it("exactly one BackendTrafficPolicy per generated HTTPRoute, and no HTTPRoute of ours", () => {
        const routes = e.objects("AIGatewayRoute").map((r) => r.metadata.name).sort();
        const targets = e.objects("BackendTrafficPolicy").flatMap((p) => (p.spec.targetRefs as { kind: string; name: string }[]).map((t) => `${t.kind}/${t.name}`));
        assert.deepEqual(targets.sort(), routes.map((r) => `HTTPRoute/${r}`));
        assert.deepEqual(e.objects("HTTPRoute"), []);
        for (const p of e.objects("BackendTrafficPolicy")) assert.equal((p.spec.retry as Spec).numAttemptsPerPriority, 1);
    });

    it("in-cluster models in another namespace: reached by DNS, no reference crosses a namespace, no ReferenceGrant", () => {
        assert.deepEqual(e.objects("ReferenceGrant"), []);
        assert.deepEqual(e.object("Backend", "ai-gateway-qwen-primary").spec.endpoints, [{ fqdn: { hostname: "qwen-primary-predictor-00001.kserve.svc.cluster.local", port: 80 } }]);
        const namespaces = new Set(e.resources.filter((r) => r.parent?.startsWith("backend-") || r.parent === "model-routes").map((r) => (r.inputs.metadata as { namespace: string }).namespace));
        assert.deepEqual([...namespaces], ["ai-gateway"]);
        // Nothing we emit names a namespace in a reference, so nothing needs a grant.
        const refs = JSON.stringify(e.objects("AIGatewayRoute").map((r) => r.spec)) + JSON.stringify(e.objects("AIServiceBackend").map((r) => r.spec.backendRef));
        assert.ok(!refs.includes('"namespace"'));
    });

    it("the gateway name and namespace come from ai-gateway:gateway", async () => {
        const e = await evaluate({ ...stack, gateway: { name: "edge", namespace: "llm" } });
        const route = e.objects("AIGatewayRoute")[0];
        assert.equal(route.metadata.namespace, "llm");
        assert.match(route.metadata.name, /^edge-models-\d\d$/);
        assert.deepEqual(route.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge" }]);
        assert.equal((e.object("Secret", "edge-openai-apikey").metadata as { namespace: string }).namespace, "llm");
    });

    it("no models and no backends: nothing but an empty ModelRoutes", async () => {
        const e = await evaluate({});
        assert.deepEqual(e.objects("AIGatewayRoute"), []);
        assert.deepEqual(e.objects("BackendTrafficPolicy"), []);
        assert.equal(e.all("ai-gateway:models:ModelBackend").length, 0);
    });
});

describe("models: provider keys stay secret", () => {
    let e: Evaluation;
    before(async () => {
        e = await evaluate(stack);
    });

    it("a known key appears nowhere in the rendered output or stack outputs, only inside the Secret's data, marked secret", async () => {
        const secret = e.get(SECRET, "backend-openai-secret");
        assert.ok(isSecretValue(secret.inputs.stringData), "stringData is a secret value");
        assert.deepEqual((secret.inputs.stringData as { value: unknown }).value, { apiKey: KNOWN_KEY });
        assert.deepEqual(redactSecrets(secret.inputs.stringData), { apiKey: "[secret]" });

        for (const key of [KNOWN_KEY, AZURE_KEY]) {
            for (const r of e.resources) {
                assert.ok(!JSON.stringify(redactSecrets(r.inputs)).includes(key), `${r.type} ${r.name} shows the key`);
                // Outside the Secrets the value is not even present in wrapped form.
                if (r.type !== SECRET) assert.ok(!JSON.stringify(r.inputs).includes(key), `${r.type} ${r.name} holds the key`);
            }
            assert.ok(!toYaml(e.resources).includes(key));
            assert.ok(!toJson(e.resources).includes(key));
            const outputs = { ...e.outputs, redisUrl: e.outputs.redisUrl && (await valueOf(e.outputs.redisUrl)) };
            assert.ok(!JSON.stringify(outputs).includes(key));
        }
    });

    it("each credential goes under the key the controller reads", async () => {
        const e = await evaluate({
            backends: {
                azure: { schema: "AzureOpenAI", version: "2025-01-01-preview", hostname: "r.openai.azure.com", auth: { type: "AzureCredentials", clientID: "c", tenantID: "t", secret: "azure" } },
                bedrock: { schema: "AWSBedrock", auth: { type: "AWSCredentials", region: "us-east-1", credentialsSecret: "aws" } },
                vertex: { schema: "GCPVertexAI", hostname: "us-central1-aiplatform.googleapis.com", auth: { type: "GCPCredentials", projectName: "p", region: "us-central1", secret: "gcp" } },
            },
            apiKeys: { azure: "a", aws: "[default]\naws_access_key_id = x", gcp: "{}" },
        });
        const keys = Object.fromEntries(
            e.all(SECRET).filter((s) => s.parent?.startsWith("backend-")).map((s) => [s.name, Object.keys(redactSecrets(s.inputs.stringData) as object)]),
        );
        assert.deepEqual(keys, {
            "backend-azure-secret": ["client-secret"],
            "backend-bedrock-secret": ["credentials"],
            "backend-vertex-secret": ["service_account.json"],
        });
        for (const s of e.all(SECRET).filter((x) => x.parent?.startsWith("backend-"))) assert.ok(isSecretValue(s.inputs.stringData));
    });
});

describe("models: stable names under change", () => {
    const many = (n: number, extra: Record<string, unknown> = {}) => ({
        backends: { a: local("a", "models"), b: local("b", "models") },
        models: { ...Object.fromEntries([...Array(n).keys()].map((i) => [`org/Model-${i}:latest`, { backends: [{ backend: "a" }, { backend: "b" }] }])), ...extra },
    });

    /** Route of each model, spec of each route, and the logical name of every resource. */
    async function snapshot(raw: Record<string, unknown>) {
        const e = await evaluate(raw);
        const placement = new Map<string, string>();
        const specs = new Map<string, string>();
        for (const r of e.objects("AIGatewayRoute")) {
            const rules = r.spec.rules as { matches: { headers: { value: string }[] }[] }[];
            assert.ok(rules.length <= 15, `${r.metadata.name} has ${rules.length} rules`);
            for (const rule of rules) placement.set(rule.matches[0].headers[0].value, r.metadata.name);
            specs.set(r.metadata.name, JSON.stringify(r.spec));
        }
        return { e, placement, specs, logical: new Set(e.resources.map((r) => `${r.type}::${r.name}`)) };
    }

    let base: Awaited<ReturnType<typeof snapshot>>;
    before(async () => {
        base = await snapshot(many(40));
    });

    it("40 models: packed into routes of at most 15 rules, each route with a policy of its own", () => {
        assert.equal(base.placement.size, 40);
        const targets = base.e.objects("BackendTrafficPolicy").map((p) => (p.spec.targetRefs as { name: string }[]).map((t) => t.name));
        assert.deepEqual(targets, base.e.objects("AIGatewayRoute").map((r) => [r.metadata.name]));
        assert.ok(base.e.objects("AIGatewayRoute").length < 40, "models share routes");
    });

    const variants = (raw: (n: number, extra?: Record<string, unknown>) => Record<string, unknown>) => {
        const removed = raw(40);
        delete (removed.models as Record<string, unknown>)["org/Model-7:latest"];
        const added = raw(40, { "anthropic.claude-3-haiku-20240307-v1:0": { backends: [{ backend: "a" }, { backend: "b" }] } });
        return [[removed, "org/Model-7:latest"], [added, "anthropic.claude-3-haiku-20240307-v1:0"]] as const;
    };

    it("removing a model, or adding one, leaves every other model, route and resource as it was", async () => {
        for (const [raw, changed] of variants(many)) {
            const after = await snapshot(raw);
            for (const [model, route] of after.placement) {
                if (base.placement.has(model)) assert.equal(route, base.placement.get(model), model);
            }
            // Only the changed model's route differs; at most its route and policy appear or disappear.
            const touched = after.placement.get(changed) ?? base.placement.get(changed);
            for (const [route, spec] of base.specs) if (route !== touched) assert.equal(after.specs.get(route), spec, route);
            const appeared = [...after.logical].filter((n) => !base.logical.has(n));
            const vanished = [...base.logical].filter((n) => !after.logical.has(n));
            assert.ok(appeared.length <= 2 && vanished.length <= 2, `appeared ${appeared}, vanished ${vanished}`);
        }
    });

    it("split buckets: removing a model, or adding one, changes only routes under one prefix of its hash, and moves no model outside it", async () => {
        // One bucket for 40 models: it has split into routes <gateway>-models-0-<split bits>.
        const split = (n: number, extra: Record<string, unknown> = {}) => ({ ...many(n, extra), routing: { routeBuckets: 1 } });
        const start = await snapshot(split(40));
        for (const [raw, changed] of variants(split)) {
            const after = await snapshot(raw);
            const routes = new Set([...start.specs.keys(), ...after.specs.keys()]);
            const touched = [...routes].filter((r) => start.specs.get(r) !== after.specs.get(r));
            assert.ok(touched.length >= 1 && touched.length <= 3, touched.join(", "));
            const prefixes = touched.map((r) => /^ai-gateway-models-0-([01]+)$/.exec(r)?.[1] ?? assert.fail(r));
            const node = [...prefixes].sort((x, y) => x.length - y.length)[0];
            assert.ok(splitPrefix(changed, 32).startsWith(node) && prefixes.every((p) => p.startsWith(node)), `${changed}: ${touched.join(", ")}`);
            for (const [model, route] of after.placement) {
                if (start.placement.has(model) && route !== start.placement.get(model)) assert.equal(splitPrefix(model, node.length), node, `${model} moved outside 0-${node}`);
            }
            // Resources other than the touched routes keep their logical names.
            const isTouched = (n: string) => touched.some((r) => [``, `-traffic`].some((suffix) => n.endsWith(`::model-routes-${r.slice("ai-gateway-models-".length)}${suffix}`)));
            assert.deepEqual([...after.logical].filter((n) => !start.logical.has(n) && !isTouched(n)), []);
            assert.deepEqual([...start.logical].filter((n) => !after.logical.has(n) && !isTouched(n)), []);
        }
    });
});

describe("models: at scale", () => {
    it("2,000 models render with no routing setting: every route at most 15 rules, every model once, one policy per route", async function () {
        this.timeout(40000);
        const names = [...Array(2000).keys()].map((i) => `org-${i % 5}/model-${i}`);
        const e = await evaluate({
            backends: { a: local("a", "models"), b: local("b", "models") },
            models: Object.fromEntries(names.map((m) => [m, { backends: [{ backend: "a" }, { backend: "b" }] }])),
        });
        const routes = e.objects("AIGatewayRoute");
        const served = routes.flatMap((r) => (r.spec.rules as { matches: { headers: { value: string }[] }[] }[]).map((rule) => rule.matches[0].headers[0].value));
        assert.deepEqual(served.sort(), [...names].sort());
        for (const r of routes) {
            assert.ok((r.spec.rules as unknown[]).length <= 15, r.metadata.name);
            assert.match(r.metadata.name, /^ai-gateway-models-\d\d(-[01]+)?$/);
        }
        const targets = e.objects("BackendTrafficPolicy").map((p) => (p.spec.targetRefs as { name: string }[]).map((t) => t.name));
        assert.deepEqual(targets, routes.map((r) => [r.metadata.name]));
    });
});

describe("models: stack files", () => {
    it("dev is the seed tutorial: virtual-qwen-model at 50/30/20 and qwen-with-fallback at priority 0/1", async () => {
        const e = await evaluate(stackFileConfig("dev"));
        const rules = e.objects("AIGatewayRoute").flatMap((r) => r.spec.rules as { name: string; backendRefs: Spec[] }[]);
        const refs = (model: string) => rules.find((r) => r.name === model)!.backendRefs;
        assert.deepEqual(refs("virtual-qwen-model").map((r) => [r.modelNameOverride, r.weight]), [["qwen2.5:1.5b", 50], ["qwen2.5:0.5b", 30], ["qwen2.5:0.5b", 20]]);
        assert.deepEqual(refs("qwen-with-fallback").map((r) => r.priority), [0, 1]);
        assert.deepEqual(e.objects("BackendSecurityPolicy"), [], "in-cluster models need no credentials");
    });

    it("prod: OpenAI first, Azure OpenAI as fallback, then Bedrock for gpt-4o-mini; keys only as encrypted secure: values", async () => {
        const e = await evaluate(stackFileConfig("prod"));
        const rules = e.objects("AIGatewayRoute").flatMap((r) => r.spec.rules as { name: string; backendRefs: Spec[] }[]);
        for (const rule of rules) {
            const fallbacks = rule.name === "gpt-4o-mini" ? [["ai-gateway-bedrock", 2]] : [];
            assert.deepEqual(rule.backendRefs.map((r) => [r.name, r.priority]), [["ai-gateway-openai", 0], ["ai-gateway-azure-openai", 1], ...fallbacks], rule.name);
        }
        assert.deepEqual(e.objects("BackendSecurityPolicy").map((p) => p.spec.type).sort(), ["APIKey", "AWSCredentials", "AzureAPIKey"]);
        for (const file of ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]) {
            assert.doesNotMatch(readFileSync(join(__dirname, "..", file), "utf8"), /sk-[A-Za-z0-9]{8,}/, `${file} holds no plain-text key`);
        }
    });
});

describe("models: routes attach where the gateway says", () => {
    it("with HTTP redirected to HTTPS, routes attach to the HTTPS listeners only", async () => {
        const e = await evaluate({
            backends: { a: { schema: "OpenAI", hostname: "a.default.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.default.svc.cluster.local", port: 80 } },
            models: { m: { backends: [{ backend: "a" }, { backend: "b" }] } },
            gateway: {
                redirectToHttps: true,
                listeners: [
                    { name: "http", protocol: "HTTP", port: 80 },
                    { name: "https", protocol: "HTTPS", port: 443, tls: { certificateRefs: [{ name: "ai-gateway-tls" }] } },
                ],
            },
        });
        assert.deepEqual(e.objects("AIGatewayRoute")[0].spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway", sectionName: "https" }]);
    });

    it("model objects wait for the gateway namespace", async () => {
        const e = await evaluate({
            backends: { a: { schema: "OpenAI", hostname: "a.default.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.default.svc.cluster.local", port: 80 } },
            models: { m: { backends: [{ backend: "a" }, { backend: "b" }] } },
        });
        const routes = e.resources.filter((r) => r.type === "kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute");
        assert.equal(routes.length, 1);
        assert.ok(routes[0].dependsOn.includes("gateway-core-namespace"), routes[0].dependsOn.join(","));
    });
});
