import { z } from "zod";
import { doc } from "./docs";
import { dnsLabel, hostname, port } from "./primitives";
import { headerFor, secureUrl } from "./security";

/**
 * ai-gateway:mcp: MCP servers behind the same Gateway as the models (AI Gateway v1.1.0 MCPRoute). Clients
 * speak MCP's Streamable HTTP transport to one path; the AI Gateway's MCP proxy fans a session out to
 * every server and prefixes each tool with its server's name (`<server>__<tool>`).
 */

/** The most entries of one tool list the MCPRoute CRD accepts. */
const MAX_TOOL_ENTRIES = 32;

const toolList = (what: string) =>
    z
        .array(z.string().regex(/\S/, `is empty; name a ${what}`))
        .min(1, "is empty; list at least one entry or remove the key")
        .max(MAX_TOOL_ENTRIES, `lists more than ${MAX_TOOL_ENTRIES} entries, the most the MCPRoute accepts; use a regular expression instead`)
        .optional();

/** A CEL expression the MCP proxy evaluates (AI Gateway v1.1.0: experimental, attributes may change). */
const celExpression = (example: string) =>
    z
        .string()
        .regex(/\S/, `is empty; write a CEL expression, e.g. ${example}`)
        .max(4096, "is longer than 4096 characters, the most the MCPRoute accepts; shorten it");

export const mcpToolsSchema = z.strictObject({
    include: toolList("tool").describe("only these tools of the server are offered (not with includeRegex)"),
    includeRegex: toolList("regular expression").describe("only tools matching one of these RE2 expressions are offered (not with include)"),
    exclude: toolList("tool").describe("these tools are never offered (not with excludeRegex)"),
    excludeRegex: toolList("regular expression").describe("tools matching one of these RE2 expressions are never offered (not with exclude)"),
});

export const mcpServerAuthSchema = z.strictObject({
    type: z.literal("APIKey").describe("kind of credential the gateway adds to every request to the server: `APIKey`"),
    secret: z.string().min(1, "is empty; name a key of ai-gateway:apiKeys").describe("key of `ai-gateway:apiKeys` holding the key"),
    header: headerFor("credential")
        .optional()
        .meta(doc("request header the key is sent in; `Authorization` gets `Bearer <key>`, any other header the bare key", { default: "`Authorization`" })),
});

