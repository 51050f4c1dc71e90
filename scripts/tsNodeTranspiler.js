"use strict";
/**
 * ts-node's transpiler for this project (tsconfig.json: `"ts-node": {"transpileOnly": true, "transpiler": ...}`):
 * ts-node's own swc transpiler, with a content-addressed cache in front of it. Every way the TypeScript is loaded goes
 * through it: `pulumi up` (Pulumi's run harness loads index.ts through ts-node with the project's tsconfig.json),
 * `npm run render`, the test suites. Once a file is cached, a process neither loads swc nor transpiles the file again:
 * about 0.15 s of every start.
 *
 * An entry, under node_modules/.cache (gone with the next `npm ci`), is named by a SHA-256 of everything its text
 * depends on: the source, the file's path, the compiler options ts-node resolved, swc's version and this file. An
 * edit or an upgrade is a new entry, never a stale one. Its text is exactly what ts-node's swc transpiler returned,
 * source map included.
 *
 * Plain JavaScript on purpose: this is what makes the TypeScript loadable.
 */
const { createHash } = require("crypto");
const fs = require("fs");
const path = require("path");

/** Where transpiled files are kept; AI_GATEWAY_TRANSPILE_CACHE points elsewhere (tests use a fresh folder). */
const CACHE_DIR = process.env.AI_GATEWAY_TRANSPILE_CACHE || path.join(__dirname, "..", "node_modules", ".cache", "ai-gateway", "transpiled");

/** The text cached under `key`, or the one `produce` makes, kept for the next process. */
function cached(key, produce) {
    const entry = path.join(CACHE_DIR, `${key}.json`);
    try {
        return fs.readFileSync(entry, "utf8");
    } catch {
        // Not cached yet: produced below.
    }
    const text = produce();
    try {
        fs.mkdirSync(CACHE_DIR, { recursive: true });
        // Written beside and renamed: a process reading the entry never sees half a file.
        const partial = `${entry}.${process.pid}.partial`;
        fs.writeFileSync(partial, text);
        fs.renameSync(partial, entry);
    } catch {
        // A read-only node_modules only costs the next process the transpilation.
    }
    return text;
}

/** The factory ts-node calls (its `transpiler` option); `createOptions` carries the compiler options it resolved. */
function create(createOptions) {
    /** ts-node's swc transpiler, made for the first file not in the cache (making it loads @swc/core). */
    let swc;
    const settings = JSON.stringify([
        JSON.parse(fs.readFileSync(createOptions.transpilerConfigLocalResolveHelper("@swc/core/package.json", true), "utf8")).version,
        fs.readFileSync(__filename, "utf8"),
        createOptions.service.config.options,
        createOptions.nodeModuleEmitKind ?? null,
    ]);
    return {
        transpile(input, transpileOptions) {
            const key = createHash("sha256").update(settings).update("\0").update(transpileOptions.fileName).update("\0").update(input).digest("hex");
            const text = cached(key, () => {
                swc ??= require("ts-node/transpilers/swc").create(createOptions);
                const { outputText, sourceMapText } = swc.transpile(input, transpileOptions);
                return JSON.stringify({ outputText, sourceMapText });
            });
            return JSON.parse(text);
        },
    };
}

module.exports = { CACHE_DIR, create };
