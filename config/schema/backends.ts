import { z } from "zod";
import { awsRegion, IAM_ROLE_ARN } from "./aws";
import { doc } from "./docs";
import { tcpKeepaliveSchema } from "./clientTraffic";
import { loadBalancerSchema } from "./loadBalancing";
import { requestBufferSchema } from "./requestBuffer";
import { backendTlsSchema } from "./backendTls";
import { bodyMutationSchema, headerMutationSchema } from "./mutation";
import { dnsLabel as dnsLabelName, serviceFqdn } from "../names";
import { CLUSTER_DOMAIN, INFERENCE_EXTENSION, SIMULATOR } from "../versions";
import { MAX_BUDGET_LIMIT, TOKEN_TYPES, hasAtMostDecimals } from "./models";
import { dnsLabel, duration, hasUserInfo, helmValues, hostname, intBetween, port } from "./primitives";
import { headerName } from "./security";

/** AIServiceBackend schema names (AI Gateway v1.1.0). */
export const SCHEMA_NAMES = ["OpenAI", "AWSBedrock", "AWSAnthropic", "AzureOpenAI", "GCPVertexAI", "GCPAnthropic", "Anthropic", "Cohere"] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

export const AUTH_TYPES = ["APIKey", "AzureAPIKey", "AnthropicAPIKey", "AWSCredentials", "AzureCredentials", "GCPCredentials"] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** Name of a key in the secret object ai-gateway:apiKeys. */
const secretName = z.string().min(1, "is empty; name a key of ai-gateway:apiKeys");

/** A string that must be set; a missing or empty value is reported with `fix`. */
const requiredString = (fix: string) =>
    z.string({ error: (issue) => (issue.input === undefined ? `is required; ${fix}` : undefined) }).min(1, `is empty; ${fix}`);

const authType = <T extends AuthType>(type: T) =>
    z.literal(type).describe(`kind of credential, which decides the other fields: ${AUTH_TYPES.map((t) => `\`${t}\``).join(", ")}`);

const apiKeyAuth = (type: "APIKey" | "AzureAPIKey" | "AnthropicAPIKey") =>
    z.strictObject({ type: authType(type), secret: secretName.describe("key of `ai-gateway:apiKeys` holding the API key") });

/** An HTTPS URL the AI Gateway controller calls: never plain HTTP, never with credentials (not echoed). */
const httpsUrl = (what: string, example: string) =>
    z
        .string({ error: (issue) => (issue.input === undefined ? `is required; set ${what}, e.g. ${example}` : undefined) })
        .max(2048, "is longer than 2048 characters; use a shorter URL")
        .superRefine((v, ctx) => {
            const problem = httpsUrlProblem(v, what, example);
            if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
        });

function httpsUrlProblem(v: string, what: string, example: string): string | undefined {
    if (hasUserInfo(v)) return `holds credentials in the URL; remove them (the client secret goes in ai-gateway:apiKeys, never in ${what})`;
    let url: URL;
    try {
        url = new URL(v);
    } catch {
        return `"${v}" is not a URL; use e.g. ${example}`;
    }
    if (url.protocol !== "https:") return `"${v}" is not an https:// URL: the client secret and the tokens cross it, and an issuer must be https; use e.g. ${example}`;
    if (url.search !== "" || url.hash !== "") return `"${v}" has a query or fragment, which an OpenID issuer never has; remove it`;
    return undefined;
}

/** OAuth scope names as RFC 6749 allows them. */
const scope = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/, "is not an OAuth scope; use a scope name such as api://ai-gateway/.default");

/**
 * The OIDC client-credentials login the AI Gateway controller makes to get a token it then exchanges for
 * the cloud's short-lived credentials (the CRD's `oidcExchangeToken`); the controller refreshes them before
 * they expire. No audience: the controller's client-credentials request carries none (the CRD's `aud` is
 * read by nothing), so the token's audience is what the OpenID provider gives this client.
 */
