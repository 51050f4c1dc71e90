import type { BodyMutationConfig, HeaderMutationConfig } from "../../config";
import type { HTTPBodyMutation, HTTPHeaderMutation } from "../../specs";

/**
 * Header and body edits as the AI Gateway takes them, on an AIServiceBackend (every request to the
 * backend) or on a route's backendRef (one model at that backend; it wins over the backend's on the same
 * name, as upstream documents). Only set lists appear. No Pulumi here.
 */
export function mutationSpec(headers: HeaderMutationConfig | undefined, body: BodyMutationConfig | undefined): { headerMutation?: HTTPHeaderMutation; bodyMutation?: HTTPBodyMutation } {
    const headerSet = Object.entries(headers?.set ?? {}).map(([name, value]) => ({ name, value }));
    const bodySet = Object.entries(body?.set ?? {}).map(([path, value]) => ({ path, value: JSON.stringify(value) }));
    return {
        ...((headerSet.length > 0 || headers?.remove?.length) && {
            headerMutation: { ...(headerSet.length > 0 && { set: headerSet }), ...(headers?.remove?.length && { remove: [...headers.remove] }) },
        }),
        ...((bodySet.length > 0 || body?.remove?.length) && {
            bodyMutation: { ...(bodySet.length > 0 && { set: bodySet }), ...(body?.remove?.length && { remove: [...body.remove] }) },
        }),
    };
}
