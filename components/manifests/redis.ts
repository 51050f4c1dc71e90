import type * as k8s from "@pulumi/kubernetes";
import type { RedisConfig } from "../../config";
import { serviceFqdn } from "../../config/names";
import { CLUSTER_DOMAIN } from "../../config/versions";

type DeploymentSpec = k8s.types.input.apps.v1.DeploymentSpec;
type ServiceSpec = k8s.types.input.core.v1.ServiceSpec;
type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

export const REDIS_NAME = "redis";
/** Key of the password in the Redis Secret (and in its copy for the ratelimit service). */
export const REDIS_PASSWORD_KEY = "password";
/** UID of the `redis` user in the official image. */
const REDIS_UID = 999;
const LABELS = { "app.kubernetes.io/name": REDIS_NAME, "app.kubernetes.io/component": "rate-limit-store" };

/** Labels Envoy Gateway puts on its envoy-ratelimit pods, the only clients Redis accepts. */
export const RATELIMIT_POD_LABELS = { "app.kubernetes.io/name": "envoy-ratelimit" };

export function redisLabels(): Record<string, string> {
    return { ...LABELS };
}

/** `host:port` of the in-cluster Redis. */
export function redisUrl(serviceName: string, namespace: string, port: number): string {
    return `${serviceFqdn(serviceName, namespace, CLUSTER_DOMAIN)}:${port}`;
}

/** `host:port` of a Redis the program does not run: platform.redis.url, or its host and port. */
export function existingRedisUrl(config: RedisConfig): string {
    if (config.url !== undefined) return config.url;
    if (config.host === undefined) throw new Error("platform.redis needs a host or url (validation should have caught this)");
    return `${config.host}:${config.port}`;
}

/**
 * One standalone Redis without persistence (rate-limit counters are short-lived), non-root,
 * read-only root file system, password from a Secret.
 */
export function redisDeploymentSpec(config: RedisConfig, secretName: string): DeploymentSpec {
    const passwordEnv = { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: secretName, key: REDIS_PASSWORD_KEY } } };
    return {
        replicas: 1,
        selector: { matchLabels: redisLabels() },
        template: {
            metadata: { labels: redisLabels() },
            spec: {
                automountServiceAccountToken: false,
                securityContext: {
                    runAsNonRoot: true,
                    runAsUser: REDIS_UID,
                    runAsGroup: REDIS_UID,
                    fsGroup: REDIS_UID,
                    seccompProfile: { type: "RuntimeDefault" },
                },
                containers: [
                    {
                        name: REDIS_NAME,
                        image: config.image,
                        // $(REDIS_PASSWORD) is expanded by the kubelet, so the password never sits in the spec.
                        args: ["--requirepass", "$(REDIS_PASSWORD)", "--save", "", "--appendonly", "no", "--port", String(config.port)],
                        env: [passwordEnv],
                        ports: [{ name: "redis", containerPort: config.port }],
                        resources: config.resources,
                        securityContext: {
                            allowPrivilegeEscalation: false,
                            readOnlyRootFilesystem: true,
                            capabilities: { drop: ["ALL"] },
                        },
                        readinessProbe: {
                            exec: { command: ["sh", "-c", `redis-cli -p ${config.port} --no-auth-warning -a "$REDIS_PASSWORD" ping | grep -q PONG`] },
                            initialDelaySeconds: 2,
                            periodSeconds: 5,
                        },
                        livenessProbe: { tcpSocket: { port: config.port }, initialDelaySeconds: 10, periodSeconds: 10 },
                        volumeMounts: [{ name: "data", mountPath: "/data" }],
                    },
                ],
                volumes: [{ name: "data", emptyDir: {} }],
            },
        },
    };
}

export function redisServiceSpec(config: RedisConfig): ServiceSpec {
    return {
        type: "ClusterIP",
        selector: redisLabels(),
        ports: [{ name: "redis", port: config.port, targetPort: "redis" }],
    };
}

/** Only Envoy Gateway's ratelimit pods, and the AI Gateway's quota service when quotas are set, may reach Redis. */
export function redisNetworkPolicySpec(config: RedisConfig, envoyGatewayNamespace: string, quotaService?: { namespace: string; labels: Record<string, string> }): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: redisLabels() },
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": envoyGatewayNamespace } },
                        podSelector: { matchLabels: RATELIMIT_POD_LABELS },
                    },
                    ...(quotaService
                        ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": quotaService.namespace } }, podSelector: { matchLabels: { ...quotaService.labels } } }]
                        : []),
                ],
                ports: [{ protocol: "TCP", port: config.port }],
            },
        ],
    };
}
