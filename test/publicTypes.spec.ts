// The library's public configuration types (config/publicTypes.ts, generated) equal the zod schemas' types:
// `npm run typecheck` fails here when config/schema changed and `npm run docs:config` was not run.
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import type { StackConfigInput, StackConfigValues } from "../config/publicTypes";
import type { stackSchema } from "../config/schema";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type ZodInput = Omit<z.input<typeof stackSchema>, "apiKeys">;
type ZodValues = Omit<z.output<typeof stackSchema>, "apiKeys">;

const inputEqual: Equal<Omit<StackConfigInput, "apiKeys">, ZodInput> = true;
const valuesEqual: Equal<StackConfigValues, ZodValues> = true;

describe("public configuration types: plain interfaces, equal to the schemas' types", () => {
    it("equal (checked by the type check) and name no zod type", () => {
        assert.deepEqual([inputEqual, valuesEqual], [true, true]);
        const text = readFileSync(join(__dirname, "..", "config", "publicTypes.ts"), "utf8");
        assert.doesNotMatch(text, /from "zod"|import\("zod|\bz\./);
    });
});
