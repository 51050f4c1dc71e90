import { z } from "zod";
import { doc } from "./docs";
import { dnsLabel, duration, durationMillis, port } from "./primitives";

/**
 * `ai-gateway:guardrails`: external processors (Envoy's ext_proc, through an EnvoyExtensionPolicy) that every
 * request to the model routes passes before the AI Gateway reads and translates it: PII redaction, prompt-injection
 * filters, a Bedrock Guardrails proxy. How they are ordered and why they cover every model: docs/guardrails.md.
 */

/** Envoy Gateway takes at most 16 external processors in one EnvoyExtensionPolicy. */
export const MAX_GUARDRAILS = 16;
/** The phases a guardrail can see: the request (headers and whole body) and the response (headers and whole body). */
export const GUARDRAIL_PHASES = ["request", "response"] as const;
export type GuardrailPhase = (typeof GUARDRAIL_PHASES)[number];
/** Bounds of `timeout`: a guard slower than a minute holds every request that long. */
export const MIN_GUARDRAIL_TIMEOUT_MS = 1;
export const MAX_GUARDRAIL_TIMEOUT_MS = 60_000;

export const guardrailSchema = z.strictObject({
    service: z
        .strictObject({
            name: dnsLabel.describe("the Service the guard (an Envoy external processor speaking gRPC) runs behind"),
            namespace: dnsLabel
                .optional()
                .meta(doc("the Service's namespace; another than the gateway's gets a ReferenceGrant there", { default: "the gateway namespace" })),
            port: port.describe("the Service's gRPC port"),
        })
        .describe("the Kubernetes Service of the guard"),
    phases: z
        .array(z.enum(GUARDRAIL_PHASES, { error: "is not a phase; use request or response" }))
        .min(1, "is empty; list request, response or both")
        .max(GUARDRAIL_PHASES.length, "lists a phase twice; list request, response or both, once each")
        .superRefine((phases, ctx) => {
            const twice = phases.filter((p, i) => phases.indexOf(p) !== i);
            if (twice.length > 0) ctx.addIssue({ code: "custom", message: `lists ${twice[0]} twice; list each phase once` });
        })
        .default(["request"])
        .meta(
            doc(
                "what the guard sees: `request` (headers and the whole OpenAI-shaped body, before the AI Gateway reads it), `response` (headers and the whole body as the client gets it; a streamed response is held until it ends)",
                { default: "`[request]`" },
            ),
        ),
    models: z
        .array(z.string().min(1, "is empty; name a model of ai-gateway:models"))
        .min(1, "is empty; leave the key out (every model) or list every model")
        .max(1024, "lists more than 1024 models; leave the key out, which means every model")
        .optional()
        .meta(
            doc("the models it guards, which must be every model (a guardrail runs for every model route or none, see docs/guardrails.md); listing them makes adding a model a conscious step", {
                default: "every model",
            }),
        ),
    timeout: duration
        .superRefine((v, ctx) => {
            const ms = durationMillis(v);
            if (ms < MIN_GUARDRAIL_TIMEOUT_MS || ms > MAX_GUARDRAIL_TIMEOUT_MS) {
                ctx.addIssue({ code: "custom", message: `${v} is outside 1ms to 60s; use the time the guard needs for one message, e.g. 200ms` });
            }
        })
        .default("200ms")
        .describe("how long Envoy waits for the guard's answer to each message (headers, body), 1ms to 60s; past it the request fails (or passes with `failOpen`)"),
    failOpen: z
        .boolean()
        .default(false)
        .describe("`false`: a request the guard cannot answer (down, too slow) is refused with a 5xx; `true`: it goes on unguarded (a warning says so)"),
});

/** A guardrail's name: a DNS label (checked with the other cross-field rules, plan/rules/guardrails.ts). */
export const GUARDRAIL_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const guardrailsSchema = z.record(z.string(), guardrailSchema);

export type GuardrailConfig = z.output<typeof guardrailSchema>;
export type GuardrailsConfig = z.output<typeof guardrailsSchema>;
