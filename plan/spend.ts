import { MICRO_USD_PER_USD, SPEND_UNITS, spendUnitOf, type SpendUnit, type ModelConfig, type ModelPrice } from "../config/schema";

/**
 * The cost of a response in dollars, as the CEL expression the AI Gateway evaluates for every response
 * (`llmRequestCosts` of type CEL). No Pulumi here: tests evaluate the same text.
 *
 * Units and rounding:
 * - a price is USD per 1M tokens with at most 6 decimals, so one token costs a whole number of
 *   pico-dollars (1e-12 USD): price × 1e6;
 * - the response's cost is summed exactly in pico-dollars, then rounded UP to whole units of the spend
 *   unit a budget counts in (micro-dollars, 1e-6 USD, or a coarser one for a large budget; see
 *   SPEND_UNITS): one expression per unit in use. A response is never charged less than it cost, and at
 *   most one unit more;
 * - input tokens include cached ones (the AI Gateway counts them so for every schema): with a
 *   `cachedInput` price, cached tokens cost that price and the rest the input price; without it, every
 *   input token costs the input price. Reasoning tokens are part of output tokens.
 *
 * What the expression sees (AI Gateway v1.0/v1.1 extProc): `backend` is
 * `<namespace>/<AIServiceBackend>/route/<route>/rule/<i>/ref/<j>`, so a backend is recognised by its
 * `<namespace>/<AIServiceBackend>/` prefix; `model` is the model name sent to the backend (the
 * backendRef's modelNameOverride when set, else the requested name). Every token count is a uint, so
 * every literal carries the `u` suffix and no subtraction can go below zero.
 */

const PICO_USD_PER_USD_PER_MILLION_TOKENS = 1_000_000;
const PICO_PER_MICRO = 1_000_000;

/** One token's price in pico-dollars (a price is USD per 1M tokens). */
export function picoUsdPerToken(usdPerMillion: number): number {
    return Math.round(usdPerMillion * PICO_USD_PER_USD_PER_MILLION_TOKENS);
}

/** A CEL string literal (model names are free text). */
function celString(value: string): string {
    return JSON.stringify(value);
}

const uint = (n: number) => `${n}u`;

/** The key of `backends.<b>.prices` that prices every model name without a price of its own. */
export const DEFAULT_PRICE = "*";

/** Pico-dollars of one response at this price. */
export function priceExpression(price: ModelPrice): string {
    const input = picoUsdPerToken(price.input);
    const output = picoUsdPerToken(price.output);
    const terms: string[] = [];
    if (price.cachedInput === undefined) {
        if (input > 0) terms.push(`input_tokens * ${uint(input)}`);
    } else {
        const cached = picoUsdPerToken(price.cachedInput);
        if (input > 0) terms.push(`(input_tokens > cached_input_tokens ? input_tokens - cached_input_tokens : 0u) * ${uint(input)}`);
        if (cached > 0) terms.push(`cached_input_tokens * ${uint(cached)}`);
    }
    if (output > 0) terms.push(`output_tokens * ${uint(output)}`);
    return terms.length > 0 ? terms.join(" + ") : "0u";
}

/** The priced models one AIServiceBackend can receive on a route. */
export interface PricedBackend {
    /** `<namespace>/<AIServiceBackend name>`. */
    backend: string;
    /** Upstream model name → price. */
    prices: Record<string, ModelPrice>;
}

/** The price lookup of these backends in pico-dollars: by backend, then by model name, in sorted order (the text is stable). */
function spendLookup(backends: readonly PricedBackend[]): string {
    const sorted = [...backends].filter((b) => Object.keys(b.prices).length > 0).sort((a, b) => (a.backend < b.backend ? -1 : a.backend > b.backend ? 1 : 0));
    let lookup = "0u";
    for (const { backend, prices } of [...sorted].reverse()) {
        // `*` prices every name the backend receives without a price of its own.
        let byModel = Object.hasOwn(prices, DEFAULT_PRICE) ? priceExpression(prices[DEFAULT_PRICE]) : "0u";
        for (const model of Object.keys(prices).filter((m) => m !== DEFAULT_PRICE).sort().reverse()) {
            byModel = `model == ${celString(model)} ? ${priceExpression(prices[model])} : ${byModel}`;
        }
        lookup = `backend.startsWith(${celString(`${backend}/`)}) ? (${byModel}) : ${lookup}`;
    }
    return lookup;
}

