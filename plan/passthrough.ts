import type { PassthroughRouteConfig } from "../config";

/**
 * Passthrough routes (`ai-gateway:passthrough`): plain HTTPRoutes for endpoints that are not an LLM API
 * (the seed's `/v1/models/<name>` KServe predictors), on the same Gateway and behind the same client
 * authentication. No Pulumi here.
 */

/**
 * Paths the AI Gateway's extProc serves, exactly as v1.1.0 registers them (cmd/extproc/mainlib/main.go,
 * rootPrefix `/` and the default endpoint prefixes: OpenAI `/`, Cohere `/cohere`, Anthropic `/anthropic`).
 * The extProc matches a request's path exactly (its query left out): `/v1/chat/completions/x` is no
 * endpoint and `/v1/models/<name>` is free for a passthrough route. A passthrough route must not take
 * these from the model routes, whose generated HTTPRoute matches `/` plus the model header, so any
 * longer path of ours would win. The upstream suite checks this list against v1.1.0's own table.
 */
export const AI_GATEWAY_ENDPOINTS = [
    "/v1/chat/completions",
    "/v1/completions",
    "/v1/embeddings",
    "/v1/responses",
    "/v1/responses/input_tokens",
    "/v1/audio/speech",
    "/v1/audio/transcriptions",
    "/v1/audio/translations",
    "/v1/images/generations",
    "/cohere/v2/rerank",
    "/v1/models",
    "/anthropic/v1/models",
    "/anthropic/v1/messages",
    "/tokenize",
    "/anthropic/v1/messages/count_tokens",
] as const;

/** Whether a passthrough route is the catch-all: every path the AI Gateway does not serve (`PathPrefix /`). */
export function isCatchAll(route: Pick<PassthroughRouteConfig, "path" | "pathType">): boolean {
    return route.pathType === "PathPrefix" && route.path === "/";
}

const escapeRegex = (c: string) => c.replace(/[\\^$.*+?()[\]{}|-]/g, "\\$&");

/** Gateway API caps a path match's value at 1024 characters. */
const MAX_PATH_MATCH = 1024;

interface TrieNode {
    terminal: boolean;
    children: Map<string, TrieNode>;
}

/**
 * RE2 expressions (no lookaround) that together match every path except the AI Gateway's endpoints: the
 * complement of a finite set, spelt out over the endpoints' character trie and split into as many
 * expressions (matches of one rule) as the 1024-character limit of a path match needs. A path regular
 * expression outranks every prefix in Envoy Gateway's route order, so the catch-all takes what the model
 * routes leave, and a request to an AI endpoint (whose model header the extProc sets only after the
 * first route match) still meets the AI Gateway's own route first. Envoy Gateway's bootstrap lifts RE2's
 * program size limit.
 */
export function catchAllPathRegexes(endpoints: readonly string[] = AI_GATEWAY_ENDPOINTS): string[] {
    const root: TrieNode = { terminal: false, children: new Map() };
    for (const e of endpoints) {
        let node = root;
        for (const c of e.slice(1)) {
            let next = node.children.get(c);
            if (!next) node.children.set(c, (next = { terminal: false, children: new Map() }));
            node = next;
        }
        node.terminal = true;
    }
    // The suffixes that, appended to this node's path, make a path that is not an endpoint.
    const rest = (node: TrieNode): string => {
        const keys = [...node.children.keys()].sort();
        if (keys.length === 0) return node.terminal ? ".+" : ".*";
        const alternatives = [`[^${keys.map(escapeRegex).join("")}].*`, ...keys.map((k) => `${escapeRegex(k)}${rest(node.children.get(k)!)}`)];
        return `(?:${alternatives.join("|")})${node.terminal ? "" : "?"}`;
    };
    // Disjoint parts of the same set, each within the limit.
    const parts = (node: TrieNode, prefix: string): string[] => {
        const whole = `${prefix}${rest(node)}`;
        if (whole.length <= MAX_PATH_MATCH) return [whole];
        const keys = [...node.children.keys()].sort();
        return [
            ...(node.terminal ? [] : [prefix]),
            `${prefix}[^${keys.map(escapeRegex).join("")}].*`,
            ...keys.flatMap((k) => parts(node.children.get(k)!, `${prefix}${escapeRegex(k)}`)),
        ];
    };
    return parts(root, "/");
}

/** The AI Gateway endpoints a passthrough path would capture (empty for regular expressions, which are not checked). */
export function capturedEndpoints(route: Pick<PassthroughRouteConfig, "path" | "pathType">): string[] {
    const { path, pathType } = route;
    if (pathType === "RegularExpression" || isCatchAll(route)) return [];
    if (pathType === "Exact") return AI_GATEWAY_ENDPOINTS.filter((e) => e === path);
    // PathPrefix matches whole segments: /v1 captures /v1/chat/completions, /v1/chat/comp does not.
    const prefix = path.length > 1 ? path.replace(/\/+$/, "") : "/";
    return AI_GATEWAY_ENDPOINTS.filter((e) => prefix === "/" || e === prefix || e.startsWith(`${prefix}/`));
}
