/**
 * `npm test`: the pinned CRDs first (one message, before anything else starts, when nothing can provide them), then
 * the type check and the mocha suite side by side. Mocha runs its spec files in parallel workers, one per core (at
 * least two), which take the next file as each finishes, so the type check and the workers share the cores. Mocha
 * prints as it goes; the type check's output follows it, whole. Fails when either fails, and says which. The workers
 * get the longest files first (scripts/specOrder.ts); the order goes to mocha in a copy of .mocharc.json in .cache/.
 *
 * The type check is incremental: its state is kept in `.cache/typecheck.tsbuildinfo` (gitignored), so a second run
 * checks only what changed. Arguments go to mocha (`npm test -- --grep routes`).
 *
 * Both are started by this process and stopped by their process ids when it is interrupted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { pinnedCrdDirectory } from "../tools/upstreamCrds";
import { longestFirst } from "./specOrder";

const ROOT = join(__dirname, "..");

interface Finished {
    code: number | null;
    signal: NodeJS.Signals | null;
    output: string;
    /** Wall seconds from the start of both. */
    seconds: number;
}

const started = Date.now();

const running = new Set<ChildProcess>();

/** Runs `node [options] <script> <args>` in the repository; its output is shown as it comes (`live`) or kept. */
function node(options: string[], script: string, args: string[], live: boolean): Promise<Finished> {
    const child = spawn(process.execPath, [...options, script, ...args], { cwd: ROOT, stdio: live ? "inherit" : ["ignore", "pipe", "pipe"] });
    running.add(child);
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => chunks.push(c));
    child.stderr?.on("data", (c: Buffer) => chunks.push(c));
    return new Promise((resolve) => {
        child.once("error", (e) => chunks.push(Buffer.from(`${script}: ${e.message}\n`)));
        child.once("close", (code, signal) => {
            running.delete(child);
            resolve({ code, signal, output: Buffer.concat(chunks).toString("utf8"), seconds: (Date.now() - started) / 1000 });
        });
    });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
        for (const child of running) if (child.pid !== undefined) process.kill(child.pid, signal);
        process.exitCode = 130;
    });
}

/** Mocha's own option parsing and file lookup, so the files are exactly those mocha would run. */
interface MochaCli {
    loadOptions(argv: string[]): { _: string[]; [option: string]: unknown };
}
type CollectFiles = (options: Record<string, unknown>) => { files: string[] };

/**
 * A mocha config file for this run: .mocharc.json with its spec files listed longest first, or, when the arguments
 * name spec files, with none of its own (mocha would otherwise run its whole spec beside the named files).
 */
function orderedConfig(args: string[]): string {
    const { loadOptions } = require("mocha/lib/cli/options.cjs") as MochaCli;
    const collectFiles = require("mocha/lib/cli/collect-files.cjs") as CollectFiles;
    const { loadConfig } = require("mocha/lib/cli/config.cjs") as { loadConfig(file: string): Record<string, unknown> };
    const config = loadConfig(join(ROOT, ".mocharc.json"));
    delete config.spec;
    if (loadOptions(["--no-config", ...args])._.length === 0) {
        const options = loadOptions([]);
        const { files } = collectFiles({ ...options, spec: options._, file: [], ignore: options.ignore ?? [] });
        let durations: Record<string, unknown> = {};
        try {
            durations = JSON.parse(readFileSync(join(ROOT, ".cache", "test-durations.json"), "utf8")) as Record<string, unknown>;
        } catch {
            // no earlier run: name order
        }
        config.spec = longestFirst(files.map((f) => relative(ROOT, f)), durations);
    }
    mkdirSync(join(ROOT, ".cache"), { recursive: true });
    const file = join(ROOT, ".cache", "mocharc.ordered.json");
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
    return file;
}

async function main(): Promise<number> {
    try {
        pinnedCrdDirectory((line) => console.log(line));
    } catch (e) {
        process.stderr.write(`\nThe tests cannot start: ${(e as Error).message}\n\n`);
        return 1;
    }
    const args = process.argv.slice(2);
    const config = orderedConfig(args);
    const typecheck = node(
        [],
        require.resolve("typescript/bin/tsc"),
        ["--noEmit", "-p", ".", "--incremental", "--tsBuildInfoFile", join(".cache", "typecheck.tsbuildinfo"), "--pretty", String(process.stdout.isTTY === true)],
        false,
    );
    // A larger young generation: the suite allocates many short-lived objects, and collects them a tenth faster so.
    // The workers inherit the option.
    const jobs = String(Math.max(2, availableParallelism()));
    const mocha = node(["--max-semi-space-size=64"], require.resolve("mocha/bin/mocha.js"), ["--config", config, "--parallel", "--jobs", jobs, ...args], true);
    const [types, tests] = await Promise.all([typecheck, mocha]);
    const failed = (r: Finished) => r.code !== 0;
    if (types.output.trim() !== "" || failed(types)) process.stdout.write(`\ntype check (tsc --noEmit):\n${types.output}`);
    if (failed(types)) process.stderr.write(`npm test: the type check failed (${types.signal ?? `exit ${types.code}`})\n`);
    if (failed(tests)) process.stderr.write(`npm test: the tests failed (${tests.signal ?? `exit ${tests.code}`})\n`);
    process.stdout.write(`type check ${types.seconds.toFixed(1)} s, tests ${tests.seconds.toFixed(1)} s, side by side\n`);
    return failed(types) || failed(tests) ? 1 : 0;
}

main().then(
    (code) => (process.exitCode = process.exitCode || code),
    (e: Error) => {
        process.stderr.write(`npm test: ${e.message}\n`);
        process.exitCode = 1;
    },
);
