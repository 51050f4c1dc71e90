import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { z } from "zod";
import { doc } from "./docs";
import { duration, durationMillis, hasUserInfo, headerFor, k8sName } from "./primitives";

/** A string with something in it: empty and blank strings are refused with `fix`. */
const nonBlank = (fix: string) => z.string().regex(/\S/, `is empty; ${fix}`);

/** An HTTP header name (RFC 9110 token), as Envoy accepts it in a header match or mutation. */
export const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "is not a header name; use letters, digits and '-', e.g. x-tenant");

export { headerFor } from "./primitives";

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
    header: headerFor("credential").default("x-api-key").describe("request header carrying a client API key"),
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

/**
 * Why a URL Envoy or a browser follows is not usable, or undefined: HTTPS, or plain HTTP only to an
 * in-cluster Service; never with credentials (not echoed: the part before "@" is one).
 */
function secureUrlProblem(v: string, what: string, example: string): string | undefined {
    if (hasUserInfo(v)) return `holds credentials in the URL; remove them (${what} is reached without credentials in its URL)`;
    let url: URL;
    try {
        url = new URL(v);
    } catch {
        return `"${v}" is not a URL; use e.g. ${example}`;
    }
    if (url.protocol === "https:" || (url.protocol === "http:" && isInClusterHost(url.hostname))) return undefined;
    if (url.protocol === "http:") return `"${v}" is plain HTTP outside the cluster, where ${what} could be impersonated; use https://, or http:// only for an in-cluster Service (<service>.<namespace>.svc.cluster.local)`;
    return `"${v}" is not an http(s) URL; use e.g. ${example}`;
}

export function secureUrl(what: string, example: string) {
    return z
        .string()
        .max(2048, "is longer than 2048 characters; use a shorter URL")
        .superRefine((v, ctx) => {
            const problem = secureUrlProblem(v, what, example);
            if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
        });
}

/** Where the external authorization service is: an in-cluster Service, its port, and the path prefix of checks. */
export type ExtAuthLocation = { service: string; namespace: string; port: number; path: string };

/** Classifies an external authorization URL, or says why it cannot be used. */
export function extAuthLocation(uri: string): ExtAuthLocation | { error: string } {
    const example = "http://ext-authz.auth.svc.cluster.local:9002/check";
    let url: URL;
    try {
        url = new URL(uri);
    } catch {
        return { error: `"${uri}" is not a URL; use e.g. ${example}` };
    }
    const inCluster = IN_CLUSTER_HOST.exec(url.hostname.toLowerCase());
    if (url.protocol !== "http:" || !inCluster) {
        return { error: `"${uri}" is not an in-cluster Service URL: the authorization service is reached inside the cluster, over plain HTTP or gRPC; use http://<service>.<namespace>.svc.cluster.local:<port>[/path], e.g. ${example}` };
    }
    if (url.search !== "" || url.hash !== "") return { error: `"${uri}" has a query or fragment, which Envoy would not send; remove it` };
    return { service: inCluster[1], namespace: inCluster[3], port: url.port ? Number(url.port) : 80, path: url.pathname === "/" ? "" : url.pathname };
}

/** A cookie domain as Envoy Gateway accepts it: lower-case DNS name, no leading dot. */
const dnsDomain = z
    .string()
    .max(253, "is longer than 253 characters; use a shorter domain")
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "is not a domain; use a lower-case DNS name without a leading dot, e.g. example.com");

/** The verified claims of a token: who the user is, what is copied into headers, who is allowed. */
const verifiedClaims = {
    userClaim: jwtSchema.shape.userClaim.describe("the verified claim that names the user; the gateway writes it into rateLimit.userHeader"),
    claimToHeaders: jwtSchema.shape.claimToHeaders.describe("verified claims copied into request headers, each into its own header"),
    allow: jwtSchema.shape.allow.describe("default deny: only tokens whose claim has one of the listed values pass"),
};