export const oidcExchangeSchema = z.strictObject({
    issuer: httpsUrl("the OpenID provider's issuer", "https://idp.example.com/realms/ai").describe(
        "the OpenID provider's issuer URL (`https://` only, no credentials); the controller finds the token endpoint in its `.well-known/openid-configuration`",
    ),
    tokenEndpoint: httpsUrl("the token endpoint", "https://idp.example.com/oauth2/token")
        .optional()
        .meta(doc("the provider's token endpoint (same URL rules as `issuer`)", { default: "from the issuer's `.well-known/openid-configuration`" })),
    clientID: requiredString("set the client ID registered at the OpenID provider for the gateway")
        .max(256, "is longer than 256 characters; use the client ID exactly as registered")
        .describe("the OAuth client ID registered at the OpenID provider for the gateway"),
    clientSecret: requiredString("name the key of ai-gateway:apiKeys holding the OIDC client secret, e.g. idp-client-secret").describe(
        "the **key of `ai-gateway:apiKeys`** holding the OAuth client secret (never the secret itself); it goes into the backend's Secret under `client-secret`",
    ),
    scopes: z
        .array(scope)
        .min(1, "is empty; list the scopes, or remove the key")
        .max(16, "lists more than 16 scopes; keep the ones the exchange needs")
        .optional()
        .meta(doc("OAuth scopes asked for (up to 16)", { default: "`[openid]` and what the issuer advertises" })),
});

const awsAuth = z.strictObject({
    type: authType("AWSCredentials"),
    /** Defaults to ai-gateway:aws.region. */
    region: awsRegion.optional().meta(doc("AWS region the requests are signed for", { default: "`ai-gateway:aws.region`" })),
    /** Key in apiKeys holding an AWS credentials file (clusters outside EKS). Unset: default credential chain. */
    credentialsSecret: secretName
        .optional()
        .describe("key of `ai-gateway:apiKeys` holding an AWS credentials file (clusters outside EKS); unset: the AWS SDK default chain (EKS Pod Identity, IRSA)"),
    profile: z.string().optional().describe("profile of the credentials file to use"),
    oidcExchange: oidcExchangeSchema
        .extend({
            roleArn: z
                .string({ error: (issue) => (issue.input === undefined ? "is required; set the IAM role the token is exchanged for, e.g. arn:aws:iam::123456789012:role/bedrock-from-idp" : undefined) })
                .regex(IAM_ROLE_ARN, "is not an IAM role ARN; use e.g. arn:aws:iam::123456789012:role/bedrock-from-idp")
                .describe("the IAM role (`arn:aws:iam::<account>:role/<name>`) whose temporary credentials the token is exchanged for (STS AssumeRoleWithWebIdentity); its trust must name the OpenID provider"),
        })
        .optional()
        .describe(
            "instead of `credentialsSecret` or the default chain: the controller logs in at an OpenID provider (client credentials) and exchanges the token for the role's temporary credentials; no AWS identity in the cluster",
        ),
});

const azureAuth = z.strictObject({
    type: authType("AzureCredentials"),
    clientID: requiredString("set the Azure application (client) ID").describe("Azure application (client) ID"),
    tenantID: requiredString("set the Azure tenant (directory) ID").describe("Azure tenant (directory) ID"),
    /** Key in apiKeys holding the client secret; exactly one of secret or oidcExchange (rules/backends.ts). */
    secret: secretName.optional().describe("key of `ai-gateway:apiKeys` holding the client secret; exactly one of `secret` or `oidcExchange`"),
    oidcExchange: oidcExchangeSchema
        .optional()
        .describe(
            "instead of `secret`: the controller logs in at an OpenID provider (client credentials) and exchanges the token for an Entra ID access token (a federated credential of the application must trust the provider)",
        ),
});

/** GCP resource IDs: a lower-case letter first, then lower-case letters, digits and '-', no trailing '-'. */
const gcpId = (what: string, min: number, max: number, example: string) =>
    z
        .string({ error: (issue) => (issue.input === undefined ? `is required; set ${what}, e.g. ${example}` : undefined) })
        .regex(
            new RegExp(`^[a-z][a-z0-9-]{${min - 2},${max - 2}}[a-z0-9]$`),
            `is not ${what}: ${min}–${max} lower-case letters, digits and '-', starting with a letter and not ending with '-'; use e.g. ${example}`,
        );

const workloadIdentityFederationSchema = z.strictObject({
    projectID: gcpId("a GCP project ID", 6, 30, "my-project-123456").describe("ID of the GCP project that holds the workload identity pool"),
    poolName: gcpId("a workload identity pool ID", 4, 32, "ai-gateway-pool").describe("ID of the workload identity pool"),
    providerName: gcpId("a workload identity pool provider ID", 4, 32, "corporate-idp").describe("ID of the pool's provider that trusts the OpenID provider"),
    serviceAccount: gcpId("a service account name", 6, 30, "vertex-caller")
        .optional()
        .describe("service account to impersonate, by name (the part before `@`; it must be in `projectName`); unset: the federated identity calls Vertex AI itself"),
    oidcExchange: oidcExchangeSchema.describe("the OpenID provider login whose token the pool exchanges"),
});

