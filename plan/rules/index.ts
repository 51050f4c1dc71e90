import { awsIdentitySettings } from "./aws";
import { clientConnectionSettings } from "./clientTraffic";
import { backendClusterSettings } from "./backendTraffic";
import { localRateLimitSettings } from "./localRateLimit";
import { backendSettings, credentialOverrides, inferencePoolBackends, simulatorBackends } from "./backends";
import {
    clientTrafficSettings,
    envoyProxySettings,
    gatewayAnnotations,
    gatewayClassController,
    gatewayConfigSettings,
    gatewayListeners,
    gatewayNamespace,
} from "./gateway";
import { identityHeaderWrites } from "../../config/rules/headers";
import { guardrailSettings } from "./guardrails";
import { mcpSettings } from "./mcp";
import { routeHostnameSettings } from "../../config/rules/hostnames";
import { modelBackends, modelSettings, routePacking } from "./models";
import { observabilitySettings } from "./observability";
import { chartSources, mcpSessionSeed, redisLocation } from "./platform";
import { controllerSettings, recordedHeaderSettings } from "./controller";
import { rateLimitSettings } from "./rateLimit";
import { spendPrices } from "./spend";
import { spendDashboardPrices } from "./spendDashboard";
import { providerQuotas } from "./quotas";
import { passthroughRoutes, retryBudget, trafficProtectionSettings } from "./protection";
import { secretReferences } from "../../config/rules/secrets";
import { forbiddenTargets } from "../../config/rules/targets";
import { clientAuthSettings } from "./security";
import { retrySettings } from "../../config/rules/traffic";
import type { Rule } from "../../config/rules/types";

export type { Rule, RuleContext } from "../../config/rules/types";
export { setSecretCommand } from "../../config/rules/secrets";

/** Cross-field rules, run in this order after the schema accepted every key. */
export const RULES: readonly Rule[] = [
    backendSettings,
    backendClusterSettings,
    credentialOverrides,
    simulatorBackends,
    inferencePoolBackends,
    modelBackends,
    modelSettings,
    routePacking,
    retrySettings,
    rateLimitSettings,
    localRateLimitSettings,
    spendPrices,
    spendDashboardPrices,
    providerQuotas,
    secretReferences,
    awsIdentitySettings,
    redisLocation,
    mcpSessionSeed,
    controllerSettings,
    recordedHeaderSettings,
    chartSources,
    gatewayListeners,
    routeHostnameSettings,
    gatewayNamespace,
    gatewayClassController,
    gatewayAnnotations,
    envoyProxySettings,
    clientTrafficSettings,
    clientConnectionSettings,
    gatewayConfigSettings,
    observabilitySettings,
    clientAuthSettings,
    retryBudget,
    trafficProtectionSettings,
    passthroughRoutes,
    mcpSettings,
    guardrailSettings,
    forbiddenTargets,
    identityHeaderWrites,
];
