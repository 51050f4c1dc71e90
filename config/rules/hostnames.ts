import type { Rule } from "./types";

/**
 * Route host names (gateway.hostnames, models.<m>.hostnames): a pattern model has none of its own (the
 * patterns share one route, in their order), and every host name must be one a listener the model routes
 * attach to answers for. None served: the model would be unreachable (an error); some: a warning.
 */
export const routeHostnameSettings: Rule = (config, ctx) => {
    const { gateway } = config;
    const listeners = gateway.listeners.filter((l) => !gateway.redirectToHttps || l.protocol === "HTTPS");
    const names = listeners.map((l) => l.hostname ?? "*").join(", ");
    const check = (path: (string | number)[], hostnames: readonly string[] | undefined, what: string) => {
        if (hostnames === undefined) return;
        const unserved = hostnames.filter((h) => !listeners.some((l) => l.hostname === undefined || hostnamesIntersect(l.hostname, h)));
        if (unserved.length === hostnames.length) {
            ctx.add(path, `matches no listener of the Gateway (${names}), so ${what} would be reachable nowhere; use the listeners' host names, or add a listener for them`);
        } else if (unserved.length > 0) {
            ctx.warn(path, `${unserved.join(", ")} ${unserved.length === 1 ? "matches" : "match"} no listener of the Gateway (${names}), so ${what} never answers there; remove ${unserved.length === 1 ? "it" : "them"}, or add a listener`);
        }
    };
    check(["gateway", "hostnames"], gateway.hostnames, "the model routes");
    for (const [model, spec] of Object.entries(config.models)) {
        if (spec.hostnames === undefined) continue;
        if (spec.match?.pattern !== undefined) {
            ctx.add(["models", model, "hostnames"], "is set on a pattern model, but the pattern models share one route (their order depends on it) and so the host names of gateway.hostnames; remove it, or give the model an exact name");
            continue;
        }
        check(["models", model, "hostnames"], spec.hostnames, `model ${model}`);
    }
};

/** Whether two host names, either possibly a `*.` wildcard, can name the same host (Gateway API's rule for routes and listeners). */
export function hostnamesIntersect(a: string, b: string): boolean {
    const covers = (wild: string, host: string) => wild.startsWith("*.") && host.endsWith(wild.slice(1)) && host.length > wild.length - 1;
    return a === b || covers(a, b) || covers(b, a);
}
