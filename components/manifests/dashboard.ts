import { dnsLabel } from "../../config/names";
import { USER_METRIC_LABEL } from "./observability";
import { DEFAULT_PRICE, picoUsdPerToken } from "../../plan/spend";
import type { MetricPrice } from "../../plan/spendDashboard";

/**
 * The Grafana dashboard of one Gateway, as a pure function of a few options. Every query reads a metric
 * from GATEWAY_METRICS, the metrics this gateway really exposes: Envoy's (Prometheus endpoint of the
 * Envoy pods) and the AI Gateway extProc's gen_ai metrics (OpenTelemetry names as its Prometheus exporter
 * writes them: dots become underscores, seconds get a `_seconds` suffix).
 */

const GEN_AI_LABELS = [
    "gen_ai_operation_name",
    "gen_ai_original_model",
    "gen_ai_request_model",
    "gen_ai_response_model",
    "gen_ai_provider_name",
    // Only with observability.metrics.perUser (the user header as attribute user.id).
    USER_METRIC_LABEL,
] as const;

/** Known metric names and their labels (`le` on histogram buckets). */
export const GATEWAY_METRICS = {
    // Envoy: requests received on the Gateway's listeners.
    envoy_http_downstream_rq_total: ["envoy_http_conn_manager_prefix"],
    envoy_http_downstream_rq_xx: ["envoy_http_conn_manager_prefix", "envoy_response_code_class"],
    envoy_http_downstream_rq_time_bucket: ["envoy_http_conn_manager_prefix", "le"],
    // Envoy: per upstream cluster (one per route rule) – retries and the global rate limit's verdicts.
    envoy_cluster_upstream_rq_retry: ["envoy_cluster_name"],
    envoy_cluster_upstream_rq_retry_success: ["envoy_cluster_name"],
    envoy_cluster_ratelimit_over_limit: ["envoy_cluster_name"],
    // AI Gateway extProc.
    gen_ai_client_token_usage_sum: [...GEN_AI_LABELS, "gen_ai_token_type"],
    gen_ai_server_request_duration_seconds_bucket: [...GEN_AI_LABELS, "le"],
    gen_ai_server_time_to_first_token_seconds_bucket: [...GEN_AI_LABELS, "le"],
} as const satisfies Record<string, readonly string[]>;

export type GatewayMetric = keyof typeof GATEWAY_METRICS;

/** The Gateway's own listeners; Envoy Gateway's internal ones (stats, readiness) are prefixed `eg-`. */
const GATEWAY_LISTENERS = 'envoy_http_conn_manager_prefix!~"admin|eg-.*"';
/** Clusters of HTTPRoute rules (the AI Gateway's routes become HTTPRoutes), not internal ones (xDS, ratelimit, extProc). */
const ROUTE_CLUSTERS = 'envoy_cluster_name=~"httproute/.*"';
/** Tokens a request consumed: input and output (the extProc also reports cached and reasoning tokens). */
const BILLED_TOKENS = 'gen_ai_token_type=~"input|output"';

const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;

export interface GrafanaTarget {
    refId: string;
    expr: string;
    legendFormat?: string;
    datasource: typeof DATASOURCE;
}

export interface GrafanaPanel {
    id: number;
    type: "timeseries" | "stat";
    title: string;
    description?: string;
    datasource: typeof DATASOURCE;
    gridPos: { x: number; y: number; w: number; h: number };
    fieldConfig: { defaults: { unit?: string; min?: number }; overrides: never[] };
    options: Record<string, unknown>;
    targets: GrafanaTarget[];
}

export interface GrafanaDashboard {
    uid: string;
    title: string;
    description: string;
    tags: string[];
    schemaVersion: number;
    version: number;
    editable: boolean;
    graphTooltip: number;
    time: { from: string; to: string };
    refresh: string;
    timezone: string;
    templating: { list: Array<Record<string, unknown>> };
    annotations: { list: never[] };
    panels: GrafanaPanel[];
}

export interface DashboardOptions {
    /** The Gateway, shown in the title and made into the uid. */
    gateway: { name: string; namespace: string };
    /** Whether the gen_ai metrics carry the user label (observability.metrics.perUser). */
    perUser: boolean;
    /** The prices the spend panels charge tokens at (metricPrices): no spend panels when empty or unset. */
    prices?: readonly MetricPrice[];
}

const rate = (metric: GatewayMetric, selector?: string) => `rate(${metric}${selector ? `{${selector}}` : ""}[$__rate_interval])`;
const quantile = (q: number, metric: GatewayMetric, by: string[], selector?: string) =>
    `histogram_quantile(${q}, sum by (${["le", ...by].join(", ")}) (${rate(metric, selector)}))`;