const gcpAuth = z.strictObject({
    type: authType("GCPCredentials"),
    projectName: requiredString("set the GCP project name").describe("GCP project name"),
    region: requiredString("set the GCP region, e.g. us-central1").describe("GCP region, e.g. `us-central1`"),
    /** Key in apiKeys holding service_account.json. Unset: Application Default Credentials. */
    secret: secretName
        .optional()
        .describe("key of `ai-gateway:apiKeys` holding a service-account key (`service_account.json`); unset: Application Default Credentials (GKE Workload Identity)"),
    workloadIdentityFederation: workloadIdentityFederationSchema
        .optional()
        .describe("instead of `secret`: the controller logs in at an OpenID provider and exchanges the token through a workload identity pool (optionally impersonating a service account)"),
});

export const backendAuthSchema = z.discriminatedUnion(
    "type",
    [apiKeyAuth("APIKey"), apiKeyAuth("AzureAPIKey"), apiKeyAuth("AnthropicAPIKey"), awsAuth, azureAuth, gcpAuth],
    { error: "needs a known auth type; set auth.type" },
);

/** Who writes a credential header: the external authorization service, or the client itself (bring your own key). */
export const CREDENTIAL_HEADER_WRITERS = ["extAuth", "client"] as const;

/** The Envoy metadata namespace Envoy's external authorization filter writes (auth.extAuth). */
export const EXT_AUTHZ_METADATA_NAMESPACE = "envoy.filters.http.ext_authz";

const fallbackToConfigured = z
    .boolean()
    .default(true)
    .describe("`true`: a request without the per-request credential uses the backend's `auth`; `false`: it is refused with 401 and never forwarded");

/**
 * Per-request upstream credentials (AI Gateway v1.1.0 `credentialOverride`): the credential of `auth.type`
 * comes from each request instead of the one configured, e.g. every team's own provider key.
 */
export const credentialOverrideSchema = z
    .strictObject({
        fromDynamicMetadata: z
            .strictObject({
                namespace: z
                    .string()
                    .regex(/^[A-Za-z0-9_.-]{1,256}$/, "is not an Envoy metadata namespace; use a filter name such as envoy.filters.http.ext_authz")
                    .default(EXT_AUTHZ_METADATA_NAMESPACE)
                    .describe("Envoy metadata namespace the trusted filter writes; the default is what `auth.extAuth` writes (its response's dynamic metadata)"),
                key: z
                    .string()
                    .regex(/^[A-Za-z0-9_.-]{1,256}$/, "is not a metadata key; use letters, digits, '_', '-' and '.', e.g. provider-key")
                    .optional()
                    .meta(doc("key within the namespace (for AWSCredentials a struct of `accessKeyId`, `secretAccessKey`, `sessionToken`)", { default: "`x-aigw-*` of the auth type" })),
                fallbackToConfigured,
            })
            .optional()
            .describe("the credential from Envoy dynamic metadata a trusted filter wrote; a client cannot forge it and it never leaves Envoy (preferred)"),
        fromRequestHeaders: z
            .strictObject({
                header: headerName
                    .max(128, "is longer than 128 characters; use a shorter header name")
                    .optional()
                    .meta(doc("request header carrying the credential (for AWSCredentials a prefix of three headers); the AI Gateway removes it before forwarding", { default: "`x-aigw-*` of the auth type" })),
                setBy: z
                    .enum(CREDENTIAL_HEADER_WRITERS)
                    .describe(
                        "who the gateway trusts for the header: `extAuth` (the authorization service of `auth.extAuth` writes it, listed in its `headersToBackend`) or `client` (bring your own key: each client sends its own provider credential)",
                    ),
                fallbackToConfigured,
            })
            .optional()
            .describe("the credential from a request header; client-settable, so say who writes it with `setBy`"),
    })
    .superRefine((o, ctx) => {
        const set = [o.fromDynamicMetadata, o.fromRequestHeaders].filter((x) => x !== undefined).length;
        if (set !== 1) {
            ctx.addIssue({ code: "custom", message: `${set === 0 ? "names no source" : "names two sources"}; set exactly one of fromDynamicMetadata or fromRequestHeaders` });
        }
    });

