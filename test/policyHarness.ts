/**
 * The policy pack's guardrails (policy/) run through the policy SDK's own interface on what the program registers
 * for a configuration (Pulumi's mocks): what `pulumi preview --policy-pack policy` should report for it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { GUARDRAILS } from "../policy/guardrails";
import type { RecordedResource } from "../scripts/mocks";
import { evaluate } from "./harness";

/** Inputs as the policy SDK hands them to a policy: secrets unwrapped. */
function reveal(value: unknown): unknown {
    if (pulumi.runtime.isRpcSecret(value)) return reveal(pulumi.runtime.unwrapRpcSecret(value));
    if (Array.isArray(value)) return value.map(reveal);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
    return value;
}

function asPolicyResources(resources: RecordedResource[]): PolicyResource[] {
    return resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: `urn:pulumi:test::ai-gateway::${r.type}::${r.name}`,
        props: reveal(r.inputs) as Record<string, unknown>,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    }) as unknown as PolicyResource);
}

/** Every violation a stack policy reports for the program's resources under this config. */
export async function violations(raw: Record<string, unknown>, policies: StackValidationPolicy[] = GUARDRAILS): Promise<string[]> {
    const resources = asPolicyResources((await evaluate(raw)).resources);
    const found: string[] = [];
    const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => { throw new Error("not applicable"); } } as unknown as StackValidationArgs;
    for (const policy of policies) await policy.validateStack(args, (message) => found.push(`${policy.name}: ${message}`));
    return found;
}

