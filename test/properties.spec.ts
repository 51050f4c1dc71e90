import * as assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError, parseConfig } from "../config";
import { customResources, evaluate, stackFileConfig } from "./harness";
import { invalidConfig, validConfig } from "./support/arbitraries";
import { catalog } from "./support/conformance";
import { plannedCustomResources } from "./support/plan";

/** Same seed per run of the suite unless FC_SEED says otherwise, so a failure reproduces. */
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261122;

describe("properties: generated configurations", function () {
    this.timeout(60000);

    it("600 valid configurations parse, and every custom resource they produce passes the CRDs", () => {
        fc.assert(
            fc.property(validConfig, (raw) => {
                const config = parseConfig(raw);
                for (const object of plannedCustomResources(config)) {
                    assert.deepEqual(catalog().validate(JSON.parse(JSON.stringify(object))), []);
                }
            }),
            { numRuns: 600, seed },
        );
    });

    it("500 configurations with one mistake are refused with a config-path error, never an exception", () => {
        fc.assert(
            fc.property(invalidConfig, ({ raw, path }) => {
                let error: unknown;
                try {
                    parseConfig(raw);
                } catch (e) {
                    error = e;
                }
                assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
                assert.ok(error.problems.length > 0);
                for (const p of error.problems) assert.match(p.message, /\S; \S/, `"${p.path}: ${p.message}" says what and how to fix`);
                assert.ok(error.problems.some((p) => path.test(p.path)), `no problem at ${path}: ${error.message}`);
                assert.doesNotMatch(error.message, /\n\s+at /, "no stack trace");
            }),
            { numRuns: 500, seed },
        );
    });

    /** The plan of a configuration equals the custom resources the program registers for it. */
    async function planMatchesProgram(raw: Record<string, unknown>): Promise<void> {
        const e = await evaluate(raw);
        const program = customResources(e).filter((o) => catalog().hasKind(o.apiVersion, o.kind));
        const planned = plannedCustomResources(e.config).map((o) => JSON.parse(JSON.stringify(o)));
        const key = (o: { kind: string; metadata?: { name?: string } }) => `${o.kind}/${o.metadata?.name}`;
        assert.deepEqual([...planned].sort((a, b) => key(a).localeCompare(key(b))), [...program].sort((a, b) => key(a).localeCompare(key(b))));
    }

    it("the pure plan used above is exactly what the program emits (checked on 12 of them, and on dev and prod)", async () => {
        await fc.assert(fc.asyncProperty(validConfig, planMatchesProgram), { numRuns: 12, seed });
        await planMatchesProgram(stackFileConfig("dev"));
        await planMatchesProgram(stackFileConfig("prod"));
    });
});

describe("properties: counterexamples found by the generators, kept as regular tests", () => {
    it("a backend host name whose label ends in '-' is refused with the fix (shrunk from a generated config)", () => {
        assert.throws(
            () => parseConfig({ backends: { "a--": { schema: "AzureOpenAI", version: "2025-01-01-preview", hostname: "a--.openai.azure.com", auth: { type: "AzureAPIKey", secret: "k" } } }, apiKeys: { k: "v" } }),
            (e: ConfigError) => {
                assert.deepEqual(e.problems.map((p) => `${p.path}: ${p.message}`), [
                    'backends.a--.hostname: "a--.openai.azure.com" is not a valid host name; use a DNS name such as api.openai.com',
                ]);
                return true;
            },
        );
    });
});
