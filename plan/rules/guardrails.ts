import { suggestion } from "../../config/errors";
import { GUARDRAIL_NAME, MAX_GUARDRAILS } from "../../config/schema";
import type { Rule } from "../../config/rules/types";
import { GUARDRAIL_FILTER_ORDER } from "../guardrails";

/**
 * `ai-gateway:guardrails`: each names existing models and covers every model, because a guard runs before the AI
 * Gateway has read the model from the body, while every request is on the same route (see plan/guardrails.ts);
 * failing open and an EnvoyProxy the program does not write are allowed, with a warning.
 * The guard's Service is checked with every other target (config/rules/targets.ts).
 */
export const guardrailSettings: Rule = (config, ctx) => {
    const models = Object.keys(config.models);
    const names = Object.keys(config.guardrails);
    if (names.length > MAX_GUARDRAILS) {
        ctx.add(["guardrails"], `has ${names.length} guardrails, more than the ${MAX_GUARDRAILS} external processors Envoy Gateway takes in one policy; combine some guards behind one service`);
    }
    for (const [name, guard] of Object.entries(config.guardrails)) {
        const at = ["guardrails", name];
        if (name.length > 63 || !GUARDRAIL_NAME.test(name)) ctx.add(at, "is not a guardrail name; use at most 63 lower-case letters, digits and '-' (a DNS label), e.g. pii");
        if (models.length === 0) {
            ctx.warn(at, "guards the model routes, and there is no model, so it guards nothing; add a model, or remove the guardrail");
            continue;
        }
        if (guard.models !== undefined) {
            const listed = new Set<string>();
            guard.models.forEach((m, i) => {
                if (!Object.hasOwn(config.models, m)) ctx.add([...at, "models", i], `no model "${m}"; ${suggestion(m, models, "a model of ai-gateway:models:")}`);
                else if (listed.has(m)) ctx.add([...at, "models", i], `lists "${m}" twice; list each model once`);
                listed.add(m);
            });
            const missing = models.filter((m) => !listed.has(m)).sort();
            if (missing.length > 0) {
                const shown = missing.slice(0, 5).join(", ") + (missing.length > 5 ? ` and ${missing.length - 5} more` : "");
                ctx.add(
                    [...at, "models"],
                    `leaves out ${shown}; a guard runs before the AI Gateway has read the model from the body, while every request is on the same route whatever its model, so a guardrail runs for every model or none (docs/guardrails.md); leave models out (every model) or list every model`,
                );
            }
        }
        if (guard.failOpen) {
            ctx.warn([...at, "failOpen"], "is true: while the guard is down or slower than its timeout, requests reach the models unguarded; set failOpen: false to refuse them instead");
        }
    }
    if (Object.keys(config.guardrails).length > 0 && !config.gateway.envoyProxy.enabled) {
        const order = GUARDRAIL_FILTER_ORDER.map((f) => `{name: ${f.name}, before: ${f.before}}`).join(", ");
        ctx.warn(
            ["gateway", "envoyProxy", "enabled"],
            `is false, so the program cannot set the filter order the guardrails need: without it the AI Gateway's processor reads the body before the guards, and a redaction is undone whenever the body is translated for a provider; set filterOrder: [${order}] in your EnvoyProxy`,
        );
    }
};
