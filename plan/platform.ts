import { serviceFqdn } from "../config/names";
import { CLUSTER_DOMAIN, INFERENCE_EXTENSION, ENVOY_GATEWAY } from "../config/versions";
import type { ProviderQuota, BackendConfig, InferencePoolConfig } from "../config/schema";
import { Values } from "../config/merge";
import { backendObjectNames, inferencePoolName, type BackendObjectNames } from "./names";

/** `host:port` Envoy sends quota checks to: the controller's `quotaRateLimitServiceAddr`. */
export function quotaServiceAddress(namespace: string): string {
    return `${serviceFqdn(QUOTA_SERVICE_NAME, namespace, CLUSTER_DOMAIN)}:${QUOTA_SERVICE_PORT}`;
}

/** Whether any backend has a quota: then the quota rate-limit service and its Redis are needed. */
export function quotasInUse(backends: Readonly<Record<string, { quotas?: Record<string, readonly ProviderQuota[]> }>>): boolean {
    return Object.values(backends).some((b) => Object.keys(b.quotas ?? {}).length > 0);
}

/** Whether any backend routes to an InferencePool. */
export function inferencePoolsInUse(backends: Readonly<Record<string, BackendConfig>>): boolean {
    return Object.values(backends).some((b) => b.inferencePool !== undefined);
}

/** A pool the program installs with the chart, in the gateway namespace. */
export interface InstalledPool {
    /** The backend's key in ai-gateway:backends. */
    backend: string;
    /** The pool's name, also the Helm release's. */
    name: string;
    namespace: string;
    selector: Record<string, string>;
    targetPort: number;
    replicas: number;
    modelServerType: string;
    /** The user's extra chart values. */
    values: Values;
}

/** Every pool the program installs (backends with `inferencePool.selector`), in backend-key order. */
export function installedPools(gateway: { name: string; namespace: string }, backends: Readonly<Record<string, BackendConfig>>): InstalledPool[] {
    return Object.keys(backends)
        .sort()
        .flatMap((key) => {
            const pool = backends[key].inferencePool;
            return pool?.selector === undefined ? [] : [installedPool(gateway.namespace, key, pool, pool.selector, inferencePoolName(gateway.name, key, pool))];
        });
}

/** The pool the program installs for one backend (its `inferencePool` has a `selector`), named `name`. */
function installedPool(namespace: string, key: string, pool: InferencePoolConfig, selector: Record<string, string>, name: string): InstalledPool {
    return {
        backend: key,
        name,
        namespace,
        selector: { ...selector },
        targetPort: pool.targetPort ?? INFERENCE_EXTENSION.targetPort,
        replicas: pool.endpointPicker?.replicas ?? 1,
        modelServerType: pool.endpointPicker?.modelServerType ?? "vllm",
        values: pool.endpointPicker?.values ?? {},
    };
}

/**
 * The AI Gateway's quota rate-limit service, which enforces QuotaPolicies. No chart ships it: it is an
 * envoyproxy/ratelimit that reads its limits over xDS from the AI Gateway controller (port 18002, node
 * id `envoy-ai-gateway-ratelimit`) and counts in the same Redis as the budgets. Envoy reaches it at the
 * address the controller is given (`controller.quotaRateLimitServiceAddr`). No Pulumi here.
 */

export const QUOTA_SERVICE_NAME = "ai-gateway-quota-ratelimit";
/** The gRPC port Envoy calls (the controller's default). */
export const QUOTA_SERVICE_PORT = 8081;

/**
 * The GatewayClass controller name Envoy Gateway is installed with: the pinned default, unless the user's
 * `platform.envoyGateway.values` override `config.envoyGateway.gateway.controllerName`.
 */
export function installedControllerName(userValues: Values): string {
    const name = valueAt(userValues, ["config", "envoyGateway", "gateway", "controllerName"]);
    return typeof name === "string" && name !== "" ? name : ENVOY_GATEWAY.controllerName;
}

/** The user's Helm value at a path of keys, or undefined where the path stops. */
function valueAt(values: Values, path: string[]): unknown {
    let v: unknown = values;
    for (const key of path) v = typeof v === "object" && v !== null ? (v as Values)[key] : undefined;
    return v;
}

/** How Envoy Gateway places the Envoy pods: in its own namespace (default) or in each Gateway's namespace. */
export type EnvoyDeployMode = "ControllerNamespace" | "GatewayNamespace";

/** The deploy mode Envoy Gateway is installed with (`config.envoyGateway.provider.kubernetes.deploy.type` in its values). */
export function installedDeployMode(userValues: Values): EnvoyDeployMode {
    const type = valueAt(userValues, ["config", "envoyGateway", "provider", "kubernetes", "deploy", "type"]);
    return type === "GatewayNamespace" ? "GatewayNamespace" : "ControllerNamespace";
}

/**
 * Where the Envoy pods of a Gateway run, with their ServiceAccount: Envoy Gateway's namespace, or the
 * Gateway's own in GatewayNamespace mode. Identities bound to those pods (EKS Pod Identity, IRSA) use this.
 */
export function envoyPodsNamespace(envoyGateway: { namespace: string; values: Values }, gatewayNamespace: string): string {
    return installedDeployMode(envoyGateway.values) === "GatewayNamespace" ? gatewayNamespace : envoyGateway.namespace;
}

/** One backend's names and pool, worked out once for the plan. */
export interface BackendPlan extends Omit<BackendObjectNames, "pool"> {
    /** For an InferencePool backend: the pool route rules reference, and the one the program installs for it (unless it exists already). */
    pool?: { name: string; installed?: InstalledPool };
}

/** Every backend's plan, in the order of ai-gateway:backends. */
export function backendPlans(gateway: { name: string; namespace: string }, backends: Readonly<Record<string, BackendConfig>>): ReadonlyMap<string, BackendPlan> {
    return new Map(
        Object.entries(backends).map(([key, backend]): [string, BackendPlan] => {
            const { component, names, pool: poolName } = backendObjectNames(gateway.name, key, backend);
            const pool = backend.inferencePool;
            const installed = pool?.selector !== undefined ? installedPool(gateway.namespace, key, pool, pool.selector, poolName!) : undefined;
            return [key, { component, names, ...(poolName !== undefined && { pool: { name: poolName, ...(installed && { installed }) } }) }];
        }),
    );
}
