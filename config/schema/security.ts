import { z } from "zod";
import { doc } from "./docs";
import { duration, hasUserInfo } from "./primitives";

/** A string with something in it: empty and blank strings are refused with `fix`. */
const nonBlank = (fix: string) => z.string().regex(/\S/, `is empty; ${fix}`);

/** An HTTP header name (RFC 9110 token), as Envoy accepts it in a header match or mutation. */
export const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "is not a header name; use letters, digits and '-', e.g. x-tenant");

/** In-cluster Service host names: `<service>.<namespace>.svc` with or without `.cluster.local`. */
const IN_CLUSTER_HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$/;

/** Whether a host name is an in-cluster Service's DNS name. */
export function isInClusterHost(host: string): boolean {
    return IN_CLUSTER_HOST.test(host.toLowerCase());
}

/** Where Envoy fetches the JWKS: straight from an HTTPS URL, or from an in-cluster Service through a Backend. */
export type JwksLocation =
    | { kind: "remote"; uri: string }
    | { kind: "in-cluster"; uri: string; service: string; namespace: string; port: number };

/**
 * Classifies a JWKS URI, or says why it cannot be used. HTTPS goes out directly (Envoy checks the
 * certificate against the system CAs); plain HTTP only to an in-cluster Service, never over a network
 * where the keys that sign tokens could be swapped.
 */
export function jwksLocation(uri: string): JwksLocation | { error: string } {
    let url: URL;
    try {
        url = new URL(uri);
    } catch {
        return { error: `"${uri}" is not a URL; use e.g. https://auth.example.com/.well-known/jwks.json` };
    }
    const host = url.hostname.toLowerCase();
    const inCluster = IN_CLUSTER_HOST.exec(host);
    if (url.protocol === "https:") return { kind: "remote", uri };
    if (url.protocol === "http:" && inCluster) {
        return { kind: "in-cluster", uri, service: inCluster[1], namespace: inCluster[3], port: url.port ? Number(url.port) : 80 };
    }
    if (url.protocol === "http:") {
        return {
            error: `"${uri}" is plain HTTP outside the cluster, where the keys that sign tokens could be swapped; use https://, or http:// only for an in-cluster Service (<service>.<namespace>.svc.cluster.local)`,
        };
    }
    return { error: `"${uri}" is not an http(s) URL; use e.g. https://auth.example.com/.well-known/jwks.json` };
}

/** Reports each repeated entry of a list where it repeats (at `field` of the item, if given). */
function unique<T>(key: (item: T) => string, message: (value: string, first: number) => string, field?: string) {
    return (items: T[], ctx: z.core.$RefinementCtx<T[]>) => {
        const seen = new Map<string, number>();
        items.forEach((item, i) => {
            const k = key(item);
            const first = seen.get(k);
            if (first === undefined) seen.set(k, i);
            else ctx.addIssue({ code: "custom", path: field === undefined ? [i] : [i, field], message: message(k, first) });
        });
    };
}

