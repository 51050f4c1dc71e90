import { overriddenTypedValues, typedControllerValues } from "../controller";
import { quotasInUse } from "../platform";
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
    const typed = typedControllerValues({ controller: ai.controller, quotaFailClosed });

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
