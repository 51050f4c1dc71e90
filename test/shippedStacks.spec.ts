import * as assert from "node:assert/strict";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseRenderArgs, render } from "../scripts/render";
import { settle } from "../scripts/mocks";
import { readStackFile } from "../config/stackFile";
import { mocks } from "./setup";

// The stacks a newcomer runs first: nothing to wave away. No loader warning (render prints each on stderr), and
// the program exports only outputs that have a value (Pulumi warns about each undefined one at preview).
describe("shipped stacks: render and preview without a warning", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: render prints no warning`, async () => {
            const r = await render(parseRenderArgs(["--stack", stack]), mocks);
            assert.equal(r.code, 0, r.stderr);
            const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
            assert.deepEqual(lines, [], r.stderr);
        });

        it(`${stack}: the program exports no undefined output`, async () => {
            mocks.reset();
            const file = readStackFile(join(__dirname, "..", `Pulumi.${stack}.yaml`));
            pulumi.runtime.setAllConfig(file.config, file.secretKeys);
            const program = require.resolve("../index");
            delete require.cache[program];
            const outputs = require(program) as Record<string, unknown>;
            await settle();
            const undefinedOutputs = Object.entries(outputs).filter(([, v]) => v === undefined).map(([k]) => k);
            assert.deepEqual(undefinedOutputs, []);
            for (const [name, value] of Object.entries(outputs)) {
                if (pulumi.Output.isInstance(value)) {
                    const resolved = await new Promise((resolve) => value.apply(resolve));
                    assert.notEqual(resolved, undefined, `${name} resolves to undefined`);
                }
            }
            assert.ok(Object.keys(outputs).includes("firstCallCommand"));
        });
    }
});