export const jwtSchema = z.strictObject({
    /** The `iss` every token must carry. Envoy Gateway reads a value with ':' as a URI. */
    issuer: nonBlank("set the token issuer, e.g. https://auth.example.com").superRefine((v, ctx) => {
        if (v.includes(":") && !URL.canParse(v)) {
            ctx.addIssue({ code: "custom", message: `"${v}" contains ':' but is not a URI; use the issuer exactly as tokens carry it, e.g. https://auth.example.com` });
        }
    }).describe("the `iss` every token must carry (a value with `:` must be a URI)"),
    /** HTTPS, or HTTP to an in-cluster Service (reached through an Envoy Gateway Backend). */
    jwksUri: nonBlank("set the JWKS URL, e.g. https://auth.example.com/.well-known/jwks.json")
        .max(253, "is longer than 253 characters, the most Envoy Gateway accepts; use a shorter URL")
        .superRefine((v, ctx) => {
            if (!/\S/.test(v)) return; // reported as empty
            if (hasUserInfo(v)) {
                // Never echo it: the part before "@" is a credential.
                ctx.addIssue({
                    code: "custom",
                    message: "holds credentials in the URL; remove them: Envoy fetches the JWKS without credentials (a JWKS is public; keep a private one behind an in-cluster Service, http://<service>.<namespace>.svc.cluster.local/...)",
                });
                return;
            }
            const location = jwksLocation(v);
            if ("error" in location) ctx.addIssue({ code: "custom", message: location.error });
        })
        .describe(
            "where the token-signing keys are fetched: `https://…` (server certificate checked against the system CAs), or `http://<service>.<namespace>.svc[.cluster.local][:port]/…` for a JWKS service in the cluster, reached through an Envoy Gateway Backend `<gateway>-jwks`; plain HTTP anywhere else is refused",
        ),
    /** Tokens must name one of these in `aud`; unset: any audience. */
    audiences: z
        .array(nonBlank("name an audience"))
        .min(1, "is empty; list at least one audience or remove the key")
        .max(8, "lists more than 8 audiences, the most Envoy Gateway accepts; keep 8")
        .optional()
        .meta(doc("1–8 values; the token's `aud` must name one", { default: "any audience" })),
    /**
     * The verified claim that identifies the user: the gateway writes it into rateLimit.userHeader (and
     * removes what clients send there), which per-user budgets, access logs and metrics read.
     */
    userClaim: nonBlank("name the claim that identifies the user, e.g. sub")
        .default("sub")
        .describe("the verified claim that names the user: written into `rateLimit.userHeader`, which per-user budgets, the access log and metrics read"),
    /** Verified claims copied into request headers (for backends, logs and rate limits). */
    claimToHeaders: z
        .array(
            z.strictObject({
                claim: nonBlank("name a claim, e.g. tenant (nested claims with dots: org.id)").describe("a verified claim (nested claims with dots, `org.id`)"),
                header: headerName.describe("the request header it is copied into"),
            }),
        )
        .superRefine(
            unique(
                (c) => c.header.toLowerCase(),
                (h, first) => `"${h}" is already the header of claimToHeaders[${first}]; copy each claim into its own header`,
                "header",
            ),
        )
        .default([])
        .describe(
            "`[{claim, header}]`: verified claims copied into request headers for the backends, logs and rate limits (nested claims with dots, `org.id`); each header once, never `authorization`, `host`, `content-*` or `x-ai-eg-model`",
        ),
    /** Requests whose claim value is listed are allowed; everything else is denied. */
    allow: z
        .strictObject({
            claim: nonBlank("name the claim to authorize on, e.g. tenant").describe(
                "**default deny**: only tokens whose claim is one of the values pass (values non-empty and unique)",
            ),
            values: z
                .array(nonBlank("list non-empty claim values"))
                .min(1, "is empty; list at least one allowed value")
                .superRefine(unique((v) => v, (v, first) => `"${v}" is already listed at values[${first}]; list each allowed value once`))
                .meta(doc("the claim values allowed (non-empty and unique); every other token is denied", { join: true })),
        })
        .optional()
        .describe("which tokens are allowed, by one claim's value"),
});

/** A client id is a data key of the API-key Secret, so it must be a valid Secret data key. */
const CLIENT_ID = /^[-._a-zA-Z0-9]{1,253}$/;

export const apiKeysAuthSchema = z.strictObject({
    /** Request header carrying the key. */
    header: headerName.default("x-api-key").describe("request header carrying a client API key"),
    /** Client id → key of ai-gateway:apiKeys holding that client's API key. */
    clients: z
        .record(z.string(), nonBlank("name the key of ai-gateway:apiKeys holding this client's API key"))
        .superRefine((clients, ctx) => {
            const ids = Object.keys(clients);
            if (ids.length === 0) {
                ctx.addIssue({ code: "custom", message: "is empty; add a client, e.g. team-a: team-a-key (the value names a key of ai-gateway:apiKeys)" });
            }
            for (const id of ids.filter((i) => !CLIENT_ID.test(i))) {
                ctx.addIssue({ code: "custom", path: [id], message: "is not a usable client id (it becomes a Secret data key); use letters, digits, '-', '_' and '.'" });
            }
        })
        .describe("`{<client id>: <key of ai-gateway:apiKeys>}`: one key per client"),
    /** Header the gateway sets to the authenticated client id (e.g. x-user-id for per-client rate limits). */
    forwardClientIdHeader: headerName
        .optional()
        .meta(
            doc(
                "header the gateway sets to the authenticated client's name: the user that per-user budgets, logs and metrics count; anything but `rateLimit.userHeader` is refused",
                { default: "`rateLimit.userHeader`" },
            ),
        ),
});

