import { MODEL_HEADER } from "../../config/aiMetadata";
import { MAX_RATE_LIMIT_RULES, modelBudgets, modelRateLimitRules, rateLimitRules, rateLimitRuleSet } from "../rateLimit";
import { modelBuckets } from "../routes";
import { modelRouteNames, modelsTrafficPolicyName } from "../names";
import type { RateLimitBudgets, TokenType } from "../../config/schema";
import { clientAuthMechanisms, verifiedUserSources } from "../identity";
import type { Rule, RuleContext } from "../../config/rules/types";
import { CREDENTIAL_HEADERS } from "../../config/policies/headers";

type Path = (string | number)[];

/** Every budget object of the configuration, with where it is. */
function budgetObjects(config: Parameters<Rule>[0]): [Path, RateLimitBudgets][] {
    const rl = config.rateLimit;
    const found: [Path, RateLimitBudgets | undefined][] = [
        [["rateLimit", "global"], rl.global],
        ...Object.entries(rl.tenants?.budgets ?? {}).map(([t, b]): [Path, RateLimitBudgets] => [["rateLimit", "tenants", "budgets", t], b]),
        [["rateLimit", "perUser"], rl.perUser],
        [["rateLimit", "defaults"], rl.defaults],
        ...Object.entries(config.models).map(([m, spec]): [Path, RateLimitBudgets | undefined] => [["models", m, "rateLimit"], spec.rateLimit]),
        // A passthrough route's own budgets: requests only (the schema refuses the other kinds).
        ...Object.entries(config.passthrough).map(([r, p]): [Path, RateLimitBudgets | undefined] => [["passthrough", r, "rateLimit"], p.rateLimit && { requests: p.rateLimit.requests }]),
    ];
    return found.filter((f): f is [Path, RateLimitBudgets] => f[1] !== undefined);
}

const hasWindows = (b: RateLimitBudgets) => (b.requests?.length ?? 0) + (b.tokens?.length ?? 0) + (b.spend?.length ?? 0) > 0;

/** Two limits for one window of one budget (and one kind of token): only one could be meant. */
function duplicateWindows(path: Path, budgets: RateLimitBudgets, tokenType: TokenType, ctx: RuleContext): void {
    for (const kind of ["requests", "tokens", "spend"] as const) {
        const first = new Map<string, number>();
        (budgets[kind] ?? []).forEach((b: { window: string; type?: TokenType; shadow?: boolean }, i) => {
            const tokens = kind === "tokens" ? (b.type ?? tokenType) : undefined;
            // A shadow limit beside an enforced one of the same window is the dry run of a change, not a duplicate.
            const key = `${b.window} ${tokens ?? ""} ${b.shadow === true ? "shadow" : ""}`;
            const at = first.get(key);
            if (at === undefined) {
                first.set(key, i);
            } else {
                ctx.add(
                    [...path, kind, i, "window"],
                    `${b.window} already has a limit${tokens ? ` on ${tokens} tokens` : ""} at ${kind}[${at}]; give each window one limit (keep the one you mean)`,
                );
            }
        });
    }
}

/** A tenant name is matched as a header value by a rate-limit rule (at most 1024 characters). */
const HEADER_VALUE = /^[!-~]+([ \t][!-~]+)*$/;
const MAX_MATCH_VALUE = 1024;

/**
 * Settings that would do nothing or that Envoy Gateway would refuse: budgets, failClosed or timeout
 * with rate limiting off, two limits for one window, tenant or model names no rule can match, the
 * model header as the user or tenant header, and more rules than one BackendTrafficPolicy holds; a
 * warning when the shared budgets' policy goes onto a Gateway the program does not create.
 */
