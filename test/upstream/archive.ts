/** The AI Gateway v1.1.0 source archive (../shared/upstream, or AI_GATEWAY_UPSTREAM_ARCHIVES), unpacked in part. */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ARCHIVES = resolve(process.env.AI_GATEWAY_UPSTREAM_ARCHIVES || join(__dirname, "..", "..", "..", "shared", "upstream"));
const ARCHIVE = join(ARCHIVES, "ai-gateway-v1.1.0.tar.gz");
/** The archive's top folder. */
export const AI_GATEWAY_SOURCE_ROOT = "ai-gateway-v1.1.0";

/** Unpacks `paths` (relative to the archive's top folder) into a new temporary folder; returns that folder. */
export function unpackAiGatewaySource(paths: readonly string[]): string {
    assert.ok(existsSync(ARCHIVE), `${ARCHIVE} is missing: set AI_GATEWAY_UPSTREAM_ARCHIVES to the folder of the upstream source archives`);
    const dir = mkdtempSync(join(tmpdir(), `${AI_GATEWAY_SOURCE_ROOT}-`));
    const tar = spawnSync("tar", ["xzf", ARCHIVE, "-C", dir, ...paths.map((p) => `${AI_GATEWAY_SOURCE_ROOT}/${p}`)], { encoding: "utf8" });
    assert.equal(tar.status, 0, `tar xzf ${ARCHIVE}: ${tar.stderr}`);
    return dir;
}
