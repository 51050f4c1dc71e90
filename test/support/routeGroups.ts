import type { ModelConfig, RetryConfig } from "../../config/schema";
import { modelRouteNames } from "../../plan/names";
import { routeGroups as routeLayout, type RouteGroup } from "../../plan/routes";

/** The plan's route groups of these models on Gateway `gateway`, without spend costs: their layout with their names, as buildPlan joins them. */
export function routeGroups(models: Record<string, ModelConfig>, buckets: number, retry: RetryConfig, hostnames: readonly string[] | undefined, gateway: string): RouteGroup[] {
    const layout = routeLayout(models, buckets, retry, hostnames);
    const names = modelRouteNames(gateway, layout);
    return layout.map((group) => ({ ...group, ...names.get(group.id)! }));
}