export const rateLimitSettings: Rule = (config, ctx) => {
    const rl = config.rateLimit;
    const budgets = budgetObjects(config);
    if (!rl.enabled) {
        for (const [path, b] of budgets) {
            if (!hasWindows(b)) continue;
            ctx.add(path, "sets budgets, but rateLimit.enabled is false, so nothing would enforce them; remove them, or set rateLimit.enabled: true");
        }
        for (const [key, set] of [["failClosed", rl.failClosed], ["timeout", rl.timeout !== undefined]] as const) {
            if (set) ctx.add(["rateLimit", key], "is set, but rateLimit.enabled is false, so there is no rate-limit service it could apply to; remove it, or set rateLimit.enabled: true");
        }
        return;
    }
    // Budgets count the traffic of the model routes (the shared ones only requests that name a model,
    // unless scope is allRoutes); a passthrough route's own budgets count that route. Without a model,
    // every other budget would count nothing.
    const passthrough = Object.keys(config.passthrough).length > 0;
    if (Object.keys(config.models).length === 0) {
        for (const [path, b] of budgets) {
            if (!hasWindows(b) || path[0] === "passthrough") continue;
            const hint = passthrough ? "; count passthrough routes with passthrough.<route>.rateLimit.requests" : "";
            ctx.add(path, `applies to the model routes, and there is no model, so it would count nothing; add a model to ai-gateway:models, or remove it${hint}`);
        }
    }
    if (rl.scope === "allRoutes") {
        const sharedRequests = rateLimitRuleSet(rl, config.models).shared.some((r) => r.cost?.response === undefined);
        if (!sharedRequests) {
            ctx.warn(["rateLimit", "scope"], "is allRoutes, but no perUser, tenant or global request budget is set, and only those count other routes, so it changes nothing; add one (e.g. rateLimit.global.requests), or remove scope");
        } else if (!passthrough && config.mcp === undefined) {
            ctx.warn(["rateLimit", "scope"], "is allRoutes, but there is no passthrough or MCP route, so it changes nothing; remove it, or add the routes it should count");
        }
    }
    const rules = rateLimitRules(rl, config.models, config.passthrough);
    if (rules.length === 0) {
        for (const [key, set] of [["failClosed", rl.failClosed], ["timeout", rl.timeout !== undefined]] as const) {
            if (set) ctx.add(["rateLimit", key], "is set, but no budget is, so no request is ever checked against the rate-limit service; add a budget, or remove it");
        }
    }
    for (const [path, b] of budgets) duplicateWindows(path, b, rl.tokenType, ctx);

    // A header that carries a credential would put it in access logs, metrics labels and Redis keys.
    for (const [key, header] of [["userHeader", rl.userHeader], ["tenants.header", rl.tenants?.header]] as const) {
        const lower = header?.toLowerCase();
        if (lower === undefined) continue;
        const apiKeyHeader = config.auth.apiKeys?.header.toLowerCase();
        if (CREDENTIAL_HEADERS.includes(lower) || lower === apiKeyHeader) {
            ctx.add(
                ["rateLimit", ...key.split(".")],
                `is ${header}, which carries a credential: it would land in access logs, metrics and Redis keys; use a header that names the ${key === "userHeader" ? "user (e.g. x-user-id, filled by the gateway from the verified identity)" : "tenant (e.g. x-tenant)"}`,
            );
        }
    }

    const patterns = Object.keys(config.models).filter((m) => config.models[m].match?.pattern !== undefined);
    if (rl.defaults !== undefined && hasWindows(rl.defaults) && patterns.length > 0) {
        ctx.warn(["rateLimit", "defaults"], `apply to exact model names only, not to the pattern models (${patterns.join(", ")}); count those with rateLimit.perUser, tenants or global`);
    }

    // Without client authentication the user header is whatever the client sends: a fresh value is a fresh budget.
    const perUser = rules.some((r) => r.clientSelectors?.some((s) => s.headers?.some((h) => h.name === rl.userHeader && h.type === "Distinct")));
    const mechanisms = clientAuthMechanisms(config.auth);
    if (perUser && verifiedUserSources(config.auth).length === 0 && mechanisms.length > 0) {
        // Client authentication is on, yet none of it names a user: per-user budgets would count the client's own header.
        ctx.add(
            ["rateLimit", "userHeader"],
            `per-user budgets need a verified user, and ${mechanisms.map((m) => `auth.${m}`).join(", ")} name${mechanisms.length === 1 ? "s" : ""} none, so ${rl.userHeader} would be whatever the client sends; set auth.oidc.accessToken or auth.clientCertificates.userFrom, add auth.jwt, auth.apiKeys or auth.extAuth, or remove the per-user budgets`,
        );
    } else if (perUser && mechanisms.length === 0) {
        ctx.warn(
            ["rateLimit", "userHeader"],
            `per-user budgets count by ${rl.userHeader} as the client sends it, so a client gets a fresh budget with every new value; turn on client authentication (ai-gateway:auth.jwt or auth.apiKeys), which fills ${rl.userHeader} from the verified identity`,
        );
    }

    for (const [key, header] of [["userHeader", rl.userHeader], ["tenants.header", rl.tenants?.header]] as const) {
        if (header?.toLowerCase() !== MODEL_HEADER) continue;
        ctx.add(
            ["rateLimit", ...key.split(".")],
            `is ${MODEL_HEADER}, which the gateway fills from the request body's model; use a header that names the ${key === "userHeader" ? "user (e.g. x-user-id)" : "tenant (e.g. x-tenant)"}`,
        );
    }
    for (const tenant of Object.keys(rl.tenants?.budgets ?? {})) {
        if (HEADER_VALUE.test(tenant) && tenant.length <= MAX_MATCH_VALUE) continue;
        ctx.add(
            ["rateLimit", "tenants", "budgets", tenant],
            `is not a usable tenant name: it is matched as the value of header ${rl.tenants!.header}; use printable ASCII without leading or trailing spaces, at most ${MAX_MATCH_VALUE} characters`,
        );
    }
    for (const [model, spec] of Object.entries(config.models)) {
        if (model.length <= MAX_MATCH_VALUE || !hasWindows(modelBudgets(spec, rl.defaults))) continue;
        ctx.add(["models", model], `is longer than ${MAX_MATCH_VALUE} characters, the longest header value a rate-limit rule matches; use a shorter model name`);
    }

    // The cap is per policy: the shared budgets in the Gateway's, each route's models in the route's.
    const shared = rateLimitRuleSet(rl, config.models).shared.length;
    if (shared > MAX_RATE_LIMIT_RULES) {
        ctx.add(
            ["rateLimit"],
            `needs ${shared} rate-limit rules for the global, tenant and per-user budgets (one per window of each), but their one BackendTrafficPolicy, ${modelsTrafficPolicyName(config.gateway.name)}, holds at most ${MAX_RATE_LIMIT_RULES}; use fewer windows or fewer tenants`,
        );
    }
    const buckets = modelBuckets(config.models, config.routing.routeBuckets);
    const routeNames = modelRouteNames(config.gateway.name, buckets);
    for (const bucket of buckets) {
        const count = modelRateLimitRules(rl, config.models, bucket.models).length;
        if (count <= MAX_RATE_LIMIT_RULES) continue;
        const policy = routeNames.get(bucket.id)!.trafficPolicy;
        ctx.add(
            ["models"],
            `${bucket.models.map((m) => `"${m}"`).join(", ")} share the route whose BackendTrafficPolicy ${policy} holds at most ${MAX_RATE_LIMIT_RULES} rate-limit rules, and their budgets need ${count} (one per window, per model); use fewer windows per model, or count what models share with rateLimit.perUser (one rule per window for all models)`,
        );
    }
    if (rules.some((r) => r.cost?.response !== undefined)) minimumEnvoyGateway(config, ctx);
    if (rules.length > 0 && config.gateway.errors.format === "openai") {
        ctx.warn(
            ["gateway", "errors", "format"],
            "is openai, and Envoy's custom response that writes the OpenAI body drops the 429's retry-after and x-ratelimit-* headers, so clients of a budget no longer learn when to retry; keep format envoy if they need them",
        );
    }
    if (shared > 0 && !config.gateway.enabled) {
        ctx.warn(
            ["rateLimit"],
            `the global, tenant and per-user budgets go into BackendTrafficPolicy ${modelsTrafficPolicyName(config.gateway.name)} on Gateway ${config.gateway.name}, which the program does not create; Envoy Gateway applies one BackendTrafficPolicy per Gateway (the older wins, the other is Conflicted), so remove any policy of yours that targets that Gateway, and check that ${modelsTrafficPolicyName(config.gateway.name)} reports Accepted`,
        );
    }
};

