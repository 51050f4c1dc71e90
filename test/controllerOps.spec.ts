import * as assert from "node:assert/strict";
import { parseConfig } from "../plan";
import { typedControllerValues, typedValuesTree } from "../plan/controller";
import { aiGatewayValues } from "../plan/chartValues";
import { configProblems, evaluate } from "./harness";

// platform.aiGateway.controller and rateLimit.quotaFailClosed: typed values of ai-gateway-helm, under the
// untyped platform.aiGateway.values, which win with a warning.

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const local = (name: string) => ({ schema: "OpenAI", hostname: `${name}.default.svc.cluster.local`, port: 80 });
const withQuotas = (extra: Record<string, unknown>) => ({
    backends: { openai: { ...local("openai"), quotas: { "gpt-4o": [{ limit: 1000, window: "1m" }] } }, spare: local("spare") },
    models: { gpt: { backends: [{ backend: "openai", model: "gpt-4o" }, { backend: "spare", model: "gpt-4o", priority: 1 }] } },
    ...extra,
});

describe("platform.aiGateway.controller: typed controller operations", () => {
    const controller = {
        replicas: 2,
        podDisruptionBudget: { minAvailable: 1 },
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
        logLevel: "debug",
        logFormat: "json",
    };

    it("becomes the chart values replicaCount, podDisruptionBudget, resources, logLevel and logFormat", async () => {
        const e = await evaluate({ platform: { aiGateway: { controller } } });
        const values = e.get(RELEASE, "ai-gateway-release").inputs.values as Values;
        assert.equal(values.controller.replicaCount, 2);
        assert.deepEqual(values.controller.podDisruptionBudget, { enabled: true, minAvailable: 1 });
        assert.deepEqual(values.controller.resources, controller.resources);
        assert.equal(values.controller.logLevel, "debug");
        assert.equal(values.controller.logFormat, "json");
        assert.deepEqual(parseConfig({ platform: { aiGateway: { controller } } }).warnings, []);
        // maxUnavailable: the chart reads it whenever the key exists.
        const max = typedValuesTree(typedControllerValues({ controller: { podDisruptionBudget: { maxUnavailable: 1 } } }));
        assert.deepEqual(max, { controller: { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } } });
        // Nothing set: the chart's defaults stay.
        assert.deepEqual(typedControllerValues({ controller: {} }), []);
    });

    it("the untyped values win, with a warning naming the typed key they override", () => {
        const c = parseConfig({ platform: { aiGateway: { controller: { replicas: 2, logLevel: "warn" }, values: { controller: { replicaCount: 3, podAnnotations: { a: "b" } } } } } });
        assert.deepEqual(c.warnings, [
            "platform.aiGateway.values.controller.replicaCount: overrides platform.aiGateway.controller.replicas, which sets the same chart value; the value here wins: remove one of them",
        ]);
        const values = aiGatewayValues({
            envoyGatewayNamespace: "eg",
            typedValues: typedValuesTree(typedControllerValues({ controller: c.platform.aiGateway.controller })),
            userValues: c.platform.aiGateway.values,
        }) as Values;
        assert.equal(values.controller.replicaCount, 3);
        assert.equal(values.controller.logLevel, "warn");
        // A user value replacing a whole section overrides every typed key under it.
        const section = parseConfig({ platform: { aiGateway: { controller: { podDisruptionBudget: { maxUnavailable: 1 } }, values: { controller: { podDisruptionBudget: null } } } } });
        assert.deepEqual(section.warnings, [
            "platform.aiGateway.values.controller.podDisruptionBudget.enabled: overrides platform.aiGateway.controller.podDisruptionBudget, which sets the same chart value; the value here wins: remove one of them",
            "platform.aiGateway.values.controller.podDisruptionBudget.maxUnavailable: overrides platform.aiGateway.controller.podDisruptionBudget.maxUnavailable, which sets the same chart value; the value here wins: remove one of them",
        ]);
    });

    it("refuses what the controller cannot take, all at once", () => {
        assert.deepEqual(
            configProblems({ platform: { aiGateway: { controller: { replicas: 0, podDisruptionBudget: { minAvailable: 1, maxUnavailable: 1 }, logLevel: "trace", logFormat: "xml", resources: { requests: { cpu: "lots" } } } } } }).length,
            5,
        );
        assert.deepEqual(configProblems({ platform: { aiGateway: { controller: { replicas: 11, podDisruptionBudget: {} } } } }), [
            "platform.aiGateway.controller.replicas: is above 10; use at most 10 (one leads, the others stand by)",
            "platform.aiGateway.controller.podDisruptionBudget: sets neither minAvailable nor maxUnavailable; set exactly one, e.g. {maxUnavailable: 1}",
        ]);
        assert.deepEqual(configProblems({ platform: { aiGateway: { install: false, controller: { replicas: 2, logFormat: "json" } } } }), [
            "platform.aiGateway.controller.replicas: is set, but platform.aiGateway.install is false, so the program installs no controller to apply it to; remove it, and set it on your own installation",
            "platform.aiGateway.controller.logFormat: is set, but platform.aiGateway.install is false, so the program installs no controller to apply it to; remove it, and set it on your own installation",
        ]);
    });

    it("warns when the disruption budget admits no eviction", () => {
        assert.deepEqual(parseConfig({ platform: { aiGateway: { controller: { podDisruptionBudget: { minAvailable: 1 } } } } }).warnings, [
            "platform.aiGateway.controller.podDisruptionBudget: minAvailable: 1 with 1 replica admits no eviction, so every node drain waits on the controller forever; set replicas above minAvailable, or maxUnavailable: 1",
        ]);
        assert.equal(parseConfig({ platform: { aiGateway: { controller: { replicas: 2, podDisruptionBudget: { minAvailable: 1 } } } } }).warnings.length, 0);
        assert.equal(parseConfig({ platform: { aiGateway: { controller: { podDisruptionBudget: { maxUnavailable: 0 } } } } }).warnings.length, 1);
    });
});

