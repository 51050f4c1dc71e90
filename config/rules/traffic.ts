import { durationMillis } from "../schema";
import type { Rule } from "./types";

/** Retry settings that would silently do nothing, or never reach a fallback backend. */
export const retrySettings: Rule = (config, ctx) => {
    const { retry } = config;
    const { httpStatusCodes, triggers } = retry.retryOn;
    if (httpStatusCodes.length > 0 && !triggers.includes("retriable-status-codes")) {
        ctx.add(
            ["retry", "retryOn", "httpStatusCodes"],
            "only take effect with the trigger retriable-status-codes; add it to retry.retryOn.triggers, or remove the codes",
        );
    }
    if (durationMillis(retry.backOff.baseInterval) > durationMillis(retry.backOff.maxInterval)) {
        ctx.add(
            ["retry", "backOff", "maxInterval"],
            `${retry.backOff.maxInterval} is shorter than baseInterval ${retry.backOff.baseInterval}; raise it or lower retry.backOff.baseInterval`,
        );
    }

    // Fallback to priority 1 happens on a retry, after numAttemptsPerPriority attempts at priority 0.
    const withFallback = Object.entries(config.models)
        .filter(([, m]) => m.backends.some((b) => (b.priority ?? 0) > 0))
        .map(([name]) => `"${name}"`);
    if (withFallback.length === 0) return;
    const stuck = `${withFallback.join(", ")} never ${withFallback.length === 1 ? "falls" : "fall"} back`;
    if (retry.numAttemptsPerPriority === 0) {
        ctx.add(
            ["retry", "numAttemptsPerPriority"],
            `is 0, so retries stay on priority 0 and ${stuck}; set it to 1`,
        );
    } else if (retry.numRetries < retry.numAttemptsPerPriority) {
        ctx.add(
            ["retry", "numRetries"],
            `is ${retry.numRetries}: with numAttemptsPerPriority ${retry.numAttemptsPerPriority} no attempt reaches priority 1, so ${stuck}; set it to at least ${retry.numAttemptsPerPriority}`,
        );
    }
};
