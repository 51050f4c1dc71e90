import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { GatewayCore } from "../components/gatewayCore";
import type { ClientTrafficPolicySpec, EnvoyProxySpec, GatewayConfigSpec, GatewaySpec } from "../specs";
import { parseConfig } from "../plan";
import { gatewayNames } from "../plan/names";
import { settle } from "../scripts/mocks";
import { evaluate, stackFileConfig, valueOf } from "./harness";
import { mocks } from "./setup";

const TYPE = {
    component: "ai-gateway:gateway:GatewayCore",
    namespace: "kubernetes:core/v1:Namespace",
    gatewayClass: "kubernetes:gateway.networking.k8s.io/v1:GatewayClass",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    envoyProxy: "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy",
    clientTraffic: "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy",
    gatewayConfig: "kubernetes:aigateway.envoyproxy.io/v1beta1:GatewayConfig",
};
const https = { name: "https", protocol: "HTTPS", port: 443, tls: { certificateRefs: [{ name: "ai-gateway-tls" }] } };
const http = { name: "http", protocol: "HTTP", port: 80 };

/** Something for the GatewayConfig to carry: without extProc settings there is none (see gatewayConfigManifest). */
const EXTPROC = { gatewayConfig: { extProc: { env: [{ name: "LOG_LEVEL", value: "info" }] } } };

describe("GatewayCore component", () => {
    it("creates the namespace and the five custom resources as its children, named <component>-<role>", async () => {
        const e = await evaluate({ gateway: EXTPROC });
        assert.equal(e.get(TYPE.component, "gateway-core").parent, "ai-gateway", "a child of the AiGateway component");
        const children = e.resources.filter((r) => r.parent === "gateway-core").map((r) => `${r.type} ${r.name}`).sort();
        assert.deepEqual(children, [
            `${TYPE.gatewayConfig} gateway-core-config`,
            `${TYPE.namespace} gateway-core-namespace`,
            `${TYPE.clientTraffic} gateway-core-client-traffic`,
            `${TYPE.envoyProxy} gateway-core-envoy-proxy`,
            `${TYPE.gatewayClass} gateway-core-class`,
            `${TYPE.gateway} gateway-core-gateway`,
        ].sort());
        e.object("Namespace", "ai-gateway");
        for (const kind of ["Gateway", "EnvoyProxy", "ClientTrafficPolicy", "GatewayConfig"]) {
            assert.equal(e.objects(kind)[0].metadata.namespace, "ai-gateway", kind);
        }
        assert.equal(e.objects("GatewayClass")[0].metadata.namespace, undefined, "GatewayClass is cluster-scoped");
    });

    it("each resource waits for the release installing its CRD; namespaced ones for the namespace", async () => {
        const e = await evaluate({ gateway: EXTPROC });
        const deps = (type: string, name: string) => e.get(type, name).dependsOn;
        assert.deepEqual(deps(TYPE.gatewayClass, "gateway-core-class"), ["envoy-gateway-crds", "envoy-gateway-release"]);
        assert.deepEqual(deps(TYPE.envoyProxy, "gateway-core-envoy-proxy"), ["envoy-gateway-crds", "envoy-gateway-release", "gateway-core-namespace"]);
        assert.deepEqual(deps(TYPE.clientTraffic, "gateway-core-client-traffic"), ["envoy-gateway-crds", "envoy-gateway-release", "gateway-core-namespace"]);
        assert.deepEqual(deps(TYPE.gatewayConfig, "gateway-core-config"), ["ai-gateway-crds", "ai-gateway-release", "envoy-gateway-crds", "envoy-gateway-release", "gateway-core-namespace"]);
    });

    it("the Gateway waits for the AI Gateway controller (its pod webhook) and for everything its pods read", async () => {
        const e = await evaluate({ gateway: EXTPROC });
        assert.deepEqual(e.get(TYPE.gateway, "gateway-core-gateway").dependsOn, [
            "ai-gateway-crds",
            "ai-gateway-release",
            "envoy-gateway-crds",
            "envoy-gateway-release",
            "gateway-core-class",
            "gateway-core-config",
            "gateway-core-envoy-proxy",
            "gateway-core-namespace",
        ]);
    });

    it("platform installed elsewhere: only the program's own objects are waited for", async () => {
        const e = await evaluate({ platform: { envoyGateway: { install: false }, aiGateway: { install: false } }, gateway: EXTPROC });
        assert.deepEqual(e.get(TYPE.gateway, "gateway-core-gateway").dependsOn, ["gateway-core-class", "gateway-core-config", "gateway-core-envoy-proxy", "gateway-core-namespace"]);
        assert.deepEqual(e.get(TYPE.gatewayClass, "gateway-core-class").dependsOn, []);
    });

    it("the GatewayClass names the controller Envoy Gateway is installed with, also when the values change it", async () => {
        const e = await evaluate({ platform: { envoyGateway: { values: { config: { envoyGateway: { gateway: { controllerName: "example.com/llm-gateway" } } } } } } });
        assert.equal(e.object("GatewayClass", "ai-gateway").spec.controllerName, "example.com/llm-gateway");
        const values = e.get("kubernetes:helm.sh/v3:Release", "envoy-gateway-release").inputs.values as { config: { envoyGateway: { gateway: { controllerName: string } } } };
        assert.equal(values.config.envoyGateway.gateway.controllerName, "example.com/llm-gateway");
    });
});

