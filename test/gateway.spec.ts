import * as assert from "node:assert/strict";
import {
    clientTrafficPolicyManifest,
    ENVOY_CONTAINER_SECURITY_CONTEXT,
    envoyProxyManifest,
    gatewayClassManifest,
    gatewayConfigManifest,
    gatewayCoreManifests,
    gatewayManifest,
    gatewayNames,
    gatewayParentRefs,
    httpsRedirectManifest,
} from "./support/gatewayBuilders";
import { GatewayConfig, parseConfig } from "../plan";
import { configProblems } from "./harness";
import { validateManifest, type ManifestObject } from "./support/conformance";

/** The parsed `ai-gateway:gateway` slice for raw keys (defaults applied, rules run). */
const gateway = (raw: Record<string, unknown> = {}): GatewayConfig => parseConfig({ gateway: raw }).gateway;
const CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
const http = { name: "http", protocol: "HTTP", port: 80 };
const https = { name: "https", protocol: "HTTPS", port: 443, hostname: "llm.example.com", tls: { certificateRefs: [{ name: "ai-gateway-tls" }] } };

describe("gateway builders: names", () => {
    it("derive from the gateway name and class name only", () => {
        assert.deepEqual(gatewayNames(gateway({ name: "edge", namespace: "edge-ns", className: "edge-class" })), {
            namespace: "edge-ns",
            gateway: "edge",
            gatewayClass: "edge-class",
            envoyProxy: "edge",
            gatewayConfig: "edge-config",
            clientTrafficPolicy: "edge-client-traffic",
            httpsRedirect: "edge-https-redirect",
        });
        const a = gatewayNames(gateway({ name: "edge" }));
        const b = gatewayNames(gateway({ name: "edge", envoyProxy: { replicas: 3 }, listeners: [http, https] }));
        assert.deepEqual(a, b, "unrelated keys never rename anything");
    });

    it("stay DNS-1123 labels for the longest gateway name", () => {
        const names = gatewayNames(gateway({ name: "a".repeat(63) }));
        for (const n of [names.gatewayConfig, names.clientTrafficPolicy, names.httpsRedirect]) {
            assert.ok(n.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n), n);
        }
    });
});

describe("gateway builders: GatewayClass", () => {
    it("names the controller Envoy Gateway is installed with, or the configured one, and carries metadata", () => {
        const m = gatewayClassManifest(gateway({ className: "llm", gatewayClass: { labels: { team: "ai" }, annotations: { note: "x" } } }), CONTROLLER);
        assert.deepEqual(m, {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "GatewayClass",
            metadata: { name: "llm", labels: { team: "ai" }, annotations: { note: "x" } },
            spec: { controllerName: CONTROLLER },
        });
        const existing = parseConfig({ platform: { envoyGateway: { install: false } }, gateway: { gatewayClass: { controllerName: "example.com/eg" } } }).gateway;
        assert.equal(gatewayClassManifest(existing, CONTROLLER).spec.controllerName, "example.com/eg", "the configured name wins");
    });
});