/** What surrounds the lookup in the cost expression of a unit: the sum in pico-dollars, rounded up to whole units. */
function unitWrapper(unit: SpendUnit): [string, string] {
    const picoPerUnit = PICO_PER_MICRO * unit;
    return ["((", `) + ${uint(picoPerUnit - 1)}) / ${uint(picoPerUnit)}`];
}

let celsComputed = 0;

/** How many spend cost expressions this process has made: one per route and spend unit in use per evaluation (a test holds it there). */
export function spendCelsComputed(): number {
    return celsComputed;
}

/**
 * The cost of a response in whole units of `unit` (micro-dollars per unit; micro-dollars by default): a
 * price lookup by backend, then by model name, in sorted order (the text is stable), summed in
 * pico-dollars and rounded up. A pair without a price costs 0 (config validation refuses that wherever a
 * spend budget counts it).
 */
export function spendCel(backends: readonly PricedBackend[], unit: SpendUnit = 1): string {
    return spendCels(backends, [unit]).get(unit)!;
}

/** The cost of a response in each of these units (spendCel), by unit in the order given: the lookup is built once. */
export function spendCels(backends: readonly PricedBackend[], units: readonly SpendUnit[]): ReadonlyMap<SpendUnit, string> {
    const lookup = spendLookup(backends);
    return new Map(
        units.map((unit) => {
            celsComputed++;
            const [before, after] = unitWrapper(unit);
            return [unit, `${before}${lookup}${after}`];
        }),
    );
}

/**
 * What the AI Gateway's CEL parser accepts (cel-go defaults): at most 100000 code points, and a nesting
 * depth of 250, which each backend of the lookup and each model of one backend's lookup deepen by one.
 * The nesting bound keeps a margin below 250 for the arithmetic around the lookup.
 */
export const MAX_CEL_LENGTH = 100_000;
export const MAX_CEL_NESTING = 200;

/** The coarsest spend unit: its divisor is the longest, so its expression is the longest of a route's. */
const COARSEST_UNIT: SpendUnit = SPEND_UNITS[SPEND_UNITS.length - 1];

/** Why a route's spend cost would not compile upstream, or undefined when it does; `cel` is its cost in `unit` (spendCels). */
export function spendCelProblem(backends: readonly PricedBackend[], cel: string, unit: SpendUnit): string | undefined {
    // Measured in the coarsest unit, whichever units are in use: the length a coarser budget would give the same route.
    const wrapper = (u: SpendUnit) => unitWrapper(u).join("").length;
    const length = [...cel].length - wrapper(unit) + wrapper(COARSEST_UNIT);
    const nesting = backends.length + Math.max(0, ...backends.map((b) => Object.keys(b.prices).length));
    if (length > MAX_CEL_LENGTH) return `its spend cost is a CEL expression of ${length} characters, more than the ${MAX_CEL_LENGTH} the AI Gateway accepts`;
    if (nesting > MAX_CEL_NESTING) return `its spend cost looks up ${backends.length} backends and up to ${nesting - backends.length} models of one backend, nested deeper than the ${MAX_CEL_NESTING} levels allowed here (the AI Gateway's CEL parser stops at 250)`;
    return undefined;
}

/** The price table of every backend key (unset where a backend has none). */
export function priceTables(backends: Readonly<Record<string, { prices?: Record<string, ModelPrice> }>>): Record<string, Record<string, ModelPrice> | undefined> {
    return Object.fromEntries(Object.entries(backends).map(([key, b]) => [key, b.prices]));
}

/** A spend limit in the unit its budget counts in (see SPEND_UNITS): the count and the unit. */
export function spendLimitUnits(usd: number): { count: number; unit: SpendUnit } {
    const unit = spendUnitOf(usd);
    return { count: Math.round((usd * MICRO_USD_PER_USD) / unit), unit };
}

/**
 * The model names each backend key receives from these models: a backendRef's `model`, else the
 * requested name; undefined for a pattern model without `model` (it forwards whatever the client asked).
 */
