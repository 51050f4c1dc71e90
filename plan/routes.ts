import { createHash } from "crypto";
import { effectiveRetry, type ModelConfig, type ParsedStackConfig, type RetryConfig, type RetryOverride, type SpendUnit } from "../config/schema";
import { ModelBucket, packModels } from "./packing";
import { backendObjectNames, routeName, trafficPolicyName } from "./names";
import { spendUnitsInUse } from "./rateLimit";
import { pricedBackends, spendCels, type PricedBackend } from "./spend";

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
export interface RouteGroup extends NamedBucket {
    /** The route's host names (routeHostnames); unset: every host name of the Gateway's listeners. */
    hostnames?: string[];
    /** The route's retry (routeRetry). */
    retry: RetryConfig;
    /** While a spend budget is in effect: what the route's models cost (routeSpendCosts). */
    spend?: RouteSpendCost;
}

/** What a route records as the cost of a response, for the spend budgets. */
export interface RouteSpendCost {
    /** The priced models each AIServiceBackend (or InferencePool) of the route can receive (pricedBackends). */
    priced: PricedBackend[];
    /** The cost of a response as a CEL expression, in each spend unit in use, finest first (spendCels). */
    cel: ReadonlyMap<SpendUnit, string>;
}

/** A bucket of modelBuckets with its objects' names. */
export interface NamedBucket extends ModelBucket {
    /** The AIGatewayRoute's name (routeName), which its generated HTTPRoute takes too: `<gateway>-models-07`. */
    name: string;
    /** The name of the route's own BackendTrafficPolicy (trafficPolicyName): `<gateway>-models-07-traffic`. */
    trafficPolicy: string;
}

const namedBuckets = new WeakMap<Record<string, ModelConfig>, { buckets: number; gateway: string; named: NamedBucket[] }>();

/**
 * The route buckets of these models on this Gateway, with their names, once per configuration: validation (each
 * route policy's rule cap) and the plan read this one result (a configuration is not changed once validated).
 */
export function namedRouteBuckets(models: Record<string, ModelConfig>, buckets: number, gateway: string): NamedBucket[] {
    const cached = namedBuckets.get(models);
    if (cached !== undefined && cached.buckets === buckets && cached.gateway === gateway) return cached.named;
    const named = modelBuckets(models, buckets).map((bucket) => {
        const name = routeName(gateway, bucket);
        return { ...bucket, name, trafficPolicy: trafficPolicyName(name) };
    });
    namedBuckets.set(models, { buckets, gateway, named });
    return named;
}

/**
 * The model routes of these models, resolved for the plan: the named buckets, each with its host names and
 * retry, so the route builders read one grouping.
 */
export function routeGroups(models: Record<string, ModelConfig>, buckets: number, retry: RetryConfig, hostnames: readonly string[] | undefined, gateway: string): RouteGroup[] {
    return namedRouteBuckets(models, buckets, gateway).map((bucket) => {
        const hosts = routeHostnames(models, bucket, hostnames);
        return { ...bucket, ...(hosts !== undefined && { hostnames: hosts }), retry: routeRetry(retry, models, bucket) };
    });
}

/** What the spend cost of the model routes follows from. */
export type RouteSpendConfig = Pick<ParsedStackConfig, "models" | "routing" | "gateway" | "backends" | "rateLimit">;

const spendCosts = new WeakMap<Record<string, ModelConfig>, { from: unknown[]; costs: ReadonlyMap<string, RouteSpendCost> | undefined }>();

/**
 * What each model route records as the cost of a response, by bucket id, while a spend budget is in effect
 * (undefined otherwise), once per configuration: validation (the cost's size) and the plan read this one
 * result; the count of cost expressions made is spendCelsComputed() (plan/spend.ts).
 */
export function routeSpendCosts(config: RouteSpendConfig): ReadonlyMap<string, RouteSpendCost> | undefined {
    const { models, gateway, backends } = config;
    const from = [config.rateLimit, backends, config.routing.routeBuckets, gateway.name, gateway.namespace];
    const cached = spendCosts.get(models);
    if (cached !== undefined && cached.from.every((f, i) => f === from[i])) return cached.costs;
    const units = spendUnitsInUse(config.rateLimit, models);
    let costs: Map<string, RouteSpendCost> | undefined;
    if (units.length > 0) {
        // The cost recognises a backend by what the route references: its InferencePool, else its AIServiceBackend.
        const referenced = (key: string) => {
            const names = backendObjectNames(gateway.name, key, backends[key] ?? {});
            return `${gateway.namespace}/${names.pool ?? names.names.backend}`;
        };
        const prices = (key: string) => (Object.hasOwn(backends, key) ? backends[key].prices : undefined);
        costs = new Map(
            namedRouteBuckets(models, config.routing.routeBuckets, gateway.name).map((bucket) => {
                const priced = pricedBackends(models, bucket.models, prices, referenced);
                return [bucket.id, { priced, cel: spendCels(priced, units) }];
            }),
        );
    }
    spendCosts.set(models, { from, costs });
    return costs;
}
