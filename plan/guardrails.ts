import { MAX_REQUEST_BUFFER, MIN_REQUEST_BUFFER, sizeBytes, type GatewayConfig, type GuardrailPhase, type GuardrailsConfig } from "../config/schema";

/**
 * Guardrails (`ai-gateway:guardrails`): external processors every request to the model routes passes before the
 * AI Gateway's own processor reads it. No Pulumi here. Why the plan looks like this (AI Gateway v1.1.0 and Envoy
 * Gateway v1.8.3 source, see docs/guardrails.md for the whole argument):
 *
 * - Order. The AI Gateway controller's extension server puts its processor in front of the first ext_proc (or
 *   wasm, lua, rbac, rate-limit, ... router) filter of the listener, unless a buffer filter sits at or after that
 *   point: then right after the last buffer filter (internal/extensionserver/post_translate_modify.go,
 *   insertAIGatewayExtProcFilter, lines 1068-1131). An EnvoyExtensionPolicy's processor is such an ext_proc filter,
 *   so by default the AI Gateway reads the body first; it keeps that copy (internal/extproc/processor_impl.go
 *   lines 275-280) and translates from it for the provider (lines 363-402), so a guard behind it would have its
 *   redaction undone whenever the body is rewritten (another provider schema, a model override, every retry).
 *   Envoy Gateway sorts its filters by type (internal/xds/translator/httpfilters.go, buffer 11, ext_proc 100+)
 *   and then by the EnvoyProxy's filterOrder (sortHTTPFilters): `ext_proc before buffer` puts the guards in front
 *   of the buffer filter, and the AI Gateway's processor then goes right after the buffer, behind the guards. The
 *   buffer filter exists only when a route asks for request buffering, so every model route's traffic policy gets
 *   `requestBuffer` at the connection buffer's size (the AI Gateway buffers the whole body anyway).
 * - Coverage. Envoy Gateway adds each processor disabled and enables it per route (internal/xds/translator/extproc.go
 *   line 87). A guard runs before the AI Gateway has read the model from the body, so the route a request is on when
 *   it gets there is the `route-not-found` rule of whichever model route Envoy Gateway lists first (the controller
 *   adds it to every generated HTTPRoute: internal/controller/ai_gateway_route.go lines 331-343), the same for every
 *   model. So a guardrail is attached to every model route and guards every model.
 */

export interface GuardrailPlan {
    name: string;
    service: { name: string; namespace: string; port: number };
    phases: GuardrailPhase[];
    /** Envoy's wait for each answer of the guard. */
    timeout: string;
    failOpen: boolean;
}

/**
 * The EnvoyProxy filter order that puts the guards in front of the AI Gateway's processor (see above). Envoy
 * Gateway moves every ext_proc filter, the guards', before the buffer filter.
 */
export const GUARDRAIL_FILTER_ORDER: readonly { name: string; before: string }[] = [{ name: "envoy.filters.http.ext_proc", before: "envoy.filters.http.buffer" }];

/** Envoy's own connection buffer, when the program writes no ClientTrafficPolicy. */
const ENVOY_CONNECTION_BUFFER = 32 * 1024;

/** The guardrails in name order (the order their processors run in), with the Service's namespace resolved. */
export function guardrailPlans(guardrails: GuardrailsConfig, gatewayNamespace: string): GuardrailPlan[] {
    return Object.keys(guardrails)
        .sort()
        .map((name) => {
            const g = guardrails[name];
            return {
                name,
                service: { name: g.service.name, namespace: g.service.namespace ?? gatewayNamespace, port: g.service.port },
                phases: [...g.phases].sort((a, b) => GUARDRAIL_PHASES_ORDER.indexOf(a) - GUARDRAIL_PHASES_ORDER.indexOf(b)),
                timeout: g.timeout,
                failOpen: g.failOpen,
            };
        });
}

const GUARDRAIL_PHASES_ORDER: readonly GuardrailPhase[] = ["request", "response"];

/**
 * The request buffer every model route gets while guardrails exist, so that the buffer filter the order relies on
 * exists: the connection buffer's size (what the AI Gateway's processor can hold anyway), within requestBuffer's bounds.
 */
export function guardrailRequestBuffer(gateway: Pick<GatewayConfig, "clientTraffic">): { limit: string } {
    const ct = gateway.clientTraffic;
    const bytes = ct.enabled ? (sizeBytes(ct.bufferLimit) ?? MAX_REQUEST_BUFFER) : ENVOY_CONNECTION_BUFFER;
    return { limit: String(Math.min(MAX_REQUEST_BUFFER, Math.max(MIN_REQUEST_BUFFER, bytes))) };
}
