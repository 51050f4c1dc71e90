import { childName } from "../../config/names";
import type { GuardrailPlan } from "../../plan/guardrails";
import type { ExtProc } from "../../specs";
import { manifest, type Manifest } from "../../specs/manifest";

/**
 * The guardrails (`ai-gateway:guardrails`, planned in plan/guardrails.ts): one EnvoyExtensionPolicy,
 * `<gateway>-guardrails`, with an external processor per guardrail in name order, on every HTTPRoute the AI Gateway
 * controller generates for a model route (each has its AIGatewayRoute's name), and a ReferenceGrant in each other
 * namespace a guard's Service lives in. No Pulumi here.
 */

export interface GuardrailsInput {
    gateway: { name: string; namespace: string };
    /** The AIGatewayRoutes of the models, whose generated HTTPRoutes carry their names. */
    routeNames: readonly string[];
    guardrails: readonly GuardrailPlan[];
}

export interface GuardrailManifests {
    /** Undefined without a guardrail or a model route. */
    policy?: Manifest<"EnvoyExtensionPolicy">;
    /** One per other namespace holding a guard's Service, allowing exactly those Services. */
    referenceGrants: Manifest<"ReferenceGrant">[];
}

/** `<gateway>-guardrails`: the policy, and each ReferenceGrant it needs. */
export function guardrailsPolicyName(gateway: string): string {
    return childName(gateway, "guardrails");
}

/** The processor of one guardrail: whole bodies (the guard reads JSON), in the phases it asked for. */
export function guardrailExtProc(g: GuardrailPlan, gatewayNamespace: string): ExtProc {
    return {
        backendRefs: [
            {
                group: "",
                kind: "Service",
                name: g.service.name,
                ...(g.service.namespace !== gatewayNamespace && { namespace: g.service.namespace }),
                port: g.service.port,
            },
        ],
        messageTimeout: g.timeout,
        failOpen: g.failOpen,
        processingMode: {
            ...(g.phases.includes("request") && { request: { body: "Buffered" as const } }),
            ...(g.phases.includes("response") && { response: { body: "Buffered" as const } }),
        },
    };
}

export function guardrailManifests(input: GuardrailsInput): GuardrailManifests {
    const { gateway, guardrails } = input;
    if (guardrails.length === 0 || input.routeNames.length === 0) return { referenceGrants: [] };
    const name = guardrailsPolicyName(gateway.name);
    const policy = manifest(
        "EnvoyExtensionPolicy",
        { name, namespace: gateway.namespace },
        {
            targetRefs: [...input.routeNames].sort().map((route) => ({ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: route })),
            extProc: guardrails.map((g) => guardrailExtProc(g, gateway.namespace)),
        },
    );
    const foreign = new Map<string, Set<string>>();
    for (const g of guardrails) {
        if (g.service.namespace === gateway.namespace) continue;
        foreign.set(g.service.namespace, (foreign.get(g.service.namespace) ?? new Set()).add(g.service.name));
    }
    const referenceGrants = [...foreign.keys()].sort().map((namespace) =>
        manifest(
            "ReferenceGrant",
            { name, namespace },
            {
                from: [{ group: "gateway.envoyproxy.io", kind: "EnvoyExtensionPolicy", namespace: gateway.namespace }],
                to: [...foreign.get(namespace)!].sort().map((service) => ({ group: "", kind: "Service", name: service })),
            },
        ),
    );
    return { policy, referenceGrants };
}