describe("GatewayCore toggles", () => {
    it("envoyProxy.enabled: false → no EnvoyProxy, no parametersRef, nothing waits for it", async () => {
        const e = await evaluate({ gateway: { envoyProxy: { enabled: false } } });
        assert.equal(e.objects("EnvoyProxy").length, 0);
        assert.equal(e.object("Gateway", "ai-gateway").spec.infrastructure, undefined);
        assert.ok(!e.get(TYPE.gateway, "gateway-core-gateway").dependsOn.includes("gateway-core-envoy-proxy"));
    });

    it("pulumi up waits for the Gateway to be Programmed, unless waitUntilProgrammed is false", async () => {
        const waiting = await evaluate({});
        assert.deepEqual((waiting.objects("Gateway")[0].metadata as { annotations?: Record<string, string> }).annotations, { "pulumi.com/waitFor": "condition=Programmed" });
        const e = await evaluate({ gateway: { waitUntilProgrammed: false, gatewayConfig: EXTPROC.gatewayConfig } });
        assert.deepEqual((e.objects("Gateway")[0].metadata as { annotations?: Record<string, string> }).annotations, { "aigateway.envoyproxy.io/gateway-config": "ai-gateway-config" });
    });

    it("gatewayConfig.enabled: false → no GatewayConfig and no annotation", async () => {
        const e = await evaluate({ gateway: { waitUntilProgrammed: false, gatewayConfig: { enabled: false } } });
        assert.equal(e.objects("GatewayConfig").length, 0);
        const metadata = e.objects("Gateway")[0].metadata as Record<string, unknown>;
        assert.equal(metadata.annotations, undefined);
        assert.ok(!e.get(TYPE.gateway, "gateway-core-gateway").dependsOn.includes("gateway-core-config"));
    });

    it("gatewayClass.enabled: false → the Gateway uses an existing class by name", async () => {
        const e = await evaluate({ gateway: { className: "eg", gatewayClass: { enabled: false } } });
        assert.equal(e.objects("GatewayClass").length, 0);
        assert.equal(e.object("Gateway", "ai-gateway").spec.gatewayClassName, "eg");
        assert.ok(!e.get(TYPE.gateway, "gateway-core-gateway").dependsOn.includes("gateway-core-class"));
    });

    it("clientTraffic.enabled: false → no ClientTrafficPolicy", async () => {
        const e = await evaluate({ gateway: { clientTraffic: { enabled: false } } });
        assert.equal(e.objects("ClientTrafficPolicy").length, 0);
        assert.equal(e.objects("Gateway").length, 1);
    });

    it("enabled: false → an existing Gateway: no Gateway, no namespace; the rest attaches to it by name", async () => {
        const e = await evaluate({ gateway: { enabled: false, name: "shared", namespace: "edge" } });
        assert.equal(e.objects("Gateway").length, 0);
        assert.equal(e.all(TYPE.namespace).filter((n) => n.parent === "gateway-core").length, 0);
        const ctp = e.object("ClientTrafficPolicy", "shared-client-traffic");
        assert.deepEqual(ctp.spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "shared" }]);
        assert.deepEqual(e.get(TYPE.clientTraffic, "gateway-core-client-traffic").dependsOn, ["envoy-gateway-crds", "envoy-gateway-release"]);
    });

    it("redirectToHttps → an HTTPRoute on the HTTP listener, after the Gateway", async () => {
        const e = await evaluate({ gateway: { listeners: [http, https], redirectToHttps: true } });
        const route = e.object("HTTPRoute", "ai-gateway-https-redirect");
        assert.deepEqual(route.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway", sectionName: "http" }]);
        assert.ok(e.get(TYPE.httpRoute, "gateway-core-https-redirect").dependsOn.includes("gateway-core-gateway"));
        assert.equal((await evaluate({ gateway: { listeners: [http, https] } })).objects("HTTPRoute").length, 0);
    });
});

