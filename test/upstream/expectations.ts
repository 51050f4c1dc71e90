/**
 * What the upstream translation must show for a configuration. Each check returns problems, one line
 * each, naming the stack or fixture, the object and the condition or xDS field: a test asserts the list
 * is empty, so one run reports every problem at once.
 */
import { parse as parseYaml } from "yaml";
import { effectiveRetry, type BackendConfig, type ModelConfig, type RateLimitBudgets, type SpendUnit, type StackConfig } from "../../config";
import { MODEL_HEADER, SPEND_COST_KEYS, TOKEN_COST_KEYS } from "../../config/aiMetadata";
import { backendEndpoint } from "../../components/manifests/backends";
import { backendNames, inferencePoolName, MCP_PROXY_BACKEND, mcpRouteName, modelsTrafficPolicyName } from "../../plan/names";
import { MCP_SECRET_KEY, mcpServerEndpoint } from "../../components/manifests/mcp";
import { resolvedOAuth } from "../../plan/mcp";
import { passthroughRouteNames } from "../../plan/names";
import { isCatchAll } from "../../plan/passthrough";
import { securityPolicyName } from "../../components/manifests/security";
import { OPENAI_ERRORS, openAIErrorBody } from "../../components/manifests/errors";
import { MODEL_PRESENT, modelBudgets, spendUnitsInUse } from "../../plan/rateLimit";
import { spendLimitUnits } from "../../plan/spend";
import { credentialHeaderNames } from "../../plan/rules/backends";
import { costOf, expectedMicroUsd, type Tokens } from "../support/cel";
import { keyOf, OIDC_UNTRANSLATED, TEST_SECRET, type K8sObject, type Obj, type UpstreamTranslation } from "./translate";

export const asObj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
export const asList = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(asObj) : []);
export const str = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
/** The object at a path of keys (an empty object where the path ends early). */
export const dig = (v: unknown, ...keys: string[]): Obj => keys.reduce<Obj>((o, k) => asObj(o[k]), asObj(v));

export interface Condition {
    type: string;
    status: string;
    reason?: string;
    message?: string;
}

/** Milliseconds of a Gateway API duration (`1m30s`, `500ms`) or an xDS one (`0.100s`, `90s`). */
export function durationMs(d: unknown): number | undefined {
    if (typeof d !== "string") return undefined;
    const xds = /^(\d+(?:\.\d+)?)s$/.exec(d);
    if (xds) return Math.round(Number(xds[1]) * 1000);
    const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
    let total = 0;
    let rest = d;
    while (rest.length > 0) {
        const m = /^(\d+)(ms|h|m|s)/.exec(rest);
        if (!m) return undefined;
        total += Number(m[1]) * unit[m[2]];
        rest = rest.slice(m[0].length);
    }
    return total;
}

/** Bytes of a Kubernetes quantity (`16Mi`, `65536`). */
export function quantityBytes(q: unknown): number | undefined {
    if (typeof q === "number") return q;
    if (typeof q !== "string") return undefined;
    const m = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(q);
    if (!m) return undefined;
    const factor: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };
    return Number(m[1]) * factor[m[2] ?? ""];
}

// ---------------------------------------------------------------------------------------------
// Status conditions

/** The output sections of egctl's gateway-api result that carry status, and how to read it. */
const STATUS_SECTIONS: { section: string; kind: string; where: "conditions" | "parents" | "ancestors" | "listeners"; required: string[] }[] = [
    { section: "gatewayClass", kind: "GatewayClass", where: "conditions", required: ["Accepted"] },
    { section: "gateways", kind: "Gateway", where: "listeners", required: ["Accepted", "ResolvedRefs", "Programmed"] },
    { section: "httpRoutes", kind: "HTTPRoute", where: "parents", required: ["Accepted", "ResolvedRefs"] },
    { section: "clientTrafficPolicies", kind: "ClientTrafficPolicy", where: "ancestors", required: ["Accepted"] },
    { section: "backendTrafficPolicies", kind: "BackendTrafficPolicy", where: "ancestors", required: ["Accepted"] },
    { section: "securityPolicies", kind: "SecurityPolicy", where: "ancestors", required: ["Accepted"] },
    { section: "envoyExtensionPolicies", kind: "EnvoyExtensionPolicy", where: "ancestors", required: ["Accepted"] },
    { section: "backendTLSPolicies", kind: "BackendTLSPolicy", where: "ancestors", required: ["Accepted", "ResolvedRefs"] },
    { section: "backends", kind: "Backend", where: "conditions", required: ["Accepted"] },
];

/**
 * A route's policy with `mergeType` reports, on each listener where it merged into the Gateway's policy,
 * Merged=True in place of Accepted (Envoy Gateway v1.8.3); its Accepted is on the Gateway ancestor.
 */
export function mergedInto(conditions: Condition[]): boolean {
    return conditions.some((c) => c.type === "Merged" && c.status === "True" && c.reason === "Merged" && /^Merged with policy /.test(c.message ?? ""));
}

/** Conditions that mean an object does not do what it says, whatever their other conditions. */
const BAD_WHEN_TRUE = new Set(["Conflicted", "Overridden"]);

export function conditionProblems(label: string, what: string, conditions: Condition[], required: string[]): string[] {
    const out: string[] = [];
    for (const type of required) {
        const c = conditions.find((x) => x.type === type);
        if (!c) out.push(`${label}: ${what}: no ${type} condition`);
        else if (c.status !== "True") out.push(`${label}: ${what}: ${type}=${c.status} (${c.reason}: ${c.message})`);
    }
    for (const c of conditions) {
        if (BAD_WHEN_TRUE.has(c.type) && c.status === "True") out.push(`${label}: ${what}: ${c.type}=True (${c.reason}: ${c.message})`);
        if (!required.includes(c.type) && /Invalid/.test(c.reason ?? "")) out.push(`${label}: ${what}: ${c.type}=${c.status} (${c.reason}: ${c.message})`);
    }
    return out;
}

/**
 * Every object of a kind with status carries Accepted=True (and ResolvedRefs=True where the kind has
 * it) on every parent, ancestor or listener; nothing is Conflicted, Overridden or Invalid; every route
 * has a parent and every policy an ancestor (attached); and every such object the program emitted or
 * the AI Gateway generated is in the translator's output.
 */
export function statusProblems(t: UpstreamTranslation): string[] {
    return objectStatusProblems(t).filter((p) => !isIntendedOverride(t.config, p));
}

/**
 * Whether a status problem is an Overridden condition the configuration means: the MCP one (see
 * intendedOverride), or the Gateway's policy of the shared budgets overridden on routes that are not
 * model routes (passthrough routes with a policy of their own, the MCP route's generated policy), where
 * nothing is to be counted.
 */
export function isIntendedOverride(config: Pick<StackConfig, "gateway"> & { mcp?: StackConfig["mcp"] }, problem: string): boolean {
    const mcp = intendedOverride(config);
    if (mcp !== undefined && problem.endsWith(mcp)) return true;
    const { name, namespace } = config.gateway;
    // A pattern model with a retry of its own, or a model whose backends set a loadBalancer or tcpKeepalive,
    // has a policy on its rule, which takes the place of the route's policy on that rule only
    // (docs/pattern-retry.md, docs/load-balancing.md).
    const routePolicy = new RegExp(`BackendTrafficPolicy ${namespace}/${name}-models-[a-z0-9-]+-traffic `);
    if (routePolicy.test(problem) && /Overridden=True \(Overridden: This policy is being overridden by other backendTrafficPolicy for these route rules: \[[^\]]+\]\)$/.test(problem)) return true;
    const shared = `${namespace}/${modelsTrafficPolicyName(name)} `;
    const listed = /Overridden=True \(Overridden: This policy is being overridden by other backendTrafficPolicies for these routes: \[([^\]]*)\]\)$/.exec(problem)?.[1];
    if (!problem.includes(shared) || listed === undefined) return false;
    return listed.split(" ").every((route) => !route.startsWith(`${namespace}/${name}-models-`));
}

/**
 * The one Overridden condition that is intended: with mcp.oauth, the SecurityPolicy the controller
 * generates for the MCP route takes the place of the Gateway's client authentication there (rules/mcp.ts
 * warns so); mcpProblems asserts it is exactly that.
 */
export function intendedOverride(config: Pick<StackConfig, "gateway"> & { mcp?: StackConfig["mcp"] }): string | undefined {
    if (config.mcp?.oauth === undefined) return undefined;
    const { name, namespace } = config.gateway;
    return `Overridden=True (Overridden: This policy is being overridden by other securityPolicies for these routes: [${namespace}/ai-eg-mcp-main-${mcpRouteName(name)}])`;
}

function objectStatusProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const { section, kind, where, required } of STATUS_SECTIONS) {
        const value = t.resources[section];
        const objects = (Array.isArray(value) ? value : value ? [value] : []) as K8sObject[];
        for (const o of objects) {
            const what = `${kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
            seen.add(`${kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`);
            const status = asObj(o.status);
            if (where === "conditions") {
                out.push(...conditionProblems(t.label, what, asList(status.conditions) as unknown as Condition[], required));
                continue;
            }
            const entries = asList(status[where]);
            if (entries.length === 0) {
                out.push(`${t.label}: ${what}: no ${where} in its status (${where === "listeners" ? "no listener" : "attached to nothing"})`);
            }
            for (const e of entries) {
                const ref = asObj(e.parentRef ?? e.ancestorRef);
                const at = where === "listeners" ? `listener ${str(e.name)}` : `${where === "parents" ? "parent" : "ancestor"} ${str(ref.kind)} ${str(ref.name)}${ref.sectionName ? `/${str(ref.sectionName)}` : ""}`;
                const conditions = asList(e.conditions) as unknown as Condition[];
                out.push(...conditionProblems(t.label, `${what} ${at}`, conditions, mergedInto(conditions) ? [] : required));
            }
        }
    }
    const checkedKinds = new Set(STATUS_SECTIONS.map((s) => s.kind));
    for (const o of [...t.emitted, ...t.generated]) {
        if (!checkedKinds.has(o.kind)) continue;
        const key = `${o.kind} ${o.kind === "GatewayClass" ? "" : (o.metadata.namespace ?? "")}/${o.metadata.name}`;
        if (!seen.has(key) && !seen.has(`${o.kind} /${o.metadata.name}`)) out.push(`${t.label}: ${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}: not in the translator's output`);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// xDS

interface XdsRoute {
    gateway: string;
    routeConfig: string;
    route: Obj;
}

interface Xds {
    listeners: Obj[];
    routes: XdsRoute[];
    clusters: Map<string, Obj>;
}

export function xdsOf(t: UpstreamTranslation): Xds {
    const listeners: Obj[] = [];
    const routes: XdsRoute[] = [];
    const clusters = new Map<string, Obj>();
    for (const [gateway, dump] of Object.entries(t.xds)) {
        for (const config of dump.configs ?? []) {
            const type = str(config["@type"]);
            if (type.endsWith("ListenersConfigDump")) {
                for (const l of asList(config.dynamicListeners)) listeners.push({ ...dig(l, "activeState", "listener"), gateway });
            } else if (type.endsWith("RoutesConfigDump")) {
                for (const rc of asList(config.dynamicRouteConfigs)) {
                    const routeConfig = asObj(rc.routeConfig);
                    for (const vh of asList(routeConfig.virtualHosts)) {
                        for (const route of asList(vh.routes)) routes.push({ gateway, routeConfig: str(routeConfig.name), route });
                    }
                }
            } else if (type.endsWith("ClustersConfigDump")) {
                for (const c of [...asList(config.dynamicActiveClusters), ...asList(config.staticClusters)]) {
                    const cluster = asObj(c.cluster);
                    clusters.set(str(cluster.name), cluster);
                }
            }
        }
    }
    return { listeners, routes, clusters };
}

/** The xDS routes that match a model's name exactly, on every listener. */
function modelRoutesOf(xds: Xds, model: string, m?: ModelConfig): XdsRoute[] {
    const pattern = m?.match?.pattern;
    return xds.routes.filter((r) =>
        asList(asObj(r.route.match).headers).some((h) =>
            h.name === MODEL_HEADER && (pattern === undefined ? asObj(h.stringMatch).exact === model : dig(h, "stringMatch", "safeRegex").regex === pattern),
        ),
    );
}

/** The HTTP connection managers of the Gateway's own listeners (not Envoy Gateway's ready listener). */
export function connectionManagers(xds: Xds, gatewayNamespace: string, gatewayName: string): { listener: string; hcm: Obj }[] {
    const out: { listener: string; hcm: Obj }[] = [];
    for (const l of xds.listeners) {
        const name = str(l.name);
        if (!name.startsWith(`${gatewayNamespace}/${gatewayName}/`)) continue;
        for (const chain of [...asList(l.filterChains), ...(l.defaultFilterChain ? [asObj(l.defaultFilterChain)] : [])]) {
            for (const f of asList(chain.filters)) {
                if (f.name === "envoy.filters.network.http_connection_manager") out.push({ listener: name, hcm: asObj(f.typedConfig) });
            }
        }
    }
    return out;
}

/** Where a model is in the emitted AIGatewayRoutes: route name, rule index and rule. */
function aiRuleOf(t: UpstreamTranslation, model: string): { route: K8sObject; index: number } | undefined {
    const value = t.config.models[model]?.match?.pattern ?? model;
    for (const route of t.emitted.filter((o) => o.kind === "AIGatewayRoute")) {
        const rules = asList(asObj(route.spec).rules);
        const index = rules.findIndex((rule) =>
            asList(rule.matches).some((m) => asList(m.headers).some((h) => h.name === MODEL_HEADER && h.value === value)),
        );
        if (index >= 0) return { route, index };
    }
    return undefined;
}

/** The entries of one list of the extProc configuration the AI Gateway generated (its filter-config Secret). */
function extProcEntries(t: UpstreamTranslation, list: "backends" | "llmRequestCosts" | "models"): Obj[] {
    return t.generated
        .filter((o) => o.kind === "Secret")
        .map((s) => asObj(s.stringData)["filter-config.yaml"])
        .flatMap((text) => (typeof text === "string" ? asList(asObj(parseYaml(text))[list]) : []));
}

/** The extProc's backend entries by name (`<ns>/<AIServiceBackend>/route/<route>/rule/<i>/ref/<j>`). */
function extProcBackends(t: UpstreamTranslation): Map<string, Obj> {
    return new Map(extProcEntries(t, "backends").map((b) => [str(b.name), b]));
}

/** `modelNameOverride` per backend entry name, from the extProc configuration the AI Gateway generated. */
function extProcOverrides(t: UpstreamTranslation): Map<string, string> {
    return new Map([...extProcBackends(t)].map(([name, b]) => [name, typeof b.modelNameOverride === "string" ? b.modelNameOverride : ""]));
}

/** Per rule, the Backends and priorities in backendRef order, from the annotation the AI Gateway's extension server reads. */
function priorityAnnotation(route: K8sObject | undefined): Map<number, { name: string; priority: number }[]> | undefined {
    const text = route?.metadata.annotations?.["gateway.envoyproxy.io/backend-ref-priority"];
    if (text === undefined) return undefined;
    const out = new Map<number, { name: string; priority: number }[]>();
    for (const entry of text.split(",").filter(Boolean)) {
        const [rule, name, priority] = entry.split(":");
        out.set(Number(rule), [...(out.get(Number(rule)) ?? []), { name, priority: Number(priority) }]);
    }
    return out;
}

/**
 * For each virtual model: the xDS route matching its `x-ai-eg-model` value sends to a cluster whose
 * localities are its backends in order, with their weights, endpoints and priorities; the model name
 * override reaches the extProc; the request timeout and the retry policy are the configured ones.
 */
export function modelRouteProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const xds = xdsOf(t);
    const { config } = t;
    const gatewayName = config.gateway.name;
    const overrides = extProcOverrides(t);
    for (const [model, m] of Object.entries(config.models)) {
        // Pool models: inferencePoolProblems (their cluster is the extension server's, at run time).
        if (routesToPool(config, m)) continue;
        const routes = modelRoutesOf(xds, model, m);
        const where = `${t.label}: model ${model}`;
        if (routes.length === 0) {
            out.push(`${where}: no xDS route matches ${MODEL_HEADER}=${model}`);
            continue;
        }
        const ai = aiRuleOf(t, model);
        if (!ai) {
            out.push(`${where}: no AIGatewayRoute rule matches ${MODEL_HEADER}=${model}`);
            continue;
        }
        const routeName = ai.route.metadata.name;
        const generated = t.generated.find((o) => o.kind === "HTTPRoute" && o.metadata.name === routeName && o.metadata.namespace === ai.route.metadata.namespace);
        const priorities = priorityAnnotation(generated);
        m.backends.forEach((b, j) => {
            const backend = config.backends[b.backend] as BackendConfig | undefined;
            if (!backend) return;
            const names = backendNames(gatewayName, b.backend, backend.auth);
            const entry = `${ai.route.metadata.namespace}/${names.backend}/route/${routeName}/rule/${ai.index}/ref/${j}`;
            const override = overrides.get(entry);
            if (override === undefined) out.push(`${where}: backends[${j}] (${b.backend}): no extProc backend ${entry} in the generated filter config`);
            else if (override !== (b.model ?? "")) out.push(`${where}: backends[${j}] (${b.backend}): modelNameOverride is "${override}", config says "${b.model ?? ""}"`);
            const annotated = priorities?.get(ai.index)?.[j];
            if (annotated?.name !== names.backend || annotated.priority !== (b.priority ?? 0)) {
                out.push(
                    `${where}: backends[${j}] (${b.backend}): HTTPRoute ${routeName}'s backend-ref-priority annotation has ${annotated ? `${annotated.name} at priority ${annotated.priority}` : "nothing"}, config says ${names.backend} at priority ${b.priority ?? 0}`,
                );
            }
        });
        for (const r of routes) {
            const at = `${where}: xDS route ${str(r.route.name)} (${r.routeConfig})`;
            const action = asObj(r.route.route);
            // loadBalancer.zoneAware makes Envoy Gateway build a cluster per backend; allowed on one-backend models only.
            const weighted = asList(dig(action, "weightedClusters").clusters);
            const perBackend = action.cluster === undefined && weighted.length === 1 && m.backends.length === 1;
            const cluster = perBackend ? str(weighted[0].name) : str(action.cluster);
            out.push(...clusterProblems(at, xds.clusters.get(cluster), m, config, cluster, perBackend));
            const matched = asList(asObj(r.route.match).headers);
            for (const h of m.match?.headers ?? []) {
                const found = matched.find((x) => str(x.name).toLowerCase() === h.name.toLowerCase());
                const value = h.type === "Exact" ? asObj(found?.stringMatch).exact : dig(found, "stringMatch", "safeRegex").regex;
                if (value !== h.value) out.push(`${at}: matches header ${h.name} ${found ? JSON.stringify(found.stringMatch) : "not at all"}, config says ${h.type} ${h.value}`);
            }
            const timeout = durationMs(action.timeout);
            if (timeout !== durationMs(m.timeouts.request)) out.push(`${at}: route.timeout is ${str(action.timeout)}, config says ${m.timeouts.request}`);
            // A model's own retry (a pattern model's through a policy on its rule), or ai-gateway:retry.
            out.push(...retryProblems(at, asObj(action.retryPolicy), effectiveRetry(config.retry, m.retry)));
        }
    }
    return out;
}

/** The name a route references for a backend key: its InferencePool's, else its AIServiceBackend's. */
function routedName(config: Pick<StackConfig, "backends">, gateway: string, key: string): string {
    const backend = config.backends[key];
    return backend.inferencePool !== undefined ? inferencePoolName(gateway, key, backend.inferencePool) : backendNames(gateway, key, backend.auth).backend;
}

/** Whether a model is served by an InferencePool (then its only backend). */
export function routesToPool(config: Pick<StackConfig, "backends">, m: ModelConfig): boolean {
    return m.backends.some((b) => config.backends[b.backend]?.inferencePool !== undefined);
}

/**
 * Models served by an InferencePool, as far as the translators show them: aigw's HTTPRoute rule references
 * the pool (group, kind, name, the route's namespace) and nothing else; the extProc has the pool's backend
 * entry with the OpenAI schema and the model override; Envoy has the model's route, matched before any
 * later rule (its cluster comes from the AI Gateway's extension server at run time, see translate.ts).
 */
export function inferencePoolProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const { config } = t;
    const xds = xdsOf(t);
    const backends = extProcBackends(t);
    for (const [model, m] of Object.entries(config.models)) {
        if (!routesToPool(config, m)) continue;
        const where = `${t.label}: model ${model}`;
        const ai = aiRuleOf(t, model);
        if (!ai) {
            out.push(`${where}: no AIGatewayRoute rule matches ${MODEL_HEADER}=${model}`);
            continue;
        }
        const [entry] = m.backends;
        const pool = inferencePoolName(config.gateway.name, entry.backend, config.backends[entry.backend].inferencePool!);
        const namespace = ai.route.metadata.namespace;
        const routeName = ai.route.metadata.name;
        const generated = t.generated.find((o) => o.kind === "HTTPRoute" && o.metadata.name === routeName && o.metadata.namespace === namespace);
        const refs = asList(asList(asObj(generated?.spec).rules)[ai.index]?.backendRefs);
        const expected = [{ group: "inference.networking.k8s.io", kind: "InferencePool", name: pool, namespace }];
        if (JSON.stringify(refs) !== JSON.stringify(expected)) out.push(`${where}: HTTPRoute ${routeName} rule ${ai.index} references ${JSON.stringify(refs)}, expected ${JSON.stringify(expected)}`);
        const name = `${namespace}/${pool}/route/${routeName}/rule/${ai.index}/ref/0`;
        const b = backends.get(name);
        if (!b) out.push(`${where}: no extProc backend ${name} in the generated filter config`);
        else {
            if (asObj(b.schema).name !== "OpenAI") out.push(`${where}: extProc backend ${name} has schema ${JSON.stringify(b.schema)}, expected OpenAI`);
            if ((b.modelNameOverride ?? "") !== (entry.model ?? "")) out.push(`${where}: extProc backend ${name} has modelNameOverride "${str(b.modelNameOverride)}", config says "${entry.model ?? ""}"`);
        }
        if (modelRoutesOf(xds, model, m).length === 0) out.push(`${where}: no xDS route matches ${MODEL_HEADER}=${model}`);
    }
    return out;
}

function clusterProblems(at: string, cluster: Obj | undefined, model: ModelConfig, config: UpstreamTranslation["config"], clusterName: string, perBackend = false): string[] {
    const { backends, gateway } = config;
    const region = config.aws?.region;
    const gatewayName = gateway.name;
    if (!cluster) return [`${at}: cluster ${clusterName} is not in the xDS`];
    const out: string[] = [];
    const localities = asList(asObj(cluster.loadAssignment).endpoints);
    const served = model.backends.filter((b) => (b.weight ?? 1) > 0);
    if (localities.length !== served.length) out.push(`${at}: cluster ${clusterName} has ${localities.length} localities, config has ${served.length} backends with weight > 0`);
    served.forEach((b, j) => {
        const locality = localities[j];
        if (!locality) return;
        const backend: BackendConfig = backends[b.backend];
        const resource = asList(dig(locality, "metadata", "filterMetadata", "envoy-gateway").resources)[0];
        const endpoint = backendEndpoint(backend, region);
        const lb = asList(locality.lbEndpoints)[0];
        const socket = dig(lb, "endpoint", "address", "socketAddress");
        const where = `${at}: cluster ${clusterName} locality ${j} (${b.backend})`;
        const expectedBackend = backendNames(gatewayName, b.backend, backend.auth).backend;
        if (resource?.name !== expectedBackend) out.push(`${where}: is Backend ${str(resource?.name)}, config says ${expectedBackend}`);
        // A cluster of its own per backend carries no locality weight (the weighted cluster does).
        if ((locality.loadBalancingWeight ?? (perBackend ? 1 : undefined)) !== (b.weight ?? 1)) out.push(`${where}: loadBalancingWeight is ${str(locality.loadBalancingWeight)}, config says weight ${b.weight ?? 1}`);
        if (socket.address !== endpoint.hostname || socket.portValue !== endpoint.port) {
            out.push(`${where}: endpoint is ${str(socket.address)}:${str(socket.portValue)}, config says ${endpoint.hostname}:${endpoint.port}`);
        }
        const match = str(dig(lb, "metadata", "filterMetadata", "envoy.transport_socket_match").name ?? "");
        const socketConfig = match
            ? asObj(asList(cluster.transportSocketMatches).find((x) => x.name === match)?.transportSocket)
            : asObj(cluster.transportSocket).name === "envoy.transport_sockets.tls" ? asObj(cluster.transportSocket) : undefined;
        const tls = socketConfig && socketConfig.name === "envoy.transport_sockets.tls" ? asObj(socketConfig.typedConfig) : undefined;
        if (endpoint.tls && !tls) out.push(`${where}: no upstream TLS transport socket for ${endpoint.hostname}`);
        if (endpoint.tls && tls && tls.sni !== endpoint.hostname) out.push(`${where}: upstream TLS sni is ${str(tls.sni)}, expected ${endpoint.hostname}`);
        if (!endpoint.tls && tls) out.push(`${where}: upstream TLS to ${endpoint.hostname}, config says plain HTTP`);
    });
    return out;
}

/** Envoy's retry policy on a route against the model's retry. */
function retryProblems(at: string, policy: Obj, retry: UpstreamTranslation["config"]["retry"]): string[] {
    const out: string[] = [];
    const field = (name: string, actual: unknown, expected: unknown) => {
        if (JSON.stringify(actual) !== JSON.stringify(expected)) out.push(`${at}: retryPolicy.${name} is ${str(actual)}, config says ${str(expected)}`);
    };
    field("numRetries", policy.numRetries ?? 0, retry.numRetries);
    field("perTryTimeout", durationMs(policy.perTryTimeout), durationMs(retry.perRetryTimeout));
    const backOff = asObj(policy.retryBackOff);
    field("retryBackOff.baseInterval", durationMs(backOff.baseInterval), durationMs(retry.backOff.baseInterval));
    field("retryBackOff.maxInterval", durationMs(backOff.maxInterval), durationMs(retry.backOff.maxInterval));
    field("retriableStatusCodes", [...((policy.retriableStatusCodes as number[]) ?? [])].sort(), [...retry.retryOn.httpStatusCodes].sort());
    const triggers = new Set(str(policy.retryOn ?? "").split(",").filter(Boolean));
    const expected = new Set<string>(retry.retryOn.triggers);
    if (retry.retryOn.httpStatusCodes.length > 0) expected.add("retriable-status-codes");
    field("retryOn", [...triggers].sort(), [...expected].sort());
    const priority = asObj(policy.retryPriority);
    const every = asObj(priority.typedConfig).updateFrequency;
    field("retryPriority (previous_priorities updateFrequency)", every, retry.numAttemptsPerPriority > 0 ? retry.numAttemptsPerPriority : undefined);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Rate limits

interface ActionRule {
    /** The descriptor its counter is kept under: `<namespace>/<policy>/rule/<index>` for a shared rule. */
    id?: string;
    user: boolean;
    tenant?: string;
    model?: string;
    kind: "requests" | "tokens" | "spend";
    /** The metadata key a token budget charges. */
    tokens?: string;
}

const ruleKey = (r: ActionRule) => `${r.kind}${r.tokens ? ` (${r.tokens})` : ""}${r.user ? " per user" : ""}${r.tenant !== undefined ? ` tenant ${r.tenant}` : ""}${r.model !== undefined ? ` model ${r.model}` : ""}`;

/** The budgets that apply to a model's requests, one entry per window, as config says. */
function expectedBudgets(t: UpstreamTranslation, model: string, m: ModelConfig): ActionRule[] {
    const rl = t.config.rateLimit;
    if (!rl.enabled) return [];
    const rules = (budgets: RateLimitBudgets | undefined, base: Omit<ActionRule, "kind">): ActionRule[] => [
        ...(budgets?.requests ?? []).map(() => ({ ...base, kind: "requests" as const })),
        ...(budgets?.tokens ?? []).map((b) => ({ ...base, kind: "tokens" as const, tokens: TOKEN_COST_KEYS[b.type ?? rl.tokenType] })),
        ...(budgets?.spend ?? []).map((b) => ({ ...base, kind: "spend" as const, tokens: SPEND_COST_KEYS[spendLimitUnits(b.limit).unit] })),
    ];
    return [
        ...rules(rl.global, { user: false }),
        ...Object.entries(rl.tenants?.budgets ?? {}).flatMap(([tenant, b]) => rules(b, { user: false, tenant })),
        ...rules(rl.perUser, { user: true }),
        // A pattern model has no budget of its own (see manifests/rateLimit.ts).
        ...(m.match?.pattern === undefined ? rules(modelBudgets(m, rl.defaults), { user: true, model }) : []),
    ];
}

/** The rate-limit rules an xDS route carries that apply to this model, read back from the actions. */
function actualBudgets(t: UpstreamTranslation, route: Obj, model: string): ActionRule[] | string {
    const rl = t.config.rateLimit;
    const perFilter = asObj(route.typedPerFilterConfig);
    const rateLimits = Object.entries(perFilter)
        .filter(([name]) => name.startsWith("envoy.filters.http.ratelimit"))
        .flatMap(([, c]) => asList(asObj(c).rateLimits));
    const byRule = new Map<string, { actions: Obj[]; entries: Obj[] }>();
    for (const entry of rateLimits) {
        const actions = asList(entry.actions);
        const id = str(asObj(actions[0]?.genericKey).descriptorValue);
        const r = byRule.get(id) ?? { actions, entries: [] };
        r.entries.push(entry);
        byRule.set(id, r);
    }
    const out: ActionRule[] = [];
    for (const [id, { actions, entries }] of byRule) {
        const rule: ActionRule = { id, user: false, kind: "requests" };
        let anyModel = false;
        for (const a of actions) {
            if (a.requestHeaders) {
                if (asObj(a.requestHeaders).headerName !== rl.userHeader) return `rule ${id} counts per header ${str(asObj(a.requestHeaders).headerName)}, config says ${rl.userHeader}`;
                rule.user = true;
            }
            for (const h of asList(asObj(a.headerValueMatch).headers)) {
                const match = asObj(h.stringMatch);
                if (h.name === MODEL_HEADER && asObj(match.safeRegex).regex === MODEL_PRESENT.value) anyModel = true;
                else if (h.name === MODEL_HEADER) rule.model = str(match.exact);
                else if (h.name === rl.tenants?.header) rule.tenant = str(match.exact);
            }
        }
        const onDone = entries.find((e) => e.applyOnStreamDone === true);
        if (onDone) {
            rule.kind = "tokens";
            const format = str(asObj(onDone.hitsAddend).format);
            const charged = /^%DYNAMIC_METADATA\(io\.envoy\.ai_gateway:([a-z0-9_]+)\)%$/.exec(format)?.[1];
            if (charged === undefined) return `rule ${id} charges ${format} when the response ends, not a token count of the AI Gateway`;
            rule.tokens = charged;
            if (Object.values(SPEND_COST_KEYS).includes(charged)) rule.kind = "spend";
            const onRequest = entries.find((e) => e.applyOnStreamDone !== true);
            if (onRequest && asObj(onRequest.hitsAddend).number !== "0") return `rule ${id}: a token budget charges ${str(asObj(onRequest.hitsAddend).number)} on the request, expected 0`;
        } else if (entries.some((e) => asObj(e.hitsAddend).number !== "1")) {
            return `rule ${id}: a request budget charges ${entries.map((e) => str(asObj(e.hitsAddend).number)).join("/")} per request, expected 1`;
        }
        // The Gateway's policy reaches routes that are not model routes: its rules must count model requests
        // only, except request budgets with rateLimit.scope allRoutes.
        if (rule.model === undefined && !anyModel && !(rl.scope === "allRoutes" && rule.kind === "requests")) {
            return `rule ${id} counts every request, not only requests for a model (no ${MODEL_HEADER} match)`;
        }
        if (rule.model === undefined || rule.model === model) out.push(rule);
    }
    return out;
}

/** The request rules an xDS route of a passthrough route carries: per user or not, tenant, whether they need a model. */
function passthroughBudgets(route: Obj, rl: StackConfig["rateLimit"]): { user: boolean; tenant?: string; model: boolean; hits: string }[] {
    const rateLimits = Object.entries(asObj(route.typedPerFilterConfig))
        .filter(([name]) => name.startsWith("envoy.filters.http.ratelimit"))
        .flatMap(([, c]) => asList(asObj(c).rateLimits))
        .filter((e) => e.applyOnStreamDone !== true);
    return rateLimits.map((e) => {
        const actions = asList(e.actions);
        const headers = actions.flatMap((a) => asList(asObj(a.headerValueMatch).headers));
        return {
            user: actions.some((a) => asObj(a.requestHeaders).headerName === rl.userHeader),
            tenant: headers.filter((h) => h.name === rl.tenants?.header).map((h) => str(asObj(h.stringMatch).exact))[0],
            model: headers.some((h) => h.name === MODEL_HEADER),
            hits: str(asObj(e.hitsAddend).number),
        };
    });
}

/** Every budget that applies to a model is a rate-limit action on each of its xDS routes, and no other. */
export function rateLimitProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const xds = xdsOf(t);
    for (const [model, m] of Object.entries(t.config.models)) {
        // A pool model's xDS route reaches egctl without its backend (see INFERENCE_POOL_UNTRANSLATED), and Envoy
        // Gateway puts no rate limit on a route without one: its budgets are proven up to the policy's rules only.
        if (routesToPool(t.config, m)) continue;
        const expected = expectedBudgets(t, model, m).map(ruleKey).sort();
        for (const r of modelRoutesOf(xds, model, m)) {
            const at = `${t.label}: model ${model}: xDS route ${str(r.route.name)} (${r.routeConfig})`;
            const actual = actualBudgets(t, r.route, model);
            if (typeof actual === "string") {
                out.push(`${at}: ${actual}`);
                continue;
            }
            const got = actual.map(ruleKey).sort();
            if (JSON.stringify(got) !== JSON.stringify(expected)) {
                out.push(`${at}: rate-limit actions [${got.join("; ")}], config says [${expected.join("; ")}]`);
            }
        }
    }
    return out;
}

/**
 * Every budget keeps exactly one counter. A shared rule's counter is its descriptor, the name of the
 * policy rule that declares it (`<namespace>/<policy>/rule/<index>`), the same on every route and
 * listener that carries it. So: each descriptor names a shared rule of an emitted policy; the budgets of
 * all models together (global, tenants, per user) are rules of the Gateway's `<gateway>-models-traffic`,
 * each with one descriptor over the xDS routes of every model, as many as config has windows; a model's
 * own budgets are rules of its route's policy, as many descriptors as it has windows; and no descriptor
 * stands for two budgets.
 */
export function counterProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const xds = xdsOf(t);
    const { namespace, name } = t.config.gateway;
    const sharedPolicy = `${namespace}/${modelsTrafficPolicyName(name)}`;
    const policies = new Map(t.emitted.filter((o) => o.kind === "BackendTrafficPolicy").map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
    const budgetOf = new Map<string, string>();
    const sharedIds = new Set<string>();
    let sharedWindows = 0;
    for (const [model, m] of Object.entries(t.config.models)) {
        // A pool model's route reaches egctl without its backend, so its rate-limit actions are not in the xDS.
        if (routesToPool(t.config, m)) continue;
        const expected = expectedBudgets(t, model, m);
        sharedWindows = expected.filter((r) => r.model === undefined).length;
        const ownIds = new Set<string>();
        for (const r of modelRoutesOf(xds, model, m)) {
            const actual = actualBudgets(t, r.route, model);
            if (typeof actual === "string") continue; // rateLimitProblems reports it
            for (const rule of actual) {
                const id = rule.id ?? "";
                const at = `${t.label}: model ${model}: descriptor ${id}`;
                const [, policy, index] = /^(.+)\/rule\/(\d+)$/.exec(id) ?? [];
                const declared = asObj(asList(dig(policies.get(policy ?? ""), "spec", "rateLimit", "global").rules)[Number(index)]);
                if (declared.shared !== true) out.push(`${at}: is not a shared rule of an emitted policy, so it would count per route and listener`);
                const budget = `${ruleKey(rule)} ${JSON.stringify(declared.limit)}`;
                const seen = budgetOf.get(id);
                if (seen !== undefined && seen !== budget) out.push(`${at}: stands for two budgets: ${seen} and ${budget}`);
                budgetOf.set(id, budget);
                if (rule.model === undefined) {
                    if (policy !== sharedPolicy) out.push(`${at}: a budget of all models is counted by ${policy}, not by the Gateway's ${sharedPolicy}`);
                    sharedIds.add(id);
                } else {
                    ownIds.add(id);
                }
            }
        }
        const own = expected.length - sharedWindows;
        if (ownIds.size !== own) out.push(`${t.label}: model ${model}: its own budgets are ${ownIds.size} counters over its routes, config has ${own} windows`);
        const owners = new Set([...ownIds].map((id) => id.replace(/\/rule\/\d+$/, "")));
        if (owners.size > 1) out.push(`${t.label}: model ${model}: its own budgets are counted by several policies: ${[...owners].join(", ")}`);
    }
    if (sharedIds.size !== sharedWindows) out.push(`${t.label}: the budgets of all models together are ${sharedIds.size} counters over all routes, config has ${sharedWindows} windows`);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Client authentication and listeners

/** Whether the OIDC section could not be translated offline (see OIDC_UNTRANSLATED). */
const oidcUntranslated = (t: UpstreamTranslation) => t.untranslated.some((u) => u.why === OIDC_UNTRANSLATED);

/** Envoy filters each client-security setting must put on every listener and route (names, or prefixes of `<name>/<policy>`). */
function clientFilters(t: UpstreamTranslation): string[] {
    const auth = t.config.auth;
    const filters: string[] = [];
    if (auth.extAuth) filters.push("envoy.filters.http.ext_authz");
    if (auth.oidc && !oidcUntranslated(t)) filters.push("envoy.filters.http.oauth2");
    if (auth.jwt || auth.oidc?.accessToken) filters.push("envoy.filters.http.jwt_authn");
    if (auth.apiKeys) filters.push("envoy.filters.http.api_key_auth");
    if (auth.jwt?.allow || auth.oidc?.accessToken?.allow || auth.ipAllow) filters.push("envoy.filters.http.rbac");
    if (auth.cors) filters.push("envoy.filters.http.cors");
    return filters;
}

/** Envoy Gateway names some filters `<filter>/<policy>`. */
const isFilter = (name: string, filter: string) => name === filter || name.startsWith(`${filter}/`);

/** With client authentication on, every listener has the filter and every route of the Gateway enables it. */
export function clientAuthProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const xds = xdsOf(t);
    const { name, namespace } = t.config.gateway;
    const filters = clientFilters(t);
    const hcms = connectionManagers(xds, namespace, name);
    for (const { listener, hcm } of hcms) {
        const present = asList(hcm.httpFilters).map((f) => str(f.name));
        for (const f of filters) if (!present.some((p) => isFilter(p, f))) out.push(`${t.label}: listener ${listener}: no ${f} filter (http filters: ${present.join(", ")})`);
        const extAuthz = asList(hcm.httpFilters).find((f) => isFilter(str(f.name), "envoy.filters.http.ext_authz"));
        // Default deny: a service that does not answer denies.
        if (t.config.auth.extAuth && asObj(extAuthz?.typedConfig).failureModeAllow === true) out.push(`${t.label}: listener ${listener}: ext_authz lets requests through when the service fails`);
    }
    const perRoute = filters.filter((f) => f !== "envoy.filters.http.cors");
    for (const r of xds.routes.filter((x) => x.gateway === `${namespace}/${name}`)) {
        const configured = Object.keys(asObj(r.route.typedPerFilterConfig));
        for (const f of perRoute) {
            if (!configured.some((c) => isFilter(c, f))) out.push(`${t.label}: xDS route ${str(r.route.name)} (${r.routeConfig}): ${f} is not enabled on the route`);
        }
    }
    out.push(...addressListProblems(t, xds), ...clientCertificateProblems(t, xds));
    return out;
}

/** The CIDR ranges of an RBAC matcher's IP predicates, as `address/prefix`. */
function ipRanges(predicate: unknown): string[] {
    const text = JSON.stringify(predicate ?? {});
    const out: string[] = [];
    for (const m of text.matchAll(/"cidrRanges":(\[[^\]]*\])/g)) {
        for (const r of JSON.parse(m[1]) as { addressPrefix: string; prefixLen?: number }[]) out.push(`${r.addressPrefix}/${r.prefixLen ?? 0}`);
    }
    return out.sort();
}

