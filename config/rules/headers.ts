import type { HeaderMutationConfig } from "../schema";
import type { Rule } from "./types";

type Path = (string | number)[];

/**
 * The headers that carry who the caller is, as budgets, logs and backends read them: the user header, the
 * tenant header, copied claims, the client id and what the authorization service writes. The header policy
 * (config/policies/headers.ts) cannot know them on its own: they are whatever the stack names.
 */
function identityHeaders(config: Parameters<Rule>[0]): Map<string, string> {
    const out = new Map<string, string>();
    const add = (header: string | undefined, what: string) => {
        if (header !== undefined && !out.has(header.toLowerCase())) out.set(header.toLowerCase(), what);
    };
    const { jwt, oidc, apiKeys, extAuth } = config.auth;
    add(config.rateLimit.userHeader, "rateLimit.userHeader, the user budgets, logs and metrics count");
    add(config.rateLimit.tenants?.header, "rateLimit.tenants.header, the tenant budgets count");
    jwt?.claimToHeaders.forEach((c, i) => add(c.header, `auth.jwt.claimToHeaders[${i}], a verified claim`));
    oidc?.accessToken?.claimToHeaders.forEach((c, i) => add(c.header, `auth.oidc.accessToken.claimToHeaders[${i}], a verified claim`));
    add(apiKeys?.forwardClientIdHeader, "auth.apiKeys.forwardClientIdHeader, the verified client");
    extAuth?.headersToBackend.forEach((h, i) => add(h, `auth.extAuth.headersToBackend[${i}], what the authorization service verified`));
    return out;
}

/** No header mutation, and no MCP server's API key, may write a header that carries the verified identity. */
export const identityHeaderWrites: Rule = (config, ctx) => {
    const identity = identityHeaders(config);
    const mutation = (at: Path, headers: HeaderMutationConfig | undefined) => {
        for (const name of Object.keys(headers?.set ?? {})) {
            const what = identity.get(name.toLowerCase());
            if (what !== undefined) ctx.add([...at, "set", name], `is ${what}: setting it here would let these requests claim any identity; mutate another header`);
        }
        headers?.remove?.forEach((name, i) => {
            const what = identity.get(name.toLowerCase());
            if (what !== undefined) ctx.add([...at, "remove", i], `"${name}" is ${what}: removing it here hides the identity from the backend and its logs; remove it from the list`);
        });
    };
    for (const [name, backend] of Object.entries(config.backends)) mutation(["backends", name, "headers"], backend.headers);
    for (const [name, model] of Object.entries(config.models)) model.backends.forEach((b, i) => mutation(["models", name, "backends", i, "headers"], b.headers));
    for (const [name, server] of Object.entries(config.mcp?.servers ?? {})) {
        const header = server.auth?.header;
        const what = header === undefined ? undefined : identity.get(header.toLowerCase());
        if (what !== undefined) ctx.add(["mcp", "servers", name, "auth", "header"], `"${header}" is ${what}; the server's API key must go in a header of its own, e.g. Authorization or x-api-key`);
    }
};
