import { metricPriceConflicts, metricPrices } from "../spendDashboard";
import type { Rule } from "../../config/rules/types";

/**
 * The dashboard's spend panels price the AI Gateway's token metrics, which name the provider and the model sent
 * upstream but not the backend: two backends of one provider that price one model differently cannot be told apart
 * there. The budgets are not affected (they price by backend), so it is a warning naming the price the panels use.
 */
export const spendDashboardPrices: Rule = (config, ctx) => {
    if (!config.observability.dashboard?.enabled) return;
    for (const { provider, model, backends } of metricPriceConflicts(metricPrices(config))) {
        const [used, ...others] = backends;
        ctx.warn(
            ["observability", "dashboard"],
            `its spend panels price "${model}" of provider ${provider} at backends.${used}.prices, though ${others.map((b) => `backends.${b}`).join(", ")} price it differently: the AI Gateway's token metrics name the provider and the model, not the backend (spend budgets are not affected); give those backends the same price for "${model}", or send each backend a model name of its own (models.<m>.backends[].model)`,
        );
    }
};