/**
 * Address lists on every route: the ipDeny ranges in a DENY matcher before anything is allowed, the
 * ipAllow ranges in the ALLOW matcher, and DENY when nothing matches.
 */
function addressListProblems(t: UpstreamTranslation, xds: Xds): string[] {
    const { ipAllow, ipDeny } = t.config.auth;
    if (!ipAllow) return [];
    const out: string[] = [];
    const { name, namespace } = t.config.gateway;
    for (const r of xds.routes.filter((x) => x.gateway === `${namespace}/${name}`)) {
        const at = `${t.label}: xDS route ${str(r.route.name)} (${r.routeConfig})`;
        const matcher = dig(r.route, "typedPerFilterConfig", "envoy.filters.http.rbac", "rbac", "matcher");
        const matchers = asList(dig(matcher, "matcherList").matchers);
        const actions = matchers.map((m) => str(dig(m, "onMatch", "action", "typedConfig").action ?? "ALLOW"));
        const firstAllow = actions.indexOf("ALLOW");
        if (ipDeny) {
            const deny = matchers.findIndex((m, i) => actions[i] === "DENY" && JSON.stringify(ipRanges(m.predicate)) === JSON.stringify([...ipDeny].sort()));
            if (deny < 0 || (firstAllow >= 0 && deny > firstAllow)) out.push(`${at}: no DENY matcher for ${ipDeny.join(", ")} before the ALLOW matcher (RBAC matchers: ${actions.join(", ")})`);
        }
        if (firstAllow < 0 || JSON.stringify(ipRanges(matchers[firstAllow].predicate)) !== JSON.stringify([...ipAllow].sort())) {
            out.push(`${at}: the ALLOW matcher matches addresses [${firstAllow < 0 ? "" : ipRanges(matchers[firstAllow].predicate).join(", ")}], config says [${ipAllow.join(", ")}]`);
        }
        if (dig(matcher, "onNoMatch", "action", "typedConfig").action !== "DENY") out.push(`${at}: RBAC does not deny what no matcher allows`);
    }
    return out;
}