export const SIMULATOR_MODES = ["random", "echo"] as const;

/**
 * An in-cluster model simulator the program runs for this backend (llm-d-inference-sim: OpenAI chat and
 * text completions with token usage, no GPU), so that a cluster without models still answers.
 */
export const simulatorSchema = z
    .strictObject({
        namespace: dnsLabel.default(SIMULATOR.namespace).describe("namespace of the simulator's Deployment and Service; created unless the program creates it anyway (or it is `default`)"),
        replicas: intBetween(0, 100).default(1).describe("pods of the simulator; `0` takes the backend down, to try fallback"),
        mode: z.enum(SIMULATOR_MODES).default("random").describe("`random`: answers with sentences from a fixed set; `echo`: answers with the last user message"),
        timeToFirstToken: duration.optional().describe("delay before the first token"),
        interTokenLatency: duration.optional().describe("delay between tokens"),
        image: z.string().regex(/^[^\s]+$/, "is not an image reference; use e.g. registry.example.com/llm-d/llm-d-inference-sim:v0.4.0").optional().describe(`image to run instead of \`${SIMULATOR.image}\` (a mirror of it)`),
    })
    .describe(
        "an in-cluster model simulator (llm-d-inference-sim) the program runs for this backend, which then points at it: `<backend>.<namespace>.svc.cluster.local:8000`, plain HTTP; `{}` takes every default",
    );

/** Keys that say where the backend is: a simulator backend is wherever the program runs its simulator. */
const SIMULATOR_SETS = ["hostname", "tls", "prefix", "namespace", "auth", "credentialOverride"] as const;

/** Model servers the Endpoint Picker reads metrics of (the inferencepool chart's `modelServerType`). */
export const MODEL_SERVER_TYPES = ["vllm", "triton-tensorrt-llm"] as const;

const LABEL_NAME = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a string is not a Kubernetes label key (`[prefix/]name`, the name at most 63 characters), if it is not. */
function labelKeyProblem(v: string): string | undefined {
    const slash = v.lastIndexOf("/");
    const [prefix, name] = slash < 0 ? [undefined, v] : [v.slice(0, slash), v.slice(slash + 1)];
    const badPrefix = prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix));
    if (name !== "" && name.length <= 63 && LABEL_NAME.test(name) && !badPrefix) return undefined;
    return `"${v}" is not a label key; use [prefix/]name with letters, digits, '-', '_' and '.' (name at most 63 characters), e.g. app`;
}

/** A Kubernetes label value (what the InferencePool CRD accepts). */
const labelValue = z
    .string({ error: "must be a label value; quote it" })
    .max(63, "is longer than 63 characters; use a label value of at most 63")
    .regex(LABEL_NAME, "is not a label value; use letters, digits, '-', '_' and '.', starting and ending with a letter or digit");

/** The InferencePool CRD's `selector.matchLabels` bounds. */
const MAX_SELECTOR_LABELS = 64;

export const endpointPickerSchema = z.strictObject({
    replicas: intBetween(1, 10)
        .default(1)
        .describe("Endpoint Picker pods; more than 1 runs them active-passive with leader election (only the leader answers)"),
    modelServerType: z
        .enum(MODEL_SERVER_TYPES)
        .default("vllm")
        .describe("the model server whose metrics (queue, KV cache) the Endpoint Picker reads: `vllm` (also KServe's vLLM runtime) or `triton-tensorrt-llm`"),
    values: helmValues
        .default({})
        .describe(`extra Helm values of this pool's \`${INFERENCE_EXTENSION.chart}\` chart, merged last (e.g. \`inferenceExtension.flags\`, \`inferenceExtension.image\`)`),
});

/**
 * A self-hosted model served through an InferencePool: the pods the selector finds, in the gateway
 * namespace, behind an Endpoint Picker that chooses the pod of each request from their load. Either the
 * program installs the pool (`selector`), or it routes to one that exists (`name`).
 */
