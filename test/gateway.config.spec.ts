import * as assert from "node:assert/strict";
import { parseConfig } from "../plan";
import { configProblems, WITH_BUDGET } from "./harness";

/** Raw config with only `ai-gateway:gateway` set. */
const gw = (gateway: Record<string, unknown>) => ({ gateway });
const proxy = (envoyProxy: Record<string, unknown>) => gw({ envoyProxy });
const https = (extra: Record<string, unknown> = {}) => ({ name: "https", protocol: "HTTPS", port: 443, tls: { certificateRefs: [{ name: "ai-gateway-tls" }] }, ...extra });
const http = { name: "http", protocol: "HTTP", port: 80 };

describe("config: ai-gateway:gateway defaults", () => {
    it("match the seed chart ai-gateway-core", () => {
        const g = parseConfig({}).gateway;
        assert.deepEqual([g.name, g.namespace, g.className, g.enabled, g.redirectToHttps], ["ai-gateway", "ai-gateway", "ai-gateway", true, false]);
        assert.deepEqual(g.listeners, [http]);
        assert.deepEqual(g.infrastructure, { enabled: true });
        assert.deepEqual(g.gatewayClass, { enabled: true, labels: {}, annotations: {} });
        const p = g.envoyProxy;
        assert.deepEqual([p.enabled, p.replicas, p.resources, p.env, p.volumeMounts], [true, 1, {}, [], []]);
        assert.deepEqual(p.pod, { labels: {}, annotations: {}, tolerations: [], nodeSelector: {}, volumes: [] });
        assert.deepEqual(p.service, { type: "LoadBalancer", annotations: {} });
        assert.deepEqual([p.hpa, p.pdb], [{ enabled: false }, { enabled: false }]);
        assert.deepEqual(p.logging, { level: "info" });
        assert.deepEqual(p.shutdown, { drainTimeout: "30s", minDrainDuration: "5s" });
        assert.deepEqual(p.telemetry, {});
        const c = g.clientTraffic;
        assert.deepEqual([c.enabled, c.bufferLimit, c.timeout, c.tls, c.headers, c.path, c.healthCheck], [true, "50Mi", {}, {}, {}, {}, undefined]);
        assert.deepEqual(g.gatewayConfig, { enabled: true, labels: {}, annotations: {}, extProc: { env: [], resources: {} } });
    });
});