export const mcpServerSchema = z.strictObject({
    hostname: hostname
        .optional()
        .describe("host name of the server, never a URL (`api.githubcopilot.com`, `kiwi.tools.svc.cluster.local`); not with `service`"),
    service: z
        .strictObject({
            name: dnsLabel.describe("the Service the server runs behind"),
            namespace: dnsLabel.optional().meta(doc("the Service's namespace", { default: "the gateway namespace" })),
        })
        .optional()
        .describe("a Service in the cluster instead of `hostname` (reached as `<name>.<namespace>.svc.cluster.local`)"),
    port: port.default(443).describe("1–65535"),
    path: z
        .string()
        .regex(/^\/[^\s?#]*$/, "is not a request path; start it with '/' and leave out any query, e.g. /mcp")
        .default("/mcp")
        .describe("the server's MCP endpoint path"),
    tls: z.boolean().optional().meta(doc("TLS to the server, verified against the system CAs for its host name", { default: "`true` on port 443, else `false`" })),
    auth: mcpServerAuthSchema.optional().meta(doc("the credential the gateway sends the server; clients never see it", { default: "none" })),
    tools: mcpToolsSchema.optional().meta(doc("which of the server's tools clients are offered", { default: "all of them" })),
});

export const MCP_ACTIONS = ["Allow", "Deny"] as const;

export const mcpBackendSelectorSchema = z.strictObject({
    rules: z
        .array(
            z.strictObject({
                cel: celExpression("request.mcp.backend in request.auth.jwt.claims.mcp_servers").describe("CEL expression evaluated once per server at session initialize, with `request.mcp.backend` the server's name; must return a boolean"),
                action: z.enum(MCP_ACTIONS).default("Allow").describe("`Allow` or `Deny` the server when the expression is true"),
            }),
        )
        .max(32, "lists more than 32 rules, the most the MCPRoute accepts; combine some")
        .default([])
        .meta(doc("rules in order, the first whose expression is true decides", { default: "`[]`", expand: true })),
    defaultAction: z.enum(MCP_ACTIONS).default("Deny").describe("what happens to a server no rule matches"),
});

export const mcpOAuthSchema = z.strictObject({
    issuer: secureUrl("the authorization server", "https://auth.example.com")
        .optional()
        .meta(doc("the authorization server's issuer, exactly as its tokens carry it", { default: "`ai-gateway:auth.jwt.issuer`" })),
    jwksUri: secureUrl("the JWKS", "https://auth.example.com/.well-known/jwks.json")
        .optional()
        .meta(doc("HTTPS URL of the keys that sign the access tokens", { default: "`ai-gateway:auth.jwt.jwksUri`" })),
    audiences: z
        .array(z.string().regex(/\S/, "is empty; name an audience"))
        .min(1, "is empty; list at least one audience or remove the key")
        .max(8, "lists more than 8 audiences, the most Envoy Gateway accepts; keep 8")
        .optional()
        .meta(doc("the token's `aud` must name one; MCP clients ask for the `resource` URL", { default: "`ai-gateway:auth.jwt.audiences`, else `[<resource>]`" })),
    resource: secureUrl("the MCP endpoint", "https://mcp.example.com/mcp").describe(
        "the URL clients reach the MCP endpoint at, e.g. `https://mcp.example.com/mcp`; published as the protected resource's identifier",
    ),
    scopes: z
        .array(z.string().regex(/^\S+$/, "is not a scope; use a single word such as mcp:tools"))
        .min(1, "is empty; list at least one scope or remove the key")
        .max(32, "lists more than 32 scopes, the most the MCPRoute accepts; keep 32")
        .optional()
        .meta(doc("scopes published for clients to request (advertised, not enforced)", { default: "none published" })),
});

export const CLAIM_VALUE_TYPES = ["String", "StringArray"] as const;

export const mcpAuthorizationSchema = z.strictObject({
    rules: z
        .array(
            z.strictObject({
                tools: z
                    .array(
                        z.strictObject({
                            server: z.string().min(1, "is empty; name a server of mcp.servers").describe("a key of `mcp.servers`"),
                            tool: z.string().regex(/\S/, "is empty; name a tool of the server, without the <server>__ prefix").describe("the tool's own name, without the `<server>__` prefix"),
                        }),
                    )
                    .min(1, "is empty; list at least one tool or remove the key")
                    .max(16, "lists more than 16 tools, the most one rule accepts; split the rule")
                    .optional()
                    .meta(doc("the tools the rule is about", { default: "every tool", expand: true })),
                scopes: z
                    .array(z.string().regex(/^\S+$/, "is not a scope; use a single word such as mcp:write"))
                    .min(1, "is empty; list at least one scope or remove the key")
                    .max(16, "lists more than 16 scopes, the most one rule accepts; keep 16")
                    .optional()
                    .meta(doc("scopes the verified access token must all carry (needs `oauth`)", { default: "any" })),
                claims: z
                    .array(
                        z.strictObject({
                            name: z.string().regex(/\S/, "is empty; name a claim, e.g. groups (nested claims with dots: org.id)").describe("a claim of the verified access token (nested with dots, `org.id`)"),
                            values: z
                                .array(z.string())
                                .min(1, "is empty; list at least one value")
                                .max(128, "lists more than 128 values, the most one claim accepts; keep 128")
                                .describe("the claim must have one of these"),
                            valueType: z.enum(CLAIM_VALUE_TYPES).default("String").describe("`String`, or `StringArray` for a claim that is a list (such as `groups`)"),
                        }),
                    )
                    .min(1, "is empty; list at least one claim or remove the key")
                    .max(16, "lists more than 16 claims, the most one rule accepts; keep 16")
                    .optional()
                    .meta(doc("claims the verified access token must all have (needs `oauth`)", { default: "any", expand: true })),
                cel: celExpression('request.mcp.method == "tools/list"')
                    .optional()
                    .meta(doc("a CEL expression that must also be true (`request.mcp.method`, `.backend`, `.tool`, `.params`, `request.auth.jwt.claims`, ...)", { default: "none" })),
                action: z.enum(MCP_ACTIONS).default("Allow").describe("`Allow` or `Deny` a request the rule matches"),
            }),
        )
        .max(32, "lists more than 32 rules, the most the MCPRoute accepts; combine some")
        .default([])
        .meta(doc("rules in order, the first that matches decides; a rule matches when all it sets matches", { default: "`[]`", expand: true })),
    defaultAction: z.enum(MCP_ACTIONS).default("Deny").describe("what happens to a request no rule matches"),
});

export const mcpSchema = z.strictObject({
    path: z
        .string()
        .regex(/^\/[^\s?#]*$/, "is not a request path; start it with '/' and leave out any query, e.g. /mcp")
        .max(1024, "is longer than 1024 characters; use a shorter path")
        .default("/mcp")
        .describe("the request path clients send MCP requests to (exact match)"),
    hostnames: z
        .array(z.string().regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "is not a host name; use a lower-case DNS name such as mcp.example.com (or *.example.com)"))
        .min(1, "is empty; list at least one host name or remove the key")
        .max(16, "lists more than 16 host names, the most the MCPRoute accepts; keep 16")
        .optional()
        .meta(doc("host names the MCP path answers on", { default: "every host name of the Gateway" })),
    servers: z
        .record(z.string().min(1, "is empty; name the server"), mcpServerSchema)
        .meta(doc("server name (a DNS label; clients see tools as `<server>__<tool>`) to where it runs, its credential and its tools", { expand: true })),
    oauth: mcpOAuthSchema
        .optional()
        .meta(
            doc("MCP's OAuth: clients bring an access token of this authorization server, which the MCP path checks instead of `ai-gateway:auth`", {
                default: "`ai-gateway:auth` applies",
            }),
        ),
    authorization: mcpAuthorizationSchema
        .optional()
        .meta(doc("which requests (MCP methods, tools) each caller may make, decided by the MCP proxy per request", { default: "every request the client authentication let in" })),
    backendSelector: mcpBackendSelectorSchema
        .optional()
        .meta(doc("which servers a session may use, decided per server at session initialize", { default: "every server" })),
});

export type McpConfig = z.output<typeof mcpSchema>;
export type McpServerConfig = z.output<typeof mcpServerSchema>;
export type McpOAuthConfig = z.output<typeof mcpOAuthSchema>;
export type McpAuthorizationConfig = z.output<typeof mcpAuthorizationSchema>;
