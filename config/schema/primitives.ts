import { z } from "zod";
import { tableHints } from "./docs";
import { headerNameProblem, headerValueProblem, type HeaderUse } from "../policies/headers";

/**
 * Shared value types of the stack configuration. Every message is `<what is wrong>; <how to fix>`,
 * the path is added by the loader.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes namespace or other DNS-1123 label (lower case, digits, `-`, at most 63 characters). */
export const dnsLabel = z
    .string()
    .max(63, "is longer than 63 characters; use a shorter name")
    .regex(DNS_LABEL, "is not a DNS-1123 label; use lower-case letters, digits and '-', starting and ending with a letter or digit");

/** A Kubernetes object name (DNS-1123 subdomain). */
export const k8sName = z
    .string()
    .max(253, "is longer than 253 characters; use a shorter name")
    .regex(DNS_SUBDOMAIN, "is not a valid Kubernetes name; use lower-case letters, digits, '-' and '.'");

/** A host name, never a URL: `api.openai.com`, not `https://api.openai.com/v1`. */
export const hostname = z.string().superRefine((v, ctx) => {
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(v);
    if (url || v.includes("/")) {
        let host = v.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split("/")[0];
        host = host.replace(/:\d+$/, "");
        ctx.addIssue({
            code: "custom",
            message: `"${v}" is a URL, a host name belongs here; use "${host}" (and set port/prefix separately)`,
        });
        return;
    }
    if (v.length > 253 || !DNS_SUBDOMAIN.test(v.toLowerCase())) {
        ctx.addIssue({ code: "custom", message: `"${v}" is not a valid host name; use a DNS name such as api.openai.com` });
    }
});

/** Whether a URL carries user info (`scheme://user:password@host`): a credential, never echoed in a message. */
export function hasUserInfo(url: string): boolean {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
}

export const port = z
    .number({ error: "must be a port number; use a whole number from 1 to 65535" })
    .int("must be a whole number; use a port from 1 to 65535")
    .min(1, "is out of range; use a port from 1 to 65535")
    .max(65535, "is out of range; use a port from 1 to 65535");

/** Gateway API / Envoy Gateway duration: `500ms`, `30s`, `1m30s`, `1h`. */
export const duration = z
    .string({
        // `pulumi config set --path ... 20` stores a number: say which unit to add.
        error: (issue) =>
            typeof issue.input === "number"
                ? `must be a duration with a unit, got the number ${issue.input}; use a value such as ${issue.input}s or ${issue.input}ms (units h, m, s, ms)`
                : issue.input === undefined
                  ? "must be a duration string; use a value such as 30s, 500ms or 1m30s"
                  : `must be a duration, got ${Array.isArray(issue.input) ? "a list" : typeof issue.input === "object" ? "an object" : JSON.stringify(issue.input)}; use a value such as 30s, 500ms or 1m30s`,
    })
    .regex(/^([0-9]{1,5}(h|m|s|ms)){1,4}$/, "is not a duration; use a value such as 30s, 500ms or 1m30s (units h, m, s, ms)");

/** Milliseconds of a validated duration, for cross-field checks. */
export function durationMillis(d: string): number {
    const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
    let total = 0;
    for (const m of d.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(m[1]) * units[m[2]];
    return total;
}

/** Kubernetes resource quantity: `50Mi`, `1Gi`, `500m`, `2`. */
export const quantity = z
    .union([z.string(), z.number()], { error: "must be a quantity; use a value such as 50Mi, 1Gi, 500m or 2" })
    .refine(
        (v) => typeof v === "number" || /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/.test(v),
        "is not a Kubernetes quantity; use a value such as 50Mi, 1Gi, 500m or 2",
    )
    .transform((v) => String(v));

export const resourceRequirements = z
    .strictObject({
        requests: z.record(z.string(), quantity).optional().describe("resources the container is guaranteed, e.g. `{cpu: 100m, memory: 128Mi}`"),
        limits: z.record(z.string(), quantity).optional().describe("the most the container may use, e.g. `{cpu: \"1\", memory: 512Mi}`"),
    })
    .meta(tableHints({ row: true }));

/** A chart version as published: `v1.8.3`. */
export const chartVersion = z
    .string()
    .regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, "is not a chart version; use a release tag such as v1.8.3");

/** Free-form Helm values, merged last over what the program computes. */
export const helmValues = z.record(z.string(), z.unknown());

export const stringMap = z.record(z.string(), z.string({ error: "must be a string; quote the value" }));

/** A positive whole number. */
/** Kubernetes and Envoy count in 32-bit integers: every count is bounded by that, or by less. */
export const MAX_INT32 = 2_147_483_647;
/** A whole number from `min` (0 or 1) to `max`, with the message for a value above it. */
export function intBetween(min: 0 | 1, max: number, tooBig = `must be at most ${max}; lower it`) {
    return z
        .number()
        .int("must be a whole number; remove the fraction")
        .min(min, min === 1 ? "must be at least 1; use 1 or more" : "must not be negative; use 0 or more")
        .max(max, tooBig);
}
export const positiveInt = intBetween(1, MAX_INT32, `must be at most ${MAX_INT32} (a 32-bit integer); lower it`);
export const nonNegativeInt = intBetween(0, MAX_INT32, `must be at most ${MAX_INT32} (a 32-bit integer); lower it`);

/** A header name for one use, checked by the header policy (config/policies/headers.ts). */
export const headerFor = (use: HeaderUse) =>
    z.string().superRefine((v, ctx) => {
        const problem = headerNameProblem(v, use);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    });

/** A header value the configuration writes: no control characters (config/policies/headers.ts). */
export const headerValue = z.string().superRefine((v, ctx) => {
    const problem = headerValueProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

const BYTE_UNITS: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };

/** Bytes of a whole-byte size (`16Mi`, `65536`), or undefined when it is not one (at most 12 digits: a bounded parse). */
export function sizeBytes(v: string): number | undefined {
    const m = /^([1-9][0-9]{0,11})(Ki|Mi|Gi|k|M|G)?$/.exec(v);
    return m ? Number(m[1]) * BYTE_UNITS[m[2] ?? ""] : undefined;
}

/**
 * A whole-byte size (`16Mi`, `65536`, or a number) from `min` to `max` bytes, kept as a string. `outside` says
 * what to use instead when the size is out of range.
 */
export function byteSize(range: { min: number; max: number; example: string; outside: string }) {
    return z
        .union([z.string(), z.number()], { error: `must be a size; use a value such as ${range.example}` })
        .transform((v) => String(v))
        .superRefine((v, ctx) => {
            const bytes = sizeBytes(v);
            if (bytes === undefined) {
                ctx.addIssue({ code: "custom", message: `"${v.slice(0, 40)}" is not a whole number of bytes; use a value such as ${range.example}` });
            } else if (bytes < range.min || bytes > range.max) {
                ctx.addIssue({ code: "custom", message: `${v} ${range.outside}` });
            }
        });
}
