/**
 * A tiny guard for the data-plane guardrail scenarios: an Envoy external processor (ext_proc, gRPC) in this test
 * process, listening at the address the guard's Service has in the private network. It
 *
 * - answers a request whose body holds BLOCK_MARKER at once with a 400 and an OpenAI-shaped error (the request
 *   never reaches a backend);
 * - replaces REDACT_MARKER in a request body with REDACTED, and RESPONSE_MARKER in a response body with REDACTED;
 * - records every message it sees, so a test can tell what the guard saw and in which order.
 *
 * Node's gRPC server (@grpc/grpc-js) with the ext_proc messages declared below (protobufjs): starts in
 * milliseconds inside the test, needs no Go build, and the test controls it directly (stop it to show the
 * gateway refuses requests while its guard is down). The field numbers are Envoy's
 * (envoy/service/ext_proc/v3/external_processor.proto, envoy/config/core/v3/base.proto, envoy/type/v3/http_status.proto);
 * only the fields the guard reads or writes are declared, which the protobuf wire format allows.
 */
import * as grpc from "@grpc/grpc-js";
import * as protobuf from "protobufjs";

export const BLOCK_MARKER = "GUARD-BLOCK-7d1e";
export const REDACT_MARKER = "GUARD-REDACT-4242-4242-4242";
export const RESPONSE_MARKER = "GUARD-SECRET-OUT-9f3a";
export const REDACTED = "[REDACTED]";
/** The error body a blocked request gets: what an OpenAI client parses. */
export const BLOCKED_ERROR = { error: { message: "the request was blocked by the guardrail", type: "invalid_request_error", code: "guardrail_blocked" } };

