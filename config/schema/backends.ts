import { z } from "zod";
import { dnsLabel, hostname, port } from "./primitives";

/** AIServiceBackend schema names (AI Gateway v1.1.0). */
export const SCHEMA_NAMES = ["OpenAI", "AWSBedrock", "AWSAnthropic", "AzureOpenAI", "GCPVertexAI", "GCPAnthropic", "Anthropic", "Cohere"] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

export const AUTH_TYPES = ["APIKey", "AzureAPIKey", "AnthropicAPIKey", "AWSCredentials", "AzureCredentials", "GCPCredentials"] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** Name of a key in the secret object ai-gateway:apiKeys. */
const secretName = z.string().min(1, "is empty; name a key of ai-gateway:apiKeys");

const apiKeyAuth = (type: "APIKey" | "AzureAPIKey" | "AnthropicAPIKey") =>
    z.strictObject({ type: z.literal(type), secret: secretName });

const awsAuth = z.strictObject({
    type: z.literal("AWSCredentials"),
    /** Defaults to ai-gateway:aws.region. */
    region: z.string().optional(),
    /** Key in apiKeys holding an AWS credentials file (clusters outside EKS). Unset: default credential chain. */
    credentialsSecret: secretName.optional(),
    profile: z.string().optional(),
});

const azureAuth = z.strictObject({
    type: z.literal("AzureCredentials"),
    clientID: z.string().min(1, "is empty; set the Azure application (client) ID"),
    tenantID: z.string().min(1, "is empty; set the Azure tenant ID"),
    /** Key in apiKeys holding the client secret. */
    secret: secretName,
});

const gcpAuth = z.strictObject({
    type: z.literal("GCPCredentials"),
    projectName: z.string().min(1, "is empty; set the GCP project name"),
    region: z.string().min(1, "is empty; set the GCP region, e.g. us-central1"),
    /** Key in apiKeys holding service_account.json. Unset: Application Default Credentials. */
    secret: secretName.optional(),
});

export const backendAuthSchema = z.discriminatedUnion(
    "type",
    [apiKeyAuth("APIKey"), apiKeyAuth("AzureAPIKey"), apiKeyAuth("AnthropicAPIKey"), awsAuth, azureAuth, gcpAuth],
    { error: "needs a known auth type; set auth.type" },
);

export const backendSchema = z.strictObject({
    schema: z.enum(SCHEMA_NAMES),
    /** Schema version: API version for AzureOpenAI, anthropic_version for AWSAnthropic/GCPAnthropic. */
    version: z.string().min(1).optional(),
    /** Defaults to bedrock-runtime.<region>.amazonaws.com for AWS schemas. */
    hostname: hostname.optional(),
    port: port.default(443),
    prefix: z.string().regex(/^\/[^\s]*$/, "must be a path starting with '/'; use e.g. /v1").optional(),
    /** TLS to the backend (BackendTLSPolicy with system CAs). Default: on for port 443. */
    tls: z.boolean().optional(),
    /** Namespace of an in-cluster service the host name points to (for documentation and ReferenceGrants). */
    namespace: dnsLabel.optional(),
    auth: backendAuthSchema.optional(),
});

export const backendsSchema = z.record(z.string(), backendSchema);

export type BackendConfig = z.output<typeof backendSchema>;
export type BackendAuthConfig = z.output<typeof backendAuthSchema>;
