/**
 * The property "600 valid configurations parse, and every custom resource they produce passes the CRDs", split by
 * case index over several spec files so that `npm test`'s parallel workers share it (it is the suite's largest
 * single piece of work). Every shard generates the same 600 configurations from the same seed and checks the ones
 * whose index it owns; together the shards check all 600, each exactly as one run would.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { parseConfig } from "../../plan";
import { validConfig } from "./arbitraries";
import { catalog } from "./conformance";
import { plannedCustomResources } from "./plan";

export const VALID_RUNS = 600;

/** Same seed per run of the suite unless FC_SEED says otherwise, so a failure reproduces. */
export const propertySeed = (): number => (process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261122);

/**
 * `check` for the cases of this shard, in the order fast-check generates them (case i belongs to shard i mod count).
 * Once a case fails, every later call is fast-check shrinking that case, and each is checked.
 */
export function onlyShard<T>(shard: number, count: number, check: (value: T) => void): (value: T) => void {
    let index = 0;
    let shrinking = false;
    return (value) => {
        if (!shrinking && index++ % count !== shard) return;
        try {
            check(value);
        } catch (e) {
            shrinking = true;
            throw e;
        }
    };
}

/** Registers the test for shard `shard` (0-based) of `count`. */
export function validConfigurationsPass(shard: number, count: number): void {
    const cases = Math.ceil((VALID_RUNS - shard) / count);
    it(`${VALID_RUNS} valid configurations parse, and every custom resource they produce passes the CRDs (the ${cases} of part ${shard + 1} of ${count})`, function () {
        this.timeout(60000);
        let checked = 0;
        fc.assert(
            fc.property(
                validConfig,
                onlyShard(shard, count, (raw: Record<string, unknown>) => {
                    checked++;
                    const config = parseConfig(raw);
                    for (const object of plannedCustomResources(config)) {
                        assert.deepEqual(catalog().validate(JSON.parse(JSON.stringify(object))), []);
                    }
                }),
            ),
            { numRuns: VALID_RUNS, seed: propertySeed() },
        );
        assert.equal(checked, cases, "every case of this part was checked");
    });
}
