import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { create } from "ts-node";
import { settle, withoutUnusedStackTraces } from "../scripts/mocks";
import { mocks } from "./setup";

// What `pulumi up` and `npm run render` spend before the program runs: how the TypeScript is loaded.

const ROOT = join(__dirname, "..");
const PROJECT = join(ROOT, "tsconfig.json");

/** ts-node as Pulumi's Node.js run harness creates it: `transpileOnly` only when PULUMI_NODEJS_TRANSPILE_ONLY or `noCheck` says so. */
const asPulumiDoes = (options: Partial<Parameters<typeof create>[0]> = {}) =>
    create({ compiler: "typescript", transpileOnly: undefined, project: PROJECT, skipProject: false, compilerOptions: {}, ...options });

/** Every TypeScript file below `dir`. */
function typeScriptFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? typeScriptFiles(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [],
    );
}

describe("start-up: how the program's TypeScript is loaded", () => {
    it("ts-node, created as Pulumi's Node.js run harness creates it, transpiles through the project's cached transpiler and does not type-check", () => {
        const service = asPulumiDoes();
        assert.equal(service.options.transpileOnly, true);
        assert.equal(service.options.transpiler, "./scripts/tsNodeTranspiler.js");
        const js = service.compile('const n: number = "not a number";\nexport const twice = n + n;\n', join(ROOT, "startup-probe.ts"));
        assert.match(js, /exports, "twice"/);
    });

    it("the cached transpiler gives, for every file of the program and its scripts, exactly what ts-node's swc transpiler gives, source map included", () => {
        const cachedService = asPulumiDoes();
        const swcService = asPulumiDoes({ transpiler: "ts-node/transpilers/swc" });
        const files = [join(ROOT, "index.ts"), ...["components", "config", "scripts"].flatMap((d) => typeScriptFiles(join(ROOT, d)))];
        assert.ok(files.length > 50, `only ${files.length} files found`);
        const differing = files.filter((file) => {
            const source = readFileSync(file, "utf8");
            const expected = swcService.compile(source, file);
            // Twice: the first may transpile, the second reads the cache.
            return cachedService.compile(source, file) !== expected || cachedService.compile(source, file) !== expected;
        });
        assert.deepEqual(differing.map((f) => relative(ROOT, f)), []);
    });

    it("a second process loads the program from the transpile cache without loading swc, and an edit is never served stale", function () {
        this.timeout(60000);
        const cache = mkdtempSync(join(tmpdir(), "transpile-cache-"));
        const probeDir = mkdtempSync(join(tmpdir(), "transpile-probe-"));
        const probe = join(probeDir, "probe.ts");
        // Whether the process loaded swc, and the probe's value.
        const report = `const { value } = require(${JSON.stringify(probe)});
            console.log(JSON.stringify({ swc: Object.keys(require.cache).some((m) => m.includes("/@swc/")), value }))`;
        const run = () => {
            // As `pulumi up` loads the program: ts-node with the project's tsconfig.json.
            const out = execFileSync(process.execPath, ["-r", "ts-node/register", "-e", `require("./index.ts"); ${report}`], {
                cwd: ROOT,
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
                env: { ...process.env, AI_GATEWAY_TRANSPILE_CACHE: cache, PULUMI_TEST_MODE: "true" },
            });
            return JSON.parse(out.trim().split("\n").pop() as string) as { swc: boolean; value: number };
        };
        try {
            writeFileSync(probe, "export const value: number = 1;\n");
            assert.deepEqual(run(), { swc: true, value: 1 });
            const entries = readdirSync(cache).length;
            assert.ok(entries > 50, `${entries} cache entries`);
            assert.deepEqual(run(), { swc: false, value: 1 });
            assert.equal(readdirSync(cache).length, entries);
            writeFileSync(probe, "export const value: number = 2;\n");
            assert.deepEqual(run(), { swc: true, value: 2 });
            assert.equal(readdirSync(cache).length, entries + 1);
            assert.deepEqual(readdirSync(cache).filter((f) => !f.endsWith(".json")), [], "no partial entry is left");
        } finally {
            rmSync(cache, { recursive: true, force: true });
            rmSync(probeDir, { recursive: true, force: true });
        }
    });

    it("the recording mocks decode each registration's inputs once, and record what the mock monitor was given", async () => {
        const pulumi = await import("@pulumi/pulumi");
        const given: Record<string, unknown>[] = [];
        const newResource = mocks.newResource;
        mocks.newResource = (args) => {
            given.push(args.inputs);
            return newResource.call(mocks, args);
        };
        try {
            new (class Thing extends pulumi.CustomResource {})("test:index:Thing", "startup-thing", { spec: { rules: [1, 2, 3] } });
            await settle();
        } finally {
            Reflect.deleteProperty(mocks, "newResource");
        }
        const thing = mocks.resources.find((r) => r.name === "startup-thing");
        assert.ok(thing);
        // The very object the mock monitor decoded: no second decoding of the request.
        assert.equal(given.length, 1);
        assert.equal(thing.inputs, given[0]);
        assert.deepEqual(thing.inputs.spec, { rules: [1, 2, 3] });
    });

    it("the recording mocks answer a registration without a protobuf round trip of the state, and outputs keep their values and secrecy", async () => {
        const structs = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [dirname(require.resolve("@pulumi/pulumi"))] })) as {
            Struct: { fromJavaScript(v: unknown): unknown };
        };
        const fromJavaScript = structs.Struct.fromJavaScript;
        // Whole objects encoded: a nested object is encoded by a call inside another.
        let encoded = 0;
        let depth = 0;
        structs.Struct.fromJavaScript = (v: unknown) => {
            if (depth === 0) encoded++;
            depth++;
            try {
                return fromJavaScript.call(structs.Struct, v);
            } finally {
                depth--;
            }
        };
        class Thing extends pulumi.CustomResource {
            declare readonly spec: pulumi.Output<unknown>;
            declare readonly token: pulumi.Output<string>;
        }
        let thing: Thing;
        try {
            thing = new Thing("test:index:Thing", "startup-answer", { spec: { rules: [1, 2, 3] }, token: pulumi.secret("known-value-31") });
            await settle();
        } finally {
            structs.Struct.fromJavaScript = fromJavaScript;
        }
        // Once, by the SDK for the request; the answer is not encoded again.
        assert.equal(encoded, 1);
        const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
        assert.deepEqual(await value(thing.spec), { rules: [1, 2, 3] });
        assert.equal(await value(thing.token), "known-value-31");
        assert.equal(await pulumi.isSecret(thing.token), true);
        assert.equal(await pulumi.isSecret(thing.spec), false);
    });

    it("an offline render takes no stack trace per promise and no source position per resource, unless AI_GATEWAY_SOURCE_MAPS=1 asks for them", async () => {
        const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as {
            debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
        };
        /** The stack the SDK attaches to the promise it is given. */
        const stackOf = (ctx: string) => {
            const p = Promise.resolve();
            void debuggablePromise(p, ctx);
            return (p as unknown as { _debugStackTrace: string })._debugStackTrace;
        };
        const resource = pulumi.Resource as unknown as { callsites(): unknown[] };
        const callsites = resource.callsites;
        /** How often the SDK takes a resource's whole stack for its source position, for one new resource. */
        const stacksTaken = async (name: string) => {
            const taking = resource.callsites;
            let taken = 0;
            resource.callsites = () => {
                taken++;
                return taking.call(resource);
            };
            try {
                new (class Probe extends pulumi.CustomResource {})("test:index:Probe", name, {});
                await settle();
            } finally {
                resource.callsites = taking;
            }
            return { taken, frames: taking.call(resource).length };
        };
        const limit = Error.stackTraceLimit;
        const setting = process.env.AI_GATEWAY_SOURCE_MAPS;
        try {
            process.env.AI_GATEWAY_SOURCE_MAPS = "1";
            withoutUnusedStackTraces();
            assert.match(stackOf("kept"), /\n\s+at /);
            const kept = await stacksTaken("startup-kept");
            assert.equal(kept.taken, 1);
            assert.ok(kept.frames > 0);

            delete process.env.AI_GATEWAY_SOURCE_MAPS;
            withoutUnusedStackTraces();
            assert.equal(stackOf("dropped"), "Error");
            assert.deepEqual(await stacksTaken("startup-dropped"), { taken: 1, frames: 0 });
        } finally {
            Error.stackTraceLimit = limit;
            resource.callsites = callsites;
            if (setting === undefined) delete process.env.AI_GATEWAY_SOURCE_MAPS;
            else process.env.AI_GATEWAY_SOURCE_MAPS = setting;
        }
    });
});
