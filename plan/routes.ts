import { createHash } from "crypto";
import { effectiveRetry, type ModelConfig, type RetryConfig, type RetryOverride } from "../config/schema";
import { ModelBucket, packModels } from "./packing";
import type { RouteObjectNames } from "./names";
import type { RouteSpendCost } from "./spend";

/** The AIGatewayRoute bucket of the pattern models (`<gateway>-models-patterns`). */
export const PATTERN_BUCKET_ID = "patterns";

/** Pattern models in the order their rules are tried: `match.order` (unset: 0), then the key. */
export function patternModels(models: Record<string, ModelConfig>): string[] {
    return Object.keys(models)
        .filter((m) => models[m].match?.pattern !== undefined)
        .sort((a, b) => (models[a].match?.order ?? 0) - (models[b].match?.order ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Sorted keys at every level: one text per set of values, whatever order the config wrote them in. */
function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (typeof v === "object" && v !== null) {
        return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
    }
    return JSON.stringify(v);
}

/** `hosts-<8 hex>`: the route group of the models with exactly these host names (in any order) and this `retry`. */
export function hostsGroupId(hostnames: readonly string[], retry: RetryOverride | undefined): string {
    return `hosts-${createHash("sha256").update(canonical({ hostnames: [...hostnames].sort(), retry: retry ?? null })).digest("hex").slice(0, 8)}`;
}

/** The host names of a route: its models share their own `hostnames` (see modelBuckets), else gateway.hostnames. */
export function routeHostnames(models: Record<string, ModelConfig>, bucket: ModelBucket, gateway: readonly string[] | undefined): string[] | undefined {
    const own = bucket.id === PATTERN_BUCKET_ID ? undefined : models[bucket.models[0]]?.hostnames;
    const hosts = own ?? gateway;
    return hosts === undefined ? undefined : [...hosts];
}

/** `retry-<8 hex>`: the route group of the models whose `retry` is exactly this, named by nothing else. */
export function retryGroupId(retry: RetryOverride): string {
    return `retry-${createHash("sha256").update(canonical(retry)).digest("hex").slice(0, 8)}`;
}

/**
 * The route buckets of these models. Retry is a setting of a whole route (its traffic policy), so a
 * model with a `retry` of its own never shares a route with one without: the models without are packed
 * into `routing.routeBuckets` buckets (`<gateway>-models-07`), those with one into a group per distinct
 * `retry` (`<gateway>-models-retry-1a2b3c4d`, split by hash bits past 15 models like a bucket), and the
 * pattern models share `<gateway>-models-patterns` in their documented order (a pattern's own `retry` is a
 * policy on its rule, see modelTrafficPolicies). Host names are a setting of a whole route too: models
 * with `hostnames` of their own share a route only with models of the same host names and retry
 * (`<gateway>-models-hosts-1a2b3c4d`).
 * Adding a model changes only the route it joins.
 */
export function modelBuckets(models: Record<string, ModelConfig>, buckets: number): ModelBucket[] {
    const plain: string[] = [];
    const groups = new Map<string, string[]>();
    for (const m of Object.keys(models)) {
        const spec = models[m];
        if (spec.match?.pattern !== undefined) continue;
        if (spec.retry === undefined && spec.hostnames === undefined) {
            plain.push(m);
            continue;
        }
        const id = spec.hostnames === undefined ? retryGroupId(spec.retry!) : hostsGroupId(spec.hostnames, spec.retry);
        groups.set(id, [...(groups.get(id) ?? []), m]);
    }
    const patterns = patternModels(models);
    return [
        ...packModels(plain, buckets),
        ...[...groups.keys()].sort().flatMap((id) =>
            packModels(groups.get(id)!, 1).map((b) => ({ ...b, id: b.prefix === "" ? id : `${id}-${b.prefix}`, bucket: -1 })),
        ),
        ...(patterns.length > 0 ? [{ id: PATTERN_BUCKET_ID, bucket: -1, prefix: "", models: patterns }] : []),
    ];
}

/** The retry of a route: its models share their `retry` (see modelBuckets), or have none; the patterns' route ai-gateway:retry. */
export function routeRetry(stack: RetryConfig, models: Record<string, ModelConfig>, bucket: ModelBucket): RetryConfig {
    // The patterns' route keeps ai-gateway:retry: a pattern's own retry is a policy on its rule.
    if (bucket.id === PATTERN_BUCKET_ID) return stack;
    return effectiveRetry(stack, models[bucket.models[0]]?.retry);
}

/** A route of the model routes: its bucket (name and models), with the host names and the retry the whole route shares. */
export interface RouteLayout extends ModelBucket {
    /** The route's host names (routeHostnames); unset: every host name of the Gateway's listeners. */
    hostnames?: string[];
    /** The route's retry (routeRetry). */
    retry: RetryConfig;
}

/** A route of the plan: its layout, its objects' names (plan/names.ts modelRouteNames) and, while a spend budget is in effect, its cost. */
export interface RouteGroup extends RouteLayout, RouteObjectNames {
    /** What the route's models cost (plan/spend.ts routeSpendCosts). */
    spend?: RouteSpendCost;
}

/**
 * The model routes of a configuration, resolved once for the plan: the buckets of modelBuckets, each with
 * its host names and retry (the plan adds their names and costs), so the route builders and validation read one grouping.
 */
export function routeGroups(models: Record<string, ModelConfig>, buckets: number, retry: RetryConfig, hostnames: readonly string[] | undefined): RouteLayout[] {
    return modelBuckets(models, buckets).map((bucket) => {
        const hosts = routeHostnames(models, bucket, hostnames);
        return { ...bucket, ...(hosts !== undefined && { hostnames: hosts }), retry: routeRetry(retry, models, bucket) };
    });
}
