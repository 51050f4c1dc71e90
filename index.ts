import { loadConfig } from "./config";
import { AiGateway } from "./components";

// Reads and validates every ai-gateway:* key once; a bad key stops here, before any resource exists.
const gateway = new AiGateway("ai-gateway", { config: loadConfig() });

export const namespaces = gateway.namespaces;
export const gatewayName = gateway.gatewayName;
export const gatewayAddressCommand = gateway.gatewayAddressCommand;
export const url = gateway.url;
export const models = gateway.models;
export const firstCallCommand = gateway.firstCallCommand;
export const redisUrl = gateway.redisUrl;
export const bedrockRoleArn = gateway.bedrockRoleArn;
