/**
 * Where the source of a pinned upstream module comes from: the Go module proxy first (`go mod download`), and,
 * for the versions the proxy refuses ("This module version is not available"), a source archive of the same
 * tag or commit, unpacked once into the gitignored tool cache. The archives are read from
 * `AI_GATEWAY_UPSTREAM_ARCHIVES` (a folder), else `../shared/upstream` beside the repository. Nothing of them
 * is ever copied into the repository.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface ModuleSource {
    /** The module's source folder: read-only in the Go module cache, writable when unpacked from an archive. */
    dir: string;
    /** Its go.mod. */
    goMod: string;
    /** `module proxy`, or the archive's path. */
    from: string;
}

export interface SourceSpec {
    module: string;
    version: string;
    /** A source archive of the same version (file name), for when the module proxy refuses it. */
    archive?: string;
}

export function archiveDirectory(): string {
    return resolve(process.env.AI_GATEWAY_UPSTREAM_ARCHIVES || join(__dirname, "..", "..", "shared", "upstream"));
}

export function goEnv(): NodeJS.ProcessEnv {
    // The local Go only (a toolchain download cannot succeed here), and the module's own go.sum as is.
    return { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" };
}

/** `go mod download -json`: the module's folder, or the proxy's reason for refusing it. */
function download(module: string, version: string, cwd: string): { dir?: string; goMod?: string; error?: string } {
    const result = spawnSync("go", ["mod", "download", "-json", `${module}@${version}`], { cwd, env: goEnv(), encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
    if (result.error) return { error: `go: ${result.error.message}` };
    try {
        const parsed = JSON.parse(result.stdout) as { Dir?: string; GoMod?: string; Error?: string };
        if (parsed.Dir && existsSync(parsed.Dir)) return { dir: parsed.Dir, goMod: parsed.GoMod };
        return { error: parsed.Error ?? `exited ${result.status}` };
    } catch {
        return { error: (result.stderr || `exited ${result.status}`).trim() };
    }
}

/**
 * Unpacks an archive into `<cacheDir>/sources/<top folder>` once (unpacked beside and renamed, so an interrupted
 * unpack is never taken for a whole one). The archive's single top folder is named like the archive.
 */
function unpack(archive: string, cacheDir: string): string {
    const top = archive.replace(/^.*\//, "").replace(/\.tar\.gz$/, "");
    const sources = join(cacheDir, "sources");
    const target = join(sources, top);
    const stamp = `${target}.stamp`;
    const identity = `${archive} ${statSync(archive).size} ${statSync(archive).mtimeMs}`;
    if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, "utf8") === identity) return target;
    const staging = join(sources, `.unpacking-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const tar = spawnSync("tar", ["xzf", archive, "-C", staging], { encoding: "utf8" });
    if (tar.status !== 0) throw new Error(`tar xzf ${archive}: ${tar.stderr || tar.error?.message}`);
    if (!existsSync(join(staging, top))) throw new Error(`${archive} does not unpack to one folder named ${top}`);
    renameSync(join(staging, top), target);
    rmSync(staging, { recursive: true, force: true });
    writeFileSync(stamp, identity);
    return target;
}

/**
 * The source of a module at a version: from the module proxy, else from its archive. An error names both
 * sources and how to provide one.
 */
export function moduleSource(spec: SourceSpec, cacheDir: string): ModuleSource {
    mkdirSync(cacheDir, { recursive: true });
    const downloaded = download(spec.module, spec.version, cacheDir);
    if (downloaded.dir) return { dir: downloaded.dir, goMod: downloaded.goMod ?? join(downloaded.dir, "go.mod"), from: "module proxy" };
    if (!spec.archive) throw new Error(`go mod download ${spec.module}@${spec.version}: ${downloaded.error}`);
    const archive = join(archiveDirectory(), spec.archive);
    if (!existsSync(archive)) {
        throw new Error(
            `${spec.module}@${spec.version}: the module proxy refused it (${downloaded.error?.split("\n")[0]}) and its source archive ${archive} is not there; ` +
                `put ${spec.archive} in a folder and name it in AI_GATEWAY_UPSTREAM_ARCHIVES`,
        );
    }
    const dir = unpack(archive, cacheDir);
    return { dir, goMod: join(dir, "go.mod"), from: archive };
}