const PROTO = `
syntax = "proto3";
package guard;
message HeaderValue { string key = 1; string value = 2; bytes raw_value = 3; }
message HeaderMap { repeated HeaderValue headers = 1; }
message HeaderValueOption { HeaderValue header = 1; int32 append_action = 3; }
message HttpHeaders { HeaderMap headers = 1; bool end_of_stream = 3; }
message HttpBody { bytes body = 1; bool end_of_stream = 2; }
message ProcessingRequest {
  oneof request {
    HttpHeaders request_headers = 2;
    HttpHeaders response_headers = 3;
    HttpBody request_body = 4;
    HttpBody response_body = 5;
  }
}
message HeaderMutation { repeated HeaderValueOption set_headers = 1; repeated string remove_headers = 2; }
message BodyMutation { oneof mutation { bytes body = 1; bool clear_body = 2; } }
message CommonResponse { int32 status = 1; HeaderMutation header_mutation = 2; BodyMutation body_mutation = 3; }
message HeadersResponse { CommonResponse response = 1; }
message BodyResponse { CommonResponse response = 1; }
message HttpStatus { int32 code = 1; }
message ImmediateResponse { HttpStatus status = 1; HeaderMutation headers = 2; bytes body = 3; string details = 5; }
message ProcessingResponse {
  oneof response {
    HeadersResponse request_headers = 1;
    HeadersResponse response_headers = 2;
    BodyResponse request_body = 3;
    BodyResponse response_body = 4;
    ImmediateResponse immediate_response = 7;
  }
}
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
/** The ext_proc stream's messages (field names as in Envoy's .proto files). */
export const ProcessingRequest = root.lookupType("guard.ProcessingRequest");
export const ProcessingResponse = root.lookupType("guard.ProcessingResponse");

type Headers = { headers?: { headers?: { key: string; value?: string; raw_value?: Uint8Array }[] } };
type Body = { body?: Uint8Array; end_of_stream?: boolean };
interface Request {
    request_headers?: Headers;
    response_headers?: Headers;
    request_body?: Body;
    response_body?: Body;
}

/** One message the guard received: its phase, the headers (names lower case) or the body as text. */
export interface Seen {
    phase: "requestHeaders" | "requestBody" | "responseHeaders" | "responseBody";
    headers?: Record<string, string>;
    body?: string;
}

export interface Guard {
    /** Every message since the start or the last reset, in order. */
    readonly seen: Seen[];
    reset(): void;
    stop(): Promise<void>;
}

const headerMap = (h: Headers | undefined): Record<string, string> =>
    Object.fromEntries((h?.headers?.headers ?? []).map((v) => [v.key.toLowerCase(), v.raw_value && v.raw_value.length > 0 ? Buffer.from(v.raw_value).toString("utf8") : (v.value ?? "")]));

const setHeader = (key: string, value: string) => ({ header: { key, raw_value: Buffer.from(value) }, append_action: 2 /* OVERWRITE_IF_EXISTS_OR_ADD */ });

/** A body phase's answer: the text unchanged, or replaced, with its new length (Envoy leaves content-length to the processor). */
function bodyAnswer(text: string, marker: string): Record<string, unknown> {
    if (!text.includes(marker)) return {};
    const redacted = Buffer.from(text.split(marker).join(REDACTED));
    return { response: { header_mutation: { set_headers: [setHeader("content-length", String(redacted.length))] }, body_mutation: { body: redacted } } };
}

/** What the guard answers to one message. */
function answer(req: Request, seen: Seen[]): Record<string, unknown> {
    if (req.request_headers) {
        seen.push({ phase: "requestHeaders", headers: headerMap(req.request_headers) });
        return { request_headers: {} };
    }
    if (req.response_headers) {
        seen.push({ phase: "responseHeaders", headers: headerMap(req.response_headers) });
        return { response_headers: {} };
    }
    if (req.request_body) {
        const text = Buffer.from(req.request_body.body ?? []).toString("utf8");
        seen.push({ phase: "requestBody", body: text });
        if (text.includes(BLOCK_MARKER)) {
            return {
                immediate_response: {
                    status: { code: 400 },
                    headers: { set_headers: [setHeader("content-type", "application/json")] },
                    body: Buffer.from(JSON.stringify(BLOCKED_ERROR)),
                    details: "guardrail_blocked",
                },
            };
        }
        return { request_body: bodyAnswer(text, REDACT_MARKER) };
    }
    if (req.response_body) {
        const text = Buffer.from(req.response_body.body ?? []).toString("utf8");
        seen.push({ phase: "responseBody", body: text });
        return { response_body: bodyAnswer(text, RESPONSE_MARKER) };
    }
    throw new Error(`the guard got a message it does not handle: ${JSON.stringify(Object.keys(req))}`);
}

/** Starts the guard at `ip:port`; `stop()` closes it (every stream at once). */
export async function startGuard(ip: string, port: number): Promise<Guard> {
    const seen: Seen[] = [];
    const server = new grpc.Server();
    server.addService(
        {
            Process: {
                path: "/envoy.service.ext_proc.v3.ExternalProcessor/Process",
                requestStream: true,
                responseStream: true,
                requestSerialize: (m: Request) => Buffer.from(ProcessingRequest.encode(ProcessingRequest.fromObject(m)).finish()),
                requestDeserialize: (b: Buffer) => ProcessingRequest.toObject(ProcessingRequest.decode(b)) as Request,
                responseSerialize: (m: Record<string, unknown>) => Buffer.from(ProcessingResponse.encode(ProcessingResponse.fromObject(m)).finish()),
                responseDeserialize: (b: Buffer) => ProcessingResponse.toObject(ProcessingResponse.decode(b)),
            },
        },
        {
            Process: (call: grpc.ServerDuplexStream<Request, Record<string, unknown>>) => {
                call.on("data", (req: Request) => {
                    try {
                        call.write(answer(req, seen));
                    } catch (e) {
                        call.destroy(e as Error);
                    }
                });
                call.on("end", () => call.end());
                call.on("error", () => undefined);
            },
        },
    );
    await new Promise<void>((resolve, reject) => server.bindAsync(`${ip}:${port}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
    return {
        seen,
        reset: () => void seen.splice(0),
        stop: () =>
            new Promise<void>((resolve) => {
                server.forceShutdown();
                resolve();
            }),
    };
}
