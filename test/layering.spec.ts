import * as assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

// Imports go one way: versions and names, and the input-safety policies (config/policies) ← config/schema ← components/manifests (pure builders) ←
// config/rules ← config/loader ← components (Pulumi) ← index.ts. Type-only imports are erased at run time
// and left out; what a module loads is what decides whether validation and render can run without Pulumi.

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

/** What a module loads at run time: every import and re-export that is not type-only. */
function runtimeImports(file: string): string[] {
    const text = readFileSync(file, "utf8");
    const out: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s+"([^"]+)";/gm)) {
        const [, typeOnly, clause, spec] = m;
        const names = /^\{([\s\S]*)\}$/.exec(clause.trim())?.[1].split(",").map((n) => n.trim()).filter(Boolean);
        if (typeOnly || (names && names.length > 0 && names.every((n) => n.startsWith("type ")))) continue;
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

describe("imports go one way", () => {
    it("the reader sees through type-only imports and resolves folders", () => {
        const imports = runtimeImports(join(ROOT, "components", "aiGateway.ts"));
        assert.ok(imports.includes("config/public") && imports.includes("@pulumi/pulumi") && !imports.includes("config/publicTypes"), imports.join(", "));
        assert.ok(runtimeImports(join(ROOT, "index.ts")).includes("config/index"));
        assert.ok(!runtimeImports(join(ROOT, "components", "manifests", "redis.ts")).some((m) => m.startsWith("@pulumi")), "import type of @pulumi/kubernetes is erased");
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

    it("the builders load neither Pulumi nor the rules, the loader or the components", () => {
        const allowed = (m: string) => isNode(m) || ["yaml"].includes(m) || within("components/manifests/", "config/schema/", "plan/")(m) || LEAVES.includes(m) || m === "specs/manifest";
        assert.deepEqual(offending("components/manifests", allowed), []);
        assert.deepEqual(offending("specs", (m) => within("specs/", "config/versions")(m)), []);
    });

    it("the rules load the schema and the builders, never the loader or the components", () => {
        const allowed = (m: string) => isNode(m) || ["zod", "fastest-levenshtein"].includes(m) || within("config/rules/", "config/schema/", "config/policies/", "config/errors", "components/manifests/", "plan/")(m) || LEAVES.includes(m) || m === "specs/manifest";
        assert.deepEqual(offending("config/rules", allowed), []);
    });
});
