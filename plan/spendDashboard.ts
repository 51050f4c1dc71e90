import type { BackendConfig, ModelConfig, ModelPrice, RateLimitConfig, SchemaName } from "../config/schema";
import { spendInUse } from "./rateLimit";
import { DEFAULT_PRICE } from "./spend";

/**
 * What the dashboard's spend panels price tokens with. AI Gateway v1.1.0 exports no cost metric: its extProc's
 * metrics are token counts (`gen_ai.client.token.usage` by token type), labelled with the provider, the requested
 * model and the model sent upstream, never with the backend. So a spend panel multiplies those token counts by the
 * prices of `backends.<b>.prices`, looked up by what the metric names: the provider (from the backend's schema) and the
 * model the backend received (`gen_ai_request_model`). No Pulumi here.
 */

/**
 * `gen_ai.provider.name` as the v1.1.0 extProc sets it from a backend's schema (internal/metrics/metrics_impl.go,
 * SetBackend): every schema the program accepts has a name of its own there.
 */
export const GEN_AI_PROVIDER_NAMES: { readonly [S in SchemaName]: string } = {
    OpenAI: "openai",
    AzureOpenAI: "azure.openai",
    AWSBedrock: "aws.bedrock",
    AWSAnthropic: "aws.anthropic",
    GCPVertexAI: "gcp.vertex_ai",
    GCPAnthropic: "gcp.anthropic",
    Anthropic: "anthropic",
    Cohere: "cohere",
};

/** One price as the metrics can address it: a provider and the model sent upstream (`*`: every other model of that provider). */
export interface MetricPrice {
    provider: string;
    model: string;
    price: ModelPrice;
    /** The backend key the price is from. */
    backend: string;
}

/** Two or more backends of one provider price one model differently: the metrics cannot tell which one served it. */
export interface MetricPriceConflict {
    provider: string;
    model: string;
    /** The backend keys, sorted; the first one's price is the one the panels use. */
    backends: string[];
}

const samePrice = (a: ModelPrice, b: ModelPrice) => a.input === b.input && a.output === b.output && a.cachedInput === b.cachedInput;

/** The backend keys some model routes to. */
function routedBackends(models: Readonly<Record<string, ModelConfig>>): Set<string> {
    return new Set(Object.values(models).flatMap((m) => m.backends.map((b) => b.backend)));
}

/**
 * The prices of the backends models route to, by provider and model, when some spend budget is in effect (the panels
 * show spend only then); empty otherwise. Sorted by provider, then model names before `*`, then backend key: where
 * two backends of one provider price one model, the first one's price is used, and `metricPriceConflicts` reports it.
 */
export function metricPrices(
    config: { rateLimit: RateLimitConfig; models: Record<string, ModelConfig>; backends: Readonly<Record<string, BackendConfig>> },
    /** Whether a spend budget is in effect, when the caller knows it already (the plan does). */
    spend: boolean = spendInUse(config.rateLimit, config.models),
): MetricPrice[] {
    if (!spend) return [];
    const routed = routedBackends(config.models);
    const out: MetricPrice[] = [];
    for (const [key, backend] of Object.entries(config.backends)) {
        if (!routed.has(key) || backend.prices === undefined) continue;
        const provider = GEN_AI_PROVIDER_NAMES[backend.schema];
        for (const [model, price] of Object.entries(backend.prices)) out.push({ provider, model, price, backend: key });
    }
    const order = (p: MetricPrice) => [p.provider, p.model === DEFAULT_PRICE ? "\u0001" : `\u0000${p.model}`, p.backend];
    return out.sort((a, b) => {
        const [x, y] = [order(a), order(b)];
        for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
        return 0;
    });
}

/** Where the metrics cannot tell two prices apart: one provider, one model name, different prices at different backends. */
export function metricPriceConflicts(prices: readonly MetricPrice[]): MetricPriceConflict[] {
    const groups = new Map<string, MetricPrice[]>();
    for (const p of prices) {
        const key = JSON.stringify([p.provider, p.model]);
        groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    return [...groups.values()]
        .filter((g) => g.some((p) => !samePrice(p.price, g[0].price)))
        .map((g) => ({ provider: g[0].provider, model: g[0].model, backends: g.map((p) => p.backend).sort() }));
}