export const oidcSchema = z
    .strictObject({
        issuer: secureUrl("the OpenID provider", "https://idp.example.com/realms/ai").describe("the OpenID provider's issuer URL, exactly as its tokens carry it"),
        authorizationEndpoint: secureUrl("the login page", "https://idp.example.com/authorize")
            .optional()
            .meta(doc("where browsers are sent to log in (same URL rules as `issuer`)", { default: "from the issuer's `.well-known/openid-configuration`" })),
        tokenEndpoint: secureUrl("the token endpoint", "https://idp.example.com/token")
            .optional()
            .meta(doc("where Envoy exchanges the login code for tokens (same URL rules as `issuer`)", { default: "from the issuer's `.well-known/openid-configuration`" })),
        clientId: nonBlank("set the client id registered at the OpenID provider, e.g. ai-dashboard")
            .max(256, "is longer than 256 characters; use the client id exactly as registered")
            .describe("the OAuth client id registered at the OpenID provider for the gateway"),
        clientSecret: nonBlank("name the key of ai-gateway:apiKeys holding the OIDC client secret, e.g. oidc-client-secret").describe(
            "the **key of `ai-gateway:apiKeys`** holding the OAuth client secret (never the secret itself); it goes into the Secret `<gateway>-oidc-client`",
        ),
        redirectUrl: z
            .string()
            .regex(/^https?:\/\/[^/\s@]+\/\S*$/, "is not a callback URL; use the full URL registered at the provider, e.g. https://llm.example.com/oauth2/callback")
            .max(2048, "is longer than 2048 characters; use a shorter URL")
            .optional()
            .meta(doc("the callback URL registered at the provider", { default: "`<scheme>://<host>/oauth2/callback` of each request" })),
        logoutPath: z
            .string()
            .regex(/^\/\S*$/, "is not a path; use a path starting with '/', e.g. /logout")
            .optional()
            .meta(doc("the path that logs a browser out (clears its session cookies)", { default: "`/logout`" })),
        scopes: z
            .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "is not an OAuth scope; use a scope name such as email or profile"))
            .max(16, "lists more than 16 scopes; keep the ones the gateway needs")
            .optional()
            .meta(doc("OAuth scopes asked for at login (up to 16); `openid` is always added", { default: "`[openid]`" })),
        cookieDomain: dnsDomain
            .optional()
            .meta(doc("domain the session cookies are set on, so one login covers its subdomains", { default: "the request's host" })),
        /**
         * The access token the login yields, verified as a JWT: what carries the user into budgets, logs
         * and metrics (Envoy Gateway keeps the ID token in an encrypted cookie that nothing else can read).
         */
        accessToken: z
            .strictObject({
                jwksUri: jwtSchema.shape.jwksUri.describe("where the keys that sign the provider's access tokens are fetched"),
                audiences: jwtSchema.shape.audiences.describe("access tokens must name one of these in aud; unset, any audience"),
                ...verifiedClaims,
            })
            .optional()
            .describe("verify the access token of each logged-in session as a JWT, and take the user and claims from it; unset, OIDC identifies no user"),
    })
    .describe("browser login through an OpenID Connect provider (authorization code flow), for dashboards and playgrounds");

export const EXT_AUTH_PROTOCOLS = ["HTTP", "GRPC"] as const;

export const extAuthSchema = z
    .strictObject({
        protocol: z.enum(EXT_AUTH_PROTOCOLS).default("HTTP").describe("how Envoy asks the authorization service: HTTP (a request per check) or GRPC (Envoy's ext_authz service)"),
        url: z
            .string()
            .max(253, "is longer than 253 characters; use a shorter URL")
            .superRefine((v, ctx) => {
                if (hasUserInfo(v)) {
                    ctx.addIssue({ code: "custom", message: "holds credentials in the URL; remove them: Envoy calls the authorization service without credentials, inside the cluster" });
                    return;
                }
                const location = extAuthLocation(v);
                if ("error" in location) ctx.addIssue({ code: "custom", message: location.error });
            })
            .describe("the in-cluster authorization service, `http://<service>.<namespace>.svc[.cluster.local]:<port>[/path prefix]`, reached through a Backend `<gateway>-ext-auth`; no credentials, query or fragment"),
        headersToExtAuth: z
            .array(headerName)
            .min(1, "is empty; list the request headers the service needs, or remove the key")
            .max(64, "lists more than 64 headers; keep the ones the service reads")
            .optional()
            .describe("request headers sent to the service; unset, HTTP sends Host, Method, Path, Content-Length and Authorization, gRPC sends every header"),
        headersToBackend: z
            .array(headerName)
            .max(64, "lists more than 64 headers; keep the ones the backends read")
            .default([])
            .describe("headers of the service's answer set on the request (their client copies are always removed); rateLimit.userHeader is added when the service names the user"),
        timeout: duration
            .refine((d) => durationMillis(d) >= 1 && durationMillis(d) <= 60_000, "is outside 1ms to 60s: every request waits for the check; use e.g. 2s")
            .optional()
            .meta(doc("how long Envoy waits for the service's answer (1ms to 60s); no answer denies", { default: "`10s` (Envoy Gateway's)" })),
    })
    .describe("external authorization: Envoy asks an in-cluster service about every request; its denial, or no answer, denies the request");

