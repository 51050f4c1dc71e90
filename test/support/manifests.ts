import type { CustomResourceKind } from "../../specs";
import type { Manifest } from "../../specs/manifest";
import { validateManifest } from "./conformance";

/** CRD problems of builder output (absent objects are skipped), as the API server would report them. */
export function crdProblems(...manifests: (Manifest<CustomResourceKind> | undefined)[]): string[] {
    return manifests.flatMap((m) => (m === undefined ? [] : validateManifest({ ...m, metadata: { ...m.metadata } })));
}
