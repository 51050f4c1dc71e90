import * as assert from "node:assert/strict";
import { longestFirst } from "../scripts/specOrder";

describe("npm test: the order of the spec files", () => {
    it("longest recorded duration first; files without one (new, or a first run) before all, in name order", () => {
        const files = ["test/a.spec.ts", "test/b.spec.ts", "test/c.spec.ts", "test/d.spec.ts", "test/e.spec.ts", "test/f.spec.ts"];
        const durations = { "test/a.spec.ts": 20, "test/b.spec.ts": 9000, "test/c.spec.ts": 20, "test/e.spec.ts": "slow", "test/f.spec.ts": -1, "test/gone.spec.ts": 1e6 };
        assert.deepEqual(longestFirst(files, durations), ["test/d.spec.ts", "test/e.spec.ts", "test/f.spec.ts", "test/b.spec.ts", "test/a.spec.ts", "test/c.spec.ts"]);
        assert.deepEqual(longestFirst([...files].reverse(), durations), longestFirst(files, durations), "the same whatever order the files were found in");
        assert.deepEqual(longestFirst(files, {}), files);
    });
});