describe("GatewayCore namespace", () => {
    it("is created unless it is default", async () => {
        const e = await evaluate({ gateway: { namespace: "default" } });
        assert.equal(e.all(TYPE.namespace).filter((n) => n.parent === "gateway-core").length, 0);
        assert.equal(e.objects("Gateway")[0].metadata.namespace, "default");
        assert.ok(!e.get(TYPE.gateway, "gateway-core-gateway").dependsOn.includes("gateway-core-namespace"));
    });

    it("a namespace of its own is created once, with the configured name", async () => {
        const e = await evaluate({ gateway: { namespace: "llm-edge" } });
        assert.deepEqual(e.get(TYPE.namespace, "gateway-core-namespace").inputs.metadata, { name: "llm-edge" });
        assert.equal(e.objects("Namespace").filter((n) => n.metadata.name === "llm-edge").length, 1);
    });
});

describe("GatewayCore outputs", () => {
    const build = async (raw: Record<string, unknown>) => {
        mocks.reset();
        const config = parseConfig({ gateway: raw }).gateway;
        const core = new GatewayCore("core", { config, names: gatewayNames(config), controllerName: "gateway.envoyproxy.io/gatewayclass-controller", platform: { envoyGateway: [], aiGateway: [] }, aiGatewayController: [] });
        await settle();
        return core;
    };
    const values = async (core: GatewayCore) =>
        valueOf(pulumi.all([core.gatewayName, core.namespace, core.gatewayClassName, core.envoyProxyName, core.serviceAccountName, core.gatewayConfigName]));

    it("name what other components attach to", async () => {
        const core = await build({ name: "edge", namespace: "llm", className: "llm-class", envoyProxy: { serviceAccountName: "ai-gateway-dataplane-aws" }, ...EXTPROC });
        assert.deepEqual(await values(core), ["edge", "llm", "llm-class", "edge", "ai-gateway-dataplane-aws", "edge-config"]);
        assert.deepEqual(core.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge", namespace: "llm" }]);
        assert.ok(core.gateway);
    });

    it("leave out what is switched off", async () => {
        const core = await build({ enabled: false, envoyProxy: { enabled: false, serviceAccountName: "unused" }, gatewayConfig: { enabled: false } });
        assert.deepEqual(await values(core), ["ai-gateway", "ai-gateway", "ai-gateway", undefined, undefined, undefined]);
        assert.equal(core.gateway, undefined);
    });
});

describe("gateway core of the dev and prod stacks", () => {
    // Recorded inputs are the manifests the builders typed.
    const specs = async (stack: string) => {
        const e = await evaluate(stackFileConfig(stack));
        return {
            gateway: e.object("Gateway", "ai-gateway").spec as unknown as GatewaySpec,
            proxy: e.object("EnvoyProxy", "ai-gateway").spec as unknown as EnvoyProxySpec,
            clientTraffic: e.object("ClientTrafficPolicy", "ai-gateway-client-traffic").spec as unknown as ClientTrafficPolicySpec,
            // dev has no extProc settings, so no GatewayConfig.
            gatewayConfig: e.objects("GatewayConfig")[0]?.spec as unknown as GatewayConfigSpec,
        };
    };

    it("dev: one replica, HTTP only, a NodePort Service a kind cluster can serve", async () => {
        const { gateway, proxy } = await specs("dev");
        assert.deepEqual(gateway.listeners, [{ name: "http", protocol: "HTTP", port: 80 }]);
        const k8s = proxy.provider?.kubernetes;
        assert.equal(k8s?.envoyDeployment?.replicas, 1);
        assert.equal(k8s?.envoyService?.type, "NodePort");
        assert.equal(k8s?.envoyHpa, undefined);
    });

    it("prod: HTTP and HTTPS, 3 spread replicas, PDB, HPA, requests and limits, TLS 1.2+, warn logging", async () => {
        const { gateway, proxy, clientTraffic, gatewayConfig } = await specs("prod");
        assert.deepEqual(gateway.listeners.map((l) => [l.name, l.protocol, l.port]), [["http", "HTTP", 80], ["https", "HTTPS", 443]]);
        assert.deepEqual(gateway.listeners[1].tls?.certificateRefs, [{ kind: "Secret", name: "ai-gateway-tls" }]);
        const k8s = proxy.provider?.kubernetes;
        const deployment = k8s?.envoyDeployment;
        // With the HPA on, Envoy Gateway would re-apply a fixed count on every reconcile: the HPA's floor carries it.
        assert.equal(deployment?.replicas, undefined);
        assert.ok(deployment?.pod?.affinity?.podAntiAffinity);
        assert.ok(deployment?.container?.resources?.requests?.cpu && deployment.container.resources.limits?.memory);
        assert.deepEqual(k8s?.envoyHpa, { minReplicas: 3, maxReplicas: 10 });
        assert.deepEqual(k8s?.envoyPDB, { maxUnavailable: 1 });
        assert.deepEqual(proxy.logging, { level: { default: "warn" } });
        assert.equal(clientTraffic.tls?.minVersion, "1.2");
        assert.ok(gatewayConfig.extProc?.kubernetes?.resources?.requests?.cpu, "HPA needs CPU requests on the extProc too");
    });
});