export const inferencePoolSchema = z
    .strictObject({
        selector: z
            .record(z.string(), labelValue)
            .superRefine((r, ctx) => {
                const keys = Object.keys(r);
                if (keys.length === 0) ctx.addIssue({ code: "custom", message: "is empty and would select no pod; give the labels of the model server pods, e.g. {app: vllm-qwen3}" });
                if (keys.length > MAX_SELECTOR_LABELS) ctx.addIssue({ code: "custom", message: `has more than ${MAX_SELECTOR_LABELS} labels (the InferencePool CRD's limit); keep the ones that select the model servers` });
                for (const key of keys) {
                    const problem = labelKeyProblem(key);
                    if (problem !== undefined) ctx.addIssue({ code: "custom", path: [key], message: problem });
                }
            })
            .optional()
            .describe("labels of the model server pods (in the gateway namespace) the installed pool selects, e.g. `{app: vllm-qwen3}`"),
        targetPort: port
            .optional()
            .meta(doc("port the model servers listen on (1–65535)", { default: `\`${INFERENCE_EXTENSION.targetPort}\`` })),
        endpointPicker: endpointPickerSchema
            .optional()
            .meta(doc("the installed pool's Endpoint Picker: `{replicas, modelServerType, values}`", { default: "one replica for vLLM" })),
        name: dnsLabel
            .optional()
            .describe("instead of `selector`: an existing InferencePool of this name in the gateway namespace, with its own Endpoint Picker; nothing is installed"),
    })
    .superRefine((pool, ctx) => {
        if (pool.name === undefined) {
            if (pool.selector === undefined) {
                ctx.addIssue({ code: "custom", message: "names no pods; set selector (the labels of the model server pods) to install a pool, or name (an existing InferencePool)" });
            }
            return;
        }
        for (const key of ["selector", "targetPort", "endpointPicker"] as const) {
            if (pool[key] === undefined) continue;
            ctx.addIssue({ code: "custom", path: [key], message: `configures a pool the program installs, but name refers to the existing pool "${pool.name}", which keeps its own; remove ${key}, or remove name to install a pool` });
        }
    })
    .describe(
        "route to an InferencePool instead of a host: `{selector, targetPort, endpointPicker}` installs the pool and its Endpoint Picker (the `inferencepool` chart), `{name}` uses an existing one; OpenAI schema only, and a model routed to a pool has it as its only backend; see [InferencePool backends](#inferencepool-backends)",
    );

/** What a backend with an InferencePool cannot have, and why. */
const POOL_REFUSES: { readonly [key: string]: string } = {
    hostname: "the pool's Endpoint Picker picks a pod of the pool",
    tls: "the pool's pods are reached in the cluster, on targetPort, in plain HTTP",
    prefix: "the AI Gateway sends a pool OpenAI requests at /v1",
    version: "the AI Gateway sends a pool OpenAI requests",
    namespace:
        "a pool must live in the gateway namespace, with its routes: the AI Gateway v1.1.0 controller looks for a pool's routes only in the pool's own namespace, so a pool elsewhere would report no Gateway and no error (docs/inference-pool.md)",
    simulator: "a simulator is a backend of its own",
    auth: "the AI Gateway's backend credentials are attached to AIServiceBackends by this program, and a pool's pods are in the cluster",
    credentialOverride: "it replaces the credential of auth, which a pool does not have",
    headers: "the AI Gateway applies header mutations to AIServiceBackends only and ignores them for a pool",
    body: "the AI Gateway applies body mutations to AIServiceBackends only and ignores them for a pool",
    quotas: "a QuotaPolicy targets AIServiceBackends only",
    loadBalancer: "the pool's Endpoint Picker decides which pod serves each request",
};

/**
 * Prices are USD per million tokens with at most 6 decimals, so a token costs a whole number of
 * pico-dollars (1e-12 USD) and a response's cost is exact before it is rounded to micro-dollars. The cap
 * keeps the largest cost the AI Gateway can compute (two 32-bit token counts at the highest price) inside
 * its 64-bit unsigned arithmetic.
 */
export const MAX_PRICE = 1000;
const usdPerMillion = z
    .number({ error: "must be a price in USD per 1M tokens; use a number such as 2.5 (0 for a free model)" })
    .min(0, "must not be negative; use a price in USD per 1M tokens (0 for a free model)")
    .max(MAX_PRICE, `must be at most ${MAX_PRICE} USD per 1M tokens; check the unit (prices are per 1M tokens, not per token or per 1K)`)
    .refine((v) => hasAtMostDecimals(v, 6), "has more than 6 decimal places; round it to 0.000001 USD per 1M tokens");

