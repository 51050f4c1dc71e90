import * as assert from "node:assert/strict";
import { join } from "node:path";
import { create } from "ts-node";
import { settle } from "../scripts/mocks";
import { mocks } from "./setup";

// What `pulumi up` and `npm run render` spend before the program runs: how the TypeScript is loaded.

const ROOT = join(__dirname, "..");

describe("start-up: how the program's TypeScript is loaded", () => {
    it("ts-node, created as Pulumi's Node.js run harness creates it, transpiles with swc and does not type-check", () => {
        // The harness passes `transpileOnly` only when PULUMI_NODEJS_TRANSPILE_ONLY or `noCheck` says so; the
        // project's tsconfig.json decides the rest.
        const service = create({ compiler: "typescript", transpileOnly: undefined, project: join(ROOT, "tsconfig.json"), skipProject: false, compilerOptions: {} });
        assert.equal(service.options.swc, true);
        const js = service.compile('const n: number = "not a number";\nexport const twice = n + n;\n', join(ROOT, "startup-probe.ts"));
        assert.match(js, /exports, "twice"/);
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
});
