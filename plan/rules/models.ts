import { bucketId, MAX_RULES_PER_ROUTE, MAX_SPLIT_BITS, packModels } from "../packing";
import { retryGroupId } from "../routes";
import { suggestion } from "../../config/errors";
import type { Rule } from "../../config/rules/types";

/**
 * Models name existing backends, each backend and model pair once (the same backend twice with different
 * models is a fallback to another model at the same provider), and have enough of them.
 */
export const modelBackends: Rule = (config, ctx) => {
    const backendNames = Object.keys(config.backends);
    const min = config.routing.minBackendsPerModel;
    for (const [model, spec] of Object.entries(config.models)) {
        const seen = new Map<string, number>();
        spec.backends.forEach((ref, i) => {
            const path = ["models", model, "backends", i, "backend"];
            if (!Object.hasOwn(config.backends, ref.backend)) {
                ctx.add(path, `no backend "${ref.backend}"; ${suggestion(ref.backend, backendNames, "a backend of ai-gateway:backends:")}`);
            }
            const pair = JSON.stringify([ref.backend, ref.model ?? null]);
            const first = seen.get(pair);
            if (first !== undefined) {
                const what = ref.model === undefined ? `backend "${ref.backend}"` : `backend "${ref.backend}" with model "${ref.model}"`;
                ctx.add(path, `${what} is already listed at backends[${first}]; list each backend and model pair once (the same backend again needs another model)`);
            } else {
                seen.set(pair, i);
            }
        });
        // A pool is its model's only backend (one per rule, upstream's rule) and is highly available on its own: its pods.
        const toPool = spec.backends.some((ref) => Object.hasOwn(config.backends, ref.backend) && config.backends[ref.backend].inferencePool !== undefined);
        if (spec.backends.length < min && !toPool) {
            ctx.add(
                ["models", model, "backends"],
                `has ${spec.backends.length} backend(s), at least ${min} are required to keep the model available; add backends or lower ai-gateway:routing.minBackendsPerModel`,
            );
        }
    }
};

/** Clients send the model name in the body; the gateway matches it as the `x-ai-eg-model` header value. */
const HEADER_VALUE = /^[!-~]+([ \t][!-~]+)*$/;
const MAX_HEADER_VALUE = 4096;

/** Model names are valid header values; priorities have no gaps; each level can get traffic; timeouts nest. */
export const modelSettings: Rule = (config, ctx) => {
    for (const [model, spec] of Object.entries(config.models)) {
        const match = spec.match;
        if (match?.pattern !== undefined && match.headers !== undefined) {
            ctx.add(["models", model, "match", "headers"], "cannot be combined with match.pattern: with more headers to match, the pattern would outrank exact model names; give the headers to an exact model, or remove them");
        }
        if (match?.order !== undefined && match.pattern === undefined) {
            ctx.add(["models", model, "match", "order"], "orders pattern models among themselves, and this model has no pattern; remove it");
        }
        if (match?.pattern !== undefined && spec.rateLimit !== undefined) {
            ctx.add(
                ["models", model, "rateLimit"],
                "cannot be set on a pattern model: its rule could not tell this model's requests from those of exact models whose names the pattern also matches; use rateLimit.perUser, tenants or global, which count every model",
            );
        }
        if (!HEADER_VALUE.test(model) || model.length > MAX_HEADER_VALUE) {
            ctx.add(
                ["models", model],
                "is not a usable model name: the gateway matches it as an HTTP header value; use printable ASCII (at most 4096 characters) without leading or trailing spaces",
            );
        }

        // Envoy expects priority levels 0..N without gaps: a missing level is a level that never fails over.
        const levels = [...new Set(spec.backends.map((b) => b.priority ?? 0))].sort((a, b) => a - b);
        const reported = new Set<number>();
        spec.backends.forEach((ref, i) => {
            const level = ref.priority ?? 0;
            const rank = levels.indexOf(level);
            if (rank === level || reported.has(level)) return;
            reported.add(level);
            const missing = [...Array(level).keys()].filter((l) => !levels.includes(l));
            ctx.add(
                ["models", model, "backends", i, "priority"],
                `is ${level}, but no backend of this model has priority ${missing.join(" or ")}; number priorities from 0 (primary) without gaps: use ${rank}`,
            );
        });

        for (const level of levels) {
            const refs = spec.backends.filter((b) => (b.priority ?? 0) === level);
            if (refs.every((b) => b.weight === 0)) {
                ctx.add(
                    ["models", model, "backends"],
                    `every backend of priority ${level} has weight 0, so that level never gets a request; give at least one of them a weight above 0`,
                );
            }
        }

        // Envoy Gateway (v1.8.3, processRouteTimeout) turns backendRequest into the route's whole timeout
        // unless the HTTPRoute rule has a retry of its own; model routes retry through their traffic
        // policy, so a backendRequest would silently cut every request short at its value.
        if (spec.timeouts.backendRequest !== undefined) {
            ctx.add(
                ["models", model, "timeouts", "backendRequest"],
                `would end the whole request after ${spec.timeouts.backendRequest}, not one attempt: Envoy Gateway puts it in place of timeouts.request on routes that retry through a traffic policy, as model routes do; remove it, and limit each attempt with ai-gateway:retry.perRetryTimeout`,
            );
        }
    }
};

