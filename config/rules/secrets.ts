import { suggestion } from "../errors";
import type { Rule } from "./types";
import { credentialLikeName } from "../policies/secrets";

/** The exact command that stores a missing secret. */
export function setSecretCommand(key: string): string {
    return `pulumi config set --secret --path 'apiKeys.${key}' <value>`;
}

/** Every reference into ai-gateway:apiKeys names a key that is set. */
export const secretReferences: Rule = (config, ctx) => {
    const names = Object.keys(config.apiKeys);
    const check = (path: (string | number)[], key: string | undefined) => {
        if (key === undefined || Object.hasOwn(config.apiKeys, key)) return;
        const pasted = credentialLikeName(key);
        if (pasted !== undefined) {
            ctx.add(path, `${pasted}: a credential itself, not the name of an ai-gateway:apiKeys entry; store it there under a plain name (${setSecretCommand("<name>")}) and write that name here`);
            return;
        }
        const hint = suggestion(key, names);
        const typo = hint.startsWith("did you mean") ? ` (${hint})` : "";
        ctx.add(path, `names secret "${key}", which is not in ai-gateway:apiKeys${typo}; run: ${setSecretCommand(key)}`);
    };
    for (const [name, backend] of Object.entries(config.backends)) {
        const auth = backend.auth;
        if (!auth) continue;
        if (auth.type === "AWSCredentials") check(["backends", name, "auth", "credentialsSecret"], auth.credentialsSecret);
        else check(["backends", name, "auth", "secret"], auth.secret);
        if (auth.type === "AWSCredentials" || auth.type === "AzureCredentials") check(["backends", name, "auth", "oidcExchange", "clientSecret"], auth.oidcExchange?.clientSecret);
        if (auth.type === "GCPCredentials") {
            check(["backends", name, "auth", "workloadIdentityFederation", "oidcExchange", "clientSecret"], auth.workloadIdentityFederation?.oidcExchange.clientSecret);
        }
    }
    for (const [client, key] of Object.entries(config.auth.apiKeys?.clients ?? {})) check(["auth", "apiKeys", "clients", client], key);
    check(["auth", "oidc", "clientSecret"], config.auth.oidc?.clientSecret);
    check(["observability", "tracing", "headersSecret"], config.observability.tracing?.headersSecret);
    check(["platform", "redis", "passwordSecret"], config.platform.redis.passwordSecret);
    for (const [name, server] of Object.entries(config.mcp?.servers ?? {})) check(["mcp", "servers", name, "auth", "secret"], server.auth?.secret);
};
