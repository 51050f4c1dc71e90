import { quotaServiceAddress } from "../platform";
import { formatPath } from "../../config/errors";
import type { Rule } from "../../config/rules/types";

/**
 * Provider quotas become a QuotaPolicy, which applies only where a route sends the backend the quota's
 * model as its modelNameOverride (upstream says so, and applies nothing otherwise): a quota no route
 * sends that way is an error that says which `model:` to set. Per model, one cost (a single `type`) and
 * one enforced window: in upstream's Shared mode a request passes while any of the model's buckets
 * has tokens left, so a second enforced window would limit nothing; and shadow windows only where none is
 * enforced, since v1.1.0's quota service refuses only when every window is spent, shadow ones included
 * (seen on traffic by the data-plane suite's provider-quota scenario).
 */
export const providerQuotas: Rule = (config, ctx) => {
    const ai = config.platform.aiGateway;
    const withQuotas = Object.keys(config.backends).filter((k) => Object.keys(config.backends[k].quotas ?? {}).length > 0);
    if (withQuotas.length > 0 && !ai.install) {
        ctx.warn(
            ["backends", withQuotas[0], "quotas"],
            `are enforced by the quota service the program runs at ${quotaServiceAddress(ai.namespace)}, and the AI Gateway controller is not installed by this program; set its Helm value controller.quotaRateLimitServiceAddr to that address, or QuotaPolicies are checked against a service that does not exist and never refuse anything`,
        );
    }
    for (const [key, backend] of Object.entries(config.backends)) {
        for (const [model, entries] of Object.entries(backend.quotas ?? {})) {
            const at = (...path: (string | number)[]) => ["backends", key, "quotas", model, ...path];
            const firstEnforced = entries.findIndex((e) => e.shadow !== true);
            entries.forEach((e, i) => {
                if (e.shadow === true && firstEnforced >= 0) {
                    ctx.add(
                        at(i),
                        `is a shadow window beside the enforced [${firstEnforced}], which would then refuse nothing: AI Gateway v1.1.0's quota service refuses a request only when every window of the model is spent, and a shadow window never is; remove this window, or set shadow: true on [${firstEnforced}] too to watch both without enforcing`,
                    );
                }
                if (e.shadow !== true && i !== firstEnforced) {
                    ctx.add(
                        at(i),
                        `is a second enforced quota for "${model}" (the first is [${firstEnforced}]): a QuotaPolicy lets a request through while any of a model's windows has tokens left, so two enforced windows would limit nothing as written; keep one, and set shadow: true on the others to watch them`,
                    );
                }
                const type = e.type ?? "total";
                const first = entries[0].type ?? "total";
                if (i > 0 && type !== first) {
                    ctx.add(at(i, "type"), `is ${type}, but [0] charges ${first}: a QuotaPolicy charges one token count per model; use ${first} here too`);
                }
            });

            const refs = Object.entries(config.models).flatMap(([name, spec]) => spec.backends.map((ref, i) => ({ name, spec, ref, i })));
            if (refs.some(({ ref }) => ref.backend === key && ref.model === model)) continue;
            const unnamed = refs.find(({ name, spec, ref }) => ref.backend === key && ref.model === undefined && name === model && spec.match?.pattern === undefined);
            if (unnamed) {
                ctx.add(
                    ["models", unnamed.name, "backends", unnamed.i],
                    `sends "${model}" to backend ${key} without model:, and the QuotaPolicy of ${formatPath(["backends", key, "quotas", model])} applies only where a route names the model it sends (modelNameOverride); add model: "${model}" to this entry`,
                );
                continue;
            }
            const sent = [...new Set(refs.filter(({ ref }) => ref.backend === key && ref.model !== undefined).map(({ ref }) => `"${ref.model}"`))];
            ctx.add(
                at(),
                `no model sends "${model}" to backend ${key} (as a models.<m>.backends entry's model:), so its QuotaPolicy would never apply; ${sent.length > 0 ? `use a name it receives (${sent.join(", ")}), or remove it` : `route a model to ${key} with model: "${model}", or remove it`}`,
            );
        }
    }
};
