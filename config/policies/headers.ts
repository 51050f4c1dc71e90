/**
 * The one header policy: every header name the configuration sets, removes, matches or names, and every
 * header value it writes, is checked here. What a use may touch:
 * - every use: an RFC 9110 token (so no pseudo-header such as `:authority`), at most 256 characters;
 * - nothing may set, remove or copy into the request framing (`Host`, `Content-Length`, `Transfer-Encoding`),
 *   the hop-by-hop headers, or the headers of the gateway itself (`x-ai-eg-*`, `x-envoy-*`);
 * - credentials (`Authorization`, `Proxy-Authorization`, `Cookie`, every provider's key header) are set only
 *   by the backend's `auth`: a mutation, a copied claim or a client id must not write them, and a match on
 *   one would put a credential in the stack file;
 * - values never hold control characters (CR and LF would split the request).
 * The headers the gateway fills from the verified identity are guarded where they are known (config/rules).
 */

/** Framing of the request: changing it changes what the request is. */
const FRAMING = ["host", "content-length", "transfer-encoding", "content-type"];
/** Hop-by-hop headers (RFC 9110 §7.6.1), which Envoy manages per connection. */
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "proxy-authenticate"];
/** Headers that carry a credential, of any provider the gateway talks to, or of a browser session. */
export const CREDENTIAL_HEADERS = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "x-goog-api-key",
    "x-goog-iam-authorization-token",
    "x-amz-security-token",
    "x-amz-date",
    "x-amz-content-sha256",
    "ocp-apim-subscription-key",
    "anthropic-api-key",
];
/** Prefixes of the headers the AI Gateway and Envoy use for themselves. */
const OWN_PREFIXES = ["x-ai-eg-", "x-envoy-"];

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * What a field does with the header:
 * - `set`: writes a value of the configuration into it (header mutations, early request headers);
 * - `remove`: strips it;
 * - `copy`: the gateway writes a verified value into it (copied claims, the client id, extAuth's answer);
 * - `credential`: the gateway puts, or reads, a credential there (an MCP server's API-key header, a credential override);
 * - `match`: a route compares its value with the configuration's;
 * - `identity`: it names the user or tenant budgets count;
 * - `clientIP`: a proxy in front of the gateway writes the client's address into it, and the gateway reads it
 *   as the client's address (Envoy Gateway's custom-header detection takes letters, digits and '-' only);
 * - `record`: its value is written into access-log lines or span attributes (observability `headers`).
 */
export type HeaderUse = "set" | "remove" | "copy" | "credential" | "match" | "identity" | "clientIP" | "record";

/** Why a header name cannot be used this way (`<what>; <fix>`), or undefined when it can. */
export function headerNameProblem(name: string, use: HeaderUse): string | undefined {
    if (name.length > 256) return `is a header name of ${name.length} characters; use at most 256`;
    if (name.startsWith(":")) return `"${name}" is a pseudo-header, which Envoy derives from the request itself; use an ordinary header`;
    if (!TOKEN.test(name)) return `"${name}" is not a header name; use letters, digits and '-', e.g. x-tenant`;
    const h = name.toLowerCase();
    if (use === "clientIP") {
        if (!/^[A-Za-z0-9-]+$/.test(name)) return `"${name}" holds characters Envoy Gateway's client-IP detection refuses; use letters, digits and '-', e.g. x-real-ip`;
        if (h === "x-forwarded-for") return `"${name}" is a list of addresses, which customHeader reads as one; use clientIP.xForwardedFor instead`;
    }
    const own = OWN_PREFIXES.find((p) => h.startsWith(p));
    if (own !== undefined && use !== "match" && use !== "record") return `"${name}" is a header of the gateway itself (${own}*), which it sets and reads; use a header of your own`;
    if (use === "match" && h === "x-ai-eg-model") return `"${name}" is the header the model name is matched in already; match another header`;
    if (FRAMING.includes(h) && use !== "match" && use !== "record") return `"${name}" frames the request itself and must stay as the client and the gateway set it; use a header of your own`;
    if (HOP_BY_HOP.includes(h)) return `"${name}" is a hop-by-hop header, which Envoy manages per connection and never forwards; use an end-to-end header`;
    if (CREDENTIAL_HEADERS.includes(h)) {
        if (use === "match") return `"${name}" carries a credential, which a match would have to spell out in the stack file; match another header, and authenticate clients with ai-gateway:auth`;
        if (use === "identity") return `is ${name}, which carries a credential: it would land in access logs, metrics and Redis keys; use a header that names the user or tenant (e.g. x-user-id, filled by the gateway from the verified identity)`;
        if (use === "clientIP") return `"${name}" carries a credential, not an address; name the header your load balancer writes the client's address into, e.g. x-real-ip`;
        if (use === "record") return `"${name}" carries a credential, which would be written in plain text into every access-log line or span that records it; record a header that names without proving, e.g. x-user-id`;
        if (use !== "credential" && use !== "remove") return `"${name}" carries a credential, which only the backend's auth (or ai-gateway:auth) sets; use a header of your own`;
    }
    return undefined;
}

/** Why a header value cannot be sent (`<what>; <fix>`), or undefined. Never echoes the value. */
export function headerValueProblem(value: string): string | undefined {
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return "holds a control character (a line break would split the request into two); remove it";
    if (value.length > 8192) return `is a header value of ${value.length} characters; use at most 8192`;
    return undefined;
}
