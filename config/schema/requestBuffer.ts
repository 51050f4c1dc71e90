import { z } from "zod";
import { doc } from "./docs";
import { byteSize } from "./primitives";

/**
 * `backends.<b>.requestBuffer`: Envoy receives each request body whole before it forwards the request
 * (BackendTrafficPolicy `requestBuffer`), so a retry or a fallback to the next priority can send the body
 * again; bodies above the limit get a 413. Bounded here: Envoy holds each buffered body in memory.
 */

/** Smallest and largest buffer accepted, in bytes, and the default: room for a long-context prompt with images. */
export const MIN_REQUEST_BUFFER = 1024;
export const MAX_REQUEST_BUFFER = 256 * 1024 ** 2;
export const DEFAULT_REQUEST_BUFFER = "16Mi";
const bufferLimit = byteSize({
    min: MIN_REQUEST_BUFFER,
    max: MAX_REQUEST_BUFFER,
    example: "16Mi or 1048576",
    outside: `is outside 1Ki to 256Mi; Envoy holds each buffered request in memory, so use e.g. ${DEFAULT_REQUEST_BUFFER}`,
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