describe("gateway builders: Gateway", () => {
    it("defaults: one HTTP listener, the EnvoyProxy as parametersRef, the GatewayConfig annotation", () => {
        assert.deepEqual(gatewayManifest(gateway(), true), {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: { name: "ai-gateway", namespace: "ai-gateway", annotations: { "aigateway.envoyproxy.io/gateway-config": "ai-gateway-config", "pulumi.com/waitFor": "condition=Programmed" } },
            spec: {
                gatewayClassName: "ai-gateway",
                listeners: [{ name: "http", protocol: "HTTP", port: 80 }],
                infrastructure: { parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: "ai-gateway" } },
            },
        });
    });

    it("listeners: hostname, TLS Terminate with certificateRefs, allowedRoutes", () => {
        const selector = { from: "Selector", selector: { matchLabels: { "ai-gateway/routes": "true" } } };
        const m = gatewayManifest(
            gateway({
                listeners: [
                    { ...http, allowedRoutes: { namespaces: { from: "All" } } },
                    { ...https, tls: { certificateRefs: [{ name: "tls-a" }, { name: "tls-b", namespace: "certs" }] }, allowedRoutes: { namespaces: selector } },
                ],
            }),
            true,
        );
        assert.deepEqual(m.spec.listeners, [
            { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "All" } } },
            {
                name: "https",
                protocol: "HTTPS",
                port: 443,
                hostname: "llm.example.com",
                tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "tls-a" }, { kind: "Secret", name: "tls-b", namespace: "certs" }] },
                allowedRoutes: { namespaces: selector },
            },
        ]);
    });

    it("labels and annotations join the program's annotation", () => {
        const m = gatewayManifest(gateway({ labels: { team: "ai" }, annotations: { owner: "platform" } }), true);
        assert.deepEqual(m.metadata.labels, { team: "ai" });
        assert.deepEqual(m.metadata.annotations, { owner: "platform", "aigateway.envoyproxy.io/gateway-config": "ai-gateway-config", "pulumi.com/waitFor": "condition=Programmed" });
    });

    it("pulumi up waits for the Gateway to be Programmed unless waitUntilProgrammed is false", () => {
        assert.equal(gatewayManifest(gateway(), false).metadata.annotations?.["pulumi.com/waitFor"], "condition=Programmed");
        assert.equal(gatewayManifest(gateway({ waitUntilProgrammed: false }), false).metadata.annotations, undefined);
        const own = gatewayManifest(gateway({ waitUntilProgrammed: false, annotations: { "pulumi.com/waitFor": "jsonpath={.status.addresses}" } }), false);
        assert.deepEqual(own.metadata.annotations, { "pulumi.com/waitFor": "jsonpath={.status.addresses}" }, "the user's own wait");
    });

    it("references follow the toggles", () => {
        assert.equal(gatewayManifest(gateway({ envoyProxy: { enabled: false } }), true).spec.infrastructure, undefined, "no parametersRef without an EnvoyProxy");
        assert.equal(gatewayManifest(gateway({ infrastructure: { enabled: false } }), true).spec.infrastructure, undefined, "infrastructure.enabled: false");
        assert.equal(gatewayManifest(gateway({ waitUntilProgrammed: false, gatewayConfig: { enabled: false } }), false).metadata.annotations, undefined, "no annotation without a GatewayConfig");
        const own = gatewayManifest(gateway({ waitUntilProgrammed: false, gatewayConfig: { enabled: false }, annotations: { "aigateway.envoyproxy.io/gateway-config": "shared" } }), false);
        assert.deepEqual(own.metadata.annotations, { "aigateway.envoyproxy.io/gateway-config": "shared" }, "a GatewayConfig of the user's own");
    });
});