/** Every HTTPS listener of the Gateway asks for a client certificate and checks it against the CA (and the SAN that names the user). */
function clientCertificateProblems(t: UpstreamTranslation, xds: Xds): string[] {
    const certs = t.config.auth.clientCertificates;
    if (!certs) return [];
    const out: string[] = [];
    const { name, namespace } = t.config.gateway;
    const sanType = certs.userFrom === "uriSan" ? "URI" : certs.userFrom === "dnsSan" ? "DNS" : undefined;
    for (const l of xds.listeners.filter((x) => str(x.name).startsWith(`${namespace}/${name}/`))) {
        for (const chain of asList(l.filterChains)) {
            const socket = asObj(chain.transportSocket);
            if (socket.name !== "envoy.transport_sockets.tls") continue;
            const at = `${t.label}: listener ${str(l.name)} filter chain ${str(chain.name)}`;
            const tls = asObj(socket.typedConfig);
            if (tls.requireClientCertificate !== true) out.push(`${at}: requireClientCertificate is not true`);
            const combined = dig(tls, "commonTlsContext", "combinedValidationContext");
            const common = dig(tls, "commonTlsContext");
            if (!combined.validationContextSdsSecretConfig && !common.validationContextSdsSecretConfig && !dig(common, "validationContext").trustedCa) out.push(`${at}: no CA to validate client certificates against`);
            if (sanType && !asList(asObj(combined.defaultValidationContext).matchTypedSubjectAltNames).some((m) => m.sanType === sanType)) {
                out.push(`${at}: client certificates without a ${sanType} SAN are not refused, and auth.clientCertificates.userFrom names the user by it`);
            }
        }
    }
    return out;
}

/** Every listener of the Gateway uses the configured HTTP/2 flow-control windows. */
export function listenerProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const { name, namespace, clientTraffic } = t.config.gateway;
    if (!clientTraffic.enabled) return out;
    const want = clientTraffic.http2;
    for (const { listener, hcm } of connectionManagers(xdsOf(t), namespace, name)) {
        const h2 = asObj(hcm.http2ProtocolOptions);
        if (h2.initialStreamWindowSize !== quantityBytes(want.initialStreamWindowSize)) {
            out.push(`${t.label}: listener ${listener}: http2ProtocolOptions.initialStreamWindowSize is ${str(h2.initialStreamWindowSize)}, config says ${want.initialStreamWindowSize}`);
        }
        if (h2.initialConnectionWindowSize !== quantityBytes(want.initialConnectionWindowSize)) {
            out.push(`${t.label}: listener ${listener}: http2ProtocolOptions.initialConnectionWindowSize is ${str(h2.initialConnectionWindowSize)}, config says ${want.initialConnectionWindowSize}`);
        }
    }
    return out;
}

/** With redirectToHttps, an HTTP listener only redirects: no model or passthrough route is served in plain text. */
export function redirectProblems(t: UpstreamTranslation): string[] {
    const { name, namespace, listeners, redirectToHttps } = t.config.gateway;
    if (!redirectToHttps) return [];
    const out: string[] = [];
    const xds = xdsOf(t);
    for (const l of listeners.filter((x) => x.protocol === "HTTP")) {
        const routes = xds.routes.filter((r) => r.routeConfig === `${namespace}/${name}/${l.name}`);
        if (routes.length === 0) out.push(`${t.label}: listener ${l.name}: no route at all, expected the redirect to HTTPS`);
        for (const r of routes) {
            if (asObj(r.route.redirect).schemeRedirect !== "https") out.push(`${t.label}: listener ${l.name}: xDS route ${str(r.route.name)} serves plain HTTP instead of redirecting to HTTPS`);
        }
    }
    return out;
}

/**
 * ai-gateway:traffic on every cluster of the model and passthrough routes: connect and idle timeouts,
 * circuit breaker thresholds, outlier detection (local-origin failures split from 5xx) and active checks.
 */
