/**
 * `ai-gateway:include`: a stack too large for the environment variable Pulumi hands its configuration over in
 * keeps its models in files the program reads itself. The render of the included stack equals the render of the
 * same keys written in the stack file, and every misuse is refused with the file and the fix, nothing registered.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { configSizeWarning, MAX_INCLUDED_FILES, PULUMI_CONFIG_LIMIT_BYTES, withIncludedConfig } from "../config/include";
import { parseRenderArgs, render } from "../scripts/render";
import { mocks } from "./setup";

const dir = mkdtempSync(join(tmpdir(), "include-"));
const write = (name: string, config: Record<string, unknown>): string => {
    writeFileSync(join(dir, name), dump({ config }));
    return join(dir, name);
};
const renderFile = (path: string) => render(parseRenderArgs(["--config-file", path]), mocks);

const BACKENDS = {
    a: { schema: "OpenAI", hostname: "a.example.com", auth: { type: "APIKey", secret: "ka" } },
    b: { schema: "OpenAI", hostname: "b.example.com", auth: { type: "APIKey", secret: "kb" } },
};
/** Models enough that the stack file alone is over what Pulumi can hand the program. */
function manyModels(n: number): Record<string, unknown> {
    const models: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
        models[`model-number-${i}`] = {
            backends: [{ backend: "a", weight: 70 }, { backend: "b", weight: 30 }],
            rateLimit: { requests: [{ limit: 100, window: "1m" }], tokens: [{ limit: 100000, window: "1m" }] },
        };
    }
    return models;
}
const SECRETS = { "ai-gateway:apiKeys": { ka: { secure: "AAABAFakeCipherTextA" }, kb: { secure: "AAABAFakeCipherTextB" } } };
const STACK = { "kubernetes:context": "prod-cluster", "ai-gateway:rateLimit": { enabled: true }, "ai-gateway:auth": { none: true }, ...SECRETS };

