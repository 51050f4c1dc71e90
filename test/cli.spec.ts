import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, parseConfig } from "../plan/public";
import { PROVIDER_KEYS } from "../config/providerKeys";
import { URL_AFTER_UP } from "../scripts/format";
import { missingPrerequisites } from "../tools/prerequisites";
import { parseRenderArgs, render, UsageError } from "../scripts/render";
import { mocks } from "./setup";

const run = (...argv: string[]) => render(parseRenderArgs(argv), mocks);

/** Renders a stack file's text; the folder is removed afterwards. */
async function renderText(text: string, name = "Pulumi.cli.yaml", ...more: string[]) {
    const dir = mkdtempSync(join(tmpdir(), "cli-"));
    try {
        writeFileSync(join(dir, name), text);
        return await run("--config-file", join(dir, name), ...more);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("render: the command line", () => {
    it("an unknown flag names the closest known one", () => {
        assert.throws(() => parseRenderArgs(["--stak", "dev"]), (e: Error) => e instanceof UsageError && e.message === 'unknown option --stak: did you mean "--stack"?');
        assert.throws(() => parseRenderArgs(["--format=json", "--outt", "x", "--stack", "dev"]), /unknown option --outt: did you mean "--out"\?/);
    });

    it("a stack without its file lists the stacks beside the program", () => {
        assert.throws(() => parseRenderArgs(["--stack", "devv"]), /^Error: --stack devv: no Pulumi\.devv\.yaml beside the program; did you mean "dev"\? the stacks here: dev, prod$/);
        assert.throws(() => parseRenderArgs(["--stack", "staging"]), /no Pulumi\.staging\.yaml beside the program; the stacks here: dev, prod$/);
        const empty = mkdtempSync(join(tmpdir(), "cli-empty-"));
        try {
            assert.throws(() => parseRenderArgs(["--stack", "dev"], empty), /there is no Pulumi\.<stack>\.yaml beside the program; create one \(pulumi stack init\), or give --config-file/);
        } finally {
            rmSync(empty, { recursive: true, force: true });
        }
    });

    it("--out names the file as --help says: the stack, or the config file's name without .yaml", async () => {
        assert.equal(parseRenderArgs(["--config-file", "/x/Pulumi.staging.yaml"]).stack, "staging");
        assert.equal(parseRenderArgs(["--config-file", "/x/gateway.yaml"]).stack, "gateway");
        const out = mkdtempSync(join(tmpdir(), "cli-out-"));
        try {
            const r = await run("--config-file", join(__dirname, "fixtures", "external-redis.yaml"), "--out", out, "--format", "json");
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stderr, /wrote .*\/external-redis\.json\n$/);
            assert.ok(JSON.parse(readFileSync(join(out, "external-redis.json"), "utf8")).resources.length > 0);
        } finally {
            rmSync(out, { recursive: true, force: true });
        }
    });

    it("an unclosed bracket or quote is reported where it opens, not where the parser stops", async () => {
        const brace = await renderText("config:\n  ai-gateway:models: {chat: {backends: [{backend: a}]}\n  kubernetes:context: kind\n");
        assert.match(brace.stderr, /: line 2, column 22: this \{ is never closed \(the parser stops at line 3, column 3: .*\); fix the YAML there\n {4}ai-gateway:models: \{chat/);
        const quote = await renderText('config:\n  ai-gateway:models: {chat: "open}\n  kubernetes:context: kind\n');
        assert.match(quote.stderr, /: line 2, column 29: this quoted text \("\) is never closed/);
        const elsewhere = await renderText("config:\n  ai-gateway:models:\n    chat: {backends: [x]}\n   bad: indentation\n");
        assert.match(elsewhere.stderr, /: line 4, column 4: bad indentation of a mapping entry/);
    });

    it("an unknown key of a provider namespace is an error with the closest key", async () => {
        const r = await renderText("config:\n  kubernetes:contxt: kind\n  aws:regin: us-east-1\n  aws:region: us-east-1\n  kubernetes:helmReleaseSettings.suppressBetaWarning: true\n");
        assert.equal(r.code, 1);
        assert.match(r.stderr, /- kubernetes:contxt: is not a key of the kubernetes provider, so it does nothing; did you mean "context"\?/);
        assert.match(r.stderr, /- aws:regin: is not a key of the aws provider, so it does nothing; did you mean "region"\?/);
        assert.match(r.stderr, /\(2 problems\)/);
    });

    it("a problem names its key as the stack file spells it; the component, as the program does", async () => {
        const r = await renderText("config:\n  kubernetes:context: kind-dev\n  ai-gateway:models: {chat: {backends: [{backend: nowhere}]}}\n");
        assert.match(r.stderr, /\n {2}- ai-gateway:models\.chat\.backends\[0\]\.backend: no backend "nowhere"/);
        assert.throws(
            () => parseConfig({ models: { chat: { backends: [{ backend: "nowhere" }] } } }),
            (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.path === "models.chat.backends[0].backend"),
        );
    });

    it("the provider keys are the installed providers' arguments", () => {
        const kubernetes = readFileSync(require.resolve("@pulumi/kubernetes/provider.js"), "utf8");
        const args = [...new Set([...kubernetes.matchAll(/resourceInputs\["(\w+)"\]/g)].map((m) => m[1]))].sort();
        assert.deepEqual([...PROVIDER_KEYS.kubernetes].sort(), args);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        assert.deepEqual([...PROVIDER_KEYS.aws].sort(), Object.keys(require("@pulumi/aws/config/vars")).sort());
    });

    it("the stack outputs end the render: comments in YAML, an outputs object in JSON", async () => {
        const yaml = await run("--stack", "dev");
        const tail = yaml.stdout.slice(yaml.stdout.indexOf("# Stack outputs"));
        assert.match(tail, /^# Stack outputs \(pulumi stack output\):\n# {3}models: qwen-with-fallback, virtual-qwen-model\n# {3}url: known after pulumi up/);
        assert.match(tail, /# {3}firstCallCommand:\n# {5}ADDRESS=\$\(kubectl get gateway ai-gateway/);
        assert.ok(tail.split("\n").filter(Boolean).every((l) => l.startsWith("#")), "only comments after the last object");
        const json = JSON.parse((await run("--stack", "dev", "--format", "json")).stdout) as { outputs: Record<string, unknown> };
        assert.deepEqual(json.outputs.models, ["qwen-with-fallback", "virtual-qwen-model"]);
        assert.equal(json.outputs.url, null);
        assert.match(String(json.outputs.firstCallCommand), /"model":"qwen-with-fallback"/);
        assert.ok(URL_AFTER_UP.length > 0);
    });
});

describe("test suites: missing system programs are named before anything starts", () => {
    it("each missing program of a suite, with what it is for and its install command", () => {
        const empty = mkdtempSync(join(tmpdir(), "cli-path-"));
        try {
            const missing = missingPrerequisites("e2e", { PATH: empty });
            assert.deepEqual(missing.map((m) => m.split(" ")[0]), ["go", "etcd", "openssl"]);
            assert.match(missing[1], /^etcd \(stores the local API server's objects\) is not on PATH; install `apt-get install etcd-server` \(Debian\/Ubuntu\), `brew install etcd` \(macOS\)$/);
            assert.deepEqual(missingPrerequisites("e2e"), [], "this machine has them");
        } finally {
            rmSync(empty, { recursive: true, force: true });
        }
    });
});
