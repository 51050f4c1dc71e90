import * as pulumi from "@pulumi/pulumi";
import type { PassthroughRouteConfig, RateLimitConfig } from "../config";
import { passthroughManifests } from "./manifests/passthrough";
import type { ProtectionSections } from "./manifests/protection";
import { childName } from "../config/names";
import type { ParentReference, RateLimitRule } from "../specs";
import type { RouteObjectNames } from "../plan/names";
import { createCustomResource, PlatformReadiness } from "./customResource";

export interface PassthroughRoutesArgs {
    gateway: { name: string; namespace: string; parentRefs: ParentReference[] };
    routes: Record<string, PassthroughRouteConfig>;
    /** Each route's and its policy's names, by key: the plan's (plan.names.passthrough). */
    names: ReadonlyMap<string, RouteObjectNames>;
    /** traffic.timeouts.request, when traffic timeouts are on. */
    requestTimeout?: string;
    protection: ProtectionSections;
    /** ai-gateway:rateLimit: whether the shared budgets count these routes (scope). */
    rateLimit: RateLimitConfig;
    /** Each route's own request budgets as rules, by route name: the plan's (plan.rateLimit.passthrough). */
    rules: ReadonlyMap<string, RateLimitRule[]>;
    platform: PlatformReadiness;
    /** What objects in the gateway namespace wait for (the namespace, client authentication). */
    namespaceReady?: pulumi.Resource[];
}

/**
 * Plain HTTPRoutes to Services that are not LLM APIs, each with a ReferenceGrant in the Service's
 * namespace when it is another one, and its own BackendTrafficPolicy when traffic protection is on or
 * the route has request budgets of its own.
 */
export class PassthroughRoutes extends pulumi.ComponentResource {
    public readonly routeNames: string[];

    constructor(name: string, args: PassthroughRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:routes:PassthroughRoutes", name, {}, opts);
        const namespaceReady = args.namespaceReady ?? [];
        this.routeNames = [];

        for (const [key, config] of Object.entries(args.routes)) {
            const m = passthroughManifests({
                names: args.names.get(key)!,
                config,
                gateway: args.gateway,
                requestTimeout: args.requestTimeout,
                protection: args.protection,
                rateLimit: args.rateLimit,
                rules: args.rules.get(key),
            });
            const logical = childName(name, key);
            // The grant lives in the Service's namespace, which the program does not create.
            const grant = m.referenceGrant && createCustomResource(`${logical}-grant`, m.referenceGrant, { parent: this, platform: args.platform });
            const route = createCustomResource(`${logical}-route`, m.route, {
                parent: this,
                platform: args.platform,
                dependsOn: [...namespaceReady, ...(grant ? [grant] : [])],
            });
            if (m.trafficPolicy) {
                createCustomResource(`${logical}-traffic`, m.trafficPolicy, { parent: this, platform: args.platform, dependsOn: [...namespaceReady, route] });
            }
            this.routeNames.push(m.route.metadata.name);
        }
        this.registerOutputs({ routeNames: this.routeNames });
    }
}
