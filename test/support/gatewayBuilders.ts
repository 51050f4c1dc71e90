/**
 * The gateway core builders (components/manifests/gateway.ts) with the names the plan gives them
 * (plan/names.ts gatewayNames) filled in, for tests that build one object from a gateway slice.
 */
import type { GatewayConfig } from "../../config";
import * as builders from "../../components/manifests/gateway";
import { gatewayNames } from "../../plan/names";
import type { ClientValidationContext, FilterPosition } from "../../specs";
import type { GatewayObservability } from "../../components/manifests/observability";

export { ENVOY_CONTAINER_SECURITY_CONTEXT } from "../../components/manifests/gateway";
export { gatewayNames } from "../../plan/names";

export const gatewayCoreManifests = (
    config: GatewayConfig,
    controllerName: string,
    observability?: GatewayObservability,
    clientValidation?: ClientValidationContext,
    filterOrder?: readonly FilterPosition[],
) => builders.gatewayCoreManifests(config, gatewayNames(config), controllerName, observability, clientValidation, filterOrder);
export const gatewayClassManifest = (config: GatewayConfig, controllerName: string) => builders.gatewayClassManifest(config, gatewayNames(config), controllerName);
export const gatewayManifest = (config: GatewayConfig, withGatewayConfig: boolean) => builders.gatewayManifest(config, gatewayNames(config), withGatewayConfig);
export const envoyProxyManifest = (config: GatewayConfig, observability?: GatewayObservability, filterOrder?: readonly FilterPosition[]) =>
    builders.envoyProxyManifest(config, gatewayNames(config), observability, filterOrder);
export const clientTrafficPolicyManifest = (config: GatewayConfig, clientValidation?: ClientValidationContext) =>
    builders.clientTrafficPolicyManifest(config, gatewayNames(config), clientValidation);
export const gatewayConfigManifest = (config: GatewayConfig, observability?: GatewayObservability) => builders.gatewayConfigManifest(config, gatewayNames(config), observability);
export const httpsRedirectManifest = (config: GatewayConfig) => builders.httpsRedirectManifest(config, gatewayNames(config));
export const gatewayParentRefs = (config: GatewayConfig) => builders.gatewayParentRefs(config, gatewayNames(config));