const CA_PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;

/** PEM certificates that parse and are CA certificates; never echoes the text (it may be a pasted key). */
export function caBundleProblem(pem: string, use: { issues: string; caOnly: boolean } = { issues: "the client certificates", caOnly: true }): string | undefined {
    if (/PRIVATE KEY/.test(pem)) return "holds a private key; remove it at once (and rotate it): only CA certificates belong here, never a key";
    const blocks = pem.match(CA_PEM_BLOCK) ?? [];
    if (blocks.length === 0) return "holds no PEM certificate; paste the CA certificate(s), from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----";
    if (pem.replace(CA_PEM_BLOCK, "").trim() !== "") return "holds something besides PEM certificates; keep only the -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- blocks";
    for (const [i, block] of blocks.entries()) {
        let cert: X509Certificate;
        try {
            cert = new X509Certificate(block);
        } catch {
            return `certificate ${i + 1} does not parse; paste it again from the CA's PEM file`;
        }
        if (use.caOnly && !cert.ca) return `certificate ${i + 1} (${cert.subject.replace(/\n/g, ", ")}) is not a CA certificate; use the certificate of the CA that issues ${use.issues}`;
    }
    return undefined;
}

/** Where Envoy reads the client certificates' CA: exactly one of configMap, secret or pem. */
export const CA_SOURCES = ["configMap", "secret", "pem"] as const;

/**
 * Where a CA comes from: exactly one of a ConfigMap or Secret (key ca.crt) in the gateway namespace, or the
 * PEM itself (checked by caBundleProblem, never echoed). Client certificates' CA, and a backend's private CA.
 */
export function caSourceSchema(use: { issues: string; caOnly: boolean; storedIn: string }) {
    return z
        .strictObject({
            configMap: k8sName.optional().describe("a ConfigMap in the gateway namespace whose key ca.crt holds the CA certificates"),
            secret: k8sName.optional().describe("a Secret in the gateway namespace whose key ca.crt holds the CA certificates"),
            pem: z
                .string()
                .max(65536, `is longer than 64 KiB; keep only the certificates that issue ${use.issues}`)
                .superRefine((v, ctx) => {
                    const problem = caBundleProblem(v, use);
                    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
                })
                .optional()
                .describe(`the ${use.caOnly ? "CA " : ""}certificates themselves (PEM, ${use.caOnly ? "CA certificates" : "certificates"} only, at most 64 KiB); the program stores them in the ConfigMap \`${use.storedIn}\``),
        })
        .superRefine((ca, ctx) => {
            const set = CA_SOURCES.filter((k) => ca[k] !== undefined);
            if (set.length !== 1) {
                ctx.addIssue({
                    code: "custom",
                    message: `${set.length === 0 ? "names no CA" : `sets ${set.join(" and ")}`}; set exactly one of configMap, secret (their key ca.crt) or pem`,
                });
            }
        });
}

export const clientCertificatesSchema = z
    .strictObject({
        ca: caSourceSchema({ issues: "the client certificates", caOnly: true, storedIn: "<gateway>-client-ca" })
            .describe("the CA that issues client certificates: exactly one of configMap, secret or pem"),
        userFrom: z
            .enum(["subject", "uriSan", "dnsSan"])
            .optional()
            .describe("which part of the verified client certificate names the user in rateLimit.userHeader; unset, certificates identify no user"),
    })
    .describe("mutual TLS: HTTPS listeners accept only connections with a client certificate issued by the CA");

