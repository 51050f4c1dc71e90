import * as assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

// Folders are floors, and imports go only down: config/ ← specs/ ← plan/ ← components/manifests/ (pure builders) ←
// components/ (Pulumi) ← index.ts and policy/ ← tools/ (test tooling) ← scripts/ (user commands) ← test/. Every import
// counts for the floors, type-only ones too. Inside config/, the leaves (versions, names), the input-safety policies and
// the schema load only what is below them; type-only imports are erased at run time and left out there, since what a
// module loads is what decides whether validation and render can run without Pulumi.

const ROOT = join(__dirname, "..");

/** Project modules as `<folder>/<name>` without extension; packages by name. */
function resolveImport(spec: string, from: string): string {
    if (!spec.startsWith(".")) return spec.startsWith("node:") ? spec : spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");
    const target = relative(ROOT, join(dirname(from), spec));
    try {
        if (statSync(join(ROOT, target)).isDirectory()) return `${target}/index`;
    } catch {
        // a file: the import names it without its extension
    }
    return target;
}

/** What a module loads at run time: every import and re-export that is not type-only (with `all`, those too). */
function runtimeImports(file: string, all = false): string[] {
    const text = readFileSync(file, "utf8");
    const out: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s+"([^"]+)";/gm)) {
        const [, typeOnly, clause, spec] = m;
        const names = /^\{([\s\S]*)\}$/.exec(clause.trim())?.[1].split(",").map((n) => n.trim()).filter(Boolean);
        if (!all && (typeOnly || (names && names.length > 0 && names.every((n) => n.startsWith("type "))))) continue;
        out.push(resolveImport(spec, file));
    }
    for (const m of text.matchAll(/^import\s+"([^"]+)";/gm)) out.push(resolveImport(m[1], file));
    return out;
}

const filesIn = (dir: string) =>
    readdirSync(join(ROOT, dir))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => join(ROOT, dir, f));

/** Imports of the files in `dir` that `allowed` refuses, as `<file> imports <module>`. */
function offending(dir: string, allowed: (module: string) => boolean, skip: readonly string[] = []): string[] {
    return filesIn(dir)
        .filter((f) => !skip.includes(relative(ROOT, f)))
        .flatMap((f) => runtimeImports(f).filter((m) => !allowed(m)).map((m) => `${relative(ROOT, f)} imports ${m}`));
}

/** The libraries the policies apply: RE2 and CEL. */
const POLICY_ENGINES = ["re2js", "@marcbachmann/cel-js"];
const LEAVES = ["config/versions", "config/names", "config/aiMetadata"];
const isNode = (m: string) => m.startsWith("node:") || ["crypto", "fs", "path", "os", "url", "net", "child_process"].includes(m);
const within = (...prefixes: string[]) => (m: string) => prefixes.some((p) => m.startsWith(p));

/** The floors, lowest first: a file may import from its own floor and those below, never from one above. */
const FLOORS: readonly (readonly string[])[] = [
    ["config/"],
    ["specs/"],
    ["plan/"],
    ["components/manifests/"],
    ["components/"],
    ["index", "policy/"],
    ["tools/"],
    ["scripts/"],
    ["test/"],
];

/** The floor of a project module (`<folder>/<name>`), or undefined for a package. */
function floorOf(module: string): number | undefined {
    let best: { floor: number; length: number } | undefined;
    FLOORS.forEach((prefixes, floor) => {
        for (const p of prefixes) {
            if ((module === p || module.startsWith(p)) && (best === undefined || p.length > best.length)) best = { floor, length: p.length };
        }
    });
    return best?.floor;
}

/** Every .ts file under a folder, recursively. */
function treeOf(dir: string): string[] {
    return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const path = join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : treeOf(path);
        return e.name.endsWith(".ts") ? [join(ROOT, path)] : [];
    });
}

/** Imports (type-only ones too) that run up a floor, as `<file> imports <module>`. */
function upward(files: readonly string[]): string[] {
    return files.flatMap((f) => {
        const from = floorOf(relative(ROOT, f).replace(/\.ts$/, ""));
        if (from === undefined) return [];
        return runtimeImports(f, true)
            .filter((m) => !isNode(m) && floorOf(m) !== undefined && floorOf(m)! > from)
            .map((m) => `${relative(ROOT, f)} imports ${m}`);
    });
}

describe("imports go one way", () => {
    it("the reader sees through type-only imports and resolves folders", () => {
        const imports = runtimeImports(join(ROOT, "components", "aiGateway.ts"));
        assert.ok(imports.includes("@pulumi/pulumi") && !imports.includes("config/publicTypes"), imports.join(", "));
        assert.ok(runtimeImports(join(ROOT, "components", "aiGateway.ts"), true).includes("config/publicTypes"));
        assert.ok(runtimeImports(join(ROOT, "index.ts")).includes("plan/index"));
        assert.ok(!runtimeImports(join(ROOT, "components", "manifests", "redis.ts")).some((m) => m.startsWith("@pulumi")), "import type of @pulumi/kubernetes is erased");
    });

    it("no folder imports from a folder above it", () => {
        const files = [...["config", "specs", "plan", "components", "policy", "tools", "scripts", "test"].flatMap(treeOf), join(ROOT, "index.ts")];
        assert.ok(files.length > 100, `${files.length} files`);
        assert.deepEqual(upward(files), []);
    });

    it("a file that imports from a floor above fails the check", () => {
        assert.deepEqual(floorOf("config/loader"), 0);
        assert.ok(floorOf("components/manifests/routes")! < floorOf("components/stack")!);
        assert.ok(floorOf("plan/rateLimit")! < floorOf("components/manifests/routes")!);
        // This very file imports node modules only; as if it stood in config/, it would not import upward,
        // while a builder's imports (plan/, specs/, config/) would from plan/'s floor.
        const builder = join(ROOT, "components", "manifests", "routes.ts");
        const asIfIn = (floor: number) => runtimeImports(builder, true).filter((m) => (floorOf(m) ?? -1) > floor);
        assert.ok(asIfIn(floorOf("plan/x")!).some((m) => m.startsWith("components/manifests/") || m.startsWith("plan/")) || asIfIn(floorOf("specs/x")!).length > 0);
        assert.deepEqual(asIfIn(floorOf("components/manifests/x")!), []);
    });

    it("versions and names import nothing of the project", () => {
        for (const leaf of LEAVES) assert.deepEqual(runtimeImports(join(ROOT, `${leaf}.ts`)).filter((m) => !isNode(m)), [], leaf);
    });

    it("the input-safety policies load only their engines and each other", () => {
        assert.deepEqual(offending("config/policies", (m) => isNode(m) || POLICY_ENGINES.includes(m) || within("config/policies/")(m)), []);
    });

    it("the config schema loads only zod, itself, the policies and the leaves", () => {
        assert.deepEqual(offending("config/schema", (m) => isNode(m) || m === "zod" || within("config/schema/", "config/policies/")(m) || LEAVES.includes(m)), []);
    });

    it("the plan and the builders load no Pulumi module", () => {
        for (const dir of ["plan", "specs", "components/manifests"]) assert.deepEqual(offending(dir, (m) => !m.startsWith("@pulumi")), [], dir);
    });
});