export function protectionProblems(t: UpstreamTranslation): string[] {
    const { timeouts, circuitBreaker, healthCheck } = t.config.traffic;
    const out: string[] = [];
    const xds = xdsOf(t);
    const clusters = [...xds.clusters.values()].filter((c) => /^httproute\/.*\/(.*-models-\d+(-[01]+)?|.*-passthrough-.*)\/rule\/\d+$/.test(str(c.name)));
    if (clusters.length === 0) return [`${t.label}: no cluster of a model or passthrough route in the xDS`];
    for (const c of clusters) {
        const at = `${t.label}: cluster ${str(c.name)}`;
        const field = (name: string, actual: unknown, expected: unknown) => {
            if (expected !== undefined && JSON.stringify(actual) !== JSON.stringify(expected)) out.push(`${at}: ${name} is ${str(actual)}, config says ${str(expected)}`);
        };
        if (timeouts) {
            field("connectTimeout", durationMs(c.connectTimeout), durationMs(timeouts.connect));
            const options = dig(c, "typedExtensionProtocolOptions", "envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
            field("commonHttpProtocolOptions.idleTimeout", durationMs(asObj(options.commonHttpProtocolOptions).idleTimeout), durationMs(timeouts.idle));
        }
        if (circuitBreaker) {
            const th = asList(asObj(c.circuitBreakers).thresholds)[0] ?? {};
            field("circuitBreakers.maxConnections", th.maxConnections, circuitBreaker.maxConnections);
            field("circuitBreakers.maxPendingRequests", th.maxPendingRequests, circuitBreaker.maxPendingRequests);
            field("circuitBreakers.maxRequests", th.maxRequests, circuitBreaker.maxParallelRequests);
            field("circuitBreakers.maxRetries", th.maxRetries, circuitBreaker.maxParallelRetries);
        }
        const passive = healthCheck.passive;
        if (passive) {
            const od = asObj(c.outlierDetection);
            field("outlierDetection.consecutive5xx", od.consecutive5xx, passive.consecutive5xxErrors);
            field("outlierDetection.consecutiveGatewayFailure", od.consecutiveGatewayFailure, passive.consecutiveGatewayErrors);
            field("outlierDetection.consecutiveLocalOriginFailure", od.consecutiveLocalOriginFailure, passive.consecutiveLocalOriginFailures);
            field("outlierDetection.splitExternalLocalOriginErrors", od.splitExternalLocalOriginErrors, true);
            field("outlierDetection.interval", durationMs(od.interval), durationMs(passive.interval));
            field("outlierDetection.baseEjectionTime", durationMs(od.baseEjectionTime), durationMs(passive.baseEjectionTime));
            field("outlierDetection.maxEjectionPercent", od.maxEjectionPercent, passive.maxEjectionPercent);
        }
        const active = healthCheck.active;
        if (active) {
            const hc = asList(c.healthChecks)[0] ?? {};
            field("healthChecks[0].interval", durationMs(hc.interval), durationMs(active.interval));
            field("healthChecks[0].timeout", durationMs(hc.timeout), durationMs(active.timeout));
            field("healthChecks[0].healthyThreshold", hc.healthyThreshold, active.healthyThreshold);
            field("healthChecks[0].unhealthyThreshold", hc.unhealthyThreshold, active.unhealthyThreshold);
            const http = asObj(hc.httpHealthCheck);
            field("healthChecks[0].httpHealthCheck.path", http.path, active.path);
            field("healthChecks[0].httpHealthCheck.expectedStatuses", asList(http.expectedStatuses).map((r) => Number(r.start)), [...active.expectedStatuses]);
        }
    }
    return out;
}

/** Every passthrough route is served at its path (exact, by segments, or the catch-all) with the configured request timeout. */
export function passthroughProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const xds = xdsOf(t);
    const timeout = t.config.traffic.timeouts?.request;
    const { name: gateway, namespace } = t.config.gateway;
    for (const [name, p] of Object.entries(t.config.passthrough)) {
        const owner = `${namespace}/${passthroughRouteNames(gateway, name).name}`;
        const routes = xds.routes.filter((r) => routeOwner(r.route) === owner);
        const at = `${t.label}: passthrough ${name} (${p.pathType} ${p.path})`;
        if (routes.length === 0) out.push(`${at}: no xDS route of HTTPRoute ${owner}`);
        for (const r of routes) {
            const m = asObj(r.route.match);
            const matched = isCatchAll(p)
                ? typeof asObj(m.safeRegex).regex === "string"
                : p.pathType === "Exact"
                  ? m.path === p.path
                  : m.pathSeparatedPrefix === p.path || m.prefix === p.path;
            if (!matched) out.push(`${at}: xDS route ${str(r.route.name)} matches ${JSON.stringify(m)}`);
            if (timeout !== undefined && durationMs(asObj(r.route.route).timeout) !== durationMs(timeout)) {
                out.push(`${at}: xDS route ${str(r.route.name)}: timeout is ${str(asObj(r.route.route).timeout)}, config says traffic.timeouts.request ${timeout}`);
            }
            // Its own request budgets (per user), and with scope allRoutes the shared request budgets, none needing a model.
            const rl = t.config.rateLimit;
            if (!rl.enabled) continue;
            const budgets = passthroughBudgets(r.route, rl).filter((b) => !b.model);
            const own = (p.rateLimit?.requests ?? []).length;
            const sharedRequests = rl.scope === "allRoutes" ? [rl.global, ...Object.values(rl.tenants?.budgets ?? {}), rl.perUser].reduce((n, b) => n + (b?.requests?.length ?? 0), 0) : 0;
            if (budgets.length !== own + sharedRequests) {
                out.push(`${at}: xDS route ${str(r.route.name)} carries ${budgets.length} request rate-limit actions that need no model, config says ${own} of its own and ${sharedRequests} shared`);
            }
            if (budgets.some((b) => b.hits !== "1" && b.hits !== "undefined")) out.push(`${at}: xDS route ${str(r.route.name)}: a request budget charges ${budgets.map((b) => b.hits).join("/")}, expected 1`);
        }
    }
    return out;
}

/** Envoy's tracer and access log on every listener of the Gateway, as ai-gateway:observability says. */
export function observabilityProblems(t: UpstreamTranslation, envoyCollector: { host: string; port: number } | undefined): string[] {
    const { tracing, accessLog } = t.config.observability;
    const { name, namespace } = t.config.gateway;
    const out: string[] = [];
    const xds = xdsOf(t);
    for (const { listener, hcm } of connectionManagers(xds, namespace, name)) {
        const at = `${t.label}: listener ${listener}`;
        if (tracing && envoyCollector) {
            const tr = asObj(hcm.tracing);
            const provider = asObj(tr.provider);
            const config = asObj(provider.typedConfig);
            if (provider.name !== "envoy.tracers.opentelemetry") out.push(`${at}: tracing provider is ${str(provider.name)}, expected envoy.tracers.opentelemetry`);
            if (config.serviceName !== `${tracing.serviceName}-envoy`) out.push(`${at}: tracing serviceName is ${str(config.serviceName)}, expected ${tracing.serviceName}-envoy`);
            if (tracing.samplingRate !== undefined && asObj(tr.randomSampling).value !== tracing.samplingRate) {
                out.push(`${at}: tracing randomSampling is ${str(asObj(tr.randomSampling).value)}, config says ${tracing.samplingRate}`);
            }
            const clusterName = str(dig(config, "grpcService", "envoyGrpc").clusterName);
            const cluster = xds.clusters.get(clusterName);
            const locality = asList(dig(cluster, "loadAssignment").endpoints)[0];
            const socket = dig(asList(locality?.lbEndpoints)[0], "endpoint", "address", "socketAddress");
            if (socket.address !== envoyCollector.host || socket.portValue !== envoyCollector.port) {
                out.push(`${at}: traces go to ${str(socket.address)}:${str(socket.portValue)} (cluster ${clusterName}), config says ${envoyCollector.host}:${envoyCollector.port}`);
            }
            // Through a Backend (backendRefs), not the provider's deprecated host and port.
            const resources = asList(dig(locality, "metadata", "filterMetadata", "envoy-gateway").resources);
            if (!resources.some((r) => r.kind === "Backend")) out.push(`${at}: the tracing cluster ${clusterName} is not built from a Backend (the deprecated host/port?)`);
            // observability.tracing.headers: each a custom tag of Envoy's spans, holding the request header's value.
            const tags = asList(tr.customTags);
            for (const [header, attribute] of Object.entries(tracing.headers ?? {})) {
                const tag = tags.find((t) => t.tag === attribute);
                if (tag?.value !== `%REQ(${header})%`) out.push(`${at}: no span tag ${attribute} from request header ${header} (tags: ${JSON.stringify(tags)})`);
            }
        }
        if (accessLog) {
            const logs = asList(hcm.accessLog);
            const format = asObj(asObj(asList(logs)[0]?.typedConfig).logFormat);
            const text = JSON.stringify(format);
            if (logs.length === 0) out.push(`${at}: no access log`);
            else if (accessLog.format === "json" ? !format.jsonFormat : !format.textFormatSource) out.push(`${at}: the access log is not in ${accessLog.format} format`);
            else if (!text.includes(`io.envoy.ai_gateway:${TOKEN_COST_KEYS.total}`)) out.push(`${at}: the access log has no token counts`);
            // observability.accessLog.headers: each a field of the line, holding the request header's value.
            for (const [header, attribute] of Object.entries(accessLog.headers ?? {})) {
                const field = accessLog.format === "json" ? JSON.stringify(dig(format, "jsonFormat")[attribute] ?? null) : str(dig(format, "textFormatSource").inlineString);
                const wanted = accessLog.format === "json" ? `%REQ(${header})%` : `${attribute}=%REQ(${header})%`;
                if (!field.includes(wanted)) out.push(`${at}: the access log has no ${wanted} (${attribute})`);
            }
        }
    }
    return out;
}

/** Every AIGatewayRoute's token counts reach the extProc configuration the AI Gateway generated, rate limiting or not. */
export function tokenCountProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const recorded = new Map<string, Set<string>>();
    for (const c of extProcEntries(t, "llmRequestCosts")) {
        const route = str(c.routeName);
        recorded.set(route, (recorded.get(route) ?? new Set()).add(str(c.metadataKey)));
    }
    for (const route of t.emitted.filter((o) => o.kind === "AIGatewayRoute")) {
        const key = `${route.metadata.namespace}/${route.metadata.name}`;
        const keys = recorded.get(key) ?? new Set();
        const missing = Object.values(TOKEN_COST_KEYS).filter((k) => !keys.has(k));
        if (missing.length > 0) out.push(`${t.label}: AIGatewayRoute ${key}: the generated extProc configuration records no ${missing.join(", ")}`);
    }
    return out;
}

/**
 * gateway.errors.format openai: every model's xDS routes carry Envoy's custom response filter, answering each
 * status of OPENAI_ERRORS with its JSON body and `application/json`; `envoy`: none of them does.
 */
export function errorFormatProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const xds = xdsOf(t);
    const openai = t.config.gateway.errors.format === "openai";
    for (const [model, m] of Object.entries(t.config.models)) {
        for (const r of modelRoutesOf(xds, model, m)) {
            const at = `${t.label}: model ${model}: xDS route ${str(r.route.name)}`;
            // The route only switches the filter on (an empty per-route config under its name); Envoy Gateway keeps the
            // responses in the connection manager's filter of that name.
            const filter = Object.keys(asObj(r.route.typedPerFilterConfig)).find((name) => name.includes("custom_response"));
            if (!openai) {
                if (filter !== undefined) out.push(`${at}: has a custom response filter, gateway.errors.format is envoy`);
                continue;
            }
            const [namespace, gateway] = str(r.gateway).split("/");
            const configs = connectionManagers(xds, namespace, gateway).flatMap(({ hcm }) => asList(hcm.httpFilters).filter((f) => filter !== undefined && f.name === filter).map((f) => f.typedConfig));
            const text = JSON.stringify(configs);
            for (const e of OPENAI_ERRORS) {
                const body = JSON.stringify(openAIErrorBody(e)).slice(1, -1);
                if (!text.includes(body)) out.push(`${at}: no custom response with the OpenAI body for ${e.status}`);
            }
            if (!text.includes("application/json")) out.push(`${at}: its custom responses set no Content-Type application/json`);
        }
    }
    return out;
}

