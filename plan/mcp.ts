import type { JwtConfig, McpOAuthConfig } from "../config/schema";

/** mcp.oauth with what it leaves unset taken from ai-gateway:auth.jwt; undefined fields were not set anywhere. */
export interface ResolvedOAuth {
    issuer?: string;
    jwksUri?: string;
    audiences: string[];
    resource: string;
    scopes?: string[];
}

/** mcp.oauth with what it leaves unset taken from ai-gateway:auth.jwt; undefined fields were not set anywhere. */
export function resolvedOAuth(oauth: McpOAuthConfig, jwt: JwtConfig | undefined): ResolvedOAuth {
    return {
        issuer: oauth.issuer ?? jwt?.issuer,
        jwksUri: oauth.jwksUri ?? jwt?.jwksUri,
        // Tokens are bound to the MCP endpoint they were issued for (MCP authorization, RFC 8707).
        audiences: oauth.audiences ?? jwt?.audiences ?? [oauth.resource],
        resource: oauth.resource,
        scopes: oauth.scopes,
    };
}
