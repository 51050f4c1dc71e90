/**
 * The pure parts of how the local gateway runs the quota service of QuotaPolicy (no Go, no API server): where the
 * data-plane build of the AI Gateway controller serves the quota configuration, that the program's quota service
 * asks there, and that it gets the one Redis password of the run.
 */
import * as assert from "node:assert/strict";
import { quotaServiceDeploymentSpec } from "../components/manifests/quotaService";
import { LOCAL_PROCESS_BUILDS, QUOTA_CONFIG_SERVER_IN_NAMESPACE } from "../tools/localProcessPatches";
import { oneRedisPassword, quotaConfigServerHost } from "./dataplane/localGateway";
import type { KubeObject } from "./e2e/kube";

type Container = Parameters<typeof quotaConfigServerHost>[0];

const runnerAddress = (build: keyof typeof LOCAL_PROCESS_BUILDS) =>
    LOCAL_PROCESS_BUILDS[build]!.patches.find((p) => p.file === "internal/ratelimit/runner/runner.go")!.replace[0][1];

describe("local gateway: the quota service", () => {
    it("the data-plane build of the AI Gateway controller serves the quota configuration at a known loopback address; the end-to-end build at a port the kernel picks", () => {
        assert.equal(QUOTA_CONFIG_SERVER_IN_NAMESPACE, "127.0.0.1:18002");
        assert.equal(runnerAddress("aiGatewayControllerDataplane"), `addr := "${QUOTA_CONFIG_SERVER_IN_NAMESPACE}"`);
        assert.equal(runnerAddress("aiGatewayController"), 'addr := "127.0.0.1:0"');
    });

    it("the program's quota service asks the controller's Service at that port: its host is what resolves to loopback", () => {
        const spec = quotaServiceDeploymentSpec({ namespace: "ai-ns", redisUrl: "redis.redis-system.svc.cluster.local:6379" });
        const container = (spec.template as { spec: { containers: Container[] } }).spec.containers[0];
        assert.equal(quotaConfigServerHost(container), "ai-gateway-controller.ai-ns.svc.cluster.local");
    });

    it("a configuration server URL at another port, or none, is an error naming the port the build serves", () => {
        for (const value of ["ai-gateway-controller.ai-ns:18003", "ai-gateway-controller.ai-ns", undefined]) {
            const container: Container = { name: "ratelimit", env: value === undefined ? [] : [{ name: "CONFIG_GRPC_XDS_SERVER_URL", value }] };
            assert.throws(() => quotaConfigServerHost(container), /the quota service's CONFIG_GRPC_XDS_SERVER_URL is .*; .* at port 18002 .*so it must be <host>:18002/);
        }
    });

    it("the Secret the quota service reads REDIS_AUTH from gets the password of Redis's own Secret; other Secrets keep theirs", () => {
        const deployment = (namespace: string, env: string, secret: string): KubeObject => ({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: `${env}-reader`, namespace },
            spec: { template: { metadata: {}, spec: { containers: [{ name: "c", env: [{ name: env, valueFrom: { secretKeyRef: { name: secret, key: "password" } } }] }] } } },
        });
        const secret = (namespace: string, name: string, fields: Record<string, unknown>): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, ...fields });
        const objects = [
            deployment("redis-system", "REDIS_PASSWORD", "redis-auth"),
            deployment("ai-ns", "REDIS_AUTH", "quota-auth"),
            secret("redis-system", "redis-auth", { data: { password: Buffer.from("T-redis-auth-password").toString("base64") } }),
            secret("ai-ns", "quota-auth", { stringData: { password: "T-quota-auth-password" } }),
            secret("ai-ns", "other", { stringData: { password: "T-other-password" } }),
        ];
        const out = oneRedisPassword(objects);
        assert.deepEqual(out[3].stringData, { password: "T-redis-auth-password" });
        assert.deepEqual(out.filter((_, i) => i !== 3), objects.filter((_, i) => i !== 3));
        // No Redis: nothing to share.
        assert.deepEqual(oneRedisPassword(objects.slice(1)), objects.slice(1));
    });
});
