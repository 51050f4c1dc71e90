/**
 * Builds the pinned upstream tools from Go modules into a gitignored cache: the translators (`egctl`,
 * `aigw`) for `npm run test:upstream`; kube-apiserver and the two controllers for `npm run test:e2e`. Idempotent: a tool already built from the same module version with the
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
import { LOCAL_PROCESS_BUILDS, type LocalProcessBuild } from "./localProcessPatches";

export type ToolName = keyof typeof UPSTREAM_TOOLS;

export interface BuiltTool {
    /** Absolute path of the executable. */
    bin: string;
    module: string;
    version: string;
    /** The module's source in the Go module cache (read by tests, never copied). */
    moduleDir: string;
}

export type ToolManifest = Partial<Record<ToolName, BuiltTool>> & { go: string };

/** Which tools each suite needs: `npm run upstream:tools` builds the first set, `npm run e2e:tools` the second. */
export const TOOL_SETS = { upstream: ["egctl", "aigw"], e2e: ["kubeApiserver", "envoyGateway", "aiGatewayController"] } as const satisfies Record<string, readonly ToolName[]>;
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
    const localBuild = LOCAL_PROCESS_BUILDS[name];
    const changes = hookText + (localBuild ? JSON.stringify(localBuild) : "");
    const stamp = `${spec.package}@${spec.version} ${goVersion} ${createHash("sha256").update(changes).digest("hex").slice(0, 16)}`;

    const download = () => JSON.parse(run("go", ["mod", "download", "-json", `${spec.module}@${spec.version}`], dir, env)) as { Dir?: string; GoMod?: string; Error?: string };
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
    if (hook || localBuild) {
        // The module cache is read-only and `go build -overlay` refuses files in it: build a copy.
        sourceDir = join(dir, `${name}-src`);
        rmSync(sourceDir, { recursive: true, force: true });
        cpSync(moduleDir, sourceDir, { recursive: true });
        run("chmod", ["-R", "u+w", sourceDir], dir, env);
        if (hook) writeFileSync(join(sourceDir, hook.into), hookText);
        if (localBuild) applyPatches(name, localBuild, sourceDir);
    }
    mkdirSync(join(dir, "bin"), { recursive: true });
    rmSync(stampPath, { force: true });
    const relativePackage = `./${spec.package.slice(spec.module.length + 1)}`;
    if ("staging" in spec && spec.staging) {
        buildThroughStagingModules(name, spec, downloaded, bin, dir, goVersion);
    } else {
        const linkValues = Object.entries(localBuild?.linkValues ?? {}).map(([k, v]) => ` -X ${k}=${v}`).join("");
        run("go", ["build", "-trimpath", `-ldflags=-s -w${linkValues}`, "-o", bin, relativePackage], sourceDir, env);
    }
    writeFileSync(stampPath, stamp);
    console.log(`${name} ${spec.version}: built in ${((Date.now() - started) / 1000).toFixed(0)} s (${bin})`);
    return { bin, module: spec.module, version: spec.version, moduleDir };
}

/**
 * Applies a local-process build's patches (scripts/localProcessPatches.ts) to a writable copy of the module.
 * A replacement found a different number of times than stated fails the build, naming the file and the text.
 */
export function applyPatches(name: ToolName, build: LocalProcessBuild, sourceDir: string): void {
    for (const patch of build.patches) {
        const path = join(sourceDir, patch.file);
        let text = readFileSync(path, "utf8");
        for (const [from, to, times] of patch.replace) {
            const found = text.split(from).length - 1;
            if (found !== times) throw new Error(`${name}: ${patch.file} has ${JSON.stringify(from)} ${found} times, expected ${times}; update scripts/localProcessPatches.ts for this version`);
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
function buildThroughStagingModules(name: ToolName, spec: { module: string; package: string; version: string }, downloaded: { GoMod?: string }, bin: string, dir: string, goVersion: string): void {
    const goMod = readFileSync(downloaded.GoMod ?? "", "utf8");
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

/** Builds every missing tool of a set and adds them to the manifest the tests read. */
export function buildUpstreamTools(set: ToolSet = "upstream", dir = toolsDirectory()): ToolManifest {
    mkdirSync(dir, { recursive: true });
    const goVersion = run("go", ["env", "GOVERSION"], dir, goEnv());
    const path = manifestPath(dir);
    const previous = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as ToolManifest) : undefined;
    const manifest: ToolManifest = previous?.go === goVersion ? previous : { go: goVersion };
    for (const name of TOOL_SETS[set]) manifest[name] = buildTool(name, dir, goVersion);
    writeFileSync(path, JSON.stringify(manifest, null, 2) + "\n");
    return manifest;
}

if (require.main === module) {
    try {
        const started = Date.now();
        const set = (process.argv[2] ?? "upstream") as ToolSet;
        if (!Object.hasOwn(TOOL_SETS, set)) throw new Error(`unknown tool set "${set}"; use one of ${Object.keys(TOOL_SETS).join(", ")}`);
        buildUpstreamTools(set);
        console.log(`${set} tools ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    } catch (e) {
        process.stderr.write(`upstream tools: ${(e as Error).message}\n`);
        process.exit(1);
    }
}
