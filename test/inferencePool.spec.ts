import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../plan";
import { inferencePoolName } from "../plan/names";
import { envoyGatewayValues } from "../components/manifests/platformValues";
import { aiGatewayValues } from "../plan/chartValues";
import { catalog } from "./support/conformance";
import { chartInferencePool } from "./support/inferencePool";
import { configProblems, controllerValuesBesideSeed, customResources, evaluate } from "./harness";

// backends.<b>.inferencePool: models served by an InferencePool and its Endpoint Picker.

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";
const POOLS = {
    backends: {
        "qwen-pool": { schema: "OpenAI", inferencePool: { selector: { app: "vllm-qwen3", tier: "gpu" }, targetPort: 8080, endpointPicker: { replicas: 2, modelServerType: "triton-tensorrt-llm", values: { inferenceExtension: { image: { tag: "v1.0.2-mirror" } } } } } },
        "llama-pool": { schema: "OpenAI", inferencePool: { name: "vllm-llama3" } },
        openai: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } },
    },
    apiKeys: { openai: "sk-pool-test" },
    auth: { none: true },
    models: {
        qwen3: { backends: [{ backend: "qwen-pool", model: "Qwen/Qwen3-0.6B" }] },
        llama: { backends: [{ backend: "llama-pool" }] },
        "gpt-4o": { backends: [{ backend: "openai", model: "gpt-4o" }, { backend: "openai", model: "gpt-4o-mini", priority: 1 }] },
    },
};
const PROVIDERS_ONLY = { backends: { openai: POOLS.backends.openai }, apiKeys: POOLS.apiKeys, auth: POOLS.auth, models: { "gpt-4o": POOLS.models["gpt-4o"] } };

/** The backendRefs of a model's rule, across the AIGatewayRoutes. */
function refsOf(e: Awaited<ReturnType<typeof evaluate>>, model: string): Record<string, unknown>[] {
    const rules = e.objects("AIGatewayRoute").flatMap((r) => r.spec.rules as { name: string; backendRefs: Record<string, unknown>[] }[]);
    const rule = rules.find((r) => r.name === model);
    assert.ok(rule, `no rule ${model}`);
    return rule.backendRefs;
}