describe("config: gateway listeners", () => {
    it("names are unique", () => {
        assert.deepEqual(configProblems(gw({ listeners: [http, { ...http, port: 8080 }] })), [
            'gateway.listeners[1].name: "http" is already the name of listeners[0]; give each listener its own name',
        ]);
    });

    it("ports are 1-65535", () => {
        assert.deepEqual(configProblems(gw({ listeners: [{ ...http, port: 0 }, { ...http, name: "b", port: 65536 }] })), [
            "gateway.listeners[0].port: is out of range; use a port from 1 to 65535",
            "gateway.listeners[1].port: is out of range; use a port from 1 to 65535",
        ]);
    });

    it("one port serves one protocol, and one listener per port and hostname", () => {
        assert.deepEqual(configProblems(gw({ listeners: [http, https({ port: 80 })] })), [
            "gateway.listeners[1].port: port 80 is already used by listeners[0] with protocol HTTP; use another port",
        ]);
        assert.deepEqual(configProblems(gw({ listeners: [http, { ...http, name: "again" }] })), [
            "gateway.listeners[1].port: listeners[0] already serves HTTP on port 80 without a hostname; use another port or hostname",
        ]);
        assert.doesNotThrow(() => parseConfig(gw({ listeners: [https({ hostname: "a.example.com" }), https({ name: "b", hostname: "b.example.com" })] })));
    });

    it("hostnames are DNS names, a leading wildcard label allowed", () => {
        assert.doesNotThrow(() => parseConfig(gw({ listeners: [{ ...http, hostname: "*.example.com" }] })));
        assert.deepEqual(configProblems(gw({ listeners: [{ ...http, hostname: "https://llm.example.com" }, { ...http, name: "b", port: 81, hostname: "*.-bad" }] })), [
            'gateway.listeners[0].hostname: "https://llm.example.com" is a URL, a host name belongs here; use "llm.example.com" (and set port/prefix separately)',
            'gateway.listeners[1].hostname: "*.-bad" is not a valid host name; use a DNS name such as llm.example.com or *.example.com',
        ]);
    });

    it("HTTPS needs certificateRefs, HTTP takes no TLS", () => {
        assert.deepEqual(configProblems(gw({ listeners: [{ name: "https", protocol: "HTTPS", port: 443 }] })), [
            "gateway.listeners[0].tls: is required for an HTTPS listener; name the TLS Secret, e.g. tls: {certificateRefs: [{name: ai-gateway-tls}]}",
        ]);
        assert.deepEqual(configProblems(gw({ listeners: [https({ tls: { certificateRefs: [] } })] })), [
            "gateway.listeners[0].tls.certificateRefs: is empty; name at least one TLS Secret, e.g. [{name: ai-gateway-tls}]",
        ]);
        assert.deepEqual(configProblems(gw({ listeners: [{ ...http, tls: { certificateRefs: [{ name: "x" }] } }] })), [
            "gateway.listeners[0].tls: is only for HTTPS listeners; remove it or set protocol: HTTPS",
        ]);
    });

    it("allowedRoutes selector goes with from: Selector", () => {
        assert.deepEqual(configProblems(gw({ listeners: [{ ...http, allowedRoutes: { namespaces: { from: "Selector" } } }] })), [
            "gateway.listeners[0].allowedRoutes.namespaces.selector: is required with from: Selector; set selector: {matchLabels: {...}}",
        ]);
        assert.deepEqual(configProblems(gw({ listeners: [{ ...http, allowedRoutes: { namespaces: { from: "All", selector: { matchLabels: { a: "b" } } } } }] })), [
            "gateway.listeners[0].allowedRoutes.namespaces.selector: is only used with from: Selector, not All; remove it or set from: Selector",
        ]);
    });

    it("redirectToHttps needs both protocols and the Gateway this program creates", () => {
        assert.deepEqual(configProblems(gw({ redirectToHttps: true })), [
            "gateway.redirectToHttps: needs an HTTP listener to redirect from and an HTTPS listener to redirect to; add the missing listener or set redirectToHttps: false",
        ]);
        assert.deepEqual(configProblems(gw({ redirectToHttps: true, enabled: false, listeners: [http, https()] })), [
            "gateway.redirectToHttps: needs the Gateway this program creates, but gateway.enabled is false; set redirectToHttps: false",
        ]);
    });
});

