import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AiGateway, ConfigError, type StackConfigInput } from "../components";
import { isSecretValue, type RecordedResource, redactSecrets, settle } from "../scripts/mocks";
import { evaluate, WITH_BUDGET } from "./harness";
import { mocks } from "./setup";

const COMPONENT = "ai-gateway:index:AiGateway";
const topLevel = (r: RecordedResource) => r.parentType === COMPONENT;

describe("AiGateway component", () => {
    // What the component logs through Pulumi's log, kept here rather than printed among the test results.
    const logged: string[] = [];
    const warn = pulumi.log.warn;
    beforeEach(() => {
        logged.length = 0;
        pulumi.log.warn = async (message: string) => void logged.push(message);
    });
    afterEach(() => {
        pulumi.log.warn = warn;
    });

    it("holds every component of the program, and nothing is left at the top", async () => {
        const e = await evaluate(WITH_BUDGET);
        assert.deepEqual(e.resources.filter((r) => r.parent === null).map((r) => `${r.type} ${r.name}`), [`${COMPONENT} ai-gateway`]);
        assert.deepEqual(e.resources.filter(topLevel).map((r) => `${r.type} ${r.name}`).sort(), [
            "ai-gateway:gateway:GatewayCore gateway-core",
            "ai-gateway:models:ModelBackend backend-a",
            "ai-gateway:models:ModelBackend backend-b",
            "ai-gateway:models:ModelRoutes model-routes",
            "ai-gateway:platform:AIGateway ai-gateway",
            "ai-gateway:platform:EnvoyGateway envoy-gateway",
            "ai-gateway:platform:Redis redis",
        ]);
    });

    it("keeps the URNs of stacks deployed before it existed: its children answer to their place at the top", async () => {
        const e = await evaluate(WITH_BUDGET);
        const children = e.resources.filter(topLevel);
        assert.ok(children.length >= 7);
        for (const child of children) assert.deepEqual(child.aliases, ["same type::same name under the stack"], `${child.type} ${child.name}`);
        // Below them, the engine derives the old URNs from the parents' aliases: none of their own (the
        // Kubernetes SDK's aliases for old API groups, such as extensions/v1beta1 Deployments, aside).
        assert.deepEqual(e.resources.filter((r) => !topLevel(r) && r.aliases.some((a) => a.endsWith("under the stack"))).map((r) => r.name), []);
        assert.ok(e.resources.some((r) => !topLevel(r) && r.aliases.length > 0), "the recorder sees aliases below the top, too");
    });

    it("takes the stack file's keys as a program writes them, with provider keys as secret Outputs", async () => {
        mocks.reset();
        const gateway = new AiGateway("gw", {
            config: {
                backends: { openai: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } } },
                models: { chat: { backends: [{ backend: "openai", model: "gpt-4.1-mini" }] } },
                routing: { minBackendsPerModel: 1 },
                gateway: { envoyProxy: { service: { type: "ClusterIP" } } },
                apiKeys: { openai: pulumi.output("sk-known-component-key") },
            },
        });
        await settle();
        assert.deepEqual(gateway.models, ["chat"]);
        assert.deepEqual(mocks.resources.filter((r) => r.parent === null).map((r) => `${r.type} ${r.name}`), [`${COMPONENT} gw`]);
        const secrets = mocks.resources.filter((r) => r.type === "kubernetes:core/v1:Secret" && JSON.stringify(redactSecrets(r.inputs)).includes("[secret]"));
        assert.ok(secrets.length > 0, "the key reaches a Secret");
        for (const s of secrets) assert.ok(isSecretValue(s.inputs.stringData), `${s.name}: the value stays a secret`);
        assert.ok(!JSON.stringify(mocks.resources.map((r) => redactSecrets(r.inputs))).includes("sk-known-component-key"));
    });

    it("refuses a configuration with mistakes before registering anything, itself included", async () => {
        mocks.reset();
        assert.throws(
            () => new AiGateway("gw", { config: { models: { chat: { backends: [{ backend: "nowhere" }] } }, rateLimit: { perUser: { requests: [{ limit: -1, window: "1m" }] } } } }),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.deepEqual(e.problems.map((p) => p.path), ["rateLimit.perUser.requests[0].limit", "models.chat.backends[0].backend", "models.chat.backends"]);
                return true;
            },
        );
        await settle();
        assert.deepEqual(mocks.resources, []);
    });

    it("passes an explicit Kubernetes provider given as opts.provider to every Kubernetes object", async () => {
        const e = await evaluate(WITH_BUDGET, () => ({ provider: new (require("@pulumi/kubernetes").Provider)("cluster", { context: "kind-other" }) }));
        const kube = e.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        assert.ok(kube.length > 10);
        assert.deepEqual(kube.filter((r) => r.provider !== "cluster").map((r) => r.name), []);
    });

    it("speaks to a program: keys without the stack file's prefix, secrets passed in apiKeys, not pulumi config set", async () => {
        mocks.reset();
        assert.throws(
            () =>
                new AiGateway("gw", {
                    config: {
                        backends: { openai: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } } },
                        models: { chat: { backends: [{ backend: "openai" }] } },
                    },
                }),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                const text = e.problems.map((p) => `${p.path}: ${p.message}`).join("\n");
                assert.doesNotMatch(text, /pulumi config set|ai-gateway:/);
                assert.match(text, /backends\.openai\.auth\.secret: names secret "openai", which is not in apiKeys; pass apiKeys\.openai in the configuration \(a secret/);
                assert.match(text, /add backends or lower routing\.minBackendsPerModel/);
                return true;
            },
        );
        await settle();
        assert.deepEqual(mocks.resources, []);
    });

    it("warns as the stack file's loader does, the cluster warnings included when it deploys through the default provider", async () => {
        mocks.reset();
        const saved = pulumi.runtime.allConfig();
        pulumi.runtime.setAllConfig({ ...saved, "kubernetes:context": "kind-dev" }, []);
        try {
            const config: StackConfigInput = {
                backends: { local: { schema: "OpenAI", hostname: "vllm.models.svc.cluster.local", port: 8000 } },
                models: { chat: { backends: [{ backend: "local" }] } },
                routing: { minBackendsPerModel: 1 },
                rateLimit: { perUser: { requests: [{ limit: 3, window: "1m" }] } },
                gateway: { envoyProxy: { service: { type: "LoadBalancer" } } },
            };
            const gateway = new AiGateway("gw", { config });
            await settle();
            assert.ok(gateway.warnings.some((w) => /^rateLimit\.userHeader: per-user budgets count by x-user-id as the client sends it.*\(auth\.jwt or auth\.apiKeys\)/.test(w)), gateway.warnings.join("\n"));
            assert.ok(gateway.warnings.some((w) => /^gateway\.envoyProxy\.service\.type: LoadBalancer on the kind cluster kind-dev, which has no load balancer/.test(w)), gateway.warnings.join("\n"));
            assert.deepEqual(logged, gateway.warnings, "each is logged through Pulumi's log");
            mocks.reset();
            const withProvider = new AiGateway("gw2", { config }, { provider: new (require("@pulumi/kubernetes").Provider)("cluster", { context: "kind-other" }) });
            await settle();
            assert.ok(!withProvider.warnings.some((w) => w.includes("kind cluster")), "its own provider: the stack's context says nothing about it");
        } finally {
            pulumi.runtime.setAllConfig(saved, []);
        }
    });
});
