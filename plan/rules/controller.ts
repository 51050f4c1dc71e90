import { overriddenTypedValues, spanRequestHeaderAttributes, typedControllerValues } from "../controller";
import { quotasInUse } from "../platform";
import { ACCESS_LOG_FIELDS, envoyTracingTarget } from "../observability";
import type { Rule } from "../../config/rules/types";

/**
 * `platform.aiGateway.controller` and `rateLimit.quotaFailClosed`: typed values of ai-gateway-helm. They need
 * a controller the program installs; a PodDisruptionBudget that admits no eviction stalls every node drain;
 * and the untyped `values` win over them, which is flagged so that neither key silently does nothing.
 */
export const controllerSettings: Rule = (config, ctx) => {
    const ai = config.platform.aiGateway;
    const { quotaFailClosed } = config.rateLimit;
    const quotas = quotasInUse(config.backends);
    const spanHeaders = config.observability.tracing?.headers;
    const typed = typedControllerValues({ controller: ai.controller, quotaFailClosed, spanHeaders });

    if (!ai.install) {
        for (const key of Object.keys(ai.controller) as (keyof typeof ai.controller)[]) {
            if (ai.controller[key] === undefined) continue;
            ctx.add(
                ["platform", "aiGateway", "controller", key],
                "is set, but platform.aiGateway.install is false, so the program installs no controller to apply it to; remove it, and set it on your own installation",
            );
        }
        if (quotaFailClosed !== undefined && quotas) {
            ctx.add(
                ["rateLimit", "quotaFailClosed"],
                "sets the AI Gateway controller's quotaRateLimitFailureModeDeny, but platform.aiGateway.install is false, so the program installs no controller to set it on; remove it, and set controller.quotaRateLimitFailureModeDeny on your own installation",
            );
        }
    }
    const tracing = config.observability.tracing;
    if (!ai.install && tracing && spanHeaders && Object.keys(spanHeaders).length > 0) {
        const setting = `set controller.spanRequestHeaderAttributes: "${spanRequestHeaderAttributes(spanHeaders)}" on your installation`;
        if (envoyTracingTarget(tracing) === undefined) {
            ctx.add(
                ["observability", "tracing", "headers"],
                `would record nothing: Envoy sends no spans of its own, and the extProc's spans get them through the AI Gateway controller, which the program does not install (platform.aiGateway.install is false); ${setting}, and remove them here`,
            );
        } else {
            ctx.warn(
                ["observability", "tracing", "headers"],
                `reach Envoy's spans only: the extProc's spans get them through the AI Gateway controller, which the program does not install (platform.aiGateway.install is false); ${setting}`,
            );
        }
    }
    if (quotaFailClosed !== undefined && !quotas) {
        ctx.warn(["rateLimit", "quotaFailClosed"], "has no effect: no backend sets quotas, so there is no quota service to fail; remove it, or add quotas to a backend");
    }

    const pdb = ai.controller.podDisruptionBudget;
    if (pdb) {
        const replicas = ai.controller.replicas ?? 1;
        const blocks = pdb.maxUnavailable === 0 ? "maxUnavailable: 0" : pdb.minAvailable !== undefined && pdb.minAvailable >= replicas ? `minAvailable: ${pdb.minAvailable} with ${replicas} replica${replicas === 1 ? "" : "s"}` : undefined;
        if (blocks !== undefined) {
            ctx.warn(
                ["platform", "aiGateway", "controller", "podDisruptionBudget"],
                `${blocks} admits no eviction, so every node drain waits on the controller forever; set replicas above minAvailable, or maxUnavailable: 1`,
            );
        }
    }

    if (!ai.install) return;
    for (const t of overriddenTypedValues(typed, ai.values)) {
        if (t.from === "rateLimit.quotaFailClosed" && !quotas) continue;
        ctx.warn(["platform", "aiGateway", "values", ...t.path], `overrides ${t.from}, which sets the same chart value; the value here wins: remove one of them`);
    }
};

/**
 * `observability.accessLog.headers` and `observability.tracing.headers` beside the rest of the config: an
 * attribute must not take the name of a field every log line has, and a header the config itself makes a
 * credential (the client API-key header, an MCP server's key header) is never recorded.
 */
export const recordedHeaderSettings: Rule = (config, ctx) => {
    const { accessLog, tracing } = config.observability;
    const credentials = new Map<string, string>();
    if (config.auth.apiKeys) credentials.set(config.auth.apiKeys.header.toLowerCase(), "auth.apiKeys.header");
    for (const [server, s] of Object.entries(config.mcp?.servers ?? {})) {
        if (s.auth?.header) credentials.set(s.auth.header.toLowerCase(), `mcp.servers.${server}.auth.header`);
    }
    const sections = [
        ["accessLog", accessLog?.headers],
        ["tracing", tracing?.headers],
    ] as const;
    for (const [section, headers] of sections) {
        for (const [header, attribute] of Object.entries(headers ?? {})) {
            const at = ["observability", section, "headers", header];
            const named = credentials.get(header.toLowerCase());
            if (named !== undefined) {
                ctx.add(at, `"${header}" carries a credential (it is ${named}), which would be written in plain text into every access-log line or span that records it; record a header that names without proving, e.g. x-user-id`);
            } else if (section === "accessLog" && (ACCESS_LOG_FIELDS as readonly string[]).includes(attribute)) {
                ctx.add(at, `records under "${attribute}", a field every access-log line has already; give it another name, e.g. header_${attribute}`);
            }
        }
    }
};