/** A response's token counts for the spend check: some cached input, so every price term counts. */
const SAMPLE_TOKENS: Tokens = { input: 1234, cached: 234, output: 567 };

/**
 * With a spend budget in effect, the extProc configuration the AI Gateway generated records the spend cost
 * on every route; evaluated with each backend entry it generated for the route (the extProc's own name
 * for it, and the model it sends), the expression charges that backend's price for that model.
 */
export function spendCostProblems(t: UpstreamTranslation): string[] {
    const units = spendUnitsInUse(t.config.rateLimit, t.config.models);
    const out: string[] = [];
    for (const unit of units) out.push(...spendCostProblemsIn(t, unit));
    return out;
}

/** The same for one spend unit (micro-dollars per unit): its own cost key, rounded up to the unit. */
function spendCostProblemsIn(t: UpstreamTranslation, unit: SpendUnit): string[] {
    const unitKey = SPEND_COST_KEYS[unit];
    const out: string[] = [];
    const costs = extProcEntries(t, "llmRequestCosts").filter((c) => c.metadataKey === unitKey);
    const backends = extProcEntries(t, "backends");
    const { name: gateway } = t.config.gateway;
    const keyOfService = new Map(Object.keys(t.config.backends).map((k) => [routedName(t.config, gateway, k), k]));
    for (const route of t.emitted.filter((o) => o.kind === "AIGatewayRoute")) {
        const routeKey = `${route.metadata.namespace}/${route.metadata.name}`;
        const cost = costs.find((c) => c.routeName === routeKey);
        if (cost === undefined || cost.type !== "CEL" || typeof cost.cel !== "string") {
            out.push(`${t.label}: AIGatewayRoute ${routeKey}: the generated extProc configuration records no CEL ${unitKey}`);
            continue;
        }
        const rules = asList(route.spec?.rules);
        const refs = backends.filter((b) => str(b.name).includes(`/route/${route.metadata.name}/rule/`));
        if (refs.length === 0) out.push(`${t.label}: AIGatewayRoute ${routeKey}: no extProc backend entry to charge`);
        for (const ref of refs) {
            const name = str(ref.name);
            const m = /^([^/]+)\/([^/]+)\/route\/[^/]+\/rule\/(\d+)\/ref\/\d+$/.exec(name);
            const key = m ? keyOfService.get(m[2]) : undefined;
            if (!m || key === undefined) {
                out.push(`${t.label}: extProc backend ${name}: not <namespace>/<AIServiceBackend>/route/<route>/rule/<i>/ref/<j> of a configured backend`);
                continue;
            }
            const rule = rules[Number(m[3])];
            const header = asList(asList(rule?.matches)[0]?.headers).find((h) => h.name === MODEL_HEADER);
            const override = typeof ref.modelNameOverride === "string" && ref.modelNameOverride !== "" ? ref.modelNameOverride : undefined;
            // A pattern rule without an override forwards the client's name: nothing fixed to price.
            const model = override ?? (header?.type === "Exact" ? str(header.value) : undefined);
            if (model === undefined) continue;
            const prices = t.config.backends[key].prices ?? {};
            const micro = expectedMicroUsd(Object.hasOwn(prices, model) ? prices[model] : undefined, SAMPLE_TOKENS);
            const expected = (micro + BigInt(unit) - 1n) / BigInt(unit);
            let actual: bigint | string;
            try {
                actual = costOf(cost.cel, name, model, SAMPLE_TOKENS, routeKey);
            } catch (e) {
                actual = `an error (${(e as Error).message.split("\n")[0]})`;
            }
            if (actual !== expected) out.push(`${t.label}: ${routeKey}: ${unitKey} of ${model} at ${name} is ${String(actual)} units of ${unit} micro-dollars, the prices of backends.${key} say ${expected}`);
        }
    }
    return out;
}

/** Whether an xDS route matches a request path (no query) with these headers (lower-case names). */
function routeMatches(route: Obj, path: string, headers: Record<string, string>): boolean {
    const m = asObj(route.match);
    if (typeof m.path === "string" && m.path !== path) return false;
    if (typeof m.prefix === "string" && !path.startsWith(m.prefix)) return false;
    if (typeof m.pathSeparatedPrefix === "string" && path !== m.pathSeparatedPrefix && !path.startsWith(`${m.pathSeparatedPrefix}/`)) return false;
    const regex = asObj(m.safeRegex).regex;
    if (typeof regex === "string" && !new RegExp(`^(?:${regex})$`).test(path)) return false;
    for (const h of asList(m.headers)) {
        const value = headers[str(h.name).toLowerCase()];
        const exact = asObj(h.stringMatch).exact;
        if (h.presentMatch === true ? value === undefined : exact !== undefined ? value !== exact : value === undefined) return false;
    }
    return true;
}

/** The HTTPRoute an xDS route was built from, from Envoy Gateway's route metadata. */
function routeOwner(route: Obj): string | undefined {
    const resources = asList(dig(route, "metadata", "filterMetadata", "envoy-gateway").resources);
    const r = resources.find((x) => x.kind === "HTTPRoute");
    return r ? `${str(r.namespace)}/${str(r.name)}` : undefined;
}

/**
 * Routing of the AI Gateway's endpoints and of everything else, on every listener, in Envoy's route order:
 * a request to an AI endpoint first meets a route the AI Gateway generated (where its extProc runs and
 * sets the model header), and with the model header a model route; any other path goes to the
 * passthrough route that covers it.
 */
export function endpointRoutingProblems(t: UpstreamTranslation, endpoints: readonly string[], otherPaths: readonly string[]): string[] {
    const out: string[] = [];
    const xds = xdsOf(t);
    const { name, namespace } = t.config.gateway;
    const generated = new Set(t.generated.filter((o) => o.kind === "HTTPRoute").map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
    const model = Object.keys(t.config.models).find((m) => t.config.models[m].match === undefined);
    const configs = [...new Set(xds.routes.filter((r) => r.gateway === `${namespace}/${name}`).map((r) => r.routeConfig))];
    for (const rc of configs) {
        const routes = xds.routes.filter((r) => r.routeConfig === rc);
        const first = (path: string, headers: Record<string, string>) => routes.find((r) => routeMatches(r.route, path, headers));
        if (routes.every((r) => asObj(r.route.redirect).schemeRedirect === "https")) continue;
        for (const path of endpoints) {
            const bare = first(path, {});
            if (!bare || !generated.has(routeOwner(bare.route) ?? "")) {
                out.push(`${t.label}: ${rc}: a request to ${path} first matches ${bare ? `xDS route ${str(bare.route.name)} of HTTPRoute ${routeOwner(bare.route)}` : "nothing"}, not a route of the AI Gateway (its extProc would never see it)`);
            }
            if (model === undefined) continue;
            const routed = first(path, { [MODEL_HEADER]: model });
            const header = asList(asObj(routed?.route.match).headers).find((h) => h.name === MODEL_HEADER);
            if (!routed || asObj(header?.stringMatch).exact !== model) {
                out.push(`${t.label}: ${rc}: ${path} with ${MODEL_HEADER}: ${model} matches ${routed ? `xDS route ${str(routed.route.name)}` : "nothing"}, not model ${model}'s route`);
            }
        }
        for (const path of otherPaths) {
            const hit = first(path, {});
            if (!hit || !/-passthrough-/.test(routeOwner(hit.route) ?? "")) {
                out.push(`${t.label}: ${rc}: a request to ${path} matches ${hit ? `xDS route ${str(hit.route.name)} of HTTPRoute ${routeOwner(hit.route)}` : "nothing"}, not a passthrough route`);
            }
        }
    }
    return out;
}

/**
 * The user identity that budgets, logs and metrics read: with client authentication, the gateway writes
 * the verified claim (JWT) or client name (API key) into rateLimit.userHeader, and every listener removes
 * what clients send in that header (and in the other identity headers) before anything reads it.
 */
export function identityProblems(t: UpstreamTranslation): string[] {
    const { jwt, apiKeys, oidc, extAuth, clientCertificates } = t.config.auth;
    const token = oidc?.accessToken;
    const userFrom = clientCertificates?.userFrom;
    if (!jwt && !apiKeys && !token && !extAuth && !userFrom) return [];
    const out: string[] = [];
    const userHeader = t.config.rateLimit.userHeader.toLowerCase();
    const xds = xdsOf(t);
    const { name, namespace } = t.config.gateway;
    // The authorization service names the user only when nothing else does (components/manifests/security.ts).
    const extAuthNamesUser = extAuth !== undefined && !jwt && !apiKeys && !token && !userFrom;
    const toBackend = [...(extAuth?.headersToBackend ?? []).map((h) => h.toLowerCase()), ...(extAuthNamesUser ? [userHeader] : [])];
    const stripped = [
        ...(userFrom ? [] : [userHeader]),
        ...[...(jwt?.claimToHeaders ?? []), ...(token?.claimToHeaders ?? [])].map((c) => c.header.toLowerCase()),
        ...toBackend,
    ];
    for (const { listener, hcm } of connectionManagers(xds, namespace, name)) {
        const mutations = asList(hcm.earlyHeaderMutationExtensions).flatMap((e) => asList(asObj(e.typedConfig).mutations));
        const removed = mutations.filter((m) => typeof m.remove === "string").map((m) => str(m.remove).toLowerCase());
        for (const h of stripped) if (!removed.includes(h)) out.push(`${t.label}: listener ${listener}: clients' ${h} header is not removed before authentication fills it`);
        if (userFrom) {
            // The certificate's field overwrites what the client sent; nothing removes it afterwards.
            const set = mutations.find((m) => str(dig(m, "append", "header").key).toLowerCase() === userHeader);
            const field = { subject: "%DOWNSTREAM_PEER_SUBJECT%", uriSan: "%DOWNSTREAM_PEER_URI_SAN%", dnsSan: "%DOWNSTREAM_PEER_DNS_SAN%" }[userFrom];
            if (dig(set, "append", "header").value !== field || dig(set, "append").appendAction !== "OVERWRITE_IF_EXISTS_OR_ADD") {
                out.push(`${t.label}: listener ${listener}: ${userHeader} is not overwritten with ${field} before anything reads it`);
            }
            if (removed.includes(userHeader)) out.push(`${t.label}: listener ${listener}: ${userHeader} is removed after the certificate's value is set`);
        }
        const filters = asList(hcm.httpFilters);
        for (const [what, userClaim] of [["JWT", jwt?.userClaim], ["OIDC session's access token", token?.userClaim]] as const) {
            if (userClaim === undefined) continue;
            const providers = Object.values(asObj(asObj(filters.find((f) => f.name === "envoy.filters.http.jwt_authn")?.typedConfig).providers)).map(asObj);
            if (!providers.some((p) => asList(p.claimToHeaders).some((c) => c.claimName === userClaim && str(c.headerName).toLowerCase() === userHeader))) {
                out.push(`${t.label}: listener ${listener}: no JWT provider writes the ${what} claim ${userClaim} into ${userHeader}`);
            }
        }
        if (extAuth?.protocol === "HTTP") {
            const config = asObj(filters.find((f) => isFilter(str(f.name), "envoy.filters.http.ext_authz"))?.typedConfig);
            const allowed = asList(dig(config, "httpService", "authorizationResponse", "allowedUpstreamHeaders").patterns).map((p) => str(p.exact).toLowerCase());
            for (const h of toBackend) if (!allowed.includes(h)) out.push(`${t.label}: listener ${listener}: ext_authz does not copy ${h} from the service's answer`);
        }
    }
    if (apiKeys) {
        for (const r of xds.routes.filter((x) => x.gateway === `${namespace}/${name}`)) {
            const forwarding = dig(r.route, "typedPerFilterConfig", "envoy.filters.http.api_key_auth", "forwarding");
            if (String(forwarding.header ?? "").toLowerCase() !== userHeader) out.push(`${t.label}: xDS route ${str(r.route.name)}: the API-key filter forwards the client's name to ${str(forwarding.header)}, not ${userHeader}`);
        }
    }
    return out;
}

/** The gateway's /v1/models answer, as the extProc configuration the AI Gateway generated carries it: every model, its owner and creation time. */
export function catalogProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const listed = new Map(extProcEntries(t, "models").map((m) => [str(m.Name), m]));
    for (const [model, m] of Object.entries(t.config.models)) {
        if (m.match?.pattern !== undefined) continue; // /v1/models lists names, and a pattern has none
        const entry = listed.get(model);
        if (!entry) {
            out.push(`${t.label}: model ${model} is not in the /v1/models list of the generated extProc configuration`);
            continue;
        }
        const ownedBy = m.ownedBy ?? "Envoy AI Gateway";
        if (entry.OwnedBy !== ownedBy) out.push(`${t.label}: model ${model}: /v1/models owned_by is ${str(entry.OwnedBy)}, config says ${ownedBy}`);
        if (m.createdAt !== undefined && Date.parse(str(entry.CreatedAt)) !== Date.parse(m.createdAt)) {
            out.push(`${t.label}: model ${model}: /v1/models created is ${str(entry.CreatedAt)}, config says ${m.createdAt}`);
        }
    }
    return out;
}

