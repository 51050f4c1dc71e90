import { z } from "zod";
import { awsSchema } from "./aws";
import { backendsSchema } from "./backends";
import { gatewaySchema } from "./gateway";
import { guardrailsSchema } from "./guardrails";
import { mcpSchema } from "./mcp";
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
    platform: platformSchema.prefault({}).describe("Envoy Gateway, Envoy AI Gateway and the rate-limit Redis: Helm releases and their settings"),
    gateway: gatewaySchema
        .prefault({})
        .describe("The Gateway clients call and what configures it: GatewayClass, EnvoyProxy, ClientTrafficPolicy and GatewayConfig"),
    backends: backendsSchema
        .default({})
        .describe("Backend name (your choice, used by ai-gateway:models) to a provider or a self-hosted model server"),
    models: modelsSchema.default({}).describe("Model name clients send to the backends that serve it, with weights, priorities, timeouts and budgets"),
    routing: routingSchema.prefault({}).describe("How models are spread over routes, and how many backends each needs"),
    retry: retrySchema.prefault({}).describe("Retries and priority fallback of the model routes"),
    rateLimit: rateLimitSchema.prefault({}).describe("Request and token budgets per user, model, tenant and for everyone together"),
    apiKeys: z
        .record(z.string(), z.literal(true))
        .default({})
        .describe(
            "Secrets the backends and other keys name (provider API keys, OTLP headers, a Redis password), each set with pulumi config set --secret --path 'apiKeys.<name>' <value>",
        ),
    auth: clientAuthSchema.prefault({}).describe("Who may call the gateway: JWT, client API keys or, said explicitly, none; and CORS"),
    traffic: trafficProtectionSchema.prefault({}).describe("Traffic protection towards the backends: timeouts, circuit breaker, health checks"),
    passthrough: passthroughSchema
        .default({})
        .describe("Route name to a plain HTTPRoute for an endpoint that is not an LLM API (e.g. a KServe predictor)"),
    mcp: mcpSchema
        .optional()
        .describe("MCP servers behind the same Gateway as the models: one MCP path that offers every server's tools, with their credentials and client authentication"),
    aws: awsSchema.optional().describe("AWS: the region, and the IAM role the Envoy pods call Bedrock with (EKS Pod Identity or IRSA)"),
    observability: observabilitySchema.prefault({}).describe("Tracing, access log, metrics and a Grafana dashboard; each section off until its key is present"),
    guardrails: guardrailsSchema
        .default({})
        .describe("Guardrail name to an external processor (a guard Service) every model request passes before the AI Gateway reads it: PII redaction, prompt-injection filters"),
});

/** The config keys a stack may set, without the project prefix. */
export const STACK_KEYS = Object.keys(stackSchema.shape) as (keyof typeof stackSchema.shape)[];

export type ParsedStackConfig = z.output<typeof stackSchema>;

export * from "./aws";
export * from "./backends";
export * from "./backendTls";
export * from "./clientTraffic";
export * from "./gateway";
export * from "./guardrails";
export * from "./kubernetes";
export * from "./loadBalancing";
export * from "./localRateLimit";
export * from "./mcp";
export * from "./requestBuffer";
export * from "./models";
export * from "./mutation";
export * from "./observability";
export * from "./platform";
export * from "./primitives";
export * from "./protection";
export * from "./security";
export * from "./traffic";