describe("config: gateway namespace and class", () => {
    it("refuses the Envoy Gateway namespace (no ext_proc there)", () => {
        assert.deepEqual(configProblems(gw({ namespace: "envoy-gateway-system" })), [
            'gateway.namespace: "envoy-gateway-system" is the Envoy Gateway namespace, where the AI Gateway does not add its ext_proc filter (envoyproxy/ai-gateway#1708); use a namespace of its own, e.g. ai-gateway',
        ]);
        assert.equal(configProblems({ platform: { envoyGateway: { install: false } }, gateway: { namespace: "envoy-gateway-system" } }).length, 1, "also when installed elsewhere");
    });

    it("refuses a namespace the platform creates, and allows it when the platform does not create it", () => {
        assert.deepEqual(configProblems(gw({ namespace: "envoy-ai-gateway-system" })), [
            'gateway.namespace: "envoy-ai-gateway-system" is also platform.aiGateway.namespace, which the program creates; use a namespace of its own, e.g. ai-gateway',
        ]);
        assert.deepEqual(configProblems({ ...WITH_BUDGET, ...gw({ namespace: "redis-system" }) }), [
            'gateway.namespace: "redis-system" is also platform.redis.namespace, which the program creates; use a namespace of its own, e.g. ai-gateway',
        ]);
        assert.doesNotThrow(() => parseConfig({ gateway: { namespace: "redis-system" }, rateLimit: { enabled: false } }));
        assert.doesNotThrow(() => parseConfig({ gateway: { namespace: "redis-system" } }), "no budget: no Redis of ours");
        assert.doesNotThrow(() => parseConfig({ gateway: { namespace: "envoy-ai-gateway-system" }, platform: { aiGateway: { install: false } } }));
        assert.doesNotThrow(() => parseConfig({ gateway: { namespace: "redis-system", enabled: false } }), "an existing Gateway brings no Namespace");
    });

    it("the class controller must be the one Envoy Gateway is installed with", () => {
        assert.deepEqual(configProblems(gw({ gatewayClass: { controllerName: "example.com/other" } })), [
            'gateway.gatewayClass.controllerName: "example.com/other" is not the controller Envoy Gateway is installed with ("gateway.envoyproxy.io/gatewayclass-controller"); remove the key, or set the same name in platform.envoyGateway.values config.envoyGateway.gateway.controllerName',
        ]);
        const values = { config: { envoyGateway: { gateway: { controllerName: "example.com/other" } } } };
        assert.doesNotThrow(() => parseConfig({ platform: { envoyGateway: { values } }, gateway: { gatewayClass: { controllerName: "example.com/other" } } }));
        assert.doesNotThrow(() => parseConfig({ platform: { envoyGateway: { install: false } }, gateway: { gatewayClass: { controllerName: "example.com/other" } } }));
        assert.deepEqual(configProblems(gw({ gatewayClass: { controllerName: "no-slash" } })), [
            "gateway.gatewayClass.controllerName: is not a controller name; use <domain>/<path>, e.g. gateway.envoyproxy.io/gatewayclass-controller",
        ]);
    });

    it("the gateway-config annotation is the program's while it creates the GatewayConfig", () => {
        assert.deepEqual(configProblems(gw({ annotations: { "aigateway.envoyproxy.io/gateway-config": "mine" } })), [
            'gateway.annotations["aigateway.envoyproxy.io/gateway-config"]: is set by the program to name the GatewayConfig it creates; remove it, or set gatewayConfig.enabled: false to name your own',
        ]);
        assert.doesNotThrow(() => parseConfig(gw({ annotations: { "aigateway.envoyproxy.io/gateway-config": "mine" }, gatewayConfig: { enabled: false } })));
        assert.deepEqual(configProblems(gw({ annotations: { "pulumi.com/waitFor": "condition=Ready" } })), [
            'gateway.annotations["pulumi.com/waitFor"]: is set by the program to wait until the Gateway is Programmed; remove it, or set waitUntilProgrammed: false to wait for something else',
        ]);
        assert.doesNotThrow(() => parseConfig(gw({ annotations: { "pulumi.com/waitFor": "condition=Ready" }, waitUntilProgrammed: false })));
    });

    it("waitUntilProgrammed is refused where there is no Gateway of the program's to wait for", () => {
        for (const value of [true, false]) {
            assert.deepEqual(configProblems(gw({ enabled: false, waitUntilProgrammed: value })), [
                "gateway.waitUntilProgrammed: does nothing while gateway.enabled is false: the program waits only for a Gateway it creates; remove it",
            ]);
        }
        assert.doesNotThrow(() => parseConfig(gw({ enabled: false })), "unset: nothing to refuse");
        assert.equal(parseConfig(gw({})).gateway.waitUntilProgrammed, undefined, "unset stays unset; waiting is the default");
    });
});