describe("InferencePool backends", () => {
    it("route a model to its pool by group, kind and name, the provider beside it by AIServiceBackend", async () => {
        const e = await evaluate(POOLS);
        assert.deepEqual(refsOf(e, "qwen3"), [{ name: "ai-gateway-qwen-pool", group: "inference.networking.k8s.io", kind: "InferencePool", modelNameOverride: "Qwen/Qwen3-0.6B" }]);
        assert.deepEqual(refsOf(e, "llama"), [{ name: "vllm-llama3", group: "inference.networking.k8s.io", kind: "InferencePool" }]);
        assert.deepEqual(refsOf(e, "gpt-4o").map((r) => [r.name, r.kind]), [["ai-gateway-openai", undefined], ["ai-gateway-openai", undefined]]);
        // A pool has no Backend, AIServiceBackend or policies of its own.
        assert.deepEqual(e.objects("AIServiceBackend").map((b) => b.metadata.name), ["ai-gateway-openai"]);
        assert.deepEqual(e.objects("Backend").map((b) => b.metadata.name), ["ai-gateway-openai"]);
    });

    it("install a pool with the inferencepool chart, named as the pool, in the gateway namespace; an existing pool installs nothing", async () => {
        const e = await evaluate(POOLS);
        const releases = e.all(RELEASE).filter((r) => String(r.inputs.chart).endsWith("/inferencepool"));
        assert.deepEqual(releases.map((r) => r.name), ["backend-qwen-pool-release"]);
        const { name, chart, version, namespace, values } = releases[0].inputs;
        assert.deepEqual([name, chart, version, namespace], ["ai-gateway-qwen-pool", "oci://registry.k8s.io/gateway-api-inference-extension/charts/inferencepool", "v1.0.2", "ai-gateway"]);
        assert.deepEqual(values, {
            inferencePool: { apiVersion: "inference.networking.k8s.io/v1", modelServers: { matchLabels: { app: "vllm-qwen3", tier: "gpu" } }, targetPorts: [{ number: 8080 }], modelServerType: "triton-tensorrt-llm" },
            inferenceExtension: { replicas: 2, image: { tag: "v1.0.2-mirror" } },
            provider: { name: "none" },
        });
        // After the CRDs, the AI Gateway controller and the gateway namespace; the routes wait for it.
        const release = e.get(RELEASE, "backend-qwen-pool-release");
        for (const dep of ["inference-extension-crds", "ai-gateway-release", "gateway-core-namespace"]) assert.ok(release.dependsOn.includes(dep), `${dep} in ${release.dependsOn.join(", ")}`);
        const route = e.all("kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute").find((r) => JSON.stringify(r.inputs).includes("ai-gateway-qwen-pool"));
        assert.ok(route?.dependsOn.includes("backend-qwen-pool-release"));
        const other = await evaluate({ ...POOLS, platform: { inferenceExtension: { version: "v1.0.3" } } });
        assert.equal(other.get(RELEASE, "backend-qwen-pool-release").inputs.version, "v1.0.3");
        assert.match(String(other.get(CONFIG_FILE, "inference-extension-crds").inputs.file), /\/releases\/download\/v1\.0\.3\/manifests\.yaml$/);
    });

    it("apply the CRDs before both controllers, which accept pools (and restart) only when a backend uses one", async () => {
        const e = await evaluate(POOLS);
        assert.equal(e.get(CONFIG_FILE, "inference-extension-crds").inputs.file, "https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/v1.0.2/manifests.yaml");
        assert.equal(e.get(CONFIG_FILE, "inference-extension-crds").retainOnDelete, true, "deleting the CRD would delete every pool in the cluster");
        assert.ok(e.get(RELEASE, "envoy-gateway-release").dependsOn.includes("inference-extension-crds"));
        assert.ok(e.get(RELEASE, "ai-gateway-release").dependsOn.includes("inference-extension-crds"));
        const eg = e.get(RELEASE, "envoy-gateway-release").inputs.values as { config: { envoyGateway: { extensionManager: Record<string, unknown> } }; deployment: unknown };
        assert.deepEqual(eg.config.envoyGateway.extensionManager.backendResources, [{ group: "inference.networking.k8s.io", kind: "InferencePool", version: "v1" }]);
        assert.deepEqual(eg.deployment, { pod: { annotations: { "ai-gateway/inference-pool-api": "inference.networking.k8s.io/v1" } } });
        assert.deepEqual(controllerValuesBesideSeed(e.get(RELEASE, "ai-gateway-release").inputs.values), { podAnnotations: { "ai-gateway/inference-pool-api": "inference.networking.k8s.io/v1" } });

        const none = await evaluate(PROVIDERS_ONLY);
        assert.deepEqual(none.all(CONFIG_FILE), []);
        assert.ok(!JSON.stringify(none.get(RELEASE, "envoy-gateway-release").inputs.values).includes("InferencePool"));
        assert.ok(!JSON.stringify(none.get(RELEASE, "ai-gateway-release").inputs.values).includes("inference-pool"));

        const onCluster = await evaluate({ ...POOLS, platform: { inferenceExtension: { install: false } } });
        assert.deepEqual(onCluster.all(CONFIG_FILE), []);
        assert.ok(JSON.stringify(onCluster.get(RELEASE, "envoy-gateway-release").inputs.values).includes("InferencePool"));
    });

    it("the user's Helm values win over the pool settings, as for every release", () => {
        const eg = envoyGatewayValues({ aiGatewayNamespace: "ai", inferencePools: true, userValues: { deployment: { pod: { annotations: { team: "x" } } } } });
        assert.deepEqual((eg.deployment as { pod: unknown }).pod, { annotations: { "ai-gateway/inference-pool-api": "inference.networking.k8s.io/v1", team: "x" } });
        const ai = aiGatewayValues({ envoyGatewayNamespace: "eg", inferencePools: true, userValues: { controller: { podAnnotations: null } } });
        assert.deepEqual(ai.controller, {});
    });

    it("the InferencePool the chart creates from the program's values passes the pinned CRD", async () => {
        const e = await evaluate(POOLS);
        const release = e.get(RELEASE, "backend-qwen-pool-release").inputs;
        const pool = chartInferencePool(String(release.name), String(release.namespace), release.values as Record<string, unknown>);
        assert.deepEqual(pool.spec.endpointPickerRef, { name: "ai-gateway-qwen-pool-epp", port: { number: 9002 } });
        assert.deepEqual(catalog().validate(pool), []);
        assert.deepEqual(customResources(e).flatMap((o) => catalog().validate(o)), []);
    });

    it("pool names: <gateway>-<backend>, cut with a hash to 40 characters so that Endpoint Picker names stay distinct; stable", () => {
        const long = "qwen3-coder-480b-a35b-instruct-fp8-pool";
        const name = inferencePoolName("ai-gateway", long, { selector: { app: "x" } });
        assert.match(name, /^ai-gateway-qwen3-coder-480b-a35b-[0-9a-f]{6}$/);
        assert.ok(name.length <= 40);
        assert.equal(inferencePoolName("ai-gateway", long, { selector: { app: "y" } }), name, "depends on the names only");
        assert.equal(inferencePoolName("edge", "Qwen_Pool", { selector: { app: "x" } }).startsWith("edge-qwen-pool-"), true);
        assert.equal(inferencePoolName("edge", "q", { name: "mine" }), "mine");
    });

    it("a pool model needs no second backend: the pool is its only one, highly available through its pods", () => {
        const c = parseConfig({ ...POOLS, models: { qwen3: POOLS.models.qwen3, llama: POOLS.models.llama }, routing: { minBackendsPerModel: 3 } });
        assert.deepEqual(c.warnings, []);
    });

    it("refuse keys a pool ignores, bad selectors and ports, and a pool and a name together, all at once", () => {
        assert.deepEqual(
            configProblems({
                backends: {
                    a: { schema: "OpenAI", hostname: "vllm.models.svc.cluster.local", port: 8000, tls: false, prefix: "/v1", headers: { set: { "x-a": "1" } }, quotas: { m: [{ limit: 10, window: "1m" }] }, inferencePool: { selector: { app: "vllm" } } },
                    b: { schema: "OpenAI", inferencePool: { selector: {}, targetPort: 70000 } },
                    c: { schema: "OpenAI", inferencePool: { selector: { "bad key!": "v", app: "-x" } } },
                    d: { schema: "OpenAI", inferencePool: {} },
                    e: { schema: "OpenAI", inferencePool: { name: "mine", selector: { app: "x" }, endpointPicker: { replicas: 11 } } },
                    f: { schema: "OpenAI", auth: { type: "APIKey", secret: "k" }, allowPlainTextCredentials: true, inferencePool: { name: "Not_A_Name" } },
                },
            }),
            [
                "backends.a.hostname: is not used with inferencePool: the pool's Endpoint Picker picks a pod of the pool; remove hostname, or remove inferencePool",
                "backends.a.tls: is not used with inferencePool: the pool's pods are reached in the cluster, on targetPort, in plain HTTP; remove tls, or remove inferencePool",
                "backends.a.prefix: is not used with inferencePool: the AI Gateway sends a pool OpenAI requests at /v1; remove prefix, or remove inferencePool",
                "backends.a.headers: is not used with inferencePool: the AI Gateway applies header mutations to AIServiceBackends only and ignores them for a pool; remove headers, or remove inferencePool",
                "backends.a.quotas: is not used with inferencePool: a QuotaPolicy targets AIServiceBackends only; remove quotas, or remove inferencePool",
                "backends.a.port: is not used with inferencePool: the pool's pods are reached on inferencePool.targetPort; move it there",
                "backends.b.inferencePool.selector: is empty and would select no pod; give the labels of the model server pods, e.g. {app: vllm-qwen3}",
                "backends.b.inferencePool.targetPort: is out of range; use a port from 1 to 65535",
                "backends.c.inferencePool.selector.app: is not a label value; use letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
                `backends.c.inferencePool.selector["bad key!"]: "bad key!" is not a label key; use [prefix/]name with letters, digits, '-', '_' and '.' (name at most 63 characters), e.g. app`,
                "backends.d.inferencePool: names no pods; set selector (the labels of the model server pods) to install a pool, or name (an existing InferencePool)",
                "backends.e.inferencePool.endpointPicker.replicas: must be at most 10; lower it",
                `backends.e.inferencePool.selector: configures a pool the program installs, but name refers to the existing pool "mine", which keeps its own; remove selector, or remove name to install a pool`,
                `backends.e.inferencePool.endpointPicker: configures a pool the program installs, but name refers to the existing pool "mine", which keeps its own; remove endpointPicker, or remove name to install a pool`,
                "backends.f.inferencePool.name: is not a DNS-1123 label; use lower-case letters, digits and '-', starting and ending with a letter or digit",
                "backends.f.auth: is not used with inferencePool: the AI Gateway's backend credentials are attached to AIServiceBackends by this program, and a pool's pods are in the cluster; remove auth, or remove inferencePool",
                "backends.f.allowPlainTextCredentials: has nothing to allow: a pool sends no credential; remove it",
            ],
        );
        assert.deepEqual(configProblems({ backends: { e: { schema: "OpenAI", inferencePool: { name: "mine", selector: { app: "x" }, targetPort: 8000, endpointPicker: {} } } } }), [
            `backends.e.inferencePool.selector: configures a pool the program installs, but name refers to the existing pool "mine", which keeps its own; remove selector, or remove name to install a pool`,
            `backends.e.inferencePool.targetPort: configures a pool the program installs, but name refers to the existing pool "mine", which keeps its own; remove targetPort, or remove name to install a pool`,
            `backends.e.inferencePool.endpointPicker: configures a pool the program installs, but name refers to the existing pool "mine", which keeps its own; remove endpointPicker, or remove name to install a pool`,
        ]);
        assert.deepEqual(configProblems({ backends: { f: { schema: "OpenAI", auth: { type: "APIKey", secret: "k" }, allowPlainTextCredentials: true, simulator: {}, inferencePool: { name: "mine" } } }, apiKeys: { k: "v" } }), [
            "backends.f.simulator: is not used with inferencePool: a simulator is a backend of its own; remove simulator, or remove inferencePool",
            "backends.f.auth: is not used with inferencePool: the AI Gateway's backend credentials are attached to AIServiceBackends by this program, and a pool's pods are in the cluster; remove auth, or remove inferencePool",
            "backends.f.allowPlainTextCredentials: has nothing to allow: a pool sends no credential; remove it",
        ]);
    });

    it("a pool in another namespace is refused with the reason (the v1.1.0 controller would report its status to no one), whichever key asks for it", () => {
        assert.deepEqual(
            configProblems({
                backends: {
                    a: { schema: "OpenAI", namespace: "models", inferencePool: { name: "vllm" } },
                    b: { schema: "OpenAI", inferencePool: { name: "vllm", namespace: "models" } },
                },
            }),
            [
                "backends.a.namespace: is not used with inferencePool: a pool must live in the gateway namespace, with its routes: the AI Gateway v1.1.0 controller looks for a pool's routes only in the pool's own namespace, so a pool elsewhere would report no Gateway and no error (docs/inference-pool.md); remove namespace, or remove inferencePool",
                'backends.b.inferencePool.namespace: unknown key; use one of "selector", "targetPort", "endpointPicker", "name"',
            ],
        );
    });

    it("refuse upstream's forbidden rules: a pool beside other backends, two pools, and what a pool entry ignores", () => {
        assert.deepEqual(
            configProblems({
                ...POOLS,
                backends: { ...POOLS.backends, "mistral-pool": { schema: "Anthropic", inferencePool: { name: "ai-gateway-qwen-pool" } } },
                models: {
                    mixed: { backends: [{ backend: "qwen-pool" }, { backend: "openai", model: "gpt-4o", priority: 1 }] },
                    two: { backends: [{ backend: "qwen-pool", weight: 2 }, { backend: "llama-pool", headers: { set: { "x-a": "1" } } }] },
                },
            }),
            [
                "backends.mistral-pool.schema: is Anthropic, but the AI Gateway sends an InferencePool OpenAI requests (it takes every pool for an OpenAI server); set schema: OpenAI (vLLM, KServe and Triton serve it)",
                `backends.mistral-pool.inferencePool.name: "ai-gateway-qwen-pool" is the pool the program installs for backend qwen-pool; route to backend qwen-pool instead, or name another pool`,
                `models.mixed.backends: mixes the InferencePool backend "qwen-pool" with "openai" in one rule, which the AI Gateway refuses (no fallback or weights between a pool and other backends); route this model to the pool only (the pool spreads requests over its pods), and give the others a model of their own`,
                `models.two.backends: lists the InferencePool backends "qwen-pool", "llama-pool", and one rule takes at most one pool; route this model to one pool (put every model server behind it), and give the others a model of their own`,
                "models.two.backends[0].weight: has no effect: an InferencePool is its model's only backend, and its Endpoint Picker chooses among the pods; remove weight",
                "models.two.backends[1].headers: is ignored by the AI Gateway for an InferencePool (it applies mutations to AIServiceBackends only); remove headers",
            ],
        );
    });

    it("warn when the controllers are installed elsewhere: they must accept pools, which the program cannot see", () => {
        const c = parseConfig({ ...POOLS, platform: { envoyGateway: { install: false }, aiGateway: { install: false } } });
        assert.deepEqual(c.warnings, [
            "platform.envoyGateway.install: is false and backends llama-pool, qwen-pool route to InferencePools; make sure that Envoy Gateway lists {group: inference.networking.k8s.io, kind: InferencePool, version: v1} in config.envoyGateway.extensionManager.backendResources and was restarted since, or its routes to the pools find no backend",
            "platform.aiGateway.install: is false and backends llama-pool, qwen-pool route to InferencePools; make sure the AI Gateway controller was (re)started after the InferencePool CRD was applied, since it looks for the CRD only when it starts",
        ]);
        assert.deepEqual(parseConfig({ ...PROVIDERS_ONLY, platform: { envoyGateway: { install: false } } }).warnings, []);
        assert.deepEqual(parseConfig({ ...PROVIDERS_ONLY, platform: { inferenceExtension: { install: false, version: "v1.0.3" } } }).warnings, [
            "platform.inferenceExtension.install: has no effect: no backend has an inferencePool, so nothing of the Inference Extension is installed; remove it, or add a backend with inferencePool",
            "platform.inferenceExtension.version: has no effect: no backend has an inferencePool, so nothing of the Inference Extension is installed; remove it, or add a backend with inferencePool",
        ]);
    });
});

describe("InferencePool backends: the example of docs/inference-pool.md", () => {
    const section = readFileSync(join(__dirname, "..", "docs", "inference-pool.md"), "utf8");
    const examples = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]) as { config: Record<string, unknown> });

    it("the complete stack file is accepted as written, without warnings, and routes each model as the section says", async () => {
        assert.equal(examples.length, 1);
        const raw = Object.fromEntries(Object.entries(examples[0].config).filter(([k]) => k.startsWith("ai-gateway:")).map(([k, v]) => [k.replace(/^ai-gateway:/, ""), v]));
        // An encrypted value stands for the secret: any string will do offline.
        raw.apiKeys = { openai: "value-of-openai" };
        assert.deepEqual(parseConfig(raw).warnings, []);
        const e = await evaluate(raw);
        assert.deepEqual(refsOf(e, "qwen3"), [{ name: "ai-gateway-qwen-pool", group: "inference.networking.k8s.io", kind: "InferencePool", modelNameOverride: "Qwen/Qwen3-0.6B" }]);
        assert.equal(e.get(RELEASE, "backend-qwen-pool-release").inputs.name, "ai-gateway-qwen-pool");
        assert.ok(section.includes("ai-gateway-qwen-pool-epp"));
    });
});