/**
 * Header and body edits as the extProc will apply them to each model at each backend: the backend's own,
 * with the model's entry winning on the same name (what the AI Gateway generated, merged by itself).
 */
export function mutationProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const entries = extProcBackends(t);
    const sorted = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}=${v}`).sort();
    for (const [model, m] of Object.entries(t.config.models)) {
        const ai = aiRuleOf(t, model);
        if (!ai) continue;
        m.backends.forEach((ref, j) => {
            const backend = t.config.backends[ref.backend];
            if (!backend) return;
            const name = `${ai.route.metadata.namespace}/${backendNames(t.config.gateway.name, ref.backend, backend.auth).backend}/route/${ai.route.metadata.name}/rule/${ai.index}/ref/${j}`;
            const entry = entries.get(name);
            if (!entry) return; // reported by modelRouteProblems
            const where = `${t.label}: model ${model}: backends[${j}] (${ref.backend})`;
            const headers = new Map<string, string>();
            for (const set of [backend.headers?.set, ref.headers?.set]) for (const [k, v] of Object.entries(set ?? {})) headers.set(k.toLowerCase(), v);
            const fields = new Map<string, string>();
            for (const set of [backend.body?.set, ref.body?.set]) for (const [k, v] of Object.entries(set ?? {})) fields.set(k, JSON.stringify(v));
            const want = {
                headers: sorted([...headers]),
                // A per-request credential header is dropped before the request goes upstream (the controller adds it, v1.1.0).
                removeHeaders: [...new Set([...(backend.headers?.remove ?? []), ...(ref.headers?.remove ?? []), ...overrideHeaders(backend)].map((h) => h.toLowerCase()))].sort(),
                fields: sorted([...fields]),
                removeFields: [...new Set([...(backend.body?.remove ?? []), ...(ref.body?.remove ?? [])])].sort(),
            };
            const hm = asObj(entry.httpHeaderMutation);
            const bm = asObj(entry.httpBodyMutation);
            const got = {
                headers: sorted(asList(hm.set).map((h) => [str(h.name).toLowerCase(), str(h.value)])),
                removeHeaders: ((hm.remove as string[] | undefined) ?? []).map((h) => h.toLowerCase()).sort(),
                fields: sorted(asList(bm.set).map((f) => [str(f.path), str(f.value)])),
                removeFields: [...((bm.remove as string[] | undefined) ?? [])].sort(),
            };
            for (const k of Object.keys(want) as (keyof typeof want)[]) {
                if (JSON.stringify(got[k]) !== JSON.stringify(want[k])) out.push(`${where}: the extProc's ${k} are [${got[k].join(", ")}], config says [${want[k].join(", ")}]`);
            }
        });
    }
    return out;
}

/** The headers a backend's per-request credential arrives in (credentialOverride.fromRequestHeaders). */
function overrideHeaders(backend: BackendConfig): string[] {
    const source = backend.credentialOverride?.fromRequestHeaders;
    return source !== undefined && backend.auth !== undefined ? credentialHeaderNames(backend.auth.type, source.header) : [];
}

/**
 * The order Envoy tries model routes in, on every listener: every exact model name before any pattern,
 * and the patterns in their documented order (`match.order`, then the key).
 */
export function patternOrderProblems(t: UpstreamTranslation, documented: string[]): string[] {
    if (documented.length === 0) return [];
    const out: string[] = [];
    const xds = xdsOf(t);
    const { name, namespace } = t.config.gateway;
    const configs = [...new Set(xds.routes.filter((r) => r.gateway === `${namespace}/${name}`).map((r) => r.routeConfig))];
    for (const rc of configs) {
        const routes = xds.routes.filter((r) => r.routeConfig === rc).map((r) => r.route);
        const position = (model: string) => routes.findIndex((r) => modelRoutesOf({ listeners: [], clusters: new Map(), routes: [{ gateway: "", routeConfig: rc, route: r }] }, model, t.config.models[model]).length > 0);
        const exact = Object.keys(t.config.models).filter((m) => t.config.models[m].match?.pattern === undefined);
        const lastExact = Math.max(-1, ...exact.map(position));
        const patterns = documented.map((m) => [m, position(m)] as const);
        for (const [m, at] of patterns) {
            if (at < 0) out.push(`${t.label}: ${rc}: no xDS route for pattern model ${m}`);
            else if (at < lastExact) out.push(`${t.label}: ${rc}: pattern model ${m} (route ${at}) comes before an exact model name (route ${lastExact}): exact names must win`);
        }
        const got = [...patterns].filter(([, at]) => at >= 0).sort((a, b) => a[1] - b[1]).map(([m]) => m);
        if (JSON.stringify(got) !== JSON.stringify(documented.filter((m) => got.includes(m)))) out.push(`${t.label}: ${rc}: patterns are tried as [${got.join(", ")}], documented order is [${documented.join(", ")}]`);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// MCP gateway

const decoded = (o: K8sObject | undefined, key: string): string | undefined => {
    const v = asObj(o?.data)[key];
    return typeof v === "string" ? Buffer.from(v, "base64").toString("utf8") : undefined;
};

/**
 * What the AI Gateway controller made of the MCPRoute: the main HTTPRoute at the exact MCP path to its MCP
 * proxy; per server an HTTPRoute to the server's own Backend rewriting to its path, a filter injecting its
 * API key (into its header, as a bearer token in Authorization) from a Secret it filled from ours; with
 * oauth the SecurityPolicy checking access tokens against the resolved keys and audiences, the
 * protected-resource metadata, and the Gateway's client authentication overridden on that route and
 * nowhere else. In Envoy's route order, the MCP path reaches the MCP proxy first on every listener.
 */
export function mcpProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const mcp = t.config.mcp;
    const mcpObjects = t.generated.filter((o) => o.metadata.name.startsWith("ai-eg-mcp-"));
    if (mcp === undefined) return mcpObjects.map((o) => `${t.label}: ${keyOf(o)}: generated without ai-gateway:mcp`);
    const { name: gateway, namespace } = t.config.gateway;
    const route = mcpRouteName(gateway);
    const find = (kind: string, name: string) => t.generated.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
    const emitted = (kind: string, name: string) => t.emitted.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);

    const main = find("HTTPRoute", `ai-eg-mcp-main-${route}`);
    if (!main) out.push(`${t.label}: no main HTTPRoute ai-eg-mcp-main-${route}`);
    else {
        const rule = asList(main.spec?.rules)[0];
        const path = asObj(asList(rule?.matches)[0]?.path);
        if (path.type !== "Exact" || path.value !== mcp.path) out.push(`${t.label}: ${keyOf(main)}: first match ${str(path)}, expected Exact ${mcp.path}`);
        const ref = asList(rule?.backendRefs)[0];
        if (ref?.name !== MCP_PROXY_BACKEND) out.push(`${t.label}: ${keyOf(main)}: goes to ${str(ref?.name)}, not the MCP proxy's shared Backend ${MCP_PROXY_BACKEND}`);
        if (str(main.spec?.hostnames ?? []) !== str(mcp.hostnames ?? [])) out.push(`${t.label}: ${keyOf(main)}: host names ${str(main.spec?.hostnames ?? [])}, expected ${str(mcp.hostnames ?? [])}`);
    }

    for (const [server, config] of Object.entries(mcp.servers)) {
        const at = `${t.label}: server ${server}`;
        const br = find("HTTPRoute", `ai-eg-mcp-br-${route}-${server}`);
        const rule = asList(br?.spec?.rules)[0];
        const ref = asList(rule?.backendRefs)[0];
        if (!br) {
            out.push(`${at}: no HTTPRoute ai-eg-mcp-br-${route}-${server}`);
            continue;
        }
        if (ref?.kind !== "Backend" || ref.name !== server) out.push(`${at}: ${keyOf(br)} goes to ${str(ref?.kind)} ${str(ref?.name)}, not Backend ${server}`);
        const backend = emitted("Backend", server);
        const endpoint = mcpServerEndpoint(config, namespace);
        const fqdn = asObj(asList(backend?.spec?.endpoints)[0]?.fqdn);
        if (fqdn.hostname !== endpoint.hostname || fqdn.port !== endpoint.port) out.push(`${at}: Backend ${server} is ${str(fqdn)}, expected ${endpoint.hostname}:${endpoint.port}`);
        const rewrite = asList(rule?.filters).map((f) => dig(f, "urlRewrite", "path").replaceFullPath).find((p) => p !== undefined);
        if (rewrite !== config.path) out.push(`${at}: ${keyOf(br)} rewrites the path to ${str(rewrite)}, expected ${config.path}`);

        const filter = find("HTTPRouteFilter", `ai-eg-mcp-brf-${route}-${server}`);
        const injection = asObj(filter?.spec?.credentialInjection);
        if (config.auth === undefined) {
            if (filter?.spec?.credentialInjection !== undefined) out.push(`${at}: a credential is injected, but the server has no auth`);
            continue;
        }
        const header = config.auth.header ?? "Authorization";
        if ((injection.header ?? "Authorization") !== header) out.push(`${at}: the credential goes into ${str(injection.header ?? "Authorization")}, expected ${header}`);
        const secretName = str(dig(injection, "credential", "valueRef").name);
        const expected = header === "Authorization" ? `Bearer ${TEST_SECRET}` : TEST_SECRET;
        const value = decoded(find("Secret", secretName), "credential");
        if (value !== expected) out.push(`${at}: Secret ${secretName} injects ${value === undefined ? "nothing" : "another value"}, expected the ${MCP_SECRET_KEY} of our Secret${header === "Authorization" ? " as a bearer token" : ""}`);
    }

    const policy = find("SecurityPolicy", `ai-eg-mcp-${route}`);
    if (mcp.oauth === undefined) {
        if (policy) out.push(`${t.label}: ${keyOf(policy)}: generated without mcp.oauth`);
    } else {
        const oauth = resolvedOAuth(mcp.oauth, t.config.auth.jwt);
        const provider = asList(dig(policy?.spec, "jwt").providers)[0];
        const target = asList(policy?.spec?.targetRefs)[0];
        if (!policy) out.push(`${t.label}: no SecurityPolicy ai-eg-mcp-${route} for mcp.oauth`);
        else {
            if (target?.kind !== "HTTPRoute" || target.name !== `ai-eg-mcp-main-${route}`) out.push(`${t.label}: ${keyOf(policy)} targets ${str(target)}, not the main MCP route`);
            if (dig(provider, "remoteJWKS").uri !== oauth.jwksUri) out.push(`${t.label}: ${keyOf(policy)}: JWKS ${str(dig(provider, "remoteJWKS").uri)}, expected ${str(oauth.jwksUri)}`);
            if (str(provider?.audiences) !== str(oauth.audiences)) out.push(`${t.label}: ${keyOf(policy)}: audiences ${str(provider?.audiences)}, expected ${str(oauth.audiences)}`);
        }
        const metadata = find("HTTPRouteFilter", `ai-eg-mcp-${route}-oauth-protected-resource-metadata`);
        const body = JSON.parse(str(dig(metadata?.spec, "directResponse", "body").inline ?? "{}")) as { resource?: string; authorization_servers?: string[] };
        if (body.resource !== oauth.resource || str(body.authorization_servers) !== str([oauth.issuer])) {
            out.push(`${t.label}: protected-resource metadata ${str(body)}, expected resource ${oauth.resource} and authorization server ${str(oauth.issuer)}`);
        }
        // The Gateway's client authentication, where there is one, is overridden by the MCP route's and by nothing else.
        const policies = asList(t.resources.securityPolicies) as unknown as K8sObject[];
        const gatewayPolicy = policies.find((p) => p.metadata.name === securityPolicyName(gateway) && p.metadata.namespace === namespace);
        const override = intendedOverride(t.config) ?? "";
        const overridden = asList(asObj(gatewayPolicy?.status).ancestors).flatMap((a) => asList(a.conditions)).filter((c) => c.type === "Overridden" && c.status === "True");
        if (gatewayPolicy && !overridden.some((c) => override.endsWith(`(${str(c.reason)}: ${str(c.message)})`))) out.push(`${t.label}: ${keyOf(gatewayPolicy)}: not overridden on the MCP route, as rules/mcp.ts warns it is`);
    }

    // The MCP proxy's own configuration (in the extProc's filter config): each server's tool filter and the authorization rules.
    const filterConfig = t.generated.find((o) => o.kind === "Secret" && o.metadata.namespace === undefined && typeof asObj(o.stringData)["filter-config.yaml"] === "string");
    const mcpRoutes = asList(dig(parseYaml(str(asObj(filterConfig?.stringData)["filter-config.yaml"] ?? "{}")), "mcpConfig").routes);
    const proxied = mcpRoutes.find((r) => r.name === `${namespace}/${route}`);
    if (!proxied) out.push(`${t.label}: the MCP proxy's configuration has no route ${namespace}/${route}`);
    else {
        const emittedRoute = emitted("MCPRoute", route);
        for (const ref of asList(emittedRoute?.spec?.backendRefs)) {
            const backend = asList(proxied.backends).find((b) => b.name === ref.name);
            if (str(backend?.toolSelector ?? {}) !== str(ref.toolSelector ?? {})) out.push(`${t.label}: MCP proxy: server ${str(ref.name)} offers ${str(backend?.toolSelector)}, expected ${str(ref.toolSelector)}`);
        }
        const selector = dig(emittedRoute?.spec, "backendSelector");
        const selected = asObj(proxied.backendSelector);
        if (emittedRoute?.spec?.backendSelector === undefined) {
            if (proxied.backendSelector !== undefined) out.push(`${t.label}: MCP proxy: a backend selector ${str(selected)} without mcp.backendSelector`);
        } else {
            // The controller writes the defaults out: Deny for the default action, Allow for a rule's.
            const want = { defaultAction: selector.defaultAction ?? "Deny", rules: asList(selector.rules).map((r) => ({ action: r.action ?? "Allow", cel: r.cel })) };
            const have = { defaultAction: selected.defaultAction, rules: asList(selected.rules).map((r) => ({ action: r.action, cel: r.cel })) };
            if (str(have) !== str(want)) out.push(`${t.label}: MCP proxy: backend selector ${str(have)}, expected ${str(want)}`);
        }
        const authorization = dig(emittedRoute?.spec, "securityPolicy", "authorization");
        const got = asObj(proxied.authorization);
        if (mcp.authorization === undefined) {
            if (proxied.authorization !== undefined) out.push(`${t.label}: MCP proxy: authorization ${str(got)} without mcp.authorization`);
        } else {
            if (got.defaultAction !== authorization.defaultAction) out.push(`${t.label}: MCP proxy: default ${str(got.defaultAction)}, expected ${str(authorization.defaultAction)}`);
            const rules = asList(got.rules);
            asList(authorization.rules).forEach((want, i) => {
                const have = rules[i] ?? {};
                // The proxy's config spells an absent claim valueType as the default String.
                const claims = (r: Obj) => asList(dig(r, "source", "jwt").claims).map((c) => ({ ...c, valueType: c.valueType ?? "String" }));
                const same = have.action === want.action && str(have.cel) === str(want.cel) && str(dig(have, "target").tools) === str(dig(want, "target").tools) && str(dig(have, "source", "jwt").scopes) === str(dig(want, "source", "jwt").scopes) && str(claims(have)) === str(claims(want));
                if (!same) out.push(`${t.label}: MCP proxy: authorization rule ${i} is ${str(have)}, expected ${str(want)}`);
            });
            if (rules.length !== asList(authorization.rules).length) out.push(`${t.label}: MCP proxy: ${rules.length} authorization rules, expected ${asList(authorization.rules).length}`);
        }
    }

    const xds = xdsOf(t);
    const configs = [...new Set(xds.routes.filter((r) => r.gateway === `${namespace}/${gateway}`).map((r) => r.routeConfig))];
    for (const rc of configs) {
        const routes = xds.routes.filter((r) => r.routeConfig === rc);
        if (routes.every((r) => asObj(r.route.redirect).schemeRedirect === "https")) continue;
        const first = routes.find((r) => routeMatches(r.route, mcp.path, {}));
        if (!str(first?.route.name).startsWith(`httproute/${namespace}/ai-eg-mcp-main-${route}/rule/0/`)) out.push(`${t.label}: ${rc}: ${mcp.path} reaches ${str(first?.route.name)} first, not the MCP route`);
    }
    return out;
}