describe("config: EnvoyProxy", () => {
    it("replicas >= 1", () => {
        assert.deepEqual(configProblems(proxy({ replicas: 0 })), ["gateway.envoyProxy.replicas: must be at least 1; use 1 or more"]);
        assert.deepEqual(configProblems(proxy({ replicas: 1.5 })), ["gateway.envoyProxy.replicas: must be a whole number, got number 1.5; change it to a whole number"]);
    });

    it("HPA: maxReplicas is required and not below the minimum", () => {
        assert.deepEqual(configProblems(proxy({ hpa: { enabled: true } })), [
            "gateway.envoyProxy.hpa.maxReplicas: is required when hpa.enabled is true; set the most replicas the autoscaler may run, e.g. 10",
        ]);
        assert.deepEqual(configProblems(proxy({ replicas: 3, hpa: { enabled: true, maxReplicas: 2 } })), [
            "gateway.envoyProxy.hpa.maxReplicas: is 2, below replicas (3); raise maxReplicas to at least 3",
        ]);
        assert.deepEqual(configProblems(proxy({ hpa: { enabled: true, minReplicas: 4, maxReplicas: 2 } })), [
            "gateway.envoyProxy.hpa.maxReplicas: is 2, below hpa.minReplicas (4); raise maxReplicas to at least 4",
        ]);
        assert.deepEqual(configProblems(proxy({ hpa: { minReplicas: 0 } })), ["gateway.envoyProxy.hpa.minReplicas: must be at least 1; use 1 or more"]);
        assert.doesNotThrow(() => parseConfig(proxy({ replicas: 3, hpa: { enabled: true, maxReplicas: 3 } })));
    });

    it("PDB: one of minAvailable/maxUnavailable, and never blocking every eviction", () => {
        assert.deepEqual(configProblems(proxy({ replicas: 3, pdb: { enabled: true, minAvailable: 1, maxUnavailable: 1 } })), [
            "gateway.envoyProxy.pdb: sets both minAvailable and maxUnavailable; keep one of them",
        ]);
        assert.deepEqual(configProblems(proxy({ replicas: 2, pdb: { enabled: true, minAvailable: 2 } })), [
            "gateway.envoyProxy.pdb.minAvailable: is 2 with 2 replica(s), so no Envoy pod could ever be evicted and node drains would hang; lower it below 2 or use maxUnavailable: 1",
        ]);
        assert.deepEqual(configProblems(proxy({ pdb: { enabled: true, maxUnavailable: "half" } })), [
            "gateway.envoyProxy.pdb.maxUnavailable: is not a percentage; use a whole number such as 1, or a percentage such as 50%",
        ]);
        assert.deepEqual(configProblems(proxy({ pdb: { enabled: true, maxUnavailable: true } })), [
            "gateway.envoyProxy.pdb.maxUnavailable: must be a whole number or a percentage; use e.g. 1 or 50%",
        ]);
        assert.deepEqual(configProblems(proxy({ replicas: 3, pdb: { enabled: true, minAvailable: "100%" } })), [
            "gateway.envoyProxy.pdb.minAvailable: is 100% with 3 replica(s), so no Envoy pod could ever be evicted and node drains would hang; lower it below 3 or use maxUnavailable: 1",
        ]);
        assert.deepEqual(configProblems(proxy({ pdb: { enabled: true, maxUnavailable: 0 } })), [
            "gateway.envoyProxy.pdb.maxUnavailable: is 0, so no Envoy pod could ever be evicted and node drains would hang; use maxUnavailable: 1",
        ]);
        assert.doesNotThrow(() => parseConfig(proxy({ replicas: 3, pdb: { enabled: true, minAvailable: "50%" } })));
    });

    it("quantities and durations parse", () => {
        assert.deepEqual(configProblems(proxy({ resources: { limits: { memory: "1 GB" } } })), [
            "gateway.envoyProxy.resources.limits.memory: is not a Kubernetes quantity; use a value such as 50Mi, 1Gi, 500m or 2",
        ]);
        assert.deepEqual(configProblems(proxy({ shutdown: { drainTimeout: "30 seconds" } })), [
            "gateway.envoyProxy.shutdown.drainTimeout: is not a duration; use a value such as 30s, 500ms or 1m30s (units h, m, s, ms)",
        ]);
        assert.deepEqual(configProblems(gw({ clientTraffic: { bufferLimit: "50 MB", timeout: { streamIdle: "5min" } } })), [
            "gateway.clientTraffic.bufferLimit: is not a Kubernetes quantity; use a value such as 50Mi, 1Gi, 500m or 2",
            "gateway.clientTraffic.timeout.streamIdle: is not a duration; use a value such as 30s, 500ms or 1m30s (units h, m, s, ms)",
        ]);
        assert.deepEqual(configProblems(gw({ gatewayConfig: { extProc: { resources: { requests: { cpu: "lots" } } } } })), [
            "gateway.gatewayConfig.extProc.resources.requests.cpu: is not a Kubernetes quantity; use a value such as 50Mi, 1Gi, 500m or 2",
        ]);
    });

    it("GatewayConfig settings while gatewayConfig.enabled is false are errors, not dropped", () => {
        const off = { enabled: false, extProc: { env: [{ name: "A", value: "b" }], resources: { requests: { cpu: "100m" } } }, forwardProxy: { address: "proxy:3128" } };
        const fix = "does nothing while gatewayConfig.enabled is false (the program creates no GatewayConfig to carry it); set enabled: true, or remove it";
        assert.deepEqual(configProblems(gw({ gatewayConfig: off })), [
            `gateway.gatewayConfig.extProc.env: ${fix}`,
            `gateway.gatewayConfig.extProc.resources: ${fix}`,
            `gateway.gatewayConfig.forwardProxy: ${fix}`,
        ]);
        assert.doesNotThrow(() => parseConfig(gw({ gatewayConfig: { enabled: false } })));
    });

    it("forwardProxy.address is host:port, never a URL or credentials (which are not echoed)", () => {
        assert.deepEqual(parseConfig(gw({ gatewayConfig: { forwardProxy: { address: "proxy.corp.example.com:3128" } } })).gateway.gatewayConfig.forwardProxy, { address: "proxy.corp.example.com:3128" });
        assert.doesNotThrow(() => parseConfig(gw({ gatewayConfig: { forwardProxy: { address: "10.1.2.3:8080" } } })));
        const problems = configProblems(
            gw({
                gatewayConfig: { forwardProxy: { address: "http://user:hunter2@proxy:3128" } },
            }),
        );
        assert.deepEqual(problems, [
            "gateway.gatewayConfig.forwardProxy.address: must be host:port only: the AI Gateway connects to the proxy without a scheme, credentials or TLS; e.g. proxy.corp.example.com:3128",
        ]);
        assert.ok(!problems.join("\n").includes("hunter2"));
        assert.deepEqual(configProblems(gw({ gatewayConfig: { forwardProxy: { address: "proxy" } } })), [
            'gateway.gatewayConfig.forwardProxy.address: "proxy" is not host:port; use e.g. proxy.corp.example.com:3128 (an IPv6 address in brackets: [2001:db8::1]:3128)',
        ]);
        assert.deepEqual(configProblems(gw({ gatewayConfig: { forwardProxy: { address: "proxy:99999" } } })), [
            'gateway.gatewayConfig.forwardProxy.address: "proxy:99999" is not host:port; use e.g. proxy.corp.example.com:3128 (an IPv6 address in brackets: [2001:db8::1]:3128)',
        ]);
    });

    it("the drain minimum is not longer than the drain timeout", () => {
        assert.deepEqual(configProblems(proxy({ shutdown: { drainTimeout: "10s", minDrainDuration: "1m" } })), [
            "gateway.envoyProxy.shutdown.minDrainDuration: (1m) is longer than drainTimeout (10s); make it shorter, or raise drainTimeout",
        ]);
    });

    it("service: loadBalancerIP is an IPv4 address, for LoadBalancer only", () => {
        assert.deepEqual(configProblems(proxy({ service: { loadBalancerIP: "10.0.0.300" } })), [
            "gateway.envoyProxy.service.loadBalancerIP: is not an IPv4 address; use e.g. 203.0.113.10",
        ]);
        assert.deepEqual(configProblems(proxy({ service: { type: "NodePort", loadBalancerIP: "10.0.0.3" } })), [
            "gateway.envoyProxy.service.loadBalancerIP: only applies to service type LoadBalancer, not NodePort; remove it or set service.type: LoadBalancer",
        ]);
        assert.deepEqual(configProblems(proxy({ service: { type: "Loadbalancer" } })), [
            'gateway.envoyProxy.service.type: "Loadbalancer" is not allowed; did you mean "LoadBalancer"?',
        ]);
    });

    it("volume mounts name pod volumes, each volume named once", () => {
        assert.deepEqual(configProblems(proxy({ volumeMounts: [{ name: "certs", mountPath: "/certs" }], pod: { volumes: [{ name: "cert", secret: { secretName: "c" } }] } })), [
            'gateway.envoyProxy.volumeMounts[0].name: no volume "certs" in envoyProxy.pod.volumes; add it there or mount an existing one',
        ]);
        assert.deepEqual(configProblems(proxy({ pod: { volumes: [{ name: "a", emptyDir: {} }, { name: "a", emptyDir: {} }] } })), [
            'gateway.envoyProxy.pod.volumes[1].name: "a" is already the name of pod.volumes[0]; give each volume its own name',
        ]);
        assert.deepEqual(configProblems(proxy({ volumeMounts: [{ name: "a", mountPath: "relative" }], pod: { volumes: [{ name: "a", emptyDir: {} }] } })), [
            "gateway.envoyProxy.volumeMounts[0].mountPath: is not an absolute path; use a path such as /etc/envoy/extra",
        ]);
    });

    it("pod settings are checked key by key", () => {
        assert.deepEqual(configProblems(proxy({ pod: { securityContext: { runAsUsr: 1000 } } })), [
            'gateway.envoyProxy.pod.securityContext.runAsUsr: unknown key; did you mean "runAsUser"?',
        ]);
        assert.deepEqual(configProblems(proxy({ pod: { tolerations: [{ key: "k", effect: "NoSchedul" }] } })), [
            'gateway.envoyProxy.pod.tolerations[0].effect: "NoSchedul" is not allowed; did you mean "NoSchedule"?',
        ]);
        assert.deepEqual(configProblems(proxy({ pod: { affinity: { podAntiAfinity: {} } } })), [
            'gateway.envoyProxy.pod.affinity.podAntiAfinity: unknown key; did you mean "podAntiAffinity"?',
        ]);
        assert.deepEqual(configProblems(proxy({ logging: { level: "warning" } })), [
            'gateway.envoyProxy.logging.level: "warning" is not allowed; use one of "trace", "debug", "info", "warn", "error"',
        ]);
    });

    it("bootstrap needs what its type uses", () => {
        assert.deepEqual(configProblems(proxy({ bootstrap: { type: "JSONPatch" } })), [
            "gateway.envoyProxy.bootstrap.jsonPatches: is required with type JSONPatch; list the patches, or use type Merge with a value",
        ]);
        assert.deepEqual(configProblems(proxy({ bootstrap: {} })), ["gateway.envoyProxy.bootstrap.value: is required with type Merge; set the bootstrap YAML"]);
    });

    it("settings of a switched-off EnvoyProxy are not checked against each other", () => {
        assert.doesNotThrow(() => parseConfig(proxy({ enabled: false, hpa: { enabled: true } })));
    });
});