describe("gateway builders: EnvoyProxy", () => {
    it("defaults: one replica, LoadBalancer, info logging, the chart's drain times", () => {
        assert.deepEqual(envoyProxyManifest(gateway()).spec, {
            provider: { type: "Kubernetes", kubernetes: { envoyDeployment: { replicas: 1 }, envoyService: { type: "LoadBalancer" } } },
            logging: { level: { default: "info" } },
            shutdown: { drainTimeout: "30s", minDrainDuration: "5s" },
        });
        const m = envoyProxyManifest(gateway({ name: "edge", envoyProxy: { labels: { a: "b" }, annotations: { c: "d" } } }));
        assert.deepEqual(m.metadata, { name: "edge", namespace: "ai-gateway", labels: { a: "b" }, annotations: { c: "d" } });
    });

    it("container: resources, securityContext, env, volumeMounts", () => {
        const env = [{ name: "A", value: "1" }, { name: "B", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }];
        const spec = envoyProxyManifest(
            gateway({
                envoyProxy: {
                    replicas: 2,
                    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: 2048 } },
                    securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                    env,
                    volumeMounts: [{ name: "extra", mountPath: "/etc/extra", readOnly: true }],
                    pod: { volumes: [{ name: "extra", configMap: { name: "extra" } }] },
                },
            }),
        ).spec;
        const deployment = spec.provider!.kubernetes!.envoyDeployment!;
        assert.equal(deployment.replicas, 2);
        assert.deepEqual(deployment.container, {
            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2048" } },
            securityContext: { ...ENVOY_CONTAINER_SECURITY_CONTEXT, readOnlyRootFilesystem: true },
            env,
            volumeMounts: [{ name: "extra", mountPath: "/etc/extra", readOnly: true }],
        });
    });

    it("a partial securityContext is merged over Envoy Gateway's default: setting one field keeps non-root, no escalation, drop ALL, seccomp", () => {
        const sc = (securityContext: Record<string, unknown>) => envoyProxyManifest(gateway({ envoyProxy: { securityContext } })).spec.provider!.kubernetes!.envoyDeployment!.container!.securityContext;
        assert.deepEqual(sc({ readOnlyRootFilesystem: true }), {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            privileged: false,
            runAsGroup: 65532,
            runAsNonRoot: true,
            runAsUser: 65532,
            seccompProfile: { type: "RuntimeDefault" },
            readOnlyRootFilesystem: true,
        });
        assert.deepEqual(sc({ capabilities: { add: ["NET_BIND_SERVICE"] } })?.capabilities, { drop: ["ALL"], add: ["NET_BIND_SERVICE"] });
        assert.deepEqual(sc({ runAsUser: 1000, seccompProfile: { type: "Localhost", localhostProfile: "envoy.json" } }), {
            ...ENVOY_CONTAINER_SECURITY_CONTEXT,
            runAsUser: 1000,
            seccompProfile: { type: "Localhost", localhostProfile: "envoy.json" },
        });
        assert.equal(envoyProxyManifest(gateway({})).spec.provider?.kubernetes?.envoyDeployment?.container?.securityContext, undefined, "unset: Envoy Gateway's own default applies");
    });

    it("pod: labels, annotations, securityContext, tolerations, nodeSelector, affinity, volumes", () => {
        const pod = {
            labels: { tier: "edge" },
            annotations: { "prometheus.io/scrape": "true" },
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            tolerations: [{ key: "dedicated", operator: "Equal", value: "gateway", effect: "NoSchedule" }],
            nodeSelector: { "kubernetes.io/os": "linux" },
            affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
            volumes: [{ name: "extra", emptyDir: {} }],
        };
        const spec = envoyProxyManifest(gateway({ envoyProxy: { pod } })).spec;
        assert.deepEqual(spec.provider!.kubernetes!.envoyDeployment!.pod, pod);
    });

    it("service: type, annotations, loadBalancerIP, externalTrafficPolicy", () => {
        const service = { type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" }, loadBalancerIP: "203.0.113.10", externalTrafficPolicy: "Cluster" };
        assert.deepEqual(envoyProxyManifest(gateway({ envoyProxy: { service } })).spec.provider!.kubernetes!.envoyService, service);
        assert.deepEqual(envoyProxyManifest(gateway({ envoyProxy: { service: { type: "NodePort" } } })).spec.provider!.kubernetes!.envoyService, { type: "NodePort" });
    });

    it("HPA: off by default; on, its floor is replicas unless minReplicas is set", () => {
        const k8s = (envoyProxy: Record<string, unknown>) => envoyProxyManifest(gateway({ envoyProxy })).spec.provider!.kubernetes!;
        assert.equal(k8s({}).envoyHpa, undefined);
        assert.deepEqual(k8s({ replicas: 3, hpa: { enabled: true, maxReplicas: 10 } }).envoyHpa, { minReplicas: 3, maxReplicas: 10 });
        const metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }];
        const behavior = { scaleDown: { stabilizationWindowSeconds: 300 } };
        assert.deepEqual(k8s({ replicas: 3, hpa: { enabled: true, minReplicas: 2, maxReplicas: 6, metrics, behavior } }).envoyHpa, { minReplicas: 2, maxReplicas: 6, metrics, behavior });
        assert.equal(k8s({ hpa: { enabled: false, maxReplicas: 10 } }).envoyHpa, undefined);
    });

    it("HPA on: no fixed replica count on the Deployment, which Envoy Gateway would re-apply over every scale-up", () => {
        const k8s = (envoyProxy: Record<string, unknown>) => envoyProxyManifest(gateway({ envoyProxy })).spec.provider!.kubernetes!;
        assert.equal(k8s({ replicas: 3, hpa: { enabled: true, maxReplicas: 10 } }).envoyDeployment?.replicas, undefined);
        assert.equal(k8s({ replicas: 3, hpa: { enabled: false, maxReplicas: 10 } }).envoyDeployment?.replicas, 3);
        assert.equal(k8s({ replicas: 3 }).envoyDeployment?.replicas, 3);
    });

    it("PDB: off by default; on, maxUnavailable 1 unless one of the two is set", () => {
        const k8s = (envoyProxy: Record<string, unknown>) => envoyProxyManifest(gateway({ envoyProxy })).spec.provider!.kubernetes!;
        assert.equal(k8s({}).envoyPDB, undefined);
        assert.deepEqual(k8s({ pdb: { enabled: true } }).envoyPDB, { maxUnavailable: 1 });
        assert.deepEqual(k8s({ replicas: 3, pdb: { enabled: true, minAvailable: 2 } }).envoyPDB, { minAvailable: 2 });
        assert.deepEqual(k8s({ pdb: { enabled: true, maxUnavailable: "25%" } }).envoyPDB, { maxUnavailable: "25%" });
    });

    it("service account name, logging level, shutdown drain", () => {
        const spec = envoyProxyManifest(
            gateway({ envoyProxy: { serviceAccountName: "ai-gateway-dataplane-aws", logging: { level: "warn" }, shutdown: { drainTimeout: "60s", minDrainDuration: "10s" } } }),
        ).spec;
        assert.deepEqual(spec.provider!.kubernetes!.envoyServiceAccount, { name: "ai-gateway-dataplane-aws" });
        assert.deepEqual(spec.logging, { level: { default: "warn" } });
        assert.deepEqual(spec.shutdown, { drainTimeout: "60s", minDrainDuration: "10s" });
    });

    it("telemetry and bootstrap pass through as written", () => {
        const telemetry = {
            accessLog: { settings: [{ format: { type: "JSON", json: { model: "%REQ(X-AI-EG-MODEL)%" } }, sinks: [{ type: "File", file: { path: "/dev/stdout" } }] }] },
            metrics: { prometheus: { disable: false } },
            tracing: { provider: { type: "OpenTelemetry", host: "otel.observability", port: 4317 }, samplingRate: 10 },
        };
        const bootstrap = { type: "Merge", value: "admin: {}" };
        const spec = envoyProxyManifest(gateway({ envoyProxy: { telemetry, bootstrap } })).spec;
        assert.deepEqual(spec.telemetry, telemetry);
        assert.deepEqual(spec.bootstrap, bootstrap);
        assert.equal(envoyProxyManifest(gateway({ envoyProxy: { telemetry: { metrics: {} } } })).spec.telemetry, undefined, "empty sections are left out");
    });
});

