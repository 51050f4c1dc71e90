import { awsIdentitySettings } from "./aws";
import { backendSettings } from "./backends";
import {
    clientTrafficSettings,
    envoyProxySettings,
    gatewayAnnotations,
    gatewayClassController,
    gatewayConfigSettings,
    gatewayListeners,
    gatewayNamespace,
} from "./gateway";
import { modelBackends, modelSettings, routePacking } from "./models";
import { redisLocation } from "./platform";
import { secretReferences } from "./secrets";
import { retrySettings } from "./traffic";
import type { Rule } from "./types";

export type { Rule, RuleContext } from "./types";
export { setSecretCommand } from "./secrets";

/** Cross-field rules, run in this order after the schema accepted every key. */
export const RULES: readonly Rule[] = [
    backendSettings,
    modelBackends,
    modelSettings,
    routePacking,
    retrySettings,
    secretReferences,
    awsIdentitySettings,
    redisLocation,
    gatewayListeners,
    gatewayNamespace,
    gatewayClassController,
    gatewayAnnotations,
    envoyProxySettings,
    clientTrafficSettings,
    gatewayConfigSettings,
];
