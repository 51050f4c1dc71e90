import { z } from "zod";
import { doc } from "./docs";
import { duration, durationMillis, headerFor, intBetween, MAX_INT32 } from "./primitives";
import { cidrList } from "./security";

/**
 * The client side of the Envoy pods beyond buffers and timeouts (`gateway.clientTraffic.*`): where the
 * client's address comes from behind a load balancer (`clientIP`, `proxyProtocol`), TCP keepalive and
 * connection limits. Each becomes a section of the one ClientTrafficPolicy (components/manifests/clientTraffic.ts).
 */

/** The most proxies a request may cross before the gateway: more is a misconfiguration, not a network. */
export const MAX_TRUSTED_HOPS = 16;

const xForwardedForSchema = z
    .strictObject({
        trustedHops: intBetween(1, MAX_TRUSTED_HOPS, `must be at most ${MAX_TRUSTED_HOPS}; count the proxies in front of the gateway`)
            .optional()
            .describe(
                "how many proxies in front of the gateway append to `X-Forwarded-For`; the client is the address that many entries from the right (1 for one L7 load balancer)",
            ),
        trustedCIDRs: cidrList("address ranges of the proxies in front of the gateway")
            .optional()
            .meta(
                doc("instead of `trustedHops`: the address ranges of the proxies in front of the gateway; the client is the rightmost `X-Forwarded-For` entry outside them", {
                    join: true,
                }),
            ),
    })
    .superRefine((x, ctx) => {
        const set = [x.trustedHops, x.trustedCIDRs].filter((v) => v !== undefined).length;
        if (set !== 1) ctx.addIssue({ code: "custom", message: `${set === 0 ? "says nothing" : "sets both"}; set exactly one of trustedHops (e.g. 1) or trustedCIDRs (e.g. [10.0.0.0/8])` });
    });

export const clientIPSchema = z
    .strictObject({
        xForwardedFor: xForwardedForSchema
            .optional()
            .meta(doc("the client's address from `X-Forwarded-For`: `{trustedHops}` or `{trustedCIDRs}`", { row: true })),
        customHeader: z
            .strictObject({
                name: headerFor("clientIP").describe("the header holding one address (letters, digits and '-'), e.g. `x-real-ip`; never `X-Forwarded-For`"),
                failClosed: z
                    .boolean()
                    .default(false)
                    .describe("`true`: a request without a valid address in the header gets a 403; `false`: Envoy uses the connection's address"),
            })
            .optional()
            .describe("the client's address from a header the load balancer in front sets (and overwrites, so a client cannot forge it)"),
    })
    .superRefine((c, ctx) => {
        const set = [c.xForwardedFor, c.customHeader].filter((v) => v !== undefined).length;
        if (set !== 1) ctx.addIssue({ code: "custom", message: `${set === 0 ? "says nothing" : "sets both"}; set exactly one of xForwardedFor or customHeader` });
    });

export const proxyProtocolSchema = z
    .union([z.boolean(), z.strictObject({ optional: z.boolean().describe("`true`: connections without a PROXY header are accepted too") })], {
        error: "must be true, false or {optional: true}; use true behind a load balancer that sends the PROXY protocol",
    })
    .transform((v) => (v === false ? undefined : { optional: v === true ? false : v.optional }));

/** Kernel keepalive settings are 32-bit seconds; more than a day between probes would detect nothing. */
const MAX_KEEPALIVE_MILLIS = 86_400_000;
const keepaliveDuration = (example: string) =>
    duration.superRefine((v, ctx) => {
        const ms = durationMillis(v);
        if (ms < 1000 || ms > MAX_KEEPALIVE_MILLIS) ctx.addIssue({ code: "custom", message: `${v} is outside 1s to 24h; use e.g. ${example}` });
        else if (ms % 1000 !== 0) ctx.addIssue({ code: "custom", message: `${v} is not whole seconds, which the kernel counts in; use e.g. ${Math.ceil(ms / 1000)}s` });
    });

/**
 * TCP keepalive: probes on an idle connection, so that a NAT or load balancer in the path (AWS NLB drops
 * an idle flow after 350 s, Azure's after 4 min) keeps a minutes-long stream that sends nothing for a
 * while, and a dead peer is found in about `idleTime + probes × interval`. Envoy's own default is 2 h of
 * idleness, longer than any of those.
 */
export const tcpKeepaliveSchema = z
    .strictObject({
        idleTime: keepaliveDuration("60s").default("60s").describe("idleness before the first probe (Envoy's default is 2h, longer than load balancers keep an idle flow)"),
        interval: keepaliveDuration("15s").default("15s").describe("time between probes"),
        probes: intBetween(1, 32).default(4).describe("unanswered probes before the connection counts as dead"),
    })
    .describe("TCP keepalive probes; `{}` takes the defaults");

export const connectionLimitSchema = z
    .strictObject({
        value: intBetween(1, MAX_INT32, `must be at most ${MAX_INT32} (a 32-bit integer); lower it`)
            .optional()
            .describe("the most client connections one Envoy pod holds at once; more are closed (after `closeDelay`)"),
        closeDelay: duration.optional().describe("delay before a connection over `value` is closed, which slows down a client that reconnects at once; needs `value`"),
        maxConnectionDuration: duration.optional().describe("a client connection is drained after this long (spreads long-lived clients over new Envoy pods)"),
        maxRequestsPerConnection: intBetween(1, MAX_INT32, `must be at most ${MAX_INT32} (a 32-bit integer); lower it`)
            .optional()
            .describe("requests one connection may carry, then it is closed"),
        maxStreamDuration: duration.optional().describe("a request is reset after this long, whatever it is doing; shorter than a model's `timeouts.request` warns, since it would cut that model's streams"),
    })
    .superRefine((c, ctx) => {
        if (c.closeDelay !== undefined && c.value === undefined) ctx.addIssue({ code: "custom", path: ["closeDelay"], message: "delays closing connections over value, and there is no value; set value, or remove closeDelay" });
        if (Object.values(c).every((v) => v === undefined)) ctx.addIssue({ code: "custom", message: "sets no limit; set value, maxConnectionDuration, maxRequestsPerConnection or maxStreamDuration, or remove the key" });
    })
    .describe("limits on client connections (ClientTrafficPolicy `connection.connectionLimit`)");

export type ClientIPConfig = z.output<typeof clientIPSchema>;
export type TcpKeepaliveConfig = z.output<typeof tcpKeepaliveSchema>;
export type ConnectionLimitConfig = z.output<typeof connectionLimitSchema>;