describe("gateway builders: ClientTrafficPolicy", () => {
    it("defaults: targets the Gateway with the seeds' 50Mi buffer and upstream's 16Mi/24Mi HTTP/2 windows", () => {
        assert.deepEqual(clientTrafficPolicyManifest(gateway()), {
            apiVersion: "gateway.envoyproxy.io/v1alpha1",
            kind: "ClientTrafficPolicy",
            metadata: { name: "ai-gateway-client-traffic", namespace: "ai-gateway" },
            spec: {
                targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway" }],
                connection: { bufferLimit: "50Mi" },
                http2: { initialStreamWindowSize: "16Mi", initialConnectionWindowSize: "24Mi" },
            },
        });
    });

    it("HTTP/2 windows are configurable, in whole bytes within what Envoy accepts", () => {
        const http2 = { initialStreamWindowSize: "1Mi", initialConnectionWindowSize: 4194304 };
        assert.deepEqual(clientTrafficPolicyManifest(gateway({ clientTraffic: { http2 } })).spec.http2, { initialStreamWindowSize: "1Mi", initialConnectionWindowSize: "4194304" });
        assert.deepEqual(configProblems({ gateway: { clientTraffic: { http2: { initialStreamWindowSize: "1Ki", initialConnectionWindowSize: "1.5Mi" } } } }), [
            "gateway.clientTraffic.http2.initialStreamWindowSize: 1Ki is outside what Envoy accepts; use 64Ki to 2047Mi",
            'gateway.clientTraffic.http2.initialConnectionWindowSize: "1.5Mi" is not a whole number of bytes; use a value such as 16Mi or 65536',
        ]);
        assert.deepEqual(configProblems({ gateway: { clientTraffic: { http2: { initialStreamWindowSize: "4Gi" } } } }), [
            "gateway.clientTraffic.http2.initialStreamWindowSize: 4Gi is outside what Envoy accepts; use 64Ki to 2047Mi",
        ]);
    });

    it("bufferLimit, timeouts, TLS, headers, path and health check reach their CRD fields", () => {
        const headers = {
            requestID: "PreserveOrGenerate",
            withUnderscoresAction: "RejectRequest",
            enableEnvoyHeaders: false,
            disableRateLimitHeaders: true,
            earlyRequestHeaders: { set: [{ name: "x-gateway", value: "ai" }], remove: ["x-debug"] },
            lateResponseHeaders: { add: [{ name: "x-served-by", value: "ai-gateway" }] },
        };
        const m = clientTrafficPolicyManifest(
            gateway({
                listeners: [http, https],
                clientTraffic: {
                    labels: { team: "ai" },
                    annotations: { note: "x" },
                    bufferLimit: "100Mi",
                    timeout: { connectionIdle: "1h", requestReceived: "300s", streamIdle: "10m" },
                    tls: { minVersion: "1.2", maxVersion: "1.3", ciphers: ["ECDHE-ECDSA-AES128-GCM-SHA256"], alpnProtocols: ["h2", "http/1.1"] },
                    headers,
                    path: { disableMergeSlashes: true, escapedSlashesAction: "RejectRequest" },
                    healthCheck: { path: "/healthz" },
                },
            }),
        );
        assert.deepEqual(m.metadata, { name: "ai-gateway-client-traffic", namespace: "ai-gateway", labels: { team: "ai" }, annotations: { note: "x" } });
        assert.deepEqual(m.spec.connection, { bufferLimit: "100Mi" });
        assert.deepEqual(m.spec.timeout, { http: { idleTimeout: "1h", requestReceivedTimeout: "300s", streamIdleTimeout: "10m" } });
        assert.deepEqual(m.spec.tls, { minVersion: "1.2", maxVersion: "1.3", ciphers: ["ECDHE-ECDSA-AES128-GCM-SHA256"], alpnProtocols: ["h2", "http/1.1"] });
        assert.deepEqual(m.spec.headers, headers);
        assert.deepEqual(m.spec.path, { disableMergeSlashes: true, escapedSlashesAction: "RejectRequest" });
        assert.deepEqual(m.spec.healthCheck, { path: "/healthz" });
    });

    it("a numeric bufferLimit is bytes, as a string", () => {
        assert.deepEqual(clientTrafficPolicyManifest(gateway({ clientTraffic: { bufferLimit: 1048576 } })).spec.connection, { bufferLimit: "1048576" });
    });
});

