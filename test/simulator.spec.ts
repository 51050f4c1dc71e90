import * as assert from "node:assert/strict";
import { parseConfig } from "../plan";
import { simulatedBackends, simulatorArgs, simulatorDeploymentSpec } from "../components/manifests/simulator";
import { configProblems, evaluate } from "./harness";

// backends.<b>.simulator: a model simulator the program runs, so that a cluster without models answers.

/** The simulator's container, from a spec typed with Pulumi's Inputs. */
const container = (spec: ReturnType<typeof simulatorDeploymentSpec>) => (spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0];
const sim = (extra: Record<string, unknown> = {}) => ({ schema: "OpenAI", simulator: extra });
const twoSims = {
    backends: { primary: sim(), secondary: sim({ mode: "echo", timeToFirstToken: "200ms", interTokenLatency: "1s" }) },
    models: {
        chat: { backends: [{ backend: "primary", model: "qwen2.5:1.5b" }, { backend: "secondary", model: "qwen2.5:0.5b", priority: 1 }] },
        small: { backends: [{ backend: "primary" }, { backend: "secondary", model: "qwen2.5:0.5b" }] },
    },
};

describe("model simulators", () => {
    it("point their backend at the simulator's Service: plain HTTP on 8000, no TLS policy", async () => {
        const e = await evaluate(twoSims);
        assert.deepEqual(e.object("Backend", "ai-gateway-primary").spec.endpoints, [{ fqdn: { hostname: "primary.llm-simulator.svc.cluster.local", port: 8000 } }]);
        assert.deepEqual(e.objects("BackendTLSPolicy"), []);
        const c = parseConfig(twoSims).backends.secondary;
        assert.deepEqual([c.hostname, c.port, c.tls], ["secondary.llm-simulator.svc.cluster.local", 8000, false]);
    });

    it("run the pinned image with the names the gateway sends them, their mode and latencies", () => {
        const [primary, secondary] = simulatedBackends(parseConfig(twoSims).backends, parseConfig(twoSims).models);
        assert.deepEqual(primary.servedModels, ["qwen2.5:1.5b", "small"], "an entry without model sends the model's own name");
        assert.deepEqual(simulatorArgs(primary), ["--port", "8000", "--model", "qwen2.5:1.5b", "--served-model-name", "qwen2.5:1.5b", "small", "--mode", "random"]);
        assert.deepEqual(simulatorArgs(secondary), ["--port", "8000", "--model", "qwen2.5:0.5b", "--mode", "echo", "--time-to-first-token", "200", "--inter-token-latency", "1000"]);
        const spec = simulatorDeploymentSpec(primary);
        assert.equal(container(spec).image, "ghcr.io/llm-d/llm-d-inference-sim:v0.4.0");
        assert.equal(spec.replicas, 1);
        const own = simulatedBackends(parseConfig({ backends: { lonely: sim({ replicas: 0, image: "mirror.example.com/sim:v0.4.0" }) } }).backends, {});
        assert.deepEqual(simulatorArgs(own[0]).slice(0, 4), ["--port", "8000", "--model", "lonely"], "no model routed to it: it serves the backend's name");
        assert.equal(simulatorDeploymentSpec(own[0]).replicas, 0);
        assert.equal(container(simulatorDeploymentSpec(own[0])).image, "mirror.example.com/sim:v0.4.0");
    });

    it("create their namespace once, and none the program creates anyway", async () => {
        const e = await evaluate(twoSims);
        const namespaces = e.all("kubernetes:core/v1:Namespace").filter((n) => n.parent === "model-simulators").map((n) => (n.inputs.metadata as { name: string }).name);
        assert.deepEqual(namespaces, ["llm-simulator"]);
        assert.deepEqual(e.objects("Deployment").filter((d) => d.metadata.namespace === "llm-simulator").map((d) => d.metadata.name), ["primary", "secondary"]);
        assert.deepEqual(e.objects("Service").filter((d) => d.metadata.namespace === "llm-simulator").map((d) => d.metadata.name), ["primary", "secondary"]);

        const beside = await evaluate({ ...twoSims, backends: { primary: sim({ namespace: "ai-gateway" }), secondary: sim({ namespace: "default" }) } });
        assert.deepEqual(beside.all("kubernetes:core/v1:Namespace").filter((n) => n.parent === "model-simulators"), []);
        assert.deepEqual(beside.get("kubernetes:apps/v1:Deployment", "model-simulators-primary").dependsOn, ["gateway-core-namespace"], "waits for the gateway's namespace");
    });

    it("Kubernetes names come from the backend's name, readable and unique", async () => {
        const c = parseConfig({ backends: { "Qwen_Primary": sim() } });
        assert.match(c.backends.Qwen_Primary.hostname!, /^qwen-primary-[0-9a-f]{6}\.llm-simulator\.svc\.cluster\.local$/);
    });

    it("refuse what would be ignored or cannot work, all at once", () => {
        assert.deepEqual(
            configProblems({
                backends: {
                    a: { schema: "OpenAI", hostname: "api.openai.com", port: 80, tls: true, simulator: {} },
                    b: { schema: "Anthropic", simulator: { replicas: 101, mode: "fast", image: "two words" } },
                },
            }),
            [
                "backends.a.hostname: is set by simulator (the backend is the simulator the program runs); remove hostname, or remove simulator to use a real backend",
                "backends.a.tls: is set by simulator (the backend is the simulator the program runs); remove tls, or remove simulator to use a real backend",
                "backends.a.port: is set by simulator (it listens on 8000); remove port",
                "backends.b.simulator.replicas: must be at most 100; lower it",
                `backends.b.simulator.mode: "fast" is not allowed; use one of "random", "echo"`,
                "backends.b.simulator.image: is not an image reference; use e.g. registry.example.com/llm-d/llm-d-inference-sim:v0.4.0",
            ],
        );
        assert.deepEqual(configProblems({ backends: { b: { schema: "Anthropic", simulator: {} } } }), [
            "backends.b.simulator: serves the OpenAI API only, not Anthropic; set schema: OpenAI, or remove simulator",
        ]);
    });

    it("warn when a pattern model would send a name the simulator does not know", () => {
        const c = parseConfig({ ...twoSims, models: { ...twoSims.models, any: { match: { pattern: "^qwen.*" }, backends: [{ backend: "primary" }, { backend: "secondary", model: "qwen2.5:0.5b" }] } } });
        assert.deepEqual(c.warnings, [
            "models.any.backends[0].model: is unset on a pattern model, so backend primary's simulator gets the name the client sent and answers 404 to any name it was not started with; set model to the name it should answer",
        ]);
    });
});
