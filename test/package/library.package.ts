/**
 * `npm run test:package`: the components as a library. Packs this repository as npm would publish it,
 * installs the tarball into a fresh Pulumi program outside the repository (test/package/consumer),
 * type-checks that program against the published declarations and evaluates it under Pulumi's mocks.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

interface Registered {
    type: string;
    name: string;
    provider: string | null;
    inputs: Record<string, unknown>;
}
interface ConsumerRun {
    afterImport: number;
    deepImport: string;
    refused: string[];
    afterRefusal: number;
    models: string[];
    schemaTitle: string;
    registered: Registered[];
}

/** Runs a command to completion; a failure carries what it printed. */
function run(command: string, args: string[], cwd: string): string {
    try {
        return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
        const { stdout, stderr } = e as { stdout?: string; stderr?: string };
        throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}${stderr ?? ""}`);
    }
}

describe("the library, packed and installed into another Pulumi program", () => {
    let work: string;
    let tarball: string;
    let files: string[];
    let result: ConsumerRun;
    let installed: string;

    before(function () {
        work = mkdtempSync(join(tmpdir(), "ai-gateway-package-"));
        // `npm pack` runs the prepack script, which compiles the library into lib/.
        const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], ROOT)) as { filename: string; files: { path: string }[] }[];
        tarball = join(work, packed[0].filename);
        files = packed[0].files.map((f) => f.path).sort();

        const app = join(work, "app");
        cpSync(join(__dirname, "consumer"), app, { recursive: true });
        writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
        // Dependencies come from npm's cache when `npm ci` has just filled it (the registry otherwise).
        // The template's devDependencies: @types/node (TypeScript itself is the repository's).
        const typesNode = (JSON.parse(readFileSync(join(ROOT, "node_modules", "@types", "node", "package.json"), "utf8")) as { version: string }).version;
        run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball, `@types/node@${typesNode}`], app);
        // Type-checked against the installed declarations with Pulumi's TypeScript template tsconfig as it is
        // (consumer/tsconfig.json: no esModuleInterop, no skipLibCheck), as the consumer's own build would do.
        run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], app);
        result = JSON.parse(run(process.execPath, [join(app, "bin", "index.js")], app)) as ConsumerRun;
        installed = join(app, "node_modules", "ai-gateway");
    });

    after(() => {
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("ships compiled JavaScript with declarations, the licence, changelog and JSON Schema, and neither sources, source maps nor tests", () => {
        assert.ok(files.includes("lib/components/index.js") && files.includes("lib/components/index.d.ts"), files.join(", "));
        assert.deepEqual(files.filter((f) => !f.startsWith("lib/")), ["CHANGELOG.md", "LICENSE", "README.md", "package.json", "schema/stack-config.schema.json"]);
        assert.deepEqual(files.filter((f) => f.endsWith(".map")), []);
        assert.match(readFileSync(join(installed, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0/);
        assert.deepEqual(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), []);
        assert.deepEqual(files.filter((f) => /^lib\/(test|scripts)\//.test(f)), []);
    });

    it("the programs of examples/ type-check against the installed package with Pulumi's template tsconfig as it is", () => {
        const examples = join(ROOT, "examples");
        const names = readdirSync(examples, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
        assert.ok(names.length >= 3, names.join(", "));
        for (const name of names) {
            // Inside the consumer, so that `ai-gateway` and @pulumi/* resolve to what it installed.
            const dir = join(work, "app", "examples", name);
            mkdirSync(dir, { recursive: true });
            cpSync(join(examples, name, "index.ts"), join(dir, "index.ts"));
            cpSync(join(__dirname, "consumer", "tsconfig.json"), join(dir, "tsconfig.json"));
            run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", ".", "--noEmit"], dir);
        }
    });

    it("the JSON Schema is reachable through the exports map", () => {
        assert.equal(result.schemaTitle, "Pulumi.<stack>.yaml of the ai-gateway project");
    });

    it("every runtime dependency is loaded by the library, and the declarations never name zod", () => {
        const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        const js = files.filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(installed, f), "utf8")).join("\n");
        const unused = Object.keys(manifest.dependencies).filter((dep) => !js.includes(`require("${dep}")`) && !js.includes(`require("${dep}/`));
        assert.deepEqual(unused, []);
        const declarations = files.filter((f) => f.endsWith(".d.ts")).filter((f) => /from "zod"|import\("zod"\)/.test(readFileSync(join(installed, f), "utf8")));
        assert.ok(!declarations.some((f) => ["lib/components/index.d.ts", "lib/components/aiGateway.d.ts", "lib/plan/public.d.ts"].includes(f)), declarations.join(", "));
    });

    it("registers nothing on import, and keeps its internals behind the exports map", () => {
        assert.equal(result.afterImport, 0);
        assert.equal(result.deepImport, "ERR_PACKAGE_PATH_NOT_EXPORTED");
    });

    it("refuses a configuration with a mistake with the stack file's messages, registering nothing", () => {
        assert.deepEqual(result.refused, [
            `models.chat.backends[0].backend: no backend "nowhere"; none is defined`,
            "models.chat.backends: has 1 backend(s), at least 2 are required to keep the model available; add backends or lower routing.minBackendsPerModel",
        ]);
        assert.equal(result.afterRefusal, 0);
    });

    it("builds the platform, the Gateway and the model's routes, all through the provider it was given", () => {
        const names = (type: string) => result.registered.filter((r) => r.type === type).map((r) => r.name).sort();
        assert.deepEqual(names("ai-gateway:index:AiGateway"), ["llm"]);
        assert.deepEqual(result.models, ["chat"]);
        const kinds = new Set(result.registered.map((r) => r.inputs.kind).filter((k): k is string => typeof k === "string"));
        for (const kind of ["Gateway", "AIGatewayRoute", "AIServiceBackend", "BackendSecurityPolicy", "BackendTrafficPolicy", "SecurityPolicy"]) assert.ok(kinds.has(kind), `${kind} among ${[...kinds].join(", ")}`);
        assert.deepEqual(names("kubernetes:helm.sh/v3:Release"), ["ai-gateway-crds", "ai-gateway-release", "envoy-gateway-release"]);
        assert.deepEqual(names("kubernetes:helm.sh/v4:Chart"), ["envoy-gateway-crds"]);
        const kube = result.registered.filter((r) => r.type.startsWith("kubernetes:"));
        assert.deepEqual(kube.filter((r) => r.provider !== "cluster").map((r) => `${r.type} ${r.name}`), []);
    });
});