export function upstreamModel(model: string, config: ModelConfig, ref: ModelConfig["backends"][number]): string | undefined {
    return ref.model ?? (config.match?.pattern === undefined ? model : undefined);
}

/**
 * What a route's models can send to each backend, priced: the names the models send it that have a
 * price, and every priced name where a pattern model forwards the client's name.
 */
export function pricedBackends(
    models: Record<string, ModelConfig>,
    names: readonly string[],
    prices: (backendKey: string) => Record<string, ModelPrice> | undefined,
    serviceBackend: (backendKey: string) => string,
): PricedBackend[] {
    const byBackend = new Map<string, Record<string, ModelPrice>>();
    for (const name of names) {
        const config = models[name];
        for (const ref of config.backends) {
            const table = prices(ref.backend);
            if (table === undefined) continue;
            const key = serviceBackend(ref.backend);
            const entry = byBackend.get(key) ?? {};
            const upstream = upstreamModel(name, config, ref);
            for (const m of upstream === undefined ? Object.keys(table) : [upstream]) {
                if (Object.hasOwn(table, m)) entry[m] = table[m];
            }
            // A name without a price of its own, or any name a pattern forwards, costs the backend's default price.
            if (Object.hasOwn(table, DEFAULT_PRICE) && (upstream === undefined || !Object.hasOwn(table, upstream))) entry[DEFAULT_PRICE] = table[DEFAULT_PRICE];
            byBackend.set(key, entry);
        }
    }
    return [...byBackend].map(([backend, p]) => ({ backend, prices: p }));
}

/** What a route records as the cost of a response, for the spend budgets. */
export interface RouteSpendCost {
    /** The priced models each AIServiceBackend (or InferencePool) of the route can receive (pricedBackends). */
    priced: PricedBackend[];
    /** The cost of a response as a CEL expression, in each spend unit in use, finest first (spendCels). */
    cel: ReadonlyMap<SpendUnit, string>;
}

/** What the model routes' spend costs follow from. */
export interface RouteSpendInput {
    models: Record<string, ModelConfig>;
    backends: Readonly<Record<string, { prices?: Record<string, ModelPrice> }>>;
    /** The model routes' buckets (plan/routes.ts modelBuckets): each route's models. */
    buckets: readonly { id: string; models: readonly string[] }[];
    /** The spend units in use (plan/rateLimit.ts spendUnitsInUse), finest first; none: no cost. */
    units: readonly SpendUnit[];
    /** The Gateway whose namespace the route's backends live in. */
    gateway: { name: string; namespace: string };
    /** The name a route references a backend key by: its InferencePool's, else its AIServiceBackend's (one rule per Gateway name and backends). */
    referenced: (key: string) => string;
}

const routeCosts = new WeakMap<object, { backends: object; key: string; costs: ReadonlyMap<string, RouteSpendCost> }>();

/**
 * What each model route records as the cost of a response, by bucket id, once per configuration: validation (the
 * cost's size) and the plan read this one result (a configuration is not changed once validated). The same models,
 * backends, Gateway, buckets and units give the same costs; the count of expressions made is spendCelsComputed().
 */
export function routeSpendCosts(input: RouteSpendInput): ReadonlyMap<string, RouteSpendCost> {
    const { models, backends, gateway } = input;
    const key = JSON.stringify([gateway.name, gateway.namespace, input.units, input.buckets.map((b) => [b.id, b.models])]);
    const cached = routeCosts.get(models);
    if (cached !== undefined && cached.backends === backends && cached.key === key) return cached.costs;
    const prices = (backend: string) => (Object.hasOwn(backends, backend) ? backends[backend].prices : undefined);
    const costs = new Map(
        input.units.length === 0
            ? []
            : input.buckets.map((bucket): [string, RouteSpendCost] => {
                  const priced = pricedBackends(models, bucket.models, prices, (k) => `${gateway.namespace}/${input.referenced(k)}`);
                  return [bucket.id, { priced, cel: spendCels(priced, input.units) }];
              }),
    );
    routeCosts.set(models, { backends, key, costs });
    return costs;
}