/** The first Envoy Gateway release that charges a shared rule its cost (envoyproxy/gateway#9244, fixed by #9245). */
export const COSTED_SHARED_RULES_SINCE = "v1.8.2";

/** `vMAJOR.MINOR.PATCH[-pre]` as numbers; a pre-release sorts before its release. */
function releaseOrder(version: string): [number, number, number, number] {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(-.+)?$/.exec(version);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : 0] : [0, 0, 0, 0];
}

function olderThan(version: string, than: string): boolean {
    const [a, b] = [releaseOrder(version), releaseOrder(than)];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
    return false;
}

/**
 * Token and spend budgets are shared rules with a cost. Envoy Gateway v1.8.0 and v1.8.1 charge such a rule 1
 * per request whatever its cost, so a token budget would allow its limit in requests, not in tokens.
 */
function minimumEnvoyGateway(config: Parameters<Rule>[0], ctx: RuleContext): void {
    const eg = config.platform.envoyGateway;
    const since = COSTED_SHARED_RULES_SINCE;
    if (!eg.install) {
        ctx.warn(
            ["platform", "envoyGateway", "install"],
            `is false and token or spend budgets are set: the Envoy Gateway on the cluster must be ${since} or newer, because v1.8.0 and v1.8.1 charge a token or spend budget 1 per request instead of its tokens or cost (envoyproxy/gateway#9244); check its version`,
        );
    } else if (olderThan(eg.version, since)) {
        ctx.add(
            ["platform", "envoyGateway", "version"],
            `is ${eg.version}, which charges a token or spend budget 1 per request instead of its tokens or cost (envoyproxy/gateway#9244, fixed in ${since}), so the budgets set here would not hold; use ${since} or newer, or remove the token and spend budgets`,
        );
    }
}
