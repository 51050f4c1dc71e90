/**
 * The pure parts of the end-to-end stage 2 setup (no Go, no API server): how the controllers' builds are
 * patched, how their configuration is derived from the rendered Helm values, and what the cluster holds
 * beside the program's objects.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHARTS } from "../config/charts";
import { ENVOY_CERTS_IN_NAMESPACE, LOCAL_PROCESS_BUILDS } from "../tools/localProcessPatches";
import { applyPatches } from "../tools/upstreamTools";
import { clusterServices, distinctTestSecrets } from "./e2e/cluster";
import { aiGatewayValues } from "../plan/chartValues";
import { aiGatewayControllerEnv, aiGatewayControllerFlags, envoyGatewayConfig, secretsOf } from "./e2e/controllers";
import type { KubeObject } from "./e2e/kube";
import { renderStack } from "./upstream/translate";

describe("e2e stage 2 setup: local-process builds", () => {
    it("applies each replacement only where it matches exactly as often as stated, naming the file and text otherwise", () => {
        const dir = mkdtempSync(join(tmpdir(), "ai-gateway-patch-"));
        try {
            writeFileSync(join(dir, "a.go"), 'const x = "/certs/tls.crt"\nconst y = "/certs/ca.crt"\n');
            applyPatches("envoyGateway", { linkValues: {}, patches: [{ file: "a.go", replace: [['"/certs/', '"certs/', 2]] }] }, dir);
            assert.equal(readFileSync(join(dir, "a.go"), "utf8"), 'const x = "certs/tls.crt"\nconst y = "certs/ca.crt"\n');
            assert.throws(
                () => applyPatches("envoyGateway", { linkValues: {}, patches: [{ file: "a.go", replace: [['"certs/', '"x/', 3]] }] }, dir),
                /envoyGateway: a\.go has "\\"certs\/" 2 times, expected 3; update tools\/localProcessPatches\.ts/,
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("only moves listeners to loopback and certificate paths into the working directory (for the local gateway's Envoy, its private /etc)", () => {
        for (const [tool, build] of Object.entries(LOCAL_PROCESS_BUILDS)) {
            for (const patch of build?.patches ?? []) {
                for (const [from, to] of patch.replace) {
                    const what = `${tool} ${patch.file}: ${from} -> ${to}`;
                    assert.ok(to === "" || /127\.0\.0\.1|"certs|"wasm-cache"/.test(to) || to.includes(`"${ENVOY_CERTS_IN_NAMESPACE}/`), what);
                    if (to === "") assert.match(from, /^\t"[a-z0-9./-]+"\n$/, `${what}: only an import the change leaves unused may go`);
                }
            }
            for (const value of Object.values(build?.linkValues ?? {})) assert.match(value, /^127\.0\.0\.1:/, tool);
        }
    });
});

describe("e2e stage 2 setup: controller configuration from the rendered Helm values", () => {
    it("Envoy Gateway gets the dev stack's config.envoyGateway, with only the extension server moved to loopback", async () => {
        const { releases } = await renderStack(join(__dirname, "..", "Pulumi.dev.yaml"));
        const eg = releases.find((r) => r.name === CHARTS.envoyGateway.releaseName)!;
        const ai = releases.find((r) => r.name === CHARTS.aiGateway.releaseName)!;
        const config = envoyGatewayConfig(eg.values, ai.namespace, { host: "127.0.0.1", port: 41000 });
        const values = (eg.values.config as { envoyGateway: Record<string, unknown> }).envoyGateway;
        assert.equal(config.kind, "EnvoyGateway");
        assert.deepEqual((config.extensionManager as { service: unknown }).service, { fqdn: { hostname: "127.0.0.1", port: 41000 } });
        assert.deepEqual((config.extensionManager as { hooks: unknown }).hooks, (values.extensionManager as { hooks: unknown }).hooks);
        for (const key of ["gateway", "extensionApis", "logging", "rateLimit"]) assert.deepEqual(config[key], values[key], key);
        assert.throws(() => envoyGatewayConfig(eg.values, "elsewhere", { host: "127.0.0.1", port: 41000 }), /not the AI Gateway controller's Service .*ai-gateway-controller\.elsewhere\.svc\.cluster\.local/);
    });

    it("the AI Gateway controller gets its chart's flags for the values, and a value with no flag fails", () => {
        assert.deepEqual(aiGatewayControllerFlags({ envoyGateway: { namespace: "eg" }, controller: { metricsRequestHeaderAttributes: "x-user:user.id" } }), [
            "--envoyGatewayNamespace=eg",
            "--metricsRequestHeaderAttributes=x-user:user.id",
        ]);
        assert.throws(() => aiGatewayControllerFlags({ envoyGateway: { namespace: "eg" }, controller: { logLevl: "debug" } }), /does not pass to the controller: controller\.logLevl/);
        // The typed controller keys: logs and quotas are flags; replicas, resources and the disruption budget shape the pod.
        assert.deepEqual(
            aiGatewayControllerFlags({
                envoyGateway: { namespace: "eg" },
                controller: { logLevel: "debug", logFormat: "json", quotaRateLimitFailureModeDeny: true, replicaCount: 2, resources: { requests: { cpu: "100m" } }, podDisruptionBudget: { enabled: true, minAvailable: 1 } },
            }),
            ["--envoyGatewayNamespace=eg", "--logLevel=debug", "--logFormat=json", "--quotaRateLimitFailureModeDeny=true"],
        );
    });

    it("the MCP session seeds reach the controller's flags from the Secret the values name, as the kubelet expands them", () => {
        const values = aiGatewayValues({ envoyGatewayNamespace: "eg", mcpSessionSecret: { name: "ai-gateway-mcp-session", fallback: true }, userValues: {} });
        const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "ai-gateway-mcp-session", namespace: "aigw" }, stringData: { seed: "seed-now" }, data: { fallback: Buffer.from("seed-before").toString("base64") } };
        const env = aiGatewayControllerEnv(values, secretsOf([secret]));
        assert.deepEqual(aiGatewayControllerFlags(values, env), ["--envoyGatewayNamespace=eg", "--mcpSessionEncryptionSeed=seed-now", "--mcpFallbackSessionEncryptionSeed=seed-before"]);
        assert.throws(() => aiGatewayControllerEnv(values, secretsOf([])), /Secret ai-gateway-mcp-session has no key seed among the rendered objects/);
    });
});

describe("e2e stage 2 setup: what the cluster holds", () => {
    it("gives every secret key its own test value, leaving other values alone", () => {
        const secret: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "keys", namespace: "ns" }, stringData: { a: "T", b: "T", c: "other" }, data: { d: Buffer.from("T").toString("base64") } };
        const [out] = distinctTestSecrets([secret], "T");
        assert.deepEqual(out.stringData, { a: "T-keys-a", b: "T-keys-b", c: "other" });
        assert.deepEqual(out.data, { d: Buffer.from("T-keys-d").toString("base64") });
    });

    it("creates the Services routes send to that the program does not, once each, with every port named", () => {
        const route = (name: string, refs: Record<string, unknown>[]): KubeObject => ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name, namespace: "gw" }, spec: { rules: [{ backendRefs: refs }] } });
        const services = clusterServices([
            route("a", [{ kind: "Service", name: "app", namespace: "apps", port: 80 }, { group: "gateway.envoyproxy.io", kind: "Backend", name: "b" }]),
            route("b", [{ name: "app", namespace: "apps", port: 8080 }, { name: "local", port: 9000 }, { name: "ours", port: 6379 }]),
            { apiVersion: "v1", kind: "Service", metadata: { name: "ours", namespace: "gw" } },
        ]);
        assert.deepEqual(
            services.map((s) => [s.metadata.namespace, s.metadata.name, (s.spec as { ports: { port: number }[] }).ports.map((p) => p.port)]),
            [
                ["apps", "app", [80, 8080]],
                ["gw", "local", [9000]],
            ],
        );
    });
});
