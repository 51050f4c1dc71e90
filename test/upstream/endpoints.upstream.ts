/**
 * `npm run test:upstream`: the passthrough catch-all's endpoint list (AI_GATEWAY_ENDPOINTS) is the AI
 * Gateway v1.1.0 extProc's own table, read from the v1.1.0 source.
 */
import * as assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { AI_GATEWAY_ENDPOINTS, catchAllPathRegexes } from "../../plan/passthrough";
import { endpointListProblems, upstreamEndpoints } from "./endpoints";
import { AI_GATEWAY_SOURCE_ROOT, unpackAiGatewaySource } from "./archive";

describe("upstream: the AI Gateway v1.1.0 endpoint table", () => {
    let dir = "";
    let source = "";
    before(() => {
        dir = unpackAiGatewaySource(["cmd/extproc/mainlib/main.go", "internal/internalapi/internalapi.go"]);
        source = join(dir, AI_GATEWAY_SOURCE_ROOT);
    });
    after(() => {
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("AI_GATEWAY_ENDPOINTS lists exactly the paths v1.1.0's extProc registers", () => {
        assert.deepEqual(endpointListProblems(source, AI_GATEWAY_ENDPOINTS), []);
    });

    it("the catch-all's path expressions leave out each of them, and only them", () => {
        const parts = catchAllPathRegexes().map((p) => new RegExp(`^(?:${p})$`));
        for (const e of upstreamEndpoints(source)) {
            assert.equal(parts.filter((r) => r.test(e)).length, 0, e);
            for (const near of [`${e}/`, `${e}/x`, `${e}x`, e.slice(0, -1)]) assert.equal(parts.filter((r) => r.test(near)).length, 1, near);
        }
    });
});