/**
 * A per-request credential header (credentialOverride.fromRequestHeaders) is never written to the access
 * log nor added to a request by a route; one the authorization service writes is removed from what the
 * client sent before the filters run, and (over HTTP) copied from the service's answer.
 */
export function credentialHeaderProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const xds = xdsOf(t);
    const { name, namespace } = t.config.gateway;
    for (const [backend, b] of Object.entries(t.config.backends)) {
        const source = b.credentialOverride?.fromRequestHeaders;
        if (source === undefined || b.auth === undefined) continue;
        const headers = credentialHeaderNames(b.auth.type, source.header);
        for (const { listener, hcm } of connectionManagers(xds, namespace, name)) {
            const at = `${t.label}: listener ${listener}: backend ${backend}'s credential header`;
            const logged = JSON.stringify(asList(hcm.accessLog)).toLowerCase();
            for (const h of headers) if (logged.includes(`%req(${h})`)) out.push(`${at} ${h} is written to the access log`);
            if (source.setBy !== "extAuth") continue;
            const removed = asList(hcm.earlyHeaderMutationExtensions)
                .flatMap((e) => asList(asObj(e.typedConfig).mutations))
                .map((m) => str(m.remove).toLowerCase());
            for (const h of headers) if (!removed.includes(h)) out.push(`${at} ${h} is not removed from what the client sent before the authorization service writes it`);
            if (t.config.auth.extAuth?.protocol === "HTTP") {
                const config = asObj(asList(hcm.httpFilters).find((f) => isFilter(str(f.name), "envoy.filters.http.ext_authz"))?.typedConfig);
                const allowed = asList(dig(config, "httpService", "authorizationResponse", "allowedUpstreamHeaders").patterns).map((p) => str(p.exact).toLowerCase());
                for (const h of headers) if (!allowed.includes(h)) out.push(`${at} ${h} is not copied from the authorization service's answer`);
            }
        }
        for (const r of xds.routes.filter((x) => x.gateway === `${namespace}/${name}`)) {
            const added = asList(r.route.requestHeadersToAdd).map((h) => str(dig(h, "header").key).toLowerCase());
            for (const h of headers) if (added.includes(h)) out.push(`${t.label}: xDS route ${str(r.route.name)} adds backend ${backend}'s credential header ${h}`);
        }
    }
    return out;
}

/**
 * The AI Gateway controller (v1.1.0 on) copies each AIGatewayRoute rule's name to the HTTPRoute it generates,
 * after which it adds its own `route-not-found` rule; the program's per-rule policies target those names.
 */
export function ruleNameProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    for (const route of t.emitted.filter((o) => o.kind === "AIGatewayRoute")) {
        const want = asList(route.spec?.rules).map((r) => r.name);
        const generated = t.generated.find((o) => o.kind === "HTTPRoute" && o.metadata.name === route.metadata.name && o.metadata.namespace === route.metadata.namespace);
        if (!generated) {
            out.push(`${t.label}: ${keyOf(route)}: the controller generated no HTTPRoute`);
            continue;
        }
        const got = asList(generated.spec?.rules).map((r) => r.name);
        if (str(got) !== str([...want, "route-not-found"])) out.push(`${t.label}: ${keyOf(generated)}: rule names ${str(got)}, expected ${str(want)} and route-not-found`);
    }
    return out;
}

/**
 * Per-request credentials (BackendSecurityPolicy credentialOverride) reach the extProc's backend entries of
 * each backend that sets them: the header or metadata source and the fallback, as the program configured.
 */
export function credentialOverrideProblems(t: UpstreamTranslation): string[] {
    const out: string[] = [];
    const { name: gateway, namespace } = t.config.gateway;
    const entries = [...extProcBackends(t)];
    for (const [backend, b] of Object.entries(t.config.backends)) {
        const aiBackend = backendNames(gateway, backend, b.auth).backend;
        const mine = entries.filter(([n]) => n.startsWith(`${namespace}/${aiBackend}/`)).map(([, e]) => asObj(dig(e, "auth").credentialOverride));
        const at = `${t.label}: backend ${backend}`;
        if (mine.length === 0) {
            const routed = Object.values(t.config.models).some((m) => m.backends.some((r) => r.backend === backend));
            if (routed && b.inferencePool === undefined) out.push(`${at}: no backend entry in the extProc configuration`);
            continue;
        }
        const o = b.credentialOverride;
        for (const got of mine) {
            if (o === undefined) {
                if (Object.keys(got).length > 0) out.push(`${at}: the extProc takes a per-request credential ${str(got)}, but none is configured`);
                continue;
            }
            const source = o.fromRequestHeaders ?? o.fromDynamicMetadata;
            if (got.fallbackToConfigured !== (source?.fallbackToConfigured ?? false)) out.push(`${at}: fallbackToConfigured ${str(got.fallbackToConfigured)}, expected ${str(source?.fallbackToConfigured)}`);
            if (o.fromRequestHeaders !== undefined && typeof got.headerName !== "string") out.push(`${at}: the extProc reads no credential header (${str(got)})`);
            if (o.fromDynamicMetadata !== undefined && got.dynamicMetadataNamespace !== o.fromDynamicMetadata.namespace) {
                out.push(`${at}: the extProc reads metadata namespace ${str(got.dynamicMetadataNamespace)}, expected ${o.fromDynamicMetadata.namespace}`);
            }
        }
    }
    return out;
}
