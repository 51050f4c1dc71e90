import * as assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError, parseConfig } from "../plan";
import { customResources, evaluate, stackFileConfig } from "./harness";
import { invalidConfig, validConfig } from "./support/arbitraries";
import { aliasYaml, hostileConfig } from "./support/hostile";
import { MAX_EXPANDED_DEPTH, MAX_EXPANDED_VALUES, readStackFile, StackFileError } from "../config/stackFile";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalog } from "./support/conformance";
import { plannedCustomResources } from "./support/plan";
import { onlyShard, propertySeed } from "./support/validConfigurations";

/**
 * What a call threw (undefined when it returned), and the CPU time it took: on a machine other work keeps busy the
 * wall clock also counts the time the process waits for a core, which says nothing of the call.
 */
function timed(call: () => unknown): { error: unknown; ms: number } {
    const started = process.cpuUsage();
    const ms = () => {
        const used = process.cpuUsage(started);
        return Math.round((used.user + used.system) / 1000);
    };
    try {
        call();
        return { error: undefined, ms: ms() };
    } catch (error) {
        return { error, ms: ms() };
    }
}

const seed = propertySeed();

// The 600 valid configurations are checked in test/properties.valid-*.spec.ts, split so parallel workers share them.
describe("properties: generated configurations", function () {
    this.timeout(60000);

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

    it("750 hostile configurations (RE2, CEL, targets, headers, secrets, namespaces) are refused where they go wrong or accepted; no crash, hang or echoed secret", () => {
        fc.assert(
            fc.property(hostileConfig, ({ raw, kind, expect, secrets }) => {
                const { error, ms } = timed(() => parseConfig(raw));
                assert.ok(ms < 2000, `${kind}: took ${ms} ms of CPU`);
                if (error !== undefined) assert.ok(error instanceof ConfigError, `${kind}: expected a ConfigError, got ${String(error)}`);
                const problems = error instanceof ConfigError ? error.problems : [];
                for (const p of problems) assert.match(p.message, /\S; \S/, `${kind}: "${p.path}: ${p.message}" says what and how to fix`);
                const text = error instanceof ConfigError ? error.message : "";
                for (const secret of secrets) assert.ok(!text.includes(secret), `${kind}: a secret is echoed in ${text}`);
                if ("refused" in expect) assert.ok(problems.some((p) => expect.refused.test(p.path)), `${kind}: no problem at ${expect.refused}: ${text || "accepted"}`);
                else assert.ok(!problems.some((p) => expect.accepted.test(p.path)), `${kind}: refused at ${expect.accepted}: ${text}`);
            }),
            { numRuns: 750, seed },
        );
    });

    it("250 stack files with nested YAML aliases are read, or refused at once when they expand past the budget", () => {
        const dir = mkdtempSync(join(tmpdir(), "aliases-"));
        let n = 0;
        fc.assert(
            fc.property(aliasYaml, ({ text, expanded, depth }) => {
                const path = join(dir, `Pulumi.a${n++}.yaml`);
                writeFileSync(path, text);
                const { error, ms } = timed(() => readStackFile(path));
                assert.ok(ms < 1000, `took ${ms} ms of CPU`);
                const over = expanded > MAX_EXPANDED_VALUES || depth > MAX_EXPANDED_DEPTH;
                if (over) assert.ok(error instanceof StackFileError && /expands its YAML aliases/.test(error.message), `expected a refusal of ${expanded} values: ${String(error)}`);
                else assert.equal(error, undefined, `${expanded} values are within the budget`);
            }),
            { numRuns: 250, seed },
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

describe("properties: a property split over spec files", () => {
    it("the parts check disjoint cases that together are every case of one run, and a part's failure still shrinks", () => {
        const seen: number[][] = [[], [], []];
        for (const part of [0, 1, 2]) fc.assert(fc.property(fc.integer(), onlyShard(part, 3, (n: number) => void seen[part].push(n))), { numRuns: 50, seed });
        const all: number[] = [];
        fc.assert(fc.property(fc.integer(), (n) => void all.push(n)), { numRuns: 50, seed });
        assert.deepEqual(seen.map((s) => s.length), [17, 17, 16]);
        assert.deepEqual(all.filter((_, i) => i % 3 === 1), seen[1]);
        assert.deepEqual([...seen.flat()].sort((a, b) => a - b), [...all].sort((a, b) => a - b));
        // Shrinking a failure of part 1 keeps checking every candidate, down to the smallest failing value.
        assert.throws(
            () => fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), onlyShard(1, 3, (n: number) => assert.ok(n < 10))), { numRuns: 200, seed }),
            /Counterexample: \[10\]/,
        );
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
