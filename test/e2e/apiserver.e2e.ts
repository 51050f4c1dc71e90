/**
 * `npm run test:e2e`, stage 1: the pinned CRDs and every object of the dev and prod renders (and of the
 * upstream fixtures, which switch every feature on), server-side
 * applied to a real API server (etcd and kube-apiserver as local processes). The real validation decides:
 * core objects, CRD structural schemas with pruning (what the server stored is compared with what was
 * sent), defaults and CEL rules. No controller runs, so no status is checked here.
 */
import * as assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readToolManifest } from "../../tools/upstreamTools";
import { renderObjects } from "../upstream/translate";
import { applicable, applyCrds, describeObject } from "./cluster";
import { type ControlPlane, startControlPlane } from "./controlPlane";
import { Kube, type KubeObject, notStoredAsSent } from "./kube";

const ROOT = join(__dirname, "..", "..");

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
        assert.deepEqual(await applyCrds(kube), []);
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
            const objects = applicable((await renderObjects(file)) as KubeObject[]);
            const problems: string[] = [];
            for (const o of objects) {
                const what = `${stack}: ${describeObject(o)}`;
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