describe("gateway builders: GatewayConfig", () => {
    it("extProc env and resources; nothing set, no GatewayConfig and no annotation (the API server refuses an empty spec once it had fields)", () => {
        assert.equal(gatewayConfigManifest(gateway()), undefined);
        const core = gatewayCoreManifests(gateway(), "gateway.envoyproxy.io/gatewayclass-controller");
        assert.equal(core.gatewayConfig, undefined);
        assert.deepEqual(core.gateway?.metadata.annotations, { "pulumi.com/waitFor": "condition=Programmed" }, "no GatewayConfig annotation");
        const env = [{ name: "OTEL_SERVICE_NAME", value: "ai-gateway" }, { name: "OTEL_EXPORTER_OTLP_HEADERS", valueFrom: { secretKeyRef: { name: "otlp", key: "headers" } } }];
        const resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } };
        const m = gatewayConfigManifest(gateway({ gatewayConfig: { labels: { a: "b" }, extProc: { env, resources } } }));
        assert.deepEqual(m?.spec, { extProc: { kubernetes: { env, resources } } });
        assert.deepEqual(m?.metadata.labels, { a: "b" });
    });

    it("a forward proxy alone is enough for a GatewayConfig, and the Gateway names it", () => {
        const core = gatewayCoreManifests(gateway({ gatewayConfig: { forwardProxy: { address: "proxy.corp.example.com:3128" } } }), "gateway.envoyproxy.io/gatewayclass-controller");
        assert.deepEqual(core.gatewayConfig?.spec, { forwardProxy: { address: "proxy.corp.example.com:3128" } });
        assert.equal(core.gateway?.metadata.annotations?.["aigateway.envoyproxy.io/gateway-config"], core.gatewayConfig?.metadata.name);
        const both = gatewayConfigManifest(gateway({ gatewayConfig: { forwardProxy: { address: "10.0.0.1:8080" }, extProc: { env: [{ name: "A", value: "b" }] } } }));
        assert.deepEqual(both?.spec, { extProc: { kubernetes: { env: [{ name: "A", value: "b" }] } }, forwardProxy: { address: "10.0.0.1:8080" } });
    });
});

