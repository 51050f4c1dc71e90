import type { ErrorFormat } from "../../config/schema";
import type { ResponseOverride } from "../../specs";

/**
 * The gateway's own error answers on the model routes in OpenAI's error format (`gateway.errors.format:
 * openai`): Envoy Gateway's `responseOverride` (Envoy's custom response filter) replaces the body of each
 * listed status with `{"error": {"message", "type", "code"}}` and sets `Content-Type: application/json`.
 * The status stays; the rate-limit filter's `retry-after` and `x-ratelimit-*` headers do not (seen on real traffic,
 * test/dataplane/endpoints.dataplane.ts), so no message points a client at them. No Pulumi here.
 */

/** Each status the gateway answers itself, with the OpenAI error it becomes. */
export const OPENAI_ERRORS = [
    { status: 401, type: "authentication_error", code: "invalid_api_key", message: "The request carries no valid credentials for this gateway." },
    { status: 403, type: "permission_error", code: "forbidden", message: "This client is not allowed to make this request." },
    { status: 404, type: "invalid_request_error", code: "model_not_found", message: "The requested model does not exist on this gateway, or the path is not an API endpoint." },
    { status: 413, type: "invalid_request_error", code: "request_too_large", message: "The request body is larger than this gateway accepts." },
    { status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", message: "Rate limit exceeded: a budget of this gateway is spent for the current window; retry later." },
    { status: 503, type: "server_error", code: "service_unavailable", message: "The model's backends are unavailable; retry later." },
    { status: 504, type: "server_error", code: "timeout", message: "The model's backend did not answer in time; retry later." },
] as const;

/** The body of one error: JSON, with `%` doubled (the body is an Envoy format string). */
export function openAIErrorBody(e: { message: string; type: string; code: string }): string {
    return JSON.stringify({ error: { message: e.message, type: e.type, code: e.code } }).replace(/%/g, "%%");
}

/** The `responseOverride` section of a model route's policy, or undefined for `envoy` (bodies as they are). */
export function errorResponseOverrides(format: ErrorFormat): ResponseOverride[] | undefined {
    if (format === "envoy") return undefined;
    return OPENAI_ERRORS.map((e) => ({
        match: { statusCodes: [{ type: "Value", value: e.status }] },
        response: { contentType: "application/json", body: { type: "Inline", inline: openAIErrorBody(e) } },
    }));
}