export const modelPriceSchema = z.strictObject({
    input: usdPerMillion.describe("USD per 1M input tokens: every input token without `cachedInput`, else the uncached ones"),
    output: usdPerMillion.describe("USD per 1M output tokens, reasoning tokens included (as providers bill them)"),
    cachedInput: usdPerMillion.optional().describe("USD per 1M input tokens read from the provider's prompt cache; unset: they cost `input`"),
});

/** QuotaPolicy windows: the AI Gateway's quota service counts only these (CRD enum). */
export const QUOTA_WINDOWS = ["1s", "1m", "1h", "1d"] as const;

export const providerQuotaSchema = z.strictObject({
    limit: z
        .number({ error: "must be a token count; use a whole number such as 2000000" })
        .int("must be a whole number of tokens; remove the fraction")
        .min(1, "must be at least 1; use a token count, or remove the entry")
        .max(MAX_BUDGET_LIMIT, `must be at most ${MAX_BUDGET_LIMIT} (the quota service's 32-bit counter); use a shorter window`)
        .describe("the most tokens (of `type`) the provider account may use for this model in each window"),
    window: z
        .string({ error: `must be a window; use one of ${QUOTA_WINDOWS.join(", ")}` })
        .superRefine((v, ctx) => {
            if ((QUOTA_WINDOWS as readonly string[]).includes(v)) return;
            ctx.addIssue({ code: "custom", message: `"${v}" is not one of ${QUOTA_WINDOWS.join(", ")}, the only windows a QuotaPolicy counts in; use one of them and scale the limit to keep the same rate` });
        })
        .transform((v) => v as (typeof QUOTA_WINDOWS)[number])
        .describe("`1s`, `1m`, `1h` or `1d`, the windows a QuotaPolicy counts in"),
    type: z.enum(TOKEN_TYPES).optional().describe("the token count charged: `total`, `input`, `output`, `cachedInput` or `reasoning`; one per model"),
    shadow: z.boolean().optional().describe("shadow mode: counted and reported, never refuses a request"),
});

/** A QuotaPolicy takes at most 128 `perModelQuotas` (CRD). */
export const MAX_QUOTA_MODELS = 128;
/** Price tables are looked up by every response's cost expression: kept to what a backend can serve. */
export const MAX_PRICED_MODELS = 1024;

/** A model name as the backend receives it (a QuotaPolicy and a price table key). */
const upstreamModelName = z.string().min(1, "is empty; use the model name the backend receives").max(253, "is longer than 253 characters; shorten it");