describe("rateLimit.quotaFailClosed: the quota filter while the quota service is down", () => {
    it("becomes the controller's quotaRateLimitFailureModeDeny when quotas exist", async () => {
        for (const closed of [true, false]) {
            const e = await evaluate(withQuotas({ rateLimit: { quotaFailClosed: closed } }));
            const values = e.get(RELEASE, "ai-gateway-release").inputs.values as Values;
            assert.equal(values.controller.quotaRateLimitFailureModeDeny, closed);
        }
        const unset = await evaluate(withQuotas({}));
        assert.equal((unset.get(RELEASE, "ai-gateway-release").inputs.values as Values).controller.quotaRateLimitFailureModeDeny, undefined);
    });

    it("without quotas it does nothing: a warning, and no value", async () => {
        const raw = { ...withQuotas({ rateLimit: { quotaFailClosed: true } }), backends: { openai: local("openai"), spare: local("spare") } };
        assert.deepEqual(parseConfig(raw).warnings, [
            "rateLimit.quotaFailClosed: has no effect: no backend sets quotas, so there is no quota service to fail; remove it, or add quotas to a backend",
        ]);
        const e = await evaluate(raw);
        assert.equal(((e.get(RELEASE, "ai-gateway-release").inputs.values as Values).controller ?? {}).quotaRateLimitFailureModeDeny, undefined);
    });

    it("is an error without a controller to set it on, and a warning under a value that overrides it", () => {
        assert.deepEqual(configProblems(withQuotas({ rateLimit: { quotaFailClosed: true }, platform: { aiGateway: { install: false } } })), [
            "rateLimit.quotaFailClosed: sets the AI Gateway controller's quotaRateLimitFailureModeDeny, but platform.aiGateway.install is false, so the program installs no controller to set it on; remove it, and set controller.quotaRateLimitFailureModeDeny on your own installation",
        ]);
        assert.deepEqual(parseConfig(withQuotas({ rateLimit: { quotaFailClosed: true }, platform: { aiGateway: { values: { controller: { quotaRateLimitFailureModeDeny: false } } } } })).warnings, [
            "platform.aiGateway.values.controller.quotaRateLimitFailureModeDeny: overrides rateLimit.quotaFailClosed, which sets the same chart value; the value here wins: remove one of them",
        ]);
        assert.equal(configProblems({ rateLimit: { quotaFailClosed: "yes" } }).length, 1);
    });
});
