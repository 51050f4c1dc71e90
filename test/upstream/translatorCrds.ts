/**
 * The translator reads resources leniently: a field its version does not know is dropped without a word. So
 * every AI Gateway object the program emits is validated against the CRDs of the translator's own version
 * (from its source, never copied), which is the version the program installs: a field the translator would
 * drop fails the test instead of passing it unread.
 */
import { join } from "node:path";
import { CrdCatalog } from "../support/conformance";
import type { UpstreamTranslation } from "./translate";

/** Where the translator's source keeps the CRDs of its version. */
export function translatorCrdDirectory(moduleDir: string): string {
    return join(moduleDir, "manifests", "charts", "ai-gateway-crds-helm", "templates");
}

const catalogs = new Map<string, CrdCatalog>();

/** Problems of the emitted AI Gateway objects against the translator's CRDs: `<case>: <Kind> <ns>/<name>: <field>: <what>`. */
export function unreadFields(t: UpstreamTranslation, moduleDir: string): string[] {
    const dir = translatorCrdDirectory(moduleDir);
    let catalog = catalogs.get(dir);
    if (!catalog) {
        catalog = new CrdCatalog(dir);
        catalogs.set(dir, catalog);
    }
    return t.emitted.filter((x) => x.apiVersion.startsWith("aigateway.envoyproxy.io/")).flatMap((o) => catalog.validate(o).map((p) => `${t.label}: ${p}`));
}
