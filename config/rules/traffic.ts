import { durationMillis, effectiveRetry, type RetryConfig, type RetryOverride } from "../schema";
import type { Rule, RuleContext } from "./types";

type Path = (string | number)[];

/**
 * One retry policy's problems: `at` is where it is configured (ai-gateway:retry, or a model's `retry`),
 * `sets` whether that place sets a field (a model's problem that comes from ai-gateway:retry alone is
 * reported there, once), `fallback` the models it serves that have a fallback priority.
 */
function retryProblems(retry: RetryConfig, at: Path, sets: (field: string) => boolean, fallback: string[], ctx: RuleContext): void {
    const { httpStatusCodes, triggers } = retry.retryOn;
    const name = at[0] === "retry" ? "retry" : `${at.join(".")}`;
    if (httpStatusCodes.length > 0 && !triggers.includes("retriable-status-codes") && (sets("retryOn.httpStatusCodes") || sets("retryOn.triggers"))) {
        ctx.add(
            [...at, "retryOn", "httpStatusCodes"],
            `only take effect with the trigger retriable-status-codes; add it to ${name}.retryOn.triggers, or remove the codes`,
        );
    }
    if (durationMillis(retry.backOff.baseInterval) > durationMillis(retry.backOff.maxInterval) && (sets("backOff.baseInterval") || sets("backOff.maxInterval"))) {
        ctx.add(
            [...at, "backOff", "maxInterval"],
            `${retry.backOff.maxInterval} is shorter than baseInterval ${retry.backOff.baseInterval}; raise it or lower ${name}.backOff.baseInterval`,
        );
    }

    // Fallback to priority 1 happens on a retry, after numAttemptsPerPriority attempts at priority 0.
    if (fallback.length === 0 || !(sets("numRetries") || sets("numAttemptsPerPriority"))) return;
    const stuck = `${fallback.map((m) => `"${m}"`).join(", ")} never ${fallback.length === 1 ? "falls" : "fall"} back`;
    if (retry.numAttemptsPerPriority === 0) {
        ctx.add([...at, "numAttemptsPerPriority"], `is 0, so retries stay on priority 0 and ${stuck}; set it to 1`);
    } else if (retry.numRetries < retry.numAttemptsPerPriority) {
        ctx.add(
            [...at, "numRetries"],
            `is ${retry.numRetries}: with numAttemptsPerPriority ${retry.numAttemptsPerPriority} no attempt reaches priority 1, so ${stuck}; set it to at least ${retry.numAttemptsPerPriority}`,
        );
    }
}

/** Whether a model's `retry` sets a field (`backOff.baseInterval`). */
function overrideSets(own: RetryOverride): (field: string) => boolean {
    return (field) => {
        const [head, tail] = field.split(".");
        const v = (own as Record<string, unknown>)[head];
        return tail === undefined ? v !== undefined : typeof v === "object" && v !== null && (v as Record<string, unknown>)[tail] !== undefined;
    };
}

/**
 * Retry settings that would silently do nothing, or never reach a fallback backend: ai-gateway:retry for
 * the models without a `retry` of their own, and each model's `retry` with what it takes from
 * ai-gateway:retry. A model's `retry` that changes nothing is a warning (a pattern model's is a policy
 * on its rule of the patterns' route, see manifests/routes.ts modelTrafficPolicies).
 */
export const retrySettings: Rule = (config, ctx) => {
    const { retry } = config;
    const hasFallback = (m: string) => config.models[m].backends.some((b) => (b.priority ?? 0) > 0);
    // The models whose attempts per priority come from ai-gateway:retry: a fallback they never reach is its problem.
    const inherit = Object.keys(config.models).filter((m) => {
        const own = config.models[m].retry;
        return own === undefined || (own.numRetries === undefined && own.numAttemptsPerPriority === undefined);
    });
    retryProblems(retry, ["retry"], () => true, inherit.filter(hasFallback), ctx);

    for (const [model, spec] of Object.entries(config.models)) {
        const own = spec.retry;
        if (own === undefined) continue;
        const at = ["models", model, "retry"];
        const effective = effectiveRetry(retry, own);
        if (JSON.stringify(effective) === JSON.stringify(retry)) {
            ctx.warn(at, "sets nothing that differs from ai-gateway:retry, so it changes nothing; remove it, or set what this model should do differently (e.g. numRetries: 0 for no retry)");
        }
        retryProblems(effective, at, overrideSets(own), hasFallback(model) ? [model] : [], ctx);
    }
};
