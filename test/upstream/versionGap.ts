/**
 * The AI Gateway translator is built at v1.0.0, the newest release the Go module proxy serves, while the
 * program installs v1.1.0 (components/manifests/versions.ts). The translator reads resources leniently: a
 * field its version does not know is dropped without a word. This check validates what the program
 * emits against the CRDs of the translator's own version (from its module, never copied) and sorts
 * every field those CRDs lack into the known v1.1.0 additions, reported as not proven by the translation,
 * and anything else, which fails.
 */
import { join } from "node:path";
import { CrdCatalog } from "../support/conformance";
import { UPSTREAM_TOOLS } from "../../components/manifests/versions";
import type { UpstreamTranslation } from "./translate";

/**
 * Fields v1.1.0 added that the program emits, and what the v1.1.0 controller does with them; `bound`: a limit
 * of the older CRD that only the addition exceeds (v1.1.0 raised it with the field).
 */
export const V1_1_ADDITIONS: { kind: string; path: string; field: RegExp; what: string; bound?: { field: RegExp; message: RegExp } }[] = [
    { kind: "AIGatewayRoute", path: "spec.rules[].name", field: /^spec\.rules\[\d+\]\.name$/, what: "rule names, which v1.1.0 copies to the generated HTTPRoute's rules" },
    {
        kind: "AIGatewayRoute",
        path: "spec.rules[].streamIdleTimeout",
        field: /^spec\.rules\[\d+\]\.streamIdleTimeout$/,
        what: "the per-try idle timeout, which v1.1.0's extension server writes into the xDS route",
    },
    { kind: "GatewayConfig", path: "spec.forwardProxy", field: /^spec\.forwardProxy(\.|$)/, what: "the egress proxy of the upstream clusters (extension server)" },
    { kind: "MCPRoute", path: "spec.hostnames", field: /^spec\.hostnames(\[\d+\])?$/, what: "the host names of the generated HTTPRoutes" },
    {
        kind: "MCPRoute",
        path: "spec.backendSelector",
        field: /^spec\.backendSelector(\.|$)/,
        what: "the servers a session may use, which v1.1.0's MCP proxy decides at session initialize",
    },
    {
        kind: "BackendSecurityPolicy",
        path: "spec.credentialOverride",
        field: /^spec\.credentialOverride(\.|$)/,
        what: "per-request upstream credentials (extProc)",
        // v1.0.0 allows type, targetRefs and one credential; v1.1.0's v1beta1 allows a fourth property, credentialOverride.
        bound: { field: /^spec$/, message: /must NOT have more than 3 properties/ },
    },
];

/** Where the translator's module keeps the CRDs of its version. */
export function translatorCrdDirectory(moduleDir: string): string {
    return join(moduleDir, "manifests", "charts", "ai-gateway-crds-helm", "templates");
}

const catalogs = new Map<string, CrdCatalog>();

export function versionGap(t: UpstreamTranslation, moduleDir: string): { unproven: { object: string; why: string }[]; unknown: string[] } {
    const dir = translatorCrdDirectory(moduleDir);
    let catalog = catalogs.get(dir);
    if (!catalog) {
        catalog = new CrdCatalog(dir);
        catalogs.set(dir, catalog);
    }
    const unproven: { object: string; why: string }[] = [];
    const unknown: string[] = [];
    for (const o of t.emitted.filter((x) => x.apiVersion.startsWith("aigateway.envoyproxy.io/"))) {
        for (const problem of catalog.validate(o)) {
            // `<Kind> <ns>/<name>: <field path>: <what>`
            const m = /^(\S+) (\S+): (\S+): (.*)$/.exec(problem);
            const addition =
                m &&
                V1_1_ADDITIONS.find(
                    (a) =>
                        a.kind === m[1] &&
                        ((a.field.test(m[3]) && /unknown field/.test(m[4])) || (a.bound !== undefined && a.bound.field.test(m[3]) && a.bound.message.test(m[4]) && hasField(o, a.path))),
                );
            if (addition) unproven.push({ object: `${m[1]} ${m[2]}`, why: `${m[1]} ${addition.path} (${addition.what}): unknown to aigw ${UPSTREAM_TOOLS.aigw.version}` });
            else unknown.push(`${t.label}: ${problem}`);
        }
    }
    return { unproven, unknown };
}

/** Whether an object sets a field, by its dotted path (`spec.credentialOverride`). */
function hasField(o: object, path: string): boolean {
    let v: unknown = o;
    for (const key of path.split(".")) {
        if (typeof v !== "object" || v === null || !Object.hasOwn(v, key)) return false;
        v = (v as Record<string, unknown>)[key];
    }
    return true;
}
