import { loadConfig } from "./config";
import { buildStack } from "./components/stack";

// Reads and validates every ai-gateway:* key once; a bad key stops here, before any resource exists.
const outputs = buildStack(loadConfig());

export const namespaces = outputs.namespaces;
export const gatewayName = outputs.gatewayName;
export const gatewayAddressCommand = outputs.gatewayAddressCommand;
export const models = outputs.models;
export const firstCallCommand = outputs.firstCallCommand;
export const redisUrl = outputs.redisUrl;
export const bedrockRoleArn = outputs.bedrockRoleArn;