describe("config: environment variables (EnvoyProxy and GatewayConfig extProc)", () => {
    const extProcEnv = (env: unknown[]) => gw({ gatewayConfig: { extProc: { env } } });

    it("names are valid", () => {
        assert.deepEqual(configProblems(extProcEnv([{ name: "1OTEL", value: "x" }, { name: "OTEL ENDPOINT", value: "x" }])), [
            `gateway.gatewayConfig.extProc.env[0].name: "1OTEL" is not a valid environment variable name; use letters, digits, '_', '-' and '.', not starting with a digit (e.g. OTEL_SERVICE_NAME)`,
            `gateway.gatewayConfig.extProc.env[1].name: "OTEL ENDPOINT" is not a valid environment variable name; use letters, digits, '_', '-' and '.', not starting with a digit (e.g. OTEL_SERVICE_NAME)`,
        ]);
        assert.deepEqual(configProblems(proxy({ env: [{ name: "=x" }] })), [
            `gateway.envoyProxy.env[0].name: "=x" is not a valid environment variable name; use letters, digits, '_', '-' and '.', not starting with a digit (e.g. OTEL_SERVICE_NAME)`,
        ]);
    });

    it("values are strings", () => {
        assert.deepEqual(configProblems(extProcEnv([{ name: "OTEL_SDK_DISABLED", value: true }])), [
            "gateway.gatewayConfig.extProc.env[0].value: must be a string, got boolean true; change it to a string",
        ]);
    });

    it("each name once, a value or exactly one source", () => {
        const secret = { secretKeyRef: { name: "otlp", key: "headers" } };
        assert.deepEqual(
            configProblems(
                extProcEnv([
                    { name: "A", value: "1" },
                    { name: "A", value: "2" },
                    { name: "B", value: "1", valueFrom: secret },
                    { name: "C", valueFrom: { ...secret, configMapKeyRef: { name: "c", key: "k" } } },
                ]),
            ),
            [
                'gateway.gatewayConfig.extProc.env[1].name: "A" is already set at env[0]; set each variable once',
                "gateway.gatewayConfig.extProc.env[2]: sets both value and valueFrom; keep one of them",
                "gateway.gatewayConfig.extProc.env[3].valueFrom: names 2 sources; use exactly one of secretKeyRef, configMapKeyRef or fieldRef",
            ],
        );
        assert.doesNotThrow(() => parseConfig(extProcEnv([{ name: "OTEL_EXPORTER_OTLP_HEADERS", valueFrom: secret }])));
    });
});