describe("ai-gateway:include", () => {
    it("renders the included keys exactly as the same keys written in the stack file", async () => {
        const models = manyModels(30);
        const whole = write("Pulumi.whole.yaml", { ...STACK, "ai-gateway:backends": BACKENDS, "ai-gateway:models": models });
        write("models.yaml", { "ai-gateway:backends": BACKENDS, "ai-gateway:models": models });
        const included = write("Pulumi.included.yaml", { ...STACK, "ai-gateway:include": ["models.yaml"] });

        const a = await renderFile(whole);
        const b = await renderFile(included);
        assert.equal(a.code, 0, a.stderr);
        assert.equal(b.code, 0, b.stderr);
        assert.equal(b.stdout, a.stdout);
        assert.equal(b.stderr, a.stderr);
        assert.match(b.stdout, /model-number-29/);
    });

    it("warns when the stack's configuration is too large for Pulumi to hand over, and names the way out", async () => {
        // A kubeconfig with its certificates inline is a common large value; the models are the largest of ours.
        const big = write("Pulumi.big.yaml", { ...STACK, "kubernetes:kubeconfig": "x".repeat(PULUMI_CONFIG_LIMIT_BYTES), "ai-gateway:backends": BACKENDS, "ai-gateway:models": manyModels(3) });
        const { code, stderr } = await renderFile(big);
        assert.equal(code, 0, stderr);
        assert.match(stderr, /warning: ai-gateway: the stack's configuration is 130 KiB as Pulumi hands it to the program, and is over the 128 KiB .*"argument list too long".*move ai-gateway:models and ai-gateway:backends into a file in the same format and name it in ai-gateway:include/);
    });

    it("warns once a stack's configuration passes three quarters of the limit, and not below", () => {
        const value = (bytes: number) => ({ "ai-gateway:models": "x".repeat(bytes) });
        assert.equal(configSizeWarning(value(PULUMI_CONFIG_LIMIT_BYTES * 0.7)), undefined);
        assert.match(configSizeWarning(value(PULUMI_CONFIG_LIMIT_BYTES * 0.8)) ?? "", /nears the 128 KiB .*move ai-gateway:models into a file/);
        assert.match(configSizeWarning(value(PULUMI_CONFIG_LIMIT_BYTES)) ?? "", /is over the 128 KiB/);
    });

    it("reads files relative to the project's directory and names the file after the path of a problem in it", async () => {
        write("broken.yaml", { "ai-gateway:models": { gpt: { backends: [{ backend: "nope" }] } } });
        const { code, stdout, stderr } = await renderFile(write("Pulumi.broken.yaml", { ...STACK, "ai-gateway:include": ["broken.yaml"] }));
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.equal(mocks.resources.length, 0);
        assert.match(stderr, /ai-gateway:models\.gpt\.backends\[0\]\.backend \(in broken\.yaml\): no backend "nope"/);
    });

    it("refuses every misuse at once, each with its fix, and never shows an included secret", async () => {
        write("misuse.yaml", {
            "kubernetes:context": "kind-other",
            "ai-gateway:include": ["x.yaml"],
            "ai-gateway:rateLimit": { enabled: false },
            "ai-gateway:apiKeys": { k: { secure: "AAABAIncludedCipherText" } },
            "ai-gateway:backends": { c: { schema: "OpenAI", hostname: "c.example.com", auth: { type: "APIKey", secret: { secure: "AAABANestedCipherText" } } } },
        });
        const stack = write("Pulumi.misuse.yaml", { ...STACK, "ai-gateway:include": ["misuse.yaml", "missing.yaml", "./misuse.yaml"] });
        const { code, stderr } = await renderFile(stack);
        assert.equal(code, 1);
        assert.equal(mocks.resources.length, 0);
        const lines = stderr.split("\n").filter((l) => l.startsWith("  - ai-gateway:include"));
        // Each: the list item it is about, and the fix after the last "; ".
        assert.deepEqual(
            lines.map((l) => `${l.slice(4, l.indexOf(": "))} | ${l.slice(l.lastIndexOf("; ") + 2)}`),
            [
                "ai-gateway:include[0] | an included file holds only ai-gateway:* keys: keep kubernetes:context in the stack file",
                "ai-gateway:include[0] | included files do not include others: list every file in the stack file",
                "ai-gateway:include[0] | keep the key in one place",
                "ai-gateway:include[0] | the program cannot decrypt a file it includes: keep secrets in the stack, with pulumi config set --secret --path 'apiKeys.<name>' <value>",
                "ai-gateway:include[0] | the program cannot decrypt a file it includes: keep secrets in the stack, with pulumi config set --secret --path 'apiKeys.<name>' <value>",
                "ai-gateway:include[1] | a relative path starts at the project's directory, where Pulumi.yaml is",
                "ai-gateway:include[2] | list each file once",
            ],
        );
        assert.doesNotMatch(stderr, /CipherText/);
        assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
    });

    it("warns about an included file that sets no key (it would change nothing), and still renders", async () => {
        writeFileSync(join(dir, "empty.yaml"), "config: {}\n");
        write("models-only.yaml", { "ai-gateway:backends": BACKENDS, "ai-gateway:models": manyModels(2) });
        const { code, stderr } = await renderFile(write("Pulumi.empty.yaml", { ...STACK, "ai-gateway:include": ["models-only.yaml", "empty.yaml"] }));
        assert.equal(code, 0, stderr);
        assert.match(stderr, /^warning: ai-gateway:include\[1\]: empty\.yaml sets no key, so including it changes nothing; put its ai-gateway:\* keys under config:, or remove it from the list$/m);
        assert.doesNotMatch(stderr, /include\[0\]/);
    });

    it("bounds the list: not a list, empty, too many, or not a path", () => {
        const problem = (value: string) => withIncludedConfig({ "ai-gateway:include": value }, dir).problems.map((p) => `${p.path}: ${p.message}`);
        assert.match(problem('"models.yaml"').join(), /ai-gateway:include: must be a list of files; list the files, e.g. ai-gateway:include: \[models.yaml\]/);
        assert.match(problem("[]").join(), /holds 0 files; list 1 to 16/);
        assert.match(problem(JSON.stringify(Array.from({ length: MAX_INCLUDED_FILES + 1 }, (_, i) => `f${i}.yaml`))).join(), /holds 17 files/);
        assert.match(problem('["a.yaml", 3]').join(), /item 1 is not a file's path/);
        assert.deepEqual(withIncludedConfig({ "ai-gateway:models": "{}" }, dir), { config: { "ai-gateway:models": "{}" }, origins: {}, problems: [], warnings: [] });
    });
});