export const backendSchema = z.strictObject({
    schema: z
        .enum(SCHEMA_NAMES)
        .describe(
            "API the backend speaks: `OpenAI`, `AWSBedrock`, `AWSAnthropic`, `AzureOpenAI`, `GCPVertexAI`, `GCPAnthropic`, `Anthropic`, `Cohere` (OpenAI also covers vLLM, KServe, Ollama and other OpenAI-compatible servers)",
        ),
    /** Schema version: API version for AzureOpenAI, anthropic_version for AWSAnthropic/GCPAnthropic. */
    version: z
        .string()
        .min(1, "is empty; set the schema version or remove the key")
        .optional()
        .meta(
            doc("schema version; required for AzureOpenAI (the API version, e.g. `2025-01-01-preview`); refused for schemas that ignore it", {
                default: "`bedrock-2023-05-31` for AWSAnthropic, `vertex-2023-10-16` for GCPAnthropic, `v2` for Cohere (the path prefix of its API: rerank goes to `/v2/rerank`)",
            }),
        ),
    /** Required, except for AWS schemas: bedrock-runtime.<region>.amazonaws.com. */
    hostname: hostname
        .optional()
        .meta(
            doc("host name only, never a URL (`api.openai.com`, `qwen-primary-predictor-00001.default.svc.cluster.local`); an IPv4 address is allowed", {
                default: "AWS schemas: `bedrock-runtime.<region>.amazonaws.com`",
            }),
        ),
    port: port.default(443).describe("1–65535"),
    prefix: z
        .string()
        .superRefine((v, ctx) => {
            const problem = prefixProblem(v);
            if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
        })
        .optional()
        .meta(
            doc("path prefix, OpenAI and Anthropic schemas only (e.g. `/v1beta/openai` for Gemini, `/openai/v1` for Groq)", {
                default: "controller default `/v1`",
            }),
        ),
    /** TLS to the backend (BackendTLSPolicy: system CAs, or a private CA; a client certificate for mTLS). Default: on for port 443. */
    tls: backendTlsSchema
        .optional()
        .meta(
            doc(
                "TLS to the backend, verified for `hostname`: `true`/`false`, or `{caCertificate: {secret | configMap | pem}, clientCertificate: {secret}}` for a private CA (instead of the system CAs) and mutual TLS; see [Private CAs and mutual TLS](backend-tls.md)",
                { default: "`true` on port 443, else `false`" },
            ),
        ),
    /**
     * Namespace of the in-cluster service the host name points to. Documentation, checked against a
     * `<service>.<namespace>.svc` host name; the backend's objects still live in the gateway namespace.
     */
    namespace: dnsLabel.optional().describe("documents the namespace of an in-cluster service; must agree with a `<service>.<namespace>.svc…` host name"),
    auth: backendAuthSchema
        .optional()
        .meta(doc("credentials, see below; required for AWS, Azure and GCP schemas", { default: "none" })),
    /**
     * Lets a credential travel without TLS to a host outside the cluster (refused otherwise), e.g. a
     * provider reached through an egress proxy or a mesh that encrypts on its own.
     */
    allowPlainTextCredentials: z
        .boolean()
        .default(false)
        .describe(
            "a backend with `auth` outside the cluster must use TLS (port 443 or `tls: true`): its credential would otherwise cross the network readable; `true` allows it where the path is protected otherwise (an egress proxy or mesh that encrypts); refused where there is nothing to allow",
        ),
    credentialOverride: credentialOverrideSchema
        .optional()
        .describe("per-request credentials of `auth.type` instead of the configured one, e.g. each team's own provider key; see [Per-request credentials](#per-request-credentials-bring-your-own-key)"),
    simulator: simulatorSchema.optional(),
    inferencePool: inferencePoolSchema.optional(),
    /** Request headers set or removed for every request to this backend (a model's entry wins on conflict). */
    headers: headerMutationSchema
        .optional()
        .describe(
            "`{set: {<header>: <value>}, remove: [<header>]}`: request headers set or removed for every request to this backend (at most 16 each; never `host`, `content-*`, `authorization`, the API-key headers or `x-ai-eg-model`)",
        ),
    /** Top-level JSON fields of the request body set or removed for this backend. */
    body: bodyMutationSchema
        .optional()
        .describe(
            "`{set: {<field>: <JSON value>}, remove: [<field>]}`: top-level fields of the JSON request body, e.g. `set: {service_tier: default}` (at most 16 each; never `model`, which the backend's `model` sets)",
        ),
    prices: z
        .record(upstreamModelName, modelPriceSchema)
        .refine((r) => Object.keys(r).length <= MAX_PRICED_MODELS, `lists more than ${MAX_PRICED_MODELS} models; price only the models this backend receives`)
        .optional()
        .describe(
                "`{<model the backend receives>: {input, output, cachedInput}}` in USD per 1M tokens: what spend budgets charge each response this backend serves; the key `\"*\"` prices every name without a price of its own (required for a pattern model without `model:` under a spend budget)",
            ),
    loadBalancer: loadBalancerSchema.optional(),
    requestBuffer: requestBufferSchema.optional(),
    tcpKeepalive: tcpKeepaliveSchema
        .optional()
        .meta(
            doc("TCP keepalive on the connections to this backend (`{idleTime, interval, probes}`), on the route rules of every model that reaches it; keeps a minutes-long stream through NATs and egress gateways", {
                default: "off; `{}` = `{idleTime: 60s, interval: 15s, probes: 4}`",
            }),
        ),
    quotas: z
        .record(upstreamModelName, z.array(providerQuotaSchema).min(1, "is empty; list a quota, or remove the model").max(16, "lists more than 16 quotas; list fewer"))
        .refine((r) => Object.keys(r).length <= MAX_QUOTA_MODELS, `lists more than ${MAX_QUOTA_MODELS} models, the most one QuotaPolicy takes (perModelQuotas); list fewer`)
        .optional()
        .describe("`{<model the backend receives>: [{limit, window, type, shadow}]}`: token quotas of the provider account, a QuotaPolicy on this backend"),
}).superRefine((backend, ctx) => {
    if (backend.inferencePool !== undefined) {
        for (const key of Object.keys(POOL_REFUSES).filter((k) => backend[k as keyof typeof backend] !== undefined)) {
            ctx.addIssue({ code: "custom", path: [key], message: `is not used with inferencePool: ${POOL_REFUSES[key]}; remove ${key}, or remove inferencePool` });
        }
        // The default port is 443; another value was written by hand.
        if (backend.port !== 443) ctx.addIssue({ code: "custom", path: ["port"], message: "is not used with inferencePool: the pool's pods are reached on inferencePool.targetPort; move it there" });
        if (backend.allowPlainTextCredentials) ctx.addIssue({ code: "custom", path: ["allowPlainTextCredentials"], message: "has nothing to allow: a pool sends no credential; remove it" });
        return;
    }
    if (backend.simulator === undefined) return;
    for (const key of SIMULATOR_SETS.filter((k) => backend[k] !== undefined)) {
        ctx.addIssue({ code: "custom", path: [key], message: `is set by simulator (the backend is the simulator the program runs); remove ${key}, or remove simulator to use a real backend` });
    }
    // The default port is 443; another value was written by hand.
    if (backend.port !== 443) ctx.addIssue({ code: "custom", path: ["port"], message: `is set by simulator (it listens on ${SIMULATOR.port}); remove port` });
});