const IPV4_CIDR = /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\/([0-9]{1,2})$/;

/** Why a string is not a CIDR range, or undefined when it is one. */
export function cidrProblem(v: string): string | undefined {
    const slash = v.indexOf("/");
    if (slash < 0) {
        const bits = v.includes(":") ? 128 : 32;
        return `"${v}" is not a CIDR range (no prefix length); use e.g. ${v}/${bits} for one address`;
    }
    const prefix = Number(v.slice(slash + 1));
    if (IPV4_CIDR.test(v)) return prefix > 32 ? `"${v}" has a prefix longer than 32 bits; use /0 to /32` : undefined;
    const address = v.slice(0, slash);
    if (address.includes(":") && isIP(address) === 6 && /^[0-9]{1,3}$/.test(v.slice(slash + 1)) && !address.includes("%")) {
        return prefix > 128 ? `"${v}" has a prefix longer than 128 bits; use /0 to /128` : undefined;
    }
    return `"${v}" is not a CIDR range; use e.g. 10.0.0.0/8, 203.0.113.7/32 or 2001:db8::/32`;
}

/** A list of CIDR ranges, each valid and listed once, at most 256. */
export const cidrList = (what: string) =>
    z
        .array(
            z.string().superRefine((v, ctx) => {
                const problem = cidrProblem(v);
                if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
            }),
        )
        .min(1, `is empty; list the ${what}, or remove the key`)
        .max(256, `lists more than 256 ranges; merge them into wider ranges`)
        .superRefine(unique((v) => v, (v, first) => `"${v}" is already listed at [${first}]; list each range once`));

/** ai-gateway:auth: who may call the gateway. Absent: anyone who reaches it. */
export const clientAuthSchema = z.strictObject({
    jwt: jwtSchema.optional().describe("clients authenticate with a JWT (`Authorization: Bearer <token>`)"),
    /** Static client API keys, an alternative to JWT (not both: see the client-auth rules). */
    apiKeys: apiKeysAuthSchema.optional().describe("clients authenticate with static API keys, an alternative to `jwt`"),
    /** Browser access (preflight answered by the gateway). */
    cors: corsSchema.optional().describe("browser access (preflight answered by the gateway)"),
    oidc: oidcSchema.optional().describe("browser login through an OpenID Connect provider, for dashboards and playgrounds (not with jwt or apiKeys)"),
    extAuth: extAuthSchema.optional().describe("external authorization: an in-cluster service allows or denies every request"),
    clientCertificates: clientCertificatesSchema.optional().describe("mutual TLS: HTTPS listeners require a client certificate issued by the given CA"),
    ipAllow: cidrList("client address ranges allowed to call the gateway")
        .optional()
        .describe("default deny by address: only clients whose address is in one of these CIDR ranges may call the gateway"),
    ipDeny: cidrList("client address ranges refused")
        .optional()
        .describe("client address ranges refused even inside auth.ipAllow (checked first)"),
    /**
     * No client authentication, said explicitly: required for a gateway on a LoadBalancer that routes to
     * backends with credentials (something in front must authenticate clients then).
     */
    none: z
        .literal(true, { error: "can only be true (say explicitly that no client authentication is wanted), or be left out" })
        .optional()
        .describe(
            "`true`: no client authentication, said explicitly. Required for a gateway on a `LoadBalancer` Service (Envoy Gateway's default, also when `gateway.envoyProxy.enabled` is false) whose models route to backends with credentials: without client authentication anyone who reaches the load balancer spends your provider accounts, so that combination is refused unless something in front of the gateway authenticates clients and you say so",
        ),
});

export type ClientAuthConfig = z.output<typeof clientAuthSchema>;
export type JwtConfig = z.output<typeof jwtSchema>;
export type ApiKeysAuthConfig = z.output<typeof apiKeysAuthSchema>;
export type CorsConfig = z.output<typeof corsSchema>;
export type OidcConfig = z.output<typeof oidcSchema>;
export type ExtAuthConfig = z.output<typeof extAuthSchema>;
export type ClientCertificatesConfig = z.output<typeof clientCertificatesSchema>;
