import { z } from "zod";
import { doc } from "./docs";

/**
 * `backends.<b>.requestBuffer`: Envoy receives each request body whole before it forwards the request
 * (BackendTrafficPolicy `requestBuffer`), so a retry or a fallback to the next priority can send the body
 * again; bodies above the limit get a 413. Bounded here: Envoy holds each buffered body in memory.
 */

/** Smallest and largest buffer accepted, in bytes, and the default: room for a long-context prompt with images. */
export const MIN_REQUEST_BUFFER = 1024;
export const MAX_REQUEST_BUFFER = 256 * 1024 ** 2;
export const DEFAULT_REQUEST_BUFFER = "16Mi";
const BYTE_UNITS: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };

/** Bytes of a whole-byte size (`16Mi`, `65536`), or undefined when it is not one. */
export function sizeBytes(v: string): number | undefined {
    const m = /^([1-9][0-9]{0,11})(Ki|Mi|Gi|k|M|G)?$/.exec(v);
    return m ? Number(m[1]) * BYTE_UNITS[m[2] ?? ""] : undefined;
}

const bufferLimit = z
    .union([z.string(), z.number()], { error: "must be a size; use a value such as 16Mi or 1048576" })
    .transform((v) => String(v))
    .superRefine((v, ctx) => {
        const bytes = sizeBytes(v);
        if (bytes === undefined) {
            ctx.addIssue({ code: "custom", message: `"${v.slice(0, 40)}" is not a whole number of bytes; use a value such as 16Mi or 1048576` });
        } else if (bytes < MIN_REQUEST_BUFFER || bytes > MAX_REQUEST_BUFFER) {
            ctx.addIssue({ code: "custom", message: `${v} is outside 1Ki to 256Mi; Envoy holds each buffered request in memory, so use e.g. ${DEFAULT_REQUEST_BUFFER}` });
        }
    });

export const requestBufferSchema = z
    .strictObject({
        limit: bufferLimit
            .default(DEFAULT_REQUEST_BUFFER)
            .describe("the largest request body buffered, 1Ki to 256Mi; a larger one gets a 413"),
    })
    .meta(
        doc(
            "Envoy receives each request body whole before forwarding it (BackendTrafficPolicy `requestBuffer`), on the route rules of every model that reaches this backend, so a retry or fallback can resend it; `{}` = `{limit: 16Mi}`",
            { default: "off", row: true },
        ),
    );

export type RequestBufferConfig = z.output<typeof requestBufferSchema>;
