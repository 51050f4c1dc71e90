import type * as k8s from "@pulumi/kubernetes";
import { serviceFqdn } from "../../config/names";
import { REDIS_AUTH_ENV } from "./platformValues";
import { CLUSTER_DOMAIN, QUOTA_RATELIMIT } from "../../config/versions";
import { QUOTA_SERVICE_NAME, QUOTA_SERVICE_PORT } from "../../plan/platform";

type DeploymentSpec = k8s.types.input.apps.v1.DeploymentSpec;
type ServiceSpec = k8s.types.input.core.v1.ServiceSpec;
/** Labels of its pods: what its Service selects and what Redis lets in. */
export const QUOTA_SERVICE_LABELS = { "app.kubernetes.io/name": QUOTA_SERVICE_NAME, "app.kubernetes.io/component": "quota-rate-limit" };
/** The node id the controller serves the quota configuration to. */
const XDS_NODE_ID = "envoy-ai-gateway-ratelimit";
/** The controller's rate-limit xDS port (its Service port `ratelimit-xds`). */
const CONTROLLER_XDS_PORT = 18002;
const CONTROLLER_SERVICE = "ai-gateway-controller";

export interface QuotaServiceInput {
    /** The AI Gateway controller's namespace, where the service runs beside it. */
    namespace: string;
    redisUrl: string;
    /** The Secret (in `namespace`) holding the Redis password, when Redis has one. */
    redisAuth?: { secretName: string; secretKey: string };
}

/** One replica (counters live in Redis), non-root, read-only root file system. */
export function quotaServiceDeploymentSpec(input: QuotaServiceInput): DeploymentSpec {
    const env = [
        { name: "REDIS_SOCKET_TYPE", value: "tcp" },
        { name: "REDIS_URL", value: input.redisUrl },
        ...(input.redisAuth ? [{ name: REDIS_AUTH_ENV, valueFrom: { secretKeyRef: { name: input.redisAuth.secretName, key: input.redisAuth.secretKey } } }] : []),
        { name: "USE_STATSD", value: "false" },
        { name: "RUNTIME_ROOT", value: "/data" },
        { name: "RUNTIME_SUBDIRECTORY", value: "ratelimit" },
        { name: "CONFIG_TYPE", value: "GRPC_XDS_SOTW" },
        { name: "CONFIG_GRPC_XDS_NODE_ID", value: XDS_NODE_ID },
        { name: "CONFIG_GRPC_XDS_SERVER_URL", value: `${serviceFqdn(CONTROLLER_SERVICE, input.namespace, CLUSTER_DOMAIN)}:${CONTROLLER_XDS_PORT}` },
        { name: "GRPC_PORT", value: String(QUOTA_SERVICE_PORT) },
    ];
    return {
        replicas: 1,
        selector: { matchLabels: { ...QUOTA_SERVICE_LABELS } },
        template: {
            metadata: { labels: { ...QUOTA_SERVICE_LABELS } },
            spec: {
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "ratelimit",
                        image: QUOTA_RATELIMIT.image,
                        command: ["/bin/ratelimit"],
                        env,
                        ports: [{ name: "grpc", containerPort: QUOTA_SERVICE_PORT }],
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        readinessProbe: { tcpSocket: { port: QUOTA_SERVICE_PORT }, initialDelaySeconds: 2, periodSeconds: 5 },
                        volumeMounts: [{ name: "data", mountPath: "/data" }],
                    },
                ],
                volumes: [{ name: "data", emptyDir: {} }],
            },
        },
    };
}

export function quotaServiceSpec(): ServiceSpec {
    return {
        type: "ClusterIP",
        selector: { ...QUOTA_SERVICE_LABELS },
        ports: [{ name: "grpc", port: QUOTA_SERVICE_PORT, targetPort: "grpc", appProtocol: "grpc" }],
    };
}
