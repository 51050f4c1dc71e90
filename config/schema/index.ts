import { z } from "zod";
import { awsSchema } from "./aws";
import { backendsSchema } from "./backends";
import { gatewaySchema } from "./gateway";
import { modelsSchema } from "./models";
import { observabilitySchema } from "./observability";
import { platformSchema } from "./platform";
import { passthroughSchema, trafficProtectionSchema } from "./protection";
import { clientAuthSchema } from "./security";
import { rateLimitSchema, retrySchema, routingSchema } from "./traffic";

/**
 * Every `ai-gateway:<key>` of the stack configuration (product contract §2), with its defaults.
 * `apiKeys` is checked here by name only: its values are secrets and never enter the schema.
 */
export const stackSchema = z.strictObject({
    platform: platformSchema.prefault({}),
    gateway: gatewaySchema.prefault({}),
    backends: backendsSchema.default({}),
    models: modelsSchema.default({}),
    routing: routingSchema.prefault({}),
    retry: retrySchema.prefault({}),
    rateLimit: rateLimitSchema.prefault({}),
    apiKeys: z.record(z.string(), z.literal(true)).default({}),
    auth: clientAuthSchema.prefault({}),
    traffic: trafficProtectionSchema.prefault({}),
    passthrough: passthroughSchema.default({}),
    aws: awsSchema.optional(),
    observability: observabilitySchema.prefault({}),
});

/** The config keys a stack may set, without the project prefix. */
export const STACK_KEYS = Object.keys(stackSchema.shape) as (keyof typeof stackSchema.shape)[];

export type ParsedStackConfig = z.output<typeof stackSchema>;

export * from "./aws";
export * from "./backends";
export * from "./gateway";
export * from "./kubernetes";
export * from "./models";
export * from "./mutation";
export * from "./observability";
export * from "./platform";
export * from "./primitives";
export * from "./protection";
export * from "./security";
export * from "./traffic";
