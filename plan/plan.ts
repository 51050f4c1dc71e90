import type { ClientAuthConfig, GatewayConfig } from "../config/schema";
import type { StackConfig } from "../config/stackConfig";
import { envoyAwsIdentity, type EnvoyAwsIdentity } from "./aws";
import { releaseValues, type ReleaseValues } from "./chartValues";
import { guardrailPlans, guardrailRequestBuffer, type GuardrailPlan } from "./guardrails";
import { withIdentityHeadersStripped, withVerifiedUser } from "./identity";
import { backendPlans, envoyPodsNamespace, inferencePoolsInUse, installedControllerName, quotasInUse, type BackendPlan } from "./platform";
import { rateLimitPlan, type RateLimitPlan } from "./rateLimit";
import { resolvedOAuth, type ResolvedOAuth } from "./mcp";
import { gatewayLevelNames, type GatewayLevelNames } from "./names";
import { routeGroups, type RouteGroup } from "./routes";
import { routeSpendCosts } from "./spend";
import { metricPrices, type MetricPrice } from "./spendDashboard";

/**
 * What a validated configuration resolves to, each fact computed once: the budgets as rate-limit rules (the
 * set validation's caps read too, see rateLimitRuleSet), the route groups of the models, the backends' names,
 * the verified identity, what is in use, the charts' values. The composition root (components/stack.ts) builds it and hands each
 * component its slice; no component or builder works a fact out again (test/onePlan.spec.ts).
 */
export interface Plan {
    config: StackConfig;
    /** Client authentication, with the user identity budgets, logs and metrics read taken from what the gateway verified. */
    auth: ClientAuthConfig;
    /** The Gateway, with the headers the gateway fills from verified identity never taken from the client. */
    gateway: GatewayConfig;
    /** Some budget is in effect: Redis and Envoy Gateway's rate-limit service are installed. */
    rateLimited: boolean;
    /** The budgets as rules (shared, per model, per passthrough route) and the spend cost the model routes record. */
    rateLimit: RateLimitPlan;
    /** The model routes: each bucket of models with its objects' names, host names, retry and (with a spend budget) spend cost. */
    routes: RouteGroup[];
    /** The names that follow from the Gateway alone: its core objects', the Envoy pods' ServiceAccount, the MCPRoute's. */
    names: GatewayLevelNames;
    /** Each backend's names (its component, its objects, its InferencePool), by key, in config order. */
    backends: ReadonlyMap<string, BackendPlan>;
    /** Some backend has a provider quota: the AI Gateway's quota service and its Redis are installed. */
    quotas: boolean;
    /** Some backend is an InferencePool: its CRDs come before both controllers. */
    inferencePools: boolean;
    /** Where Envoy Gateway runs the Envoy pods: its own namespace, or the Gateway's. */
    envoyPodsNamespace: string;
    /** The controllerName of the Envoy Gateway the program installs (the GatewayClass names it). */
    controllerName: string;
    /** The AWS identity of the Envoy pods, when a backend calls AWS on the default credential chain. */
    awsIdentity: EnvoyAwsIdentity | undefined;
    /** observability.metrics.perUser: metrics labelled with the verified user. */
    perUserMetrics: boolean;
    /** ai-gateway:guardrails in the order their processors run, each on every model route. */
    guardrails: GuardrailPlan[];
    /** While guardrails exist: the request buffer every model route gets, so that the buffer filter their order relies on exists. */
    guardrailRequestBuffer: { limit: string } | undefined;
    /** The prices the dashboard's spend panels charge tokens at (none without a spend budget). */
    dashboardPrices: MetricPrice[];
    /** The values of ai-gateway-helm and of each installed pool's release (Envoy Gateway's wait on the Redis URL). */
    releaseValues: ReleaseValues;
    /** mcp.oauth with what it leaves unset taken from auth.jwt, when the MCP route takes OAuth tokens. */
    mcpOAuth: ResolvedOAuth | undefined;
}

/** Resolves a validated configuration into its plan. */
export function buildPlan(config: StackConfig): Plan {
    const { rateLimit } = config;
    const auth = withVerifiedUser(config.auth, rateLimit.userHeader);
    const gateway = withIdentityHeadersStripped(config.gateway, auth, rateLimit.userHeader);
    const budgets = rateLimitPlan(config);
    const layout = routeGroups(config.models, config.routing.routeBuckets, config.retry, config.gateway.hostnames);
    const names = gatewayLevelNames(gateway, Object.keys(config.mcp?.servers ?? {}), layout, Object.keys(config.passthrough));
    const quotas = quotasInUse(config.backends);
    const inferencePools = inferencePoolsInUse(config.backends);
    const podsNamespace = envoyPodsNamespace(config.platform.envoyGateway, gateway.namespace);
    const controllerName = installedControllerName(config.platform.envoyGateway.values);
    const backends = backendPlans(config.gateway, config.backends);
    // Each route's spend cost: the one validation measured (routeSpendCosts keeps it per configuration).
    const referenced = (key: string) => backends.get(key)?.pool?.name ?? backends.get(key)!.names.backend;
    const costs = routeSpendCosts({ models: config.models, backends: config.backends, buckets: layout, units: budgets.spend.spendUnits, gateway: config.gateway, referenced });
    const routes: RouteGroup[] = layout.map((group) => {
        const spend = costs.get(group.id);
        return { ...group, ...names.routes.get(group.id)!, ...(spend !== undefined && { spend }) };
    });
    const perUserMetrics = config.observability.metrics?.perUser === true;
    const guardrails = guardrailPlans(config.guardrails, gateway.namespace);
    const requestBuffer = guardrails.length > 0 ? guardrailRequestBuffer(config.gateway) : undefined;
    return {
        config,
        auth,
        gateway,
        rateLimited: budgets.inUse,
        rateLimit: budgets,
        routes,
        quotas,
        inferencePools,
        envoyPodsNamespace: podsNamespace,
        controllerName,
        names,
        backends,
        awsIdentity: envoyAwsIdentity(config, names.envoyServiceAccount),
        perUserMetrics,
        guardrails,
        guardrailRequestBuffer: requestBuffer,
        dashboardPrices: metricPrices(config, budgets.spend.spendUnits.length > 0),
        mcpOAuth: config.mcp?.oauth && resolvedOAuth(config.mcp.oauth, auth.jwt),
        releaseValues: releaseValues(config, { perUserMetrics, quotas, inferencePools, backends }),
    };
}