describe("gateway builders: HTTP to HTTPS redirect and route attachment", () => {
    it("redirects every HTTP listener with a 301, naming the HTTPS port when it is not 443", () => {
        const m = httpsRedirectManifest(gateway({ listeners: [http, https], redirectToHttps: true }));
        assert.deepEqual(m.metadata, { name: "ai-gateway-https-redirect", namespace: "ai-gateway" });
        assert.deepEqual(m.spec, {
            parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway", sectionName: "http" }],
            rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        });
        const other = httpsRedirectManifest(gateway({ listeners: [http, { ...https, port: 8443 }], redirectToHttps: true }));
        assert.deepEqual(other.spec.rules![0].filters![0].requestRedirect, { scheme: "https", statusCode: 301, port: 8443 });
    });

    it("routes attach to the whole Gateway, or only to HTTPS listeners when HTTP redirects", () => {
        const ref = { group: "gateway.networking.k8s.io", kind: "Gateway", name: "ai-gateway", namespace: "ai-gateway" };
        assert.deepEqual(gatewayParentRefs(gateway({ listeners: [http, https] })), [ref]);
        assert.deepEqual(gatewayParentRefs(gateway({ listeners: [http, https], redirectToHttps: true })), [{ ...ref, sectionName: "https" }]);
    });
});

describe("gateway builders: toggles", () => {
    const presentIn = (config: GatewayConfig) =>
        Object.entries(gatewayCoreManifests(config, CONTROLLER))
            .filter(([, v]) => v !== undefined)
            .map(([k]) => k);
    const present = (raw: Record<string, unknown>) => presentIn(gateway(raw));

    it("everything but the redirect by default (the GatewayConfig once it has something to carry); each enabled: false removes its resource", () => {
        const extProc = { extProc: { env: [{ name: "LOG_LEVEL", value: "info" }] } };
        assert.deepEqual(present({}), ["gatewayClass", "gateway", "envoyProxy", "clientTrafficPolicy"]);
        assert.deepEqual(present({ gatewayConfig: extProc }), ["gatewayClass", "gateway", "envoyProxy", "clientTrafficPolicy", "gatewayConfig"]);
        assert.deepEqual(present({ gatewayClass: { enabled: false }, gatewayConfig: extProc }), ["gateway", "envoyProxy", "clientTrafficPolicy", "gatewayConfig"]);
        assert.deepEqual(present({ enabled: false, gatewayConfig: extProc }), ["gatewayClass", "envoyProxy", "clientTrafficPolicy", "gatewayConfig"]);
        assert.deepEqual(present({ envoyProxy: { enabled: false }, gatewayConfig: extProc }), ["gatewayClass", "gateway", "clientTrafficPolicy", "gatewayConfig"]);
        assert.deepEqual(present({ clientTraffic: { enabled: false }, gatewayConfig: extProc }), ["gatewayClass", "gateway", "envoyProxy", "gatewayConfig"]);
        // The config refuses settings on a disabled GatewayConfig; the builder still honours the toggle.
        const withSettings = gateway({ gatewayConfig: extProc });
        const disabled = { ...withSettings, gatewayConfig: { ...withSettings.gatewayConfig, enabled: false } };
        assert.deepEqual(presentIn(disabled), ["gatewayClass", "gateway", "envoyProxy", "clientTrafficPolicy"]);
        assert.deepEqual(present({ listeners: [http, https], redirectToHttps: true }).at(-1), "httpsRedirect");
    });
});