/**
 * No route holds more models than one AIGatewayRoute can. Buckets split as they fill (see
 * plan/packing.ts), so only the pattern models' one route, or more than 15 names sharing
 * every hash bit a split looks at, can overflow.
 */
export const routePacking: Rule = (config, ctx) => {
    const models = Object.keys(config.models).filter((m) => config.models[m].match?.pattern === undefined);
    const patterns = Object.keys(config.models).length - models.length;
    if (patterns > MAX_RULES_PER_ROUTE) {
        ctx.add(["models"], `has ${patterns} pattern models, and they share one AIGatewayRoute of at most ${MAX_RULES_PER_ROUTE} rules; merge patterns (one expression can list alternatives: ^(a|b)-.*)`);
    }
    // Models with a retry of their own are packed apart, a group per distinct retry (see modelBuckets).
    const groups = new Map<string, string[]>();
    for (const m of models) {
        const own = config.models[m].retry;
        const id = own === undefined ? "" : retryGroupId(own);
        groups.set(id, [...(groups.get(id) ?? []), m]);
    }
    for (const [id, names] of groups) {
        for (const problem of packingProblems(names, id === "" ? config.routing.routeBuckets : 1, MAX_SPLIT_BITS, id || undefined)) ctx.add(["models"], problem);
    }
};

/**
 * Routes that cannot split further: more than 15 names of one bucket whose hashes share all `maxSplitBits`
 * split bits. Not by chance with SHA-256, but a configuration could be made so; it is refused, never split
 * without end.
 */
export function packingProblems(models: string[], buckets: number, maxSplitBits = MAX_SPLIT_BITS, retryGroup?: string): string[] {
    return packModels(models, buckets, maxSplitBits)
        .filter((b) => b.models.length > MAX_RULES_PER_ROUTE)
        .map((b) => {
            const shown = `${b.models.slice(0, 4).map((m) => `"${m}"`).join(", ")}${b.models.length > 4 ? ", …" : ""}`;
            return `${b.models.length} models (${shown}) fall in ${retryGroup !== undefined ? `the route group ${retryGroup} (the same retry)` : `route bucket ${bucketId(b.bucket, buckets)}`} and share the ${maxSplitBits} bits of their name's SHA-256 that a bucket splits by, so their route cannot split into AIGatewayRoutes of at most ${MAX_RULES_PER_ROUTE} rules; rename ${b.models.length - MAX_RULES_PER_ROUTE} of them (another name hashes elsewhere)`;
        });
}
