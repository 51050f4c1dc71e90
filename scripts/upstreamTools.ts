/**
 * Builds the pinned upstream translators (`egctl`, `aigw`) from Go modules into a gitignored cache,
 * for `npm run test:upstream`. Idempotent: a tool already built from the same module version with the
 * same Go is kept. Prints what it builds and how long each build took.
 *
 *   npm run upstream:tools            # build what is missing, print where the tools are
 *   AI_GATEWAY_TOOLS_DIR=/some/dir    # cache elsewhere (default: .cache/upstream-tools)
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UPSTREAM_TOOLS } from "../components/manifests/versions";

export type ToolName = keyof typeof UPSTREAM_TOOLS;

export interface BuiltTool {
    /** Absolute path of the executable. */
    bin: string;
    module: string;
    version: string;
    /** The module's source in the Go module cache (read by tests, never copied). */
    moduleDir: string;
}

export type ToolManifest = Record<ToolName, BuiltTool> & { go: string };

export function toolsDirectory(): string {
    return resolve(process.env.AI_GATEWAY_TOOLS_DIR || join(__dirname, "..", ".cache", "upstream-tools"));
}

export function manifestPath(dir = toolsDirectory()): string {
    return join(dir, "tools.json");
}

/** The manifest a previous build wrote, or an error that says how to build the tools. */
export function readToolManifest(dir = toolsDirectory()): ToolManifest {
    const path = manifestPath(dir);
    if (!existsSync(path)) throw new Error(`${path} not found: build the upstream tools first with \`npm run upstream:tools\``);
    const manifest = JSON.parse(readFileSync(path, "utf8")) as ToolManifest;
    for (const name of Object.keys(UPSTREAM_TOOLS) as ToolName[]) {
        const tool = manifest[name];
        if (!tool || tool.version !== UPSTREAM_TOOLS[name].version || !existsSync(tool.bin)) {
            throw new Error(`${name} ${UPSTREAM_TOOLS[name].version} is not built in ${dir}: run \`npm run upstream:tools\``);
        }
    }
    return manifest;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
    const result = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw new Error(`${cmd} ${args.join(" ")}: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${result.status}:\n${result.stderr}`);
    return result.stdout.trim();
}

function goEnv(): NodeJS.ProcessEnv {
    // The local Go only (a toolchain download cannot succeed here), and the module's own go.sum as is.
    return { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" };
}

/**
 * Files added to a tool's package before it is built. aigw v1.x still has the offline translation
 * (cmd/aigw/translate.go, which `aigw run` uses) but no subcommand for it: the hook calls it.
 */
const HOOKS: Partial<Record<ToolName, { file: string; into: string }>> = {
    aigw: { file: join(__dirname, "aigwTranslate.go"), into: "cmd/aigw/zz_translate_hook.go" },
};

/**
 * Builds one tool as its own module builds it (its go.mod and go.sum, from the module proxy at the
 * pinned version). `go install pkg@version` would also ask the proxy for the module's version list,
 * which the proxy refuses for github.com/envoyproxy/ai-gateway.
 */
function buildTool(name: ToolName, dir: string, goVersion: string): BuiltTool {
    const spec = UPSTREAM_TOOLS[name];
    const env = goEnv();
    const bin = join(dir, "bin", name);
    const stampPath = `${bin}.stamp`;
    const hook = HOOKS[name];
    const hookText = hook ? readFileSync(hook.file, "utf8") : "";
    const stamp = `${spec.package}@${spec.version} ${goVersion} ${createHash("sha256").update(hookText).digest("hex").slice(0, 16)}`;

    const download = () => JSON.parse(run("go", ["mod", "download", "-json", `${spec.module}@${spec.version}`], dir, env)) as { Dir?: string; Error?: string };
    if (existsSync(bin) && existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp) {
        const moduleDir = download().Dir;
        if (moduleDir && existsSync(moduleDir)) {
            console.log(`${name} ${spec.version}: present (${bin})`);
            return { bin, module: spec.module, version: spec.version, moduleDir };
        }
    }

    console.log(`${name} ${spec.version}: building ${spec.package} with ${goVersion} ...`);
    const started = Date.now();
    const downloaded = download();
    if (!downloaded.Dir) throw new Error(`go mod download ${spec.module}@${spec.version}: ${downloaded.Error ?? "no directory"}`);
    const moduleDir = downloaded.Dir;
    let sourceDir = moduleDir;
    if (hook) {
        // The module cache is read-only and cannot be overlaid: build a copy with the hook beside the package.
        sourceDir = join(dir, `${name}-src`);
        rmSync(sourceDir, { recursive: true, force: true });
        cpSync(moduleDir, sourceDir, { recursive: true });
        run("chmod", ["-R", "u+w", sourceDir], dir, env);
        writeFileSync(join(sourceDir, hook.into), hookText);
    }
    mkdirSync(join(dir, "bin"), { recursive: true });
    rmSync(stampPath, { force: true });
    const relativePackage = `./${spec.package.slice(spec.module.length + 1)}`;
    run("go", ["build", "-trimpath", "-ldflags=-s -w", "-o", bin, relativePackage], sourceDir, env);
    writeFileSync(stampPath, stamp);
    console.log(`${name} ${spec.version}: built in ${((Date.now() - started) / 1000).toFixed(0)} s (${bin})`);
    return { bin, module: spec.module, version: spec.version, moduleDir };
}

/** Builds every missing tool and writes the manifest the upstream tests read. */
export function buildUpstreamTools(dir = toolsDirectory()): ToolManifest {
    mkdirSync(dir, { recursive: true });
    const goVersion = run("go", ["env", "GOVERSION"], dir, goEnv());
    const manifest = { go: goVersion } as ToolManifest;
    for (const name of Object.keys(UPSTREAM_TOOLS) as ToolName[]) manifest[name] = buildTool(name, dir, goVersion);
    writeFileSync(manifestPath(dir), JSON.stringify(manifest, null, 2) + "\n");
    return manifest;
}

if (require.main === module) {
    try {
        const started = Date.now();
        buildUpstreamTools();
        console.log(`upstream tools ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    } catch (e) {
        process.stderr.write(`upstream tools: ${(e as Error).message}\n`);
        process.exit(1);
    }
}
