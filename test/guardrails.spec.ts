import * as assert from "node:assert/strict";
import { parseConfig } from "../plan";
import { buildPlan } from "../plan/plan";
import { GUARDRAIL_FILTER_ORDER, guardrailRequestBuffer } from "../plan/guardrails";
import { guardrailManifests } from "../components/manifests/guardrails";
import { configProblems, customResources, evaluate, WITH_BUDGET } from "./harness";
import { validateManifest, type ManifestObject } from "./support/conformance";

/** Two backends, three models on two route buckets, and the guardrails given. */
function withGuardrails(guardrails: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        backends: WITH_BUDGET.backends,
        models: {
            "gpt-4o": { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] },
            "gpt-4o-mini": { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] },
            llama: { backends: [{ backend: "b" }, { backend: "a", priority: 1 }], retry: { numRetries: 1 } },
        },
        guardrails,
        ...extra,
    };
}

const PII = { service: { name: "presidio-guard", namespace: "guardrails", port: 50051 }, phases: ["request", "response"], timeout: "300ms" };

describe("guardrails: external processors on every model route", () => {
    it("defaults to the request phase, 200ms, failing closed, every model", () => {
        const c = parseConfig(withGuardrails({ pii: { service: { name: "guard", port: 9002 } } }));
        assert.deepEqual(c.guardrails.pii, { service: { name: "guard", port: 9002 }, phases: ["request"], timeout: "200ms", failOpen: false });
        assert.deepEqual(c.warnings, []);
        const plan = buildPlan(c);
        assert.deepEqual(plan.guardrails, [{ name: "pii", service: { name: "guard", namespace: "ai-gateway", port: 9002 }, phases: ["request"], timeout: "200ms", failOpen: false }]);
    });

    it("refuses what would not work, each problem with its path and fix, all at once", () => {
        assert.deepEqual(
            configProblems(
                withGuardrails({
                    pii: { service: { name: "Guard", port: 0 }, phases: [], timeout: "2m", models: ["gpt-4o", "gpt4o"] },
                    twice: { service: { name: "guard", port: 9002 }, phases: ["request", "request"], failOpen: "no" },
                }),
            ),
            [
                "guardrails.pii.service.name: is not a DNS-1123 label; use lower-case letters, digits and '-', starting and ending with a letter or digit",
                "guardrails.pii.service.port: is out of range; use a port from 1 to 65535",
                "guardrails.pii.phases: is empty; list request, response or both",
                "guardrails.pii.timeout: 2m is outside 1ms to 60s; use the time the guard needs for one message, e.g. 200ms",
                "guardrails.twice.phases: lists request twice; list each phase once",
                'guardrails.twice.failOpen: must be true or false, got string "no"; change it to true or false',
            ],
        );
        // Names and the count are checked once every entry parsed.
        const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`g${i}`, { service: { name: "guard", port: 9002 } }]));
        assert.deepEqual(configProblems(withGuardrails({ ...many, Bad_Name: { service: { name: "guard", port: 9002 } } })), [
            "guardrails: has 18 guardrails, more than the 16 external processors Envoy Gateway takes in one policy; combine some guards behind one service",
            "guardrails.Bad_Name: is not a guardrail name; use at most 63 lower-case letters, digits and '-' (a DNS label), e.g. pii",
        ]);
    });

    it("refuses an unknown model with a suggestion, and a list that leaves models out, with the reason", () => {
        const problems = configProblems(withGuardrails({ pii: { ...PII, models: ["gpt-4o", "gpt4o-mini"] } }));
        assert.equal(problems.length, 2, problems.join("\n"));
        assert.match(problems[0], /^guardrails\.pii\.models\[1\]: no model "gpt4o-mini"; .*"gpt-4o-mini"/);
        assert.match(
            problems[1],
            /^guardrails\.pii\.models: leaves out gpt-4o-mini, llama; a guard runs before the AI Gateway has read the model from the body, while every request is on the same route whatever its model, so a guardrail runs for every model or none \(docs\/guardrails\.md\); leave models out \(every model\) or list every model$/,
        );
        assert.deepEqual(configProblems(withGuardrails({ pii: { ...PII, models: ["gpt-4o", "gpt-4o", "gpt-4o-mini", "llama"] } })), ['guardrails.pii.models[1]: lists "gpt-4o" twice; list each model once']);
        // Listing every model is accepted.
        assert.equal(parseConfig(withGuardrails({ pii: { ...PII, models: ["llama", "gpt-4o-mini", "gpt-4o"] } })).guardrails.pii.models?.length, 3);
    });

    it("checks the guard's Service with every other target: no platform namespace, not the API server", () => {
        assert.deepEqual(configProblems(withGuardrails({ pii: { service: { name: "guard", namespace: "envoy-gateway-system", port: 9002 } } })), [
            'guardrails.pii.service.namespace: "envoy-gateway-system" holds Envoy Gateway (platform.envoyGateway.namespace): a guard there (and a ReferenceGrant into it) would send every prompt into the platform\'s own namespace; run the guard in a namespace of its own',
        ]);
        assert.deepEqual(configProblems(withGuardrails({ pii: { service: { name: "kubernetes", namespace: "default", port: 443 } } })), [
            'guardrails.pii.service.name: "kubernetes" is the Kubernetes API server; a guardrail must not lead there',
        ]);
    });

    it("warns when it fails open, guards no model, or cannot set the filter order", () => {
        assert.deepEqual(parseConfig(withGuardrails({ pii: { ...PII, failOpen: true } })).warnings, [
            "guardrails.pii.failOpen: is true: while the guard is down or slower than its timeout, requests reach the models unguarded; set failOpen: false to refuse them instead",
        ]);
        assert.deepEqual(parseConfig({ guardrails: { pii: PII } }).warnings.filter((w) => w.startsWith("guardrails")), [
            "guardrails.pii: guards the model routes, and there is no model, so it guards nothing; add a model, or remove the guardrail",
        ]);
        const own = parseConfig(withGuardrails({ pii: PII }, { gateway: { envoyProxy: { enabled: false } } })).warnings;
        assert.ok(own.some((w) => w.startsWith("gateway.envoyProxy.enabled: is false, so the program cannot set the filter order the guardrails need") && w.includes("{name: envoy.filters.http.ext_proc, before: envoy.filters.http.buffer}")), own.join("\n"));
    });

    it("builds one policy: a processor per guardrail in name order on every model route, a ReferenceGrant per other namespace", () => {
        const c = parseConfig(
            withGuardrails({
                pii: PII,
                injection: { service: { name: "nemo", port: 8000 }, failOpen: true, timeout: "1s" },
                toxicity: { service: { name: "tox", namespace: "guardrails", port: 9000 }, phases: ["response"] },
            }),
        );
        const m = guardrailManifests({ gateway: { name: "ai-gateway", namespace: "ai-gateway" }, routeNames: ["ai-gateway-models-02", "ai-gateway-models-01"], guardrails: buildPlan(c).guardrails });
        assert.deepEqual(m.policy, {
            apiVersion: "gateway.envoyproxy.io/v1alpha1",
            kind: "EnvoyExtensionPolicy",
            metadata: { name: "ai-gateway-guardrails", namespace: "ai-gateway" },
            spec: {
                targetRefs: [
                    { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "ai-gateway-models-01" },
                    { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "ai-gateway-models-02" },
                ],
                extProc: [
                    {
                        backendRefs: [{ group: "", kind: "Service", name: "nemo", port: 8000 }],
                        messageTimeout: "1s",
                        failOpen: true,
                        processingMode: { request: { body: "Buffered" } },
                    },
                    {
                        backendRefs: [{ group: "", kind: "Service", name: "presidio-guard", namespace: "guardrails", port: 50051 }],
                        messageTimeout: "300ms",
                        failOpen: false,
                        processingMode: { request: { body: "Buffered" }, response: { body: "Buffered" } },
                    },
                    {
                        backendRefs: [{ group: "", kind: "Service", name: "tox", namespace: "guardrails", port: 9000 }],
                        messageTimeout: "200ms",
                        failOpen: false,
                        processingMode: { response: { body: "Buffered" } },
                    },
                ],
            },
        });
        assert.deepEqual(m.referenceGrants, [
            {
                apiVersion: "gateway.networking.k8s.io/v1beta1",
                kind: "ReferenceGrant",
                metadata: { name: "ai-gateway-guardrails", namespace: "guardrails" },
                spec: {
                    from: [{ group: "gateway.envoyproxy.io", kind: "EnvoyExtensionPolicy", namespace: "ai-gateway" }],
                    to: [
                        { group: "", kind: "Service", name: "presidio-guard" },
                        { group: "", kind: "Service", name: "tox" },
                    ],
                },
            },
        ]);
        for (const o of [m.policy!, ...m.referenceGrants]) assert.deepEqual(validateManifest(o as unknown as ManifestObject), [], `${o.kind} against the pinned CRD`);
        assert.deepEqual(guardrailManifests({ gateway: { name: "g", namespace: "n" }, routeNames: [], guardrails: buildPlan(c).guardrails }), { referenceGrants: [] });
    });

    it("runs in the stack: the policy on every generated route, the guards before the AI Gateway (filter order, request buffer)", async () => {
        const e = await evaluate(withGuardrails({ pii: PII }, { gateway: { name: "ai-gateway", namespace: "ai-gateway", clientTraffic: { bufferLimit: "20Mi" } } }));
        const routes = e.objects("AIGatewayRoute").map((r) => r.metadata.name).sort();
        assert.ok(routes.length >= 2, "the models use more than one route");
        const policy = e.object("EnvoyExtensionPolicy", "ai-gateway-guardrails");
        assert.deepEqual((policy.spec.targetRefs as { name: string }[]).map((t) => t.name), routes);
        assert.equal(e.objects("ReferenceGrant").filter((g) => g.metadata.name === "ai-gateway-guardrails").length, 1);
        const proxy = e.objects("EnvoyProxy")[0];
        assert.deepEqual(proxy.spec.filterOrder, GUARDRAIL_FILTER_ORDER);
        // Every route's policy asks for request buffering, so that the buffer filter the order relies on exists.
        const policies = e.objects("BackendTrafficPolicy").filter((p) => (p.spec.targetRefs as { kind: string }[])[0].kind === "HTTPRoute");
        assert.ok(policies.length >= routes.length);
        for (const p of policies) assert.deepEqual(p.spec.requestBuffer, { limit: String(20 * 1024 ** 2) }, p.metadata.name);
        assert.deepEqual(customResources(e).flatMap(validateManifest), [], "every object against the pinned CRDs");

        // Without guardrails none of it.
        const plain = await evaluate(withGuardrails({}, { gateway: { name: "ai-gateway", namespace: "ai-gateway" } }));
        assert.equal(plain.objects("EnvoyExtensionPolicy").length, 0);
        assert.equal(plain.objects("EnvoyProxy")[0].spec.filterOrder, undefined);
        assert.ok(plain.objects("BackendTrafficPolicy").every((p) => p.spec.requestBuffer === undefined));
    });

    it("sizes the request buffer from the connection buffer, within requestBuffer's bounds", () => {
        const ct = (clientTraffic: Record<string, unknown>) => parseConfig({ gateway: { clientTraffic } }).gateway;
        assert.deepEqual(guardrailRequestBuffer(ct({})), { limit: String(50 * 1024 ** 2) });
        assert.deepEqual(guardrailRequestBuffer(ct({ bufferLimit: "1Gi" })), { limit: String(256 * 1024 ** 2) });
        assert.deepEqual(guardrailRequestBuffer(ct({ enabled: false })), { limit: String(32 * 1024) });
    });
});
