import { z } from "zod";
import { duration, nonNegativeInt, positiveInt } from "./primitives";

/** Rate-limit windows are one whole Envoy Gateway unit. */
export const WINDOW_UNITS = { s: "Second", m: "Minute", h: "Hour", d: "Day" } as const;
export type WindowUnit = (typeof WINDOW_UNITS)[keyof typeof WINDOW_UNITS];

export const windowSchema = z.string().superRefine((v, ctx) => {
    const m = /^(\d+)([smhd])$/.exec(v);
    if (!m) {
        ctx.addIssue({ code: "custom", message: `"${v}" is not a window; use 1s, 1m, 1h or 1d` });
    } else if (m[1] !== "1") {
        ctx.addIssue({
            code: "custom",
            message: `"${v}" is not one whole unit: Envoy Gateway counts per second, minute, hour or day; use ${nearestWindow(Number(m[1]), m[2] as keyof typeof WINDOW_UNITS)} and scale the limit`,
        });
    }
});

const UNIT_SECONDS: Record<keyof typeof WINDOW_UNITS, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** The whole unit closest (on a log scale) to n units. */
export function nearestWindow(n: number, unit: keyof typeof WINDOW_UNITS): string {
    const seconds = n * UNIT_SECONDS[unit];
    let best: keyof typeof WINDOW_UNITS = "s";
    for (const u of Object.keys(UNIT_SECONDS) as (keyof typeof WINDOW_UNITS)[]) {
        if (Math.abs(Math.log(seconds / UNIT_SECONDS[u])) < Math.abs(Math.log(seconds / UNIT_SECONDS[best]))) best = u;
    }
    return `1${best}`;
}

export const budgetSchema = z.strictObject({ limit: positiveInt, window: windowSchema });

export const rateLimitBudgetsSchema = z.strictObject({
    requests: z.array(budgetSchema).default([]),
    tokens: z.array(budgetSchema).default([]),
});

/** Gateway API caps backend weights at one million. */
export const MAX_WEIGHT = 1_000_000;

export const modelBackendSchema = z.strictObject({
    backend: z.string().min(1, "is empty; name a key of ai-gateway:backends"),
    /** Model name sent to this backend (modelNameOverride). Unset: the name the client sent. */
    model: z.string().min(1, "is empty; set the backend's model name or remove the key").optional(),
    /** Share of traffic among the backends of the same priority. Unset: 1. */
    weight: nonNegativeInt.max(MAX_WEIGHT, `must be at most ${MAX_WEIGHT}; scale the weights down`).optional(),
    /** 0 = primary, 1 = first fallback, … Unset: 0. */
    priority: nonNegativeInt.optional(),
});

export const modelSchema = z.strictObject({
    backends: z.array(modelBackendSchema),
    rateLimit: rateLimitBudgetsSchema.optional(),
    timeouts: z
        .strictObject({
            /**
             * Whole request, retries included. LLM calls outlive Envoy's 15s default and the AI Gateway's
             * 60s: a long non-streamed completion easily takes longer.
             */
            request: duration.default("120s"),
            /** One attempt at one backend; at most `request`. */
            backendRequest: duration.optional(),
            /**
             * No byte from the backend for this long resets the attempt: before the first byte a retry can
             * fall over to the next priority (time-to-first-token failover), later the client gets a 504.
             */
            streamIdle: duration.optional(),
        })
        .prefault({}),
});

export const modelsSchema = z.record(z.string(), modelSchema);

export type ModelConfig = z.output<typeof modelSchema>;
export type BudgetConfig = z.output<typeof budgetSchema>;
