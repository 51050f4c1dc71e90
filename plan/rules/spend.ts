import { backendObjectNames } from "../names";
import { modelBudgets, spendUnitsInUse } from "../rateLimit";
import { modelBuckets } from "../routes";
import { DEFAULT_PRICE, routeSpendCosts, spendCelProblem, upstreamModel } from "../spend";
import { celProblem } from "../../config/policies/cel";
import { formatPath } from "../../config/errors";
import type { RateLimitBudgets } from "../../config/schema";
import type { Rule } from "../../config/rules/types";

type Path = (string | number)[];

const hasSpend = (b: RateLimitBudgets | undefined) => (b?.spend?.length ?? 0) > 0;

/**
 * Spend budgets charge each response the price its backend lists for the model it received. A price
 * missing where a spend budget counts would charge 0, so it is an error that names the price to add;
 * a pattern model forwarding the client's name needs the backend's default price (`prices["*"]`); prices no spend
 * budget reads change nothing (a warning).
 */
export const spendPrices: Rule = (config, ctx) => {
    const rl = config.rateLimit;
    // With rate limiting off, rules/rateLimit.ts already refuses every budget.
    if (!rl.enabled) return;
    const stackWide: Path[] = [
        ...(hasSpend(rl.global) ? [["rateLimit", "global", "spend"]] : []),
        ...Object.entries(rl.tenants?.budgets ?? {})
            .filter(([, b]) => hasSpend(b))
            .map(([t]): Path => ["rateLimit", "tenants", "budgets", t, "spend"]),
        ...(hasSpend(rl.perUser) ? [["rateLimit", "perUser", "spend"]] : []),
    ];
    /** Prices some spend budget reads, per backend key. */
    const read = new Map<string, Set<string>>();
    let anySpend = stackWide.length > 0;
    for (const [model, spec] of Object.entries(config.models)) {
        const pattern = spec.match?.pattern !== undefined;
        const own = !pattern && (modelBudgets(spec, rl.defaults).spend?.length ?? 0) > 0;
        const ownPath: Path = spec.rateLimit?.spend !== undefined ? ["models", model, "rateLimit", "spend"] : ["rateLimit", "defaults", "spend"];
        const counted = [...(own ? [ownPath] : []), ...stackWide];
        if (counted.length === 0) continue;
        anySpend = true;
        const by = counted.map(formatPath).join(", ");
        spec.backends.forEach((ref, i) => {
            const prices = config.backends[ref.backend]?.prices ?? {};
            const upstream = upstreamModel(model, spec, ref);
            if (upstream === undefined) {
                read.set(ref.backend, new Set([...(read.get(ref.backend) ?? []), ...Object.keys(prices)]));
                if (Object.hasOwn(prices, DEFAULT_PRICE)) return;
                ctx.add(
                    ["models", model, "backends", i],
                    `forwards whatever model name the client sends (a pattern model without model:), and backend ${ref.backend} has no default price, so every name not in backends.${ref.backend}.prices would cost nothing to the spend budgets that count it (${by}); add ${formatPath(["backends", ref.backend, "prices", DEFAULT_PRICE])}: {input: <USD per 1M tokens>, output: <USD per 1M tokens>} for the names without a price of their own, or set model: to the name the backend receives`,
                );
                return;
            }
            read.set(ref.backend, (read.get(ref.backend) ?? new Set()).add(upstream));
            if (Object.hasOwn(prices, upstream)) return;
            if (Object.hasOwn(prices, DEFAULT_PRICE)) {
                read.get(ref.backend)!.add(DEFAULT_PRICE);
                return;
            }
            ctx.add(
                ["models", model, "backends", i],
                `sends "${upstream}" to backend ${ref.backend}, which has no price for it, and spend budgets count this model (${by}); add ${formatPath(["backends", ref.backend, "prices", upstream])}: {input: <USD per 1M tokens>, output: <USD per 1M tokens>} (0 for a free model)`,
            );
        });
    }
    costSize(config, ctx);
    for (const [key, backend] of Object.entries(config.backends)) {
        if (backend.prices === undefined) continue;
        if (!anySpend) {
            ctx.warn(["backends", key, "prices"], "are read by spend budgets only, and no spend budget is set, so they change nothing; add one (e.g. rateLimit.perUser.spend: [{limit: 50, window: 1mo}]), or remove them");
            continue;
        }
        for (const model of Object.keys(backend.prices)) {
            if (read.get(key)?.has(model)) continue;
            ctx.warn(
                ["backends", key, "prices", model],
                model === DEFAULT_PRICE
                    ? "is never charged: it prices the names without a price of their own, and every model a spend budget counts sends this backend a priced name; remove it, or keep it for names added later"
                    : `is never charged: no model that a spend budget counts sends "${model}" to this backend; correct the name to the one a models.<m>.backends entry sends (its model:), or remove it`,
            );
        }
    }
};

/** Each route's spend cost must stay within what the AI Gateway's CEL parser takes, or it would record no cost. */
function costSize(config: Parameters<Rule>[0], ctx: Parameters<Rule>[1]): void {
    const units = spendUnitsInUse(config.rateLimit, config.models);
    if (units.length === 0) return;
    const { gateway, backends } = config;
    const buckets = modelBuckets(config.models, config.routing.routeBuckets);
    // The costs the routes will record (the plan reads the same ones), each checked in the finest unit in use.
    const referenced = (key: string) => {
        const names = backendObjectNames(gateway.name, key, backends[key] ?? {});
        return names.pool ?? names.names.backend;
    };
    const costs = routeSpendCosts({ models: config.models, backends, buckets, units, gateway, referenced });
    for (const bucket of buckets) {
        const { priced, cel: byUnit } = costs.get(bucket.id)!;
        const [[unit, cel]] = byUnit;
        const size = spendCelProblem(priced, cel, unit);
        // Within the size, the cost is checked as the AI Gateway will compile it: built from model names, it must still parse as an integer.
        const parsed = size === undefined && priced.length > 0 ? celProblem(cel, { kind: "spendCost" }) : undefined;
        const problem = size ?? (parsed === undefined ? undefined : `its spend cost ${parsed}`);
        if (problem === undefined) continue;
        ctx.add(
            ["models"],
            `${bucket.models.join(", ")} share one AIGatewayRoute, and ${problem}; spread models over more routes (raise routing.routeBuckets), or give pattern models a model: so they are not priced by every name their backends list`,
        );
    }
}
