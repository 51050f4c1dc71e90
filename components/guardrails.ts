import * as pulumi from "@pulumi/pulumi";
import type { GuardrailPlan } from "../plan/guardrails";
import { createCustomResource, type PlatformReadiness } from "./customResource";
import { guardrailManifests } from "./manifests/guardrails";

export interface GuardrailsArgs {
    gateway: { name: string; namespace: string };
    guardrails: readonly GuardrailPlan[];
    /** The model routes' AIGatewayRoutes (their generated HTTPRoutes have the same names). */
    routeNames: readonly string[];
    /** The AIGatewayRoutes: the policy waits for them. */
    routesReady: pulumi.Resource[];
    platform: PlatformReadiness;
}

/**
 * ai-gateway:guardrails: the EnvoyExtensionPolicy of the guards on every model route, and the ReferenceGrants
 * its Services need (manifests/guardrails.ts). The order they run in is the EnvoyProxy's (GatewayCore).
 */
export class Guardrails extends pulumi.ComponentResource {
    /** The EnvoyExtensionPolicy's name, undefined when there is no model route to guard. */
    public readonly policyName: string | undefined;

    constructor(name: string, args: GuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:guardrails:Guardrails", name, {}, opts);
        const m = guardrailManifests({ gateway: args.gateway, routeNames: args.routeNames, guardrails: args.guardrails });
        const grants = m.referenceGrants.map((grant) =>
            createCustomResource(`${name}-grant-${grant.metadata.namespace}`, grant, { parent: this, platform: args.platform }),
        );
        if (m.policy) createCustomResource(`${name}-policy`, m.policy, { parent: this, platform: args.platform, dependsOn: [...args.routesReady, ...grants] });
        this.policyName = m.policy?.metadata.name;
        this.registerOutputs({ policyName: this.policyName });
    }
}
