import { capturedEndpoints } from "../passthrough";
import { durationMillis, effectiveRetry, isInClusterHost, type RetryConfig } from "../../config/schema";
import type { Rule } from "../../config/rules/types";
import { regexProblem } from "../../config/policies/regex";

/** `181100` → `181.1s`, `120000` → `120s`. */
export function formatSeconds(ms: number): string {
    return `${Number((ms / 1000).toFixed(3))}s`;
}

/**
 * When the last retry of a request starts, at the latest: every earlier attempt (the first included)
 * runs into retry.perRetryTimeout, and Envoy waits before retry n up to (2^n − 1) × baseInterval,
 * capped at maxInterval (fully jittered exponential back-off).
 */
export function lastRetryStart(retry: RetryConfig): { attempts: number; backOff: number; total: number } {
    const attempts = retry.numRetries * durationMillis(retry.perRetryTimeout);
    const base = durationMillis(retry.backOff.baseInterval);
    const max = durationMillis(retry.backOff.maxInterval);
    let backOff = 0;
    for (let n = 1; n <= retry.numRetries; n++) backOff += Math.min((2 ** n - 1) * base, max);
    return { attempts, backOff, total: attempts + backOff };
}

/** The attempts that precede the last retry, in words. */
function earlierAttempts(numRetries: number): string {
    if (numRetries === 1) return "the first attempt";
    if (numRetries === 2) return "the first attempt and the retry after it";
    return `the first attempt and the ${numRetries - 1} retries after it`;
}

/** Every configured retry can start before the model's request timeout ends the request. */
export const retryBudget: Rule = (config, ctx) => {
    for (const [model, spec] of Object.entries(config.models)) {
        const retry = effectiveRetry(config.retry, spec.retry);
        if (retry.numRetries === 0) continue;
        const start = lastRetryStart(retry);
        const request = durationMillis(spec.timeouts.request);
        if (request === 0 || request > start.total) continue; // 0s: no request timeout
        // Where the retry comes from: the model's own, or ai-gateway:retry.
        const key = spec.retry !== undefined ? `models.${model}.retry` : "retry";
        // It works (the first fallbacks still happen), so it is a warning: upstream's own provider-fallback
        // example retries longer than its request timeout.
        ctx.warn(
            ["models", model, "timeouts", "request"],
            `${spec.timeouts.request} ends the request before its last retry can start: with ${key}.numRetries ${retry.numRetries} and ${key}.perRetryTimeout ${retry.perRetryTimeout}, the last retry may start ${formatSeconds(start.total)} after the request (${retry.numRetries} × ${retry.perRetryTimeout} for ${earlierAttempts(retry.numRetries)}, plus up to ${formatSeconds(start.backOff)} of back-off); raise timeouts.request to ${Math.floor(start.total / 1000) + 1}s or more, or lower ${key}.numRetries or ${key}.perRetryTimeout`,
        );
    }
};

/** ai-gateway:traffic settings that parse but would break traffic. */
export const trafficProtectionSettings: Rule = (config, ctx) => {
    const { timeouts, healthCheck } = config.traffic;
    if (timeouts !== undefined && durationMillis(timeouts.connect) === 0) {
        ctx.add(["traffic", "timeouts", "connect"], "0s would fail every connection attempt; use a positive duration such as 10s");
    }

    // Model routes share one policy per route: a probe reaches every backend of every model on it.
    if (healthCheck.active !== undefined) {
        const used = new Set(Object.values(config.models).flatMap((m) => m.backends.map((b) => b.backend)));
        const outside = [...used]
            .filter((key) => Object.hasOwn(config.backends, key))
            .filter((key) => {
                const { hostname } = config.backends[key];
                return hostname === undefined || !isInClusterHost(hostname);
            })
            .sort();
        if (outside.length > 0) {
            ctx.add(
                ["traffic", "healthCheck", "active"],
                `would probe every backend of the model routes, and ${outside.map((b) => `"${b}"`).join(", ")} ${outside.length === 1 ? "is" : "are"} outside the cluster: a provider API answers unauthenticated probes with errors, so the gateway would stop sending it requests; remove traffic.healthCheck.active (passive checks suit every backend), or route only to in-cluster backends`,
            );
        }
    }
};

/** Passthrough paths are well-formed, unique, and leave the AI Gateway's endpoints to the model routes. */
export const passthroughRoutes: Rule = (config, ctx) => {
    const seen = new Map<string, string>();
    for (const [name, route] of Object.entries(config.passthrough)) {
        const at = ["passthrough", name, "path"];
        if (route.pathType === "RegularExpression") {
            const problem = regexProblem(route.path, "envoy", "use pathType PathPrefix");
            if (problem !== undefined) ctx.add(at, problem);
        } else if (!/^\/[^\s?#]*$/.test(route.path)) {
            ctx.add(at, `"${route.path}" is not a request path; start it with '/' and leave out any query, e.g. /v1/models/sklearn-iris`);
            continue;
        }

        const captured = capturedEndpoints(route);
        if (captured.length > 0) {
            ctx.add(
                at,
                `"${route.path}" (${route.pathType}) would take the AI Gateway's own ${captured.length === 1 ? "endpoint" : "endpoints"} ${captured.join(", ")} away from the model routes; use a path below them, e.g. /v1/models/<name>`,
            );
        }

        const key = `${route.pathType} ${route.path}`;
        const first = seen.get(key);
        if (first !== undefined) ctx.add(at, `"${route.path}" (${route.pathType}) is already the path of passthrough.${first}; give each route its own path`);
        else seen.set(key, name);
    }
};