describe("gateway builders: every field group validates against the pinned CRDs", () => {
    it("a configuration using every key", () => {
        const config = gateway({
            labels: { team: "ai" },
            annotations: { owner: "platform" },
            listeners: [
                { ...http, allowedRoutes: { namespaces: { from: "All" } } },
                { ...https, allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { routes: "ai" } } } } },
            ],
            redirectToHttps: true,
            gatewayClass: { labels: { a: "b" }, annotations: { c: "d" } },
            envoyProxy: {
                labels: { a: "b" },
                replicas: 3,
                resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
                env: [{ name: "A", value: "1" }, { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
                volumeMounts: [{ name: "extra", mountPath: "/etc/extra" }],
                pod: {
                    labels: { tier: "edge" },
                    annotations: { "prometheus.io/scrape": "true" },
                    securityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532 },
                    tolerations: [{ key: "dedicated", operator: "Equal", value: "gateway", effect: "NoSchedule" }],
                    nodeSelector: { "kubernetes.io/os": "linux" },
                    affinity: {
                        podAntiAffinity: {
                            preferredDuringSchedulingIgnoredDuringExecution: [
                                { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "gateway.envoyproxy.io/owning-gateway-name": "ai-gateway" } } } },
                            ],
                        },
                    },
                    volumes: [{ name: "extra", configMap: { name: "extra" } }],
                },
                service: { type: "LoadBalancer", annotations: { a: "b" }, loadBalancerIP: "203.0.113.10", externalTrafficPolicy: "Local" },
                hpa: { enabled: true, maxReplicas: 10, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }] },
                pdb: { enabled: true, maxUnavailable: 1 },
                logging: { level: "warn" },
                shutdown: { drainTimeout: "60s", minDrainDuration: "10s" },
                telemetry: { metrics: { prometheus: { disable: false } }, accessLog: { settings: [{ sinks: [{ type: "File", file: { path: "/dev/stdout" } }] }] } },
                bootstrap: { type: "Merge", value: "admin: {}" },
                serviceAccountName: "ai-gateway-dataplane",
            },
            clientTraffic: {
                labels: { a: "b" },
                bufferLimit: "100Mi",
                timeout: { connectionIdle: "1h", requestReceived: "300s", streamIdle: "10m" },
                tls: { minVersion: "1.2", maxVersion: "1.3", alpnProtocols: ["h2", "http/1.1"] },
                headers: { requestID: "Preserve", withUnderscoresAction: "RejectRequest", earlyRequestHeaders: { set: [{ name: "x-a", value: "b" }] } },
                path: { disableMergeSlashes: true, escapedSlashesAction: "UnescapeAndRedirect" },
                healthCheck: { path: "/healthz" },
            },
            gatewayConfig: {
                labels: { a: "b" },
                extProc: { env: [{ name: "OTEL_SERVICE_NAME", value: "ai-gateway" }], resources: { requests: { cpu: "100m" } } },
            },
        });
        const manifests = Object.values(gatewayCoreManifests(config, CONTROLLER)).filter((m) => m !== undefined);
        assert.equal(manifests.length, 6);
        assert.deepEqual(manifests.flatMap((m) => validateManifest(m as unknown as ManifestObject)), []);
    });
});
