/**
 * `npm run test:upstream`: the passthrough catch-all's endpoint list (AI_GATEWAY_ENDPOINTS) is the AI
 * Gateway v1.1.0 extProc's own table, read from the v1.1.0 source.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AI_GATEWAY_ENDPOINTS, catchAllPathRegexes } from "../../plan/passthrough";
import { endpointListProblems, upstreamEndpoints } from "./endpoints";

/** The source archives (../shared/upstream, or AI_GATEWAY_UPSTREAM_ARCHIVES). */
const ARCHIVES = resolve(process.env.AI_GATEWAY_UPSTREAM_ARCHIVES || join(__dirname, "..", "..", "..", "shared", "upstream"));
const ARCHIVE = join(ARCHIVES, "ai-gateway-v1.1.0.tar.gz");

describe("upstream: the AI Gateway v1.1.0 endpoint table", () => {
    let dir = "";
    let source = "";
    before(() => {
        assert.ok(existsSync(ARCHIVE), `${ARCHIVE} is missing: set AI_GATEWAY_UPSTREAM_ARCHIVES to the folder of the upstream source archives`);
        dir = mkdtempSync(join(tmpdir(), "ai-gateway-v1.1.0-"));
        const files = ["ai-gateway-v1.1.0/cmd/extproc/mainlib/main.go", "ai-gateway-v1.1.0/internal/internalapi/internalapi.go"];
        const tar = spawnSync("tar", ["xzf", ARCHIVE, "-C", dir, ...files], { encoding: "utf8" });
        assert.equal(tar.status, 0, `tar xzf ${ARCHIVE}: ${tar.stderr}`);
        source = join(dir, "ai-gateway-v1.1.0");
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