describe("config: ClientTrafficPolicy", () => {
    const ct = (clientTraffic: Record<string, unknown>, listeners: unknown[] = [http, https()]) => gw({ listeners, clientTraffic });

    it("TLS settings need an HTTPS listener", () => {
        assert.deepEqual(configProblems(ct({ tls: { minVersion: "1.2" } }, [http])), [
            "gateway.clientTraffic.tls: applies to HTTPS listeners, and the Gateway has none; add an HTTPS listener or remove clientTraffic.tls",
        ]);
    });

    it("TLS versions in order, no cipher choice with TLS 1.3", () => {
        assert.deepEqual(configProblems(ct({ tls: { minVersion: "1.3", maxVersion: "1.2" } })), [
            "gateway.clientTraffic.tls.minVersion: (1.3) is above maxVersion (1.2); lower minVersion or raise maxVersion",
        ]);
        assert.deepEqual(configProblems(ct({ tls: { maxVersion: "1.1" } })), [
            "gateway.clientTraffic.tls.maxVersion: (1.1) is below the default minimum version 1.2; set minVersion as well, or raise maxVersion",
        ]);
        assert.deepEqual(configProblems(ct({ tls: { minVersion: "1.3", ciphers: ["ECDHE-RSA-AES128-GCM-SHA256"] } })), [
            "gateway.clientTraffic.tls.ciphers: cannot be chosen with TLS 1.3 (its cipher suites are fixed); remove ciphers or lower minVersion",
        ]);
        assert.deepEqual(configProblems(ct({ tls: { minVersion: "1.4" } })), [
            'gateway.clientTraffic.tls.minVersion: "1.4" is not a TLS version; use "1.2" or "1.3" ("Auto", "1.0" and "1.1" also exist)',
        ]);
        const unquoted = parseConfig(ct({ tls: { minVersion: 1.2, maxVersion: 1.3 } })).gateway.clientTraffic.tls;
        assert.deepEqual([unquoted.minVersion, unquoted.maxVersion], ["1.2", "1.3"], "unquoted YAML numbers are versions too");
        assert.doesNotThrow(() => parseConfig(ct({ tls: { minVersion: "1.2", maxVersion: "Auto" } })));
    });

    it("requestID replaces preserveXRequestID", () => {
        assert.deepEqual(configProblems(ct({ headers: { requestID: "Preserve", preserveXRequestID: true } })), [
            "gateway.clientTraffic.headers.preserveXRequestID: cannot be combined with headers.requestID, which replaces it; keep requestID (Preserve keeps the client's x-request-id)",
        ]);
    });

    it("the health-check path is a path", () => {
        assert.deepEqual(configProblems(ct({ healthCheck: { path: "healthz" } })), [
            "gateway.clientTraffic.healthCheck.path: is not a path; use a path starting with '/', e.g. /healthz",
        ]);
    });

    it("chart keys that the CRD lacks are unknown keys here", () => {
        assert.deepEqual(configProblems(ct({ timeout: { requestTimeout: "300s" } })), [
            'gateway.clientTraffic.timeout.requestTimeout: unknown key; use one of "connectionIdle", "requestReceived", "streamIdle"',
        ]);
    });
});
