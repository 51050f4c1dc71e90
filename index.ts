import { envoyServiceType, loadConfig } from "./plan";
import { AiGateway } from "./components";
import { withoutPromiseLeakStacks } from "./components/promiseStacks";

// No stack trace on each of the SDK's promises, for a leak report a finished program never prints (see there).
withoutPromiseLeakStacks();

// Reads and validates every ai-gateway:* key once; a bad key stops here, before any resource exists.
const config = loadConfig();
const gateway = new AiGateway("ai-gateway", { config });

// Stack outputs, only those that have a value (Pulumi warns about each undefined one). The URL is known only
// from the Gateway's status, never behind a NodePort Service (firstCallCommand finds the node port then).
const outputs: Record<string, unknown> = {
    namespaces: gateway.namespaces,
    gatewayName: gateway.gatewayName,
    gatewayAddressCommand: gateway.gatewayAddressCommand,
    url: config.gateway.enabled && envoyServiceType(config.gateway) !== "NodePort" ? gateway.url : undefined,
    models: gateway.models,
    firstCallCommand: gateway.firstCallCommand,
    redisUrl: gateway.redisUrl,
    bedrockRoleArn: gateway.bedrockRoleArn,
};

export = Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