/** Envoy Gateway's origin syntax: `*`, or scheme://host[:port] with an optional leading `*.` label. */
/**
 * `*`, or `http(s)://host[:port]` where host is `*`, a DNS-like name, or `*.` and one. Checked label by
 * label in linear time: a single regular expression for it backtracks exponentially on a long label.
 */
export function isOrigin(v: string): boolean {
    if (v === "*") return true;
    if (v.length > 300) return false;
    const m = /^https?:\/\/([^:/]+)(?::(\d{1,5}))?$/.exec(v);
    if (!m) return false;
    const host = m[1] === "*" ? "" : m[1].startsWith("*.") ? m[1].slice(2) : m[1];
    return host === "" ? m[1] === "*" : host.split(".").every((label) => /^[\w-]+$/.test(label));
}

export const corsSchema = z.strictObject({
    allowOrigins: z
        .array(z.string().refine(isOrigin, "is not an origin; use scheme://host[:port] such as https://app.example.com, https://*.example.com, or *"))
        .min(1, "is empty; list the origins allowed to call the gateway from a browser")
        .describe("origins browsers may call from: `https://app.example.com`, `https://*.example.com` or `*`"),
    allowMethods: z.array(nonBlank("name a method, e.g. POST")).optional().describe("CORS lists (`*` allowed)"),
    allowHeaders: z
        .array(headerName.or(z.literal("*")))
        .optional()
        .meta(doc("request headers browsers may send (`*` allowed)", { join: true })),
    exposeHeaders: z
        .array(headerName.or(z.literal("*")))
        .optional()
        .meta(doc("response headers browsers may read (`*` allowed)", { join: true })),
    /** How long browsers cache a preflight answer. */
    maxAge: duration.optional().describe("how long browsers cache a preflight answer, e.g. `10m`"),
    allowCredentials: z.boolean().optional().describe("cookies and `Authorization` from browsers; not with the origin `*`"),
});

/** ai-gateway:auth: who may call the gateway. Absent: anyone who reaches it. */
export const clientAuthSchema = z.strictObject({
    jwt: jwtSchema.optional().describe("clients authenticate with a JWT (`Authorization: Bearer <token>`)"),
    /** Static client API keys, an alternative to JWT (not both: see the client-auth rules). */
    apiKeys: apiKeysAuthSchema.optional().describe("clients authenticate with static API keys, an alternative to `jwt`"),
    /** Browser access (preflight answered by the gateway). */
    cors: corsSchema.optional().describe("browser access (preflight answered by the gateway)"),
    /**
     * No client authentication, said explicitly: required for a gateway on a LoadBalancer that routes to
     * backends with credentials (something in front must authenticate clients then).
     */
    none: z
        .literal(true, { error: "can only be true (say explicitly that no client authentication is wanted), or be left out" })
        .optional()
        .describe(
            "`true`: no client authentication, said explicitly. Required for a gateway on a `LoadBalancer` Service whose models route to backends with credentials: without client authentication anyone who reaches the load balancer spends your provider accounts, so that combination is refused unless something in front of the gateway authenticates clients and you say so",
        ),
});

export type ClientAuthConfig = z.output<typeof clientAuthSchema>;
export type JwtConfig = z.output<typeof jwtSchema>;
export type ApiKeysAuthConfig = z.output<typeof apiKeysAuthSchema>;
export type CorsConfig = z.output<typeof corsSchema>;