/** A simulator backend points at the simulator's Service: `<backend>.<namespace>.svc.cluster.local`, plain HTTP. */
export const backendsSchema = z.record(z.string(), backendSchema).transform((backends) => {
    const out: Record<string, z.output<typeof backendSchema>> = {};
    for (const [name, backend] of Object.entries(backends)) {
        out[name] = backend.simulator === undefined ? backend : { ...backend, hostname: simulatorHost(name, backend.simulator.namespace), port: SIMULATOR.port, tls: false };
    }
    return out;
});

/** In-cluster host name of a backend's simulator. */
export function simulatorHost(backend: string, namespace: string): string {
    return serviceFqdn(dnsLabelName(backend), namespace, CLUSTER_DOMAIN);
}

export type BackendConfig = z.output<typeof backendSchema>;
export type BackendAuthConfig = z.output<typeof backendAuthSchema>;
export type InferencePoolConfig = z.output<typeof inferencePoolSchema>;
export type OidcExchangeConfig = z.output<typeof oidcExchangeSchema>;
export type CredentialOverrideConfig = z.output<typeof credentialOverrideSchema>;
export type ModelPrice = z.output<typeof modelPriceSchema>;
export type ProviderQuota = z.output<typeof providerQuotaSchema>;

const AWS_SCHEMAS: readonly SchemaName[] = ["AWSBedrock", "AWSAnthropic"];

/**
 * Why a backend's path prefix is not a clean absolute path, or undefined: the AI Gateway joins it with the
 * endpoint's path, so a query, a fragment, `..` or an empty segment would send requests somewhere else.
 */
function prefixProblem(v: string): string | undefined {
    if (!v.startsWith("/")) return "must be a path starting with '/'; use e.g. /v1";
    if (v.length > 256) return "is longer than 256 characters; use the provider's short API prefix, e.g. /v1";
    if (/[?#]/.test(v)) return "holds a query or fragment ('?' or '#'), which the endpoint path would be appended to; give the path only, e.g. /v1";
    if (!/^[A-Za-z0-9\/._~!$&'()*+,;=:@%-]*$/.test(v)) return "holds characters a URL path cannot (spaces, control characters, quotes); give the path only, e.g. /v1";
    const segments = v.split("/").slice(1);
    if (segments.some((s, i) => s === "" && i < segments.length - 1)) return "has an empty segment ('//'); remove it, e.g. /v1";
    if (segments.some((s) => /^(\.|%2e){1,2}$/i.test(s))) return "has a '.' or '..' segment, which would climb out of the prefix; give the plain path, e.g. /v1";
    return undefined;
}

/** Schemas served by Amazon Bedrock: SigV4-signed, host name derived from the region. */
export function isAwsSchema(schema: SchemaName): boolean {
    return AWS_SCHEMAS.includes(schema);
}

/** The region an AWS backend signs for: its own auth.region, else ai-gateway:aws.region. */
export function awsRegionOf(backend: BackendConfig, stackRegion: string | undefined): string | undefined {
    return (backend.auth?.type === "AWSCredentials" ? backend.auth.region : undefined) ?? stackRegion;
}
