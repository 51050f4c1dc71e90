import * as assert from "node:assert/strict";
import fc from "fast-check";
import { toJson, toYaml } from "../scripts/format";
import { evaluate, stackFileConfig } from "./harness";

type Raw = Record<string, unknown>;
type Named = Record<string, unknown>;

/** The same map with its keys in another order. */
function reorder(map: Named, order: number[]): Named {
    const keys = Object.keys(map);
    return Object.fromEntries(order.map((i) => keys[i]).map((k) => [k, map[k]]));
}

/** Logical name → inputs, for every registered resource. */
async function byName(raw: Raw): Promise<Map<string, string>> {
    const e = await evaluate(raw);
    return new Map(e.resources.map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.inputs)]));
}

const base = stackFileConfig("dev");

describe("stability: names and output do not depend on order or on unrelated changes", function () {
    this.timeout(60000);

    it("the same input gives the same bytes", async () => {
        for (const stack of ["dev", "prod"]) {
            const a = await evaluate(stackFileConfig(stack));
            const yaml = toYaml(a.resources);
            const json = toJson(a.resources);
            const b = await evaluate(stackFileConfig(stack));
            assert.equal(toYaml(b.resources), yaml);
            assert.equal(toJson(b.resources), json);
        }
    });

    it("reordering backends and models changes no name and no object", async () => {
        const expected = toYaml((await evaluate(base)).resources);
        const expectedNames = await byName(base);
        const backends = base.backends as Named;
        const models = base.models as Named;
        await fc.assert(
            fc.asyncProperty(
                fc.shuffledSubarray([...Object.keys(backends).keys()], { minLength: Object.keys(backends).length }),
                fc.shuffledSubarray([...Object.keys(models).keys()], { minLength: Object.keys(models).length }),
                async (bo, mo) => {
                    const raw = { ...base, backends: reorder(backends, bo), models: reorder(models, mo) };
                    assert.equal(toYaml((await evaluate(raw)).resources), expected);
                    // Logical names too: a renamed resource would be replaced by `pulumi up`.
                    assert.deepEqual(await byName(raw), expectedNames);
                },
            ),
            { numRuns: 4 },
        );
    });

    it("adding a model and a backend of its own renames nothing and changes only the route it lands on", async () => {
        const before = await byName(base);
        const after = await byName({
            ...base,
            // First in the maps, so anything named by position would shift.
            // Priced, as the stack's spend budget wants of every model.
            backends: {
                "extra-a": { schema: "OpenAI", hostname: "extra-a.default.svc.cluster.local", port: 80, prices: { "Extra/Model-1.0": { input: 1, output: 2 } } },
                "extra-b": { schema: "OpenAI", hostname: "extra-b.default.svc.cluster.local", port: 80, prices: { "Extra/Model-1.0": { input: 1, output: 2 } } },
                ...(base.backends as Named),
            },
            models: { "Extra/Model-1.0": { backends: [{ backend: "extra-a" }, { backend: "extra-b" }] }, ...(base.models as Named) },
        });
        const changed = [...before].filter(([name, inputs]) => after.has(name) && after.get(name) !== inputs).map(([n]) => n);
        const gone = [...before.keys()].filter((n) => !after.has(n));
        assert.deepEqual(gone, []);
        // At most the AIGatewayRoute that gains a rule and the policy that carries its rules may change.
        assert.ok(changed.every((n) => /AIGatewayRoute::|BackendTrafficPolicy::/.test(n)), changed.join(", "));
        assert.ok(changed.length <= 2, changed.join(", "));
    });

    it("removing a model and its backends deletes only their objects", async () => {
        const models = base.models as Named;
        const [victim] = Object.keys(models);
        const rest = Object.fromEntries(Object.entries(models).filter(([k]) => k !== victim));
        const before = await byName(base);
        const after = await byName({ ...base, models: rest });
        for (const [name, inputs] of after) {
            assert.ok(before.has(name), `${name} appeared`);
            if (!/AIGatewayRoute::|BackendTrafficPolicy::/.test(name)) assert.equal(inputs, before.get(name), `${name} changed`);
        }
    });
});