/** `n` millionths as an exact decimal (no exponent: the numbers of a price). */
function decimal(millionths: number): string {
    const abs = Math.abs(millionths);
    const whole = Math.floor(abs / 1_000_000);
    const fraction = String(abs % 1_000_000).padStart(6, "0").replace(/0+$/, "");
    return `${millionths < 0 ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** A PromQL string literal. */
const promString = (value: string) => JSON.stringify(value);
/** A value as an RE2 regular expression matching only itself. */
const literalRegex = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Spend in USD per hour, grouped `by`: the extProc's token counts (AI Gateway v1.1.0 exports no cost metric) times
 * the backends' prices, by provider and the model sent upstream (the labels the metric has). Input tokens include
 * cached ones, as the spend budgets count them, so a `cachedInput` price adds the difference for cached tokens. A
 * backend's default price (`*`) covers that provider's models without a price of their own. One selector per series:
 * the terms are joined with `or`, never `+`, which would drop a model whose other token types have no series.
 * Undefined when every price is 0.
 */
function spendPerHour(prices: readonly MetricPrice[], by: string): string | undefined {
    const seen = new Set<string>();
    const terms: string[] = [];
    const explicit = (provider: string) => prices.filter((p) => p.provider === provider && p.model !== DEFAULT_PRICE).map((p) => literalRegex(p.model));
    for (const { provider, model, price } of prices) {
        const key = JSON.stringify([provider, model]);
        // Two backends of one provider pricing one model: the metrics cannot tell them apart; the first price counts (a warning says so).
        if (seen.has(key)) continue;
        seen.add(key);
        const others = explicit(provider);
        const models = model !== DEFAULT_PRICE ? `,gen_ai_request_model=${promString(model)}` : others.length > 0 ? `,gen_ai_request_model!~${promString([...new Set(others)].join("|"))}` : "";
        const term = (tokenType: string, microUsdPerMillion: number) => {
            if (microUsdPerMillion !== 0) terms.push(`${rate("gen_ai_client_token_usage_sum", `gen_ai_provider_name=${promString(provider)}${models},gen_ai_token_type="${tokenType}"`)} * ${decimal(microUsdPerMillion)}`);
        };
        const input = picoUsdPerToken(price.input);
        term("input", input);
        if (price.cachedInput !== undefined) term("cached_input", picoUsdPerToken(price.cachedInput) - input);
        term("output", picoUsdPerToken(price.output));
    }
    // Prices are USD per 1M tokens and the rates per second: × 3600 / 1e6 is USD per hour.
    return terms.length > 0 ? `sum by (${by}) (${terms.join(" or ")}) * 3600 / 1000000` : undefined;
}

interface PanelDraft {
    type: GrafanaPanel["type"];
    title: string;
    description: string;
    unit: string;
    width: number;
    height: number;
    targets: { expr: string; legendFormat?: string }[];
}

function panels(options: DashboardOptions): PanelDraft[] {
    const stat = (title: string, description: string, unit: string, expr: string): PanelDraft => ({ type: "stat", title, description, unit, width: 6, height: 4, targets: [{ expr }] });
    const series = (title: string, description: string, unit: string, targets: PanelDraft["targets"]): PanelDraft => ({ type: "timeseries", title, description, unit, width: 12, height: 8, targets });
    const requests = `sum(${rate("envoy_http_downstream_rq_total", GATEWAY_LISTENERS)})`;
    const drafts: PanelDraft[] = [
        stat("Requests", "Requests per second on the Gateway's listeners.", "reqps", requests),
        stat(
            "Errors (5xx)",
            "Share of requests answered with a 5xx status.",
            "percentunit",
            `sum(${rate("envoy_http_downstream_rq_xx", `${GATEWAY_LISTENERS},envoy_response_code_class="5"`)}) / ${requests}`,
        ),
        stat("Rate limited (429)", "Requests per second refused by the global rate limit.", "reqps", `sum(${rate("envoy_cluster_ratelimit_over_limit")})`),
        stat("Tokens", "Input and output tokens per second.", "short", `sum(${rate("gen_ai_client_token_usage_sum", BILLED_TOKENS)})`),
        series("Requests by status", "Requests per second by status class (2xx, 4xx, 5xx).", "reqps", [
            { expr: `sum by (envoy_response_code_class) (${rate("envoy_http_downstream_rq_xx", GATEWAY_LISTENERS)})`, legendFormat: "{{envoy_response_code_class}}xx" },
        ]),
        series(
            "Latency",
            "Request duration seen by clients (Envoy), from the first byte received to the last byte sent.",
            "ms",
            [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, "envoy_http_downstream_rq_time_bucket", [], GATEWAY_LISTENERS), legendFormat: `p${Math.round(q * 100)}` })),
        ),
        series("Tokens by model", "Input and output tokens per second, by requested model (and the model it was sent to).", "short", [
            {
                expr: `sum by (gen_ai_original_model, gen_ai_request_model, gen_ai_token_type) (${rate("gen_ai_client_token_usage_sum", BILLED_TOKENS)})`,
                legendFormat: "{{gen_ai_original_model}} → {{gen_ai_request_model}} {{gen_ai_token_type}}",
            },
        ]),
    ];
    if (options.perUser) {
        drafts.push(
            series("Tokens by user (top 10)", "Input and output tokens per second of the ten heaviest users (the rate-limit user header).", "short", [
                { expr: `topk(10, sum by (${USER_METRIC_LABEL}) (${rate("gen_ai_client_token_usage_sum", BILLED_TOKENS)}))`, legendFormat: `{{${USER_METRIC_LABEL}}}` },
            ]),
        );
    }
    const spendNote =
        "Estimated: the AI Gateway's token counts times backends.<b>.prices (it exports no cost metric), exact per response; budgets charge each response rounded up to their unit.";
    const byModel = options.prices && spendPerHour(options.prices, "gen_ai_original_model");
    if (byModel) drafts.push(series("Spend by model (USD per hour)", `Spend per hour by requested model. ${spendNote}`, "currencyUSD", [{ expr: byModel, legendFormat: "{{gen_ai_original_model}}" }]));
    const byUser = options.perUser && options.prices && spendPerHour(options.prices, USER_METRIC_LABEL);
    if (byUser) {
        drafts.push(
            series("Spend by user (top 10, USD per hour)", `Spend per hour of the ten costliest users (the rate-limit user header). ${spendNote}`, "currencyUSD", [
                { expr: `topk(10, ${byUser})`, legendFormat: `{{${USER_METRIC_LABEL}}}` },
            ]),
        );
    }
    drafts.push(
        series("LLM request duration by model (p95)", "From the request reaching the AI Gateway filter to the end of the response.", "s", [
            { expr: quantile(0.95, "gen_ai_server_request_duration_seconds_bucket", ["gen_ai_original_model"]), legendFormat: "{{gen_ai_original_model}}" },
        ]),
        series("Time to first token by model (p95)", "Streaming responses: from the request to the first token.", "s", [
            { expr: quantile(0.95, "gen_ai_server_time_to_first_token_seconds_bucket", ["gen_ai_original_model"]), legendFormat: "{{gen_ai_original_model}}" },
        ]),
        series("Rate-limited requests (429) by route", "Requests refused by the global rate limit (request and token budgets), by route rule.", "reqps", [
            { expr: `sum by (envoy_cluster_name) (${rate("envoy_cluster_ratelimit_over_limit")})`, legendFormat: "{{envoy_cluster_name}}" },
        ]),
        series("Retries and fallbacks by route", "Retries per second (each one may move to the next priority: provider fallback), and those that succeeded.", "reqps", [
            { expr: `sum by (envoy_cluster_name) (${rate("envoy_cluster_upstream_rq_retry", ROUTE_CLUSTERS)})`, legendFormat: "retries {{envoy_cluster_name}}" },
            { expr: `sum by (envoy_cluster_name) (${rate("envoy_cluster_upstream_rq_retry_success", ROUTE_CLUSTERS)})`, legendFormat: "succeeded {{envoy_cluster_name}}" },
        ]),
    );
    return drafts;
}

/** Lays panels out left to right, wrapping at Grafana's 24 columns. */
function layout(drafts: PanelDraft[]): GrafanaPanel[] {
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    return drafts.map((d, i) => {
        if (x + d.width > 24) {
            x = 0;
            y += rowHeight;
            rowHeight = 0;
        }
        const panel: GrafanaPanel = {
            id: i + 1,
            type: d.type,
            title: d.title,
            description: d.description,
            datasource: DATASOURCE,
            gridPos: { x, y, w: d.width, h: d.height },
            fieldConfig: { defaults: { unit: d.unit, min: 0 }, overrides: [] },
            options: d.type === "stat" ? { reduceOptions: { calcs: ["lastNotNull"] }, graphMode: "area" } : { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
            targets: d.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource: DATASOURCE, ...t })),
        };
        x += d.width;
        rowHeight = Math.max(rowHeight, d.height);
        return panel;
    });
}

export function gatewayDashboard(options: DashboardOptions): GrafanaDashboard {
    const { name, namespace } = options.gateway;
    return {
        // Stable per Gateway, at most 40 characters as Grafana requires.
        uid: dnsLabel(`ai-gateway-${namespace}-${name}`, 40),
        title: `AI Gateway ${namespace}/${name}`,
        description: "Requests, errors, latency, tokens, rate limits and fallbacks of the AI Gateway.",
        tags: ["ai-gateway", "envoy"],
        schemaVersion: 39,
        version: 1,
        editable: true,
        graphTooltip: 1,
        time: { from: "now-6h", to: "now" },
        refresh: "30s",
        timezone: "browser",
        // A datasource variable: dashboards the Grafana sidecar loads are not imported, so `${DS_...}` inputs would stay unresolved.
        templating: { list: [{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus", hide: 0 }] },
        annotations: { list: [] },
        panels: layout(panels(options)),
    };
}

/** Every PromQL expression of a dashboard. */
export function dashboardExpressions(dashboard: GrafanaDashboard): string[] {
    return dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
}
