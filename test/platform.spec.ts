import * as k8s from "@pulumi/kubernetes";
import * as assert from "node:assert/strict";
import { envoyGatewayValues } from "../components/manifests/platformValues";
import { aiGatewayValues } from "../plan/chartValues";
import { mergeValues } from "../config/merge";
import { redisDeploymentSpec } from "../components/manifests/redis";
import { parseConfig } from "../plan";
import { isSecretValue, MOCK_PASSWORD, redactSecrets } from "../scripts/mocks";
import { configProblems, evaluate, type Evaluation, valueOf, WITH_BUDGET } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("platform builders", () => {
    it("Envoy Gateway values carry what the AI Gateway needs, with the extension server derived from its namespace", () => {
        const v = envoyGatewayValues({ aiGatewayNamespace: "aigw", userValues: {} }) as Values;
        const eg = v.config.envoyGateway;
        assert.equal(eg.gateway.controllerName, "gateway.envoyproxy.io/gatewayclass-controller");
        assert.deepEqual(eg.extensionApis, { enableBackend: true, enableEnvoyPatchPolicy: true });
        assert.deepEqual(eg.extensionManager.hooks.xdsTranslator.post, ["Translation", "Cluster", "Route"]);
        for (const kind of ["listener", "route", "cluster", "secret"]) {
            assert.deepEqual(eg.extensionManager.hooks.xdsTranslator.translation[kind], { includeAll: true });
        }
        assert.deepEqual(eg.extensionManager.service.fqdn, { hostname: "ai-gateway-controller.aigw.svc.cluster.local", port: 1063 });
        assert.equal(eg.rateLimit, undefined);
    });

    it("rate limiting adds the Redis backend and REDIS_AUTH from a Secret, never the password", () => {
        const v = envoyGatewayValues({
            aiGatewayNamespace: "aigw",
            rateLimit: { redisUrl: "redis.redis-system.svc.cluster.local:6379", auth: { secretName: "redis-auth", secretKey: "password" } },
            userValues: {},
        }) as Values;
        const eg = v.config.envoyGateway;
        assert.deepEqual(eg.rateLimit, { backend: { type: "Redis", redis: { url: "redis.redis-system.svc.cluster.local:6379" } } });
        assert.deepEqual(eg.provider.kubernetes.rateLimitDeployment.container.env, [
            { name: "REDIS_AUTH", valueFrom: { secretKeyRef: { name: "redis-auth", key: "password" } } },
        ]);
        assert.equal(eg.provider.type, "Kubernetes");
    });

    it("user values are merged last: maps deeply, lists replaced, null removes", () => {
        const v = envoyGatewayValues({
            aiGatewayNamespace: "aigw",
            userValues: { config: { envoyGateway: { logging: { level: { default: "debug" } }, extensionManager: { hooks: { xdsTranslator: { post: ["Route"] } } } } }, deployment: { replicas: 2 } },
        }) as Values;
        assert.equal(v.config.envoyGateway.logging.level.default, "debug");
        assert.deepEqual(v.config.envoyGateway.extensionManager.hooks.xdsTranslator.post, ["Route"]);
        assert.equal(v.config.envoyGateway.extensionApis.enableBackend, true, "untouched keys stay");
        assert.equal(v.deployment.replicas, 2);
        assert.deepEqual(mergeValues({ a: { b: 1, c: 2 } }, { a: { c: null } }), { a: { b: 1 } });
    });

    it("AI Gateway values point at the Envoy Gateway namespace", () => {
        assert.deepEqual(aiGatewayValues({ envoyGatewayNamespace: "eg", userValues: { controller: { logLevel: "debug" } } }), {
            envoyGateway: { namespace: "eg" },
            controller: { logLevel: "debug" },
        });
    });

    it("the MCP session seed: a random secret per generation in a Secret, read by the controller through its environment, never in the values", async () => {
        const seedNames = (e: Evaluation) => e.all("random:index/randomPassword:RandomPassword").map((r) => r.name).filter((n) => n.includes("mcp-session-seed"));
        const e = await evaluate(BUDGET);
        assert.deepEqual(seedNames(e), ["ai-gateway-mcp-session-seed-0"]);
        const secret = e.get("kubernetes:core/v1:Secret", "ai-gateway-mcp-session").inputs as Values;
        assert.ok(isSecretValue(secret.stringData), "the seeds are a secret value");
        assert.deepEqual(Object.keys(secret.stringData.value), ["seed"]);
        const release = e.get(RELEASE, "ai-gateway-release");
        assert.ok(release.dependsOn.includes("ai-gateway-mcp-session"), "the Secret exists before the controller starts");
        const values = release.inputs.values as Values;
        assert.deepEqual(values.controller.mcp, { sessionEncryption: { seed: "$(AI_GATEWAY_MCP_SESSION_SEED)" } });
        assert.deepEqual(values.controller.extraEnvVars, [{ name: "AI_GATEWAY_MCP_SESSION_SEED", valueFrom: { secretKeyRef: { name: "ai-gateway-mcp-session", key: "seed" } } }]);
        assert.ok(!JSON.stringify(e.resources.filter((r) => r.type !== "kubernetes:core/v1:Secret").map((r) => r.inputs)).includes(MOCK_PASSWORD));

        // A rotation: the next generation's seed, and the current one (the same resource) as the fallback.
        const rotated = await evaluate({ ...BUDGET, platform: { aiGateway: { mcpSeedRotation: 1, values: { controller: { extraEnvVars: [{ name: "A", value: "b" }] } } } } });
        assert.deepEqual(seedNames(rotated).sort(), ["ai-gateway-mcp-session-seed-0", "ai-gateway-mcp-session-seed-1"]);
        const rotatedValues = rotated.get(RELEASE, "ai-gateway-release").inputs.values as Values;
        assert.deepEqual(rotatedValues.controller.mcp.sessionEncryption.fallback, { seed: "$(AI_GATEWAY_MCP_FALLBACK_SESSION_SEED)" });
        assert.deepEqual(
            rotatedValues.controller.extraEnvVars.map((v: Values) => v.name),
            ["A", "AI_GATEWAY_MCP_SESSION_SEED", "AI_GATEWAY_MCP_FALLBACK_SESSION_SEED"],
            "the user's variables stay, the seeds' are added",
        );
        assert.deepEqual(Object.keys((rotated.get("kubernetes:core/v1:Secret", "ai-gateway-mcp-session").inputs as Values).stringData.value).sort(), ["fallback", "seed"]);
    });

    it("the MCP session seed: a plain seed in the values is a warning (never echoed), a rotation without the controller an error", () => {
        const warnings = parseConfig({ platform: { aiGateway: { values: { controller: { mcp: { sessionEncryption: { seed: "known-plain-seed" } } } } } } }).warnings;
        assert.deepEqual(warnings, [
            "platform.aiGateway.values.controller.mcp.sessionEncryption.seed: replaces the seed the program generates as a secret with one kept in plain text in the stack and the Helm release; remove it (rotate with platform.aiGateway.mcpSeedRotation)",
        ]);
        assert.deepEqual(configProblems({ platform: { aiGateway: { install: false, mcpSeedRotation: 2 } } }), [
            "platform.aiGateway.mcpSeedRotation: is set, but platform.aiGateway.install is false, so the program installs no controller whose seed it could rotate; remove it, or rotate the seed of your own installation",
        ]);
        assert.deepEqual(configProblems({ platform: { aiGateway: { mcpSeedRotation: -1 } } }).length, 1);
    });

    it("Redis runs non-root with a read-only root, the password only by reference", () => {
        const spec = redisDeploymentSpec(parseConfig({}).platform.redis, "redis-auth") as Values;
        const pod = spec.template.spec;
        const c = pod.containers[0];
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(c.args.slice(0, 2), ["--requirepass", "$(REDIS_PASSWORD)"]);
        assert.deepEqual(c.env, [{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-auth", key: "password" } } }]);
        assert.match(c.readinessProbe.exec.command.join(" "), /redis-cli .* ping/);
        assert.deepEqual(c.resources.limits, { cpu: "1", memory: "512Mi" });
    });
});

/** Something to count: Redis and the rate-limit service exist only when a budget does. */
const BUDGET = WITH_BUDGET;

describe("platform components", () => {
    it("installs the four charts at the pinned versions, in order: Envoy Gateway's CRDs from their own chart first, rendered and applied (no Helm release)", async () => {
        const e = await evaluate({});
        // gateway-crds-helm's Helm release record (chart and manifest) would exceed a Secret's 1 MiB.
        assert.throws(() => e.get(RELEASE, "envoy-gateway-crds"), /expected one kubernetes:helm.sh\/v3:Release named envoy-gateway-crds/);
        const egCrds = e.get("kubernetes:helm.sh/v4:Chart", "envoy-gateway-crds");
        const eg = e.get(RELEASE, "envoy-gateway-release");
        assert.deepEqual([egCrds.inputs.chart, egCrds.inputs.version, egCrds.inputs.namespace], ["oci://docker.io/envoyproxy/gateway-crds-helm", "v1.8.3", "envoy-gateway-system"]);
        assert.deepEqual(egCrds.inputs.values, { crds: { gatewayAPI: { enabled: true, channel: "experimental" }, envoyGateway: { enabled: true } } });
        assert.equal(eg.inputs.skipCrds, true, "gateway-helm's crds/ would never be upgraded");
        assert.ok(eg.dependsOn.includes("envoy-gateway-crds"), "the controller waits for its CRDs");
        const crds = e.get(RELEASE, "ai-gateway-crds");
        const ctl = e.get(RELEASE, "ai-gateway-release");
        assert.deepEqual([eg.inputs.chart, eg.inputs.version, eg.inputs.namespace], ["oci://docker.io/envoyproxy/gateway-helm", "v1.8.3", "envoy-gateway-system"]);
        assert.deepEqual([crds.inputs.chart, crds.inputs.version], ["oci://docker.io/envoyproxy/ai-gateway-crds-helm", "v1.1.0"]);
        assert.deepEqual([ctl.inputs.chart, ctl.inputs.version, ctl.inputs.namespace], ["oci://docker.io/envoyproxy/ai-gateway-helm", "v1.1.0", "envoy-ai-gateway-system"]);
        assert.equal(egCrds.inputs.name, "envoy-gateway-crds");
        for (const r of [eg, crds, ctl]) {
            assert.equal(r.inputs.skipAwait, false, `${r.name} waits for readiness`);
            assert.equal(r.inputs.timeout, 600);
        }
        assert.ok(crds.dependsOn.includes("envoy-gateway-release"), "AI Gateway CRDs wait for Envoy Gateway");
        assert.ok(ctl.dependsOn.includes("ai-gateway-crds"), "the controller waits for its CRDs");
        assert.equal(eg.parent, "envoy-gateway");
    });

    it("Envoy Gateway values use the URL of the Redis Service and the Secret in its own namespace", async () => {
        const e = await evaluate(BUDGET);
        const values = e.get(RELEASE, "envoy-gateway-release").inputs.values as Values;
        const service = e.object("Service", "redis") as Values;
        assert.equal(values.config.envoyGateway.rateLimit.backend.redis.url, `${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${service.spec.ports[0].port}`);
        const auth = e.objects("Secret").find((s) => s.metadata.namespace === "envoy-gateway-system");
        assert.ok(auth, "a Secret for REDIS_AUTH in the Envoy Gateway namespace");
        const ref = values.config.envoyGateway.provider.kubernetes.rateLimitDeployment.container.env[0].valueFrom.secretKeyRef;
        assert.equal(ref.name, auth.metadata.name);
        assert.ok(Object.keys(redactSecrets(auth.stringData) as object).includes(ref.key));
        assert.ok(e.get(RELEASE, "envoy-gateway-release").dependsOn.includes("envoy-gateway-redis-auth"));
    });

    it("Redis: namespace, secret password, deployment, service and a policy letting only ratelimit pods in", async () => {
        const e = await evaluate(BUDGET);
        assert.deepEqual(e.objects("Namespace").map((n) => n.metadata.name).sort(), ["ai-gateway", "envoy-ai-gateway-system", "envoy-gateway-system", "redis-system"]);
        const np = e.object("NetworkPolicy", "redis-allow-ratelimit") as Values;
        assert.deepEqual(np.spec.ingress[0].from, [
            {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "envoy-ratelimit" } },
            },
        ]);
        assert.deepEqual(np.spec.podSelector.matchLabels, e.object("Deployment", "redis").spec.selector && (e.object("Deployment", "redis") as Values).spec.selector.matchLabels);
        assert.ok(!JSON.stringify(e.resources.filter((r) => r.type !== "kubernetes:core/v1:Secret").map((r) => r.inputs)).includes(MOCK_PASSWORD));
    });

    it("rate limiting off: no Redis and no rate-limit values", async () => {
        const e = await evaluate({ rateLimit: { enabled: false } });
        assert.equal(e.resources.filter((r) => r.name.startsWith("redis")).length, 0);
        const values = e.get(RELEASE, "envoy-gateway-release").inputs.values as Values;
        assert.equal(values.config.envoyGateway.rateLimit, undefined);
        assert.equal(values.config.envoyGateway.provider.kubernetes, undefined);
        assert.equal(e.outputs.redisUrl, undefined);
    });

    it("rate limiting on without a single budget: no Redis and no rate-limit service either", async () => {
        const e = await evaluate({ rateLimit: { enabled: true } });
        assert.equal(e.resources.filter((r) => r.name.startsWith("redis")).length, 0);
        const values = e.get(RELEASE, "envoy-gateway-release").inputs.values as Values;
        assert.equal(values.config.envoyGateway.rateLimit, undefined, "Envoy Gateway deploys its rate-limit service whenever rateLimit is set");
        assert.equal(e.outputs.redisUrl, undefined);
        const withBudget = await evaluate(BUDGET);
        assert.ok((withBudget.get(RELEASE, "envoy-gateway-release").inputs.values as Values).config.envoyGateway.rateLimit);
    });

    it("an existing Redis: its URL in the values, its password from apiKeys, no Redis objects", async () => {
        const e = await evaluate({
            ...BUDGET,
            platform: { redis: { install: false, host: "redis.shared.svc.cluster.local", port: 6380, passwordSecret: "redis" } },
            apiKeys: { redis: "known-redis-password" },
        });
        assert.equal(e.all("ai-gateway:platform:Redis").length, 0);
        const values = e.get(RELEASE, "envoy-gateway-release").inputs.values as Values;
        assert.equal(values.config.envoyGateway.rateLimit.backend.redis.url, "redis.shared.svc.cluster.local:6380");
        assert.ok(!JSON.stringify(values).includes("known-redis-password"));
        assert.equal(await valueOf(e.outputs.redisUrl!), "redis.shared.svc.cluster.local:6380");
    });

    it("install: false skips a release and everything else still builds", async () => {
        const e = await evaluate({ ...BUDGET, platform: { envoyGateway: { install: false }, aiGateway: { install: false } } });
        assert.equal(e.all(RELEASE).length, 0);
        assert.deepEqual(e.objects("Namespace").map((n) => n.metadata.name).sort(), ["ai-gateway", "redis-system"]);
        assert.ok(e.all("ai-gateway:platform:Redis").length === 1);
    });

    it("the AI Gateway controller installs without Envoy Gateway when that is already on the cluster", async () => {
        const e = await evaluate({ platform: { envoyGateway: { install: false } } });
        assert.deepEqual(e.get(RELEASE, "ai-gateway-crds").dependsOn, ["ai-gateway-namespace"]);
    });

    it("an explicit Kubernetes provider reaches every Kubernetes object, the Helm releases included", async () => {
        const e = await evaluate({ ...BUDGET, observability: { dashboard: { enabled: true } } }, () => ({ providers: { kubernetes: new k8s.Provider("cluster", { context: "kind-other" }) } }));
        const kube = e.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        assert.ok(kube.length > 20 && kube.some((r) => r.type === RELEASE), `${kube.length} Kubernetes resources`);
        assert.deepEqual(kube.filter((r) => r.provider !== "cluster").map((r) => `${r.type} ${r.name}`), []);
        const without = await evaluate(BUDGET);
        assert.deepEqual(without.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.provider !== null).map((r) => r.name), [], "no provider given: the default one");
    });

    it("stack outputs name namespaces and how to reach the gateway, and hold no secret", async () => {
        const e = await evaluate({ ...BUDGET, apiKeys: { openai: "sk-known-output" } });
        assert.deepEqual(e.outputs.namespaces, { envoyGateway: "envoy-gateway-system", aiGateway: "envoy-ai-gateway-system", redis: "redis-system", gateway: "ai-gateway" });
        assert.equal(e.outputs.gatewayName, "ai-gateway");
        assert.match(e.outputs.gatewayAddressCommand, /kubectl get gateway ai-gateway -n ai-gateway/);
        assert.deepEqual(e.outputs.models, ["m"]);
        assert.match(e.outputs.firstCallCommand!, /"model":"m"/);
        assert.ok(!JSON.stringify(e.outputs).includes("sk-known-output"));
        assert.equal(await valueOf(e.outputs.redisUrl!), "redis.redis-system.svc.cluster.local:6379");
    });
});
