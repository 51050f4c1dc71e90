/**
 * `npm run test:e2e`, stage 1: the pinned CRDs and every object of the dev and prod renders (and of the
 * upstream fixtures, which switch every feature on), server-side
 * applied to a real API server (etcd and kube-apiserver as local processes). The real validation decides:
 * core objects, CRD structural schemas with pruning (what the server stored is compared with what was
 * sent), defaults and CEL rules. No controller runs, so no status is checked here.
 */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { KINDS } from "../../components/specs/customResource";
import { readToolManifest } from "../../scripts/upstreamTools";
import { crdDirectory } from "../support/conformance";
import { renderObjects } from "../upstream/translate";
import { type ControlPlane, startControlPlane } from "./controlPlane";
import { Kube, type KubeObject, notStoredAsSent } from "./kube";

const ROOT = join(__dirname, "..", "..");

/** Every CustomResourceDefinition of the pinned versions (../shared/crds, or AI_GATEWAY_CRD_DIR). */
function pinnedCrds(): KubeObject[] {
    const dir = crdDirectory();
    return (readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as KubeObject | null))
        .filter((o): o is KubeObject => o?.kind === "CustomResourceDefinition");
}

/**
 * Namespaces first, then the program's registration order (its dependency order). Namespaces the objects
 * name but the program does not create (a passthrough target's, the monitoring stack's) are the cluster's:
 * they are created too, as a real cluster would have them.
 */
function applyOrder(objects: KubeObject[]): KubeObject[] {
    const created = new Set(objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
    const theClusters = [...new Set(objects.map((o) => o.metadata.namespace).filter((ns): ns is string => ns !== undefined && !created.has(ns)))].sort();
    return [
        ...theClusters.map((name): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } })),
        ...objects.filter((o) => o.kind === "Namespace"),
        ...objects.filter((o) => o.kind !== "Namespace"),
    ];
}

/** Kinds whose CRDs come from elsewhere (the Prometheus operator's ServiceMonitor): not in the pinned set. */
const EXTERNAL_API_VERSIONS = new Set(Object.values(KINDS).filter((k) => k.crds === "external").map((k) => k.apiVersion));

describe("e2e stage 1: a real API server accepts and stores everything the program renders", function () {
    this.timeout(300_000);
    let cp: ControlPlane | undefined;
    let kube: Kube;

    before(async () => {
        const { kubeApiserver } = readToolManifest("e2e");
        cp = await startControlPlane(kubeApiserver.bin);
        kube = new Kube(cp);
        await kube.discover();
    });

    after(async () => {
        await cp?.stop();
    });

    it("the pinned CRDs apply and become Established", async () => {
        const crds = pinnedCrds();
        assert.ok(crds.length > 20, `${crds.length} CRDs`);
        const refused: string[] = [];
        for (const crd of crds) {
            const r = await kube.apply(crd);
            if (r.status >= 300) refused.push(`${crd.metadata.name}: ${r.status} ${String(r.body.message)}`);
        }
        assert.deepEqual(refused, []);
        const deadline = Date.now() + 60_000;
        let pending = crds.map((c) => c.metadata.name);
        while (pending.length > 0 && Date.now() < deadline) {
            const still: string[] = [];
            for (const name of pending) {
                const stored = await kube.get({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name } });
                const conditions = ((stored?.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []);
                if (!conditions.some((c) => c.type === "Established" && c.status === "True")) still.push(name);
            }
            pending = still;
            if (pending.length > 0) await new Promise((r) => setTimeout(r, 500));
        }
        assert.deepEqual(pending, [], "not Established");
        await kube.discover();
    });

    const fixtures = join(ROOT, "test", "upstream", "fixtures");
    const cases = [
        ...["dev", "prod"].map((s) => ({ stack: s, file: join(ROOT, `Pulumi.${s}.yaml`) })),
        // The upstream corpus switches every configuration feature on.
        ...readdirSync(fixtures)
            .filter((f) => f.endsWith(".yaml"))
            .sort()
            .map((f) => ({ stack: `fixture ${f}`, file: join(fixtures, f) })),
        // Per-request credentials on every cloud credential type (the CRD's CEL rules on credentialOverride).
        { stack: "fixture test/fixtures/provider-credentials.yaml", file: join(ROOT, "test", "fixtures", "provider-credentials.yaml") },
    ];
    for (const { stack, file } of cases) {
        it(`every object of the ${stack} render is accepted by server-side apply and stored as sent (nothing pruned)`, async () => {
            const objects = applyOrder((await renderObjects(file)) as KubeObject[]);
            const problems: string[] = [];
            for (const o of objects.filter((x) => !EXTERNAL_API_VERSIONS.has(x.apiVersion))) {
                const what = `${stack}: ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
                const r = await kube.apply(o);
                if (r.status >= 300) {
                    problems.push(`${what}: refused (${r.status}): ${String(r.body.message)}`);
                    continue;
                }
                const stored = await kube.get(o);
                // A Secret's stringData is stored as data (base64): compare the decoded values.
                const { stringData, ...rest } = o as KubeObject & { stringData?: Record<string, string> };
                const sent = stringData ? { ...rest, data: Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v).toString("base64")])) } : o;
                problems.push(...notStoredAsSent(sent, stored).map((p) => `${what}: ${p}`));
            }
            assert.deepEqual(problems, []);
            assert.ok(objects.length > 10, `${objects.length} objects`);
        });
    }
});
