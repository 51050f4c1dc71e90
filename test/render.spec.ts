import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { parseRenderArgs, render, UsageError } from "../scripts/render";
import { mocks } from "./setup";

const ROOT = join(__dirname, "..");
const fixture = (name: string) => join(__dirname, "fixtures", name);
const run = (...argv: string[]) => render(parseRenderArgs(argv), mocks);

describe("render: arguments", () => {
    it("needs exactly one of --stack and --config-file, and a known format", () => {
        assert.throws(() => parseRenderArgs([]), UsageError);
        assert.throws(() => parseRenderArgs(["--stack", "dev", "--config-file", "x.yaml"]), /exactly one of --stack or --config-file/);
        assert.throws(() => parseRenderArgs(["--stack", "dev", "--format", "xml"]), /--format must be yaml or json/);
        assert.deepEqual(parseRenderArgs(["--stack", "prod"]), { stack: "prod", file: join(ROOT, "Pulumi.prod.yaml"), format: "yaml", out: undefined });
        assert.equal(parseRenderArgs(["--config-file", "/tmp/Pulumi.staging.yaml"]).stack, "staging");
    });
});

describe("render: output", () => {
    it("yaml: Helm releases as comments first, then Kubernetes objects as documents", async () => {
        const { code, stdout, stderr } = await run("--stack", "dev");
        assert.equal(code, 0, stderr);
        const header = stdout.slice(0, stdout.indexOf("\n---"));
        assert.ok(header.split("\n").every((l) => l.startsWith("#")), "only comments before the first document");
        assert.match(header, /# Helm release envoy-gateway-release: oci:\/\/docker\.io\/envoyproxy\/gateway-helm v1\.8\.3 as "envoy-gateway" in namespace envoy-gateway-system/);
        assert.match(header, /# Helm release ai-gateway-crds: oci:\/\/docker\.io\/envoyproxy\/ai-gateway-crds-helm v1\.1\.0/);
        assert.match(header, /# Helm release ai-gateway-release: oci:\/\/docker\.io\/envoyproxy\/ai-gateway-helm v1\.1\.0/);
        assert.match(header, /#\s+enableBackend: true/);
        const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } });
        assert.ok(docs.length > 0);
        for (const d of docs) assert.ok(d.apiVersion && d.kind && d.metadata.name, JSON.stringify(d));
        assert.equal(docs[0].kind, "Namespace", "namespaces come first so kubectl can apply the stream");
    });

    it("json: one entry per registered resource with type, name, inputs, parent and dependsOn", async () => {
        const { code, stdout } = await run("--stack", "prod", "--format", "json");
        assert.equal(code, 0);
        const { resources } = JSON.parse(stdout) as { resources: { type: string; name: string; inputs: Record<string, unknown>; parent: string | null; dependsOn: string[] }[] };
        assert.deepEqual(Object.keys(resources[0]), ["type", "name", "inputs", "parent", "dependsOn"]);
        const release = resources.find((r) => r.name === "envoy-gateway-release");
        assert.ok(release);
        assert.equal(release.type, "kubernetes:helm.sh/v3:Release");
        assert.equal(release.parent, "envoy-gateway");
        assert.equal(release.inputs.version, "v1.8.3");
        assert.ok((release.inputs.values as { deployment: { replicas: number } }).deployment.replicas === 2, "user values merged");
        const crds = resources.find((r) => r.name === "ai-gateway-crds");
        assert.ok(crds?.dependsOn.includes("envoy-gateway-release"));
    });

    it("the same input prints the same bytes", async () => {
        for (const format of ["yaml", "json"]) {
            const a = await run("--stack", "prod", "--format", format);
            const b = await run("--stack", "prod", "--format", format);
            assert.equal(a.stdout, b.stdout);
        }
    });

    it("secrets print as [secret] where they stand, encrypted or plain", async () => {
        const yaml = await run("--config-file", fixture("external-redis.yaml"));
        const json = await run("--config-file", fixture("external-redis.yaml"), "--format", "json");
        for (const out of [yaml.stdout, json.stdout]) {
            assert.ok(!out.includes("known-ciphertext-value"));
            assert.ok(!out.includes("plain-known-secret-value"));
        }
        // JSON, for review: the Secret where it stands, its value hidden.
        const { resources } = JSON.parse(json.stdout) as { resources: { inputs: { kind?: string; stringData?: unknown } }[] };
        assert.deepEqual(resources.find((r) => r.inputs.kind === "Secret")?.inputs.stringData, { password: "[secret]" });
        // YAML, for kubectl: no Secret with a placeholder in the stream, a comment naming it and its keys instead.
        assert.equal(parseAllDocuments(yaml.stdout).map((d) => d.toJS()).filter((d) => d?.kind === "Secret").length, 0);
        assert.match(yaml.stdout, /^# Secret envoy-gateway-system\/redis-auth \(keys: password\) is left out: its values are secret and not in this render; create it before applying$/m);
        assert.doesNotMatch(yaml.stdout, /\[secret\]/);
    });

    it("--out writes <stack>.<format> into the folder", async () => {
        const dir = mkdtempSync(join(tmpdir(), "render-"));
        const { code, stdout, stderr } = await run("--stack", "dev", "--out", dir);
        assert.equal(code, 0);
        assert.equal(stdout, "");
        assert.match(stderr, /wrote .*dev\.yaml/);
        assert.equal(readFileSync(join(dir, "dev.yaml"), "utf8"), (await run("--stack", "dev")).stdout);
    });

    it("bad configuration: status 1, every problem, nothing on stdout, nothing registered", async () => {
        const { code, stdout, stderr } = await run("--config-file", fixture("several-mistakes.yaml"));
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.equal(mocks.resources.length, 0);
        for (const line of [
            'ai-gateway:modles: unknown key; did you mean "ai-gateway:models"?',
            "platform.envoyGateway.version: is not a chart version; use a release tag such as v1.8.3",
            'backends.openai.schema: "OpenAl" is not allowed; did you mean "OpenAI"?',
            'backends.openai.hostname: "https://api.openai.com/v1" is a URL, a host name belongs here',
            "backends.openai.port: is out of range; use a port from 1 to 65535",
        ]) {
            assert.ok(stderr.includes(line), `missing: ${line}\n${stderr}`);
        }
    });
});

describe("render: the command line", function () {
    this.timeout(30000);
    const exec = promisify(execFile);
    const cli = (...argv: string[]) =>
        exec(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/render.ts", ...argv], { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } });

    it("exits 1 on bad config with the problems on stderr and no stack trace", async () => {
        await assert.rejects(cli("--config-file", fixture("several-mistakes.yaml")), (e: { code: number; stdout: string; stderr: string }) => {
            assert.equal(e.code, 1);
            assert.equal(e.stdout, "");
            assert.match(e.stderr, /invalid stack configuration \(5 problems\); nothing was deployed/);
            assert.doesNotMatch(e.stderr, /\n\s+at /, "no stack trace");
            return true;
        });
    });

    it("warnings: on stderr as `warning: <path>: <what>; <fix>`, exit 0, the objects on stdout", async () => {
        const { stdout, stderr } = await cli("--config-file", fixture("retry-warning.yaml"));
        assert.match(stderr, /^warning: ai-gateway:models\.m\.timeouts\.request: 120s ends the request before its last retry can start: .*; raise timeouts\.request to \d+s or more, or lower retry\.numRetries or retry\.perRetryTimeout\n$/);
        assert.match(stdout, /kind: AIGatewayRoute/);
    });

    it("--help prints what render does and what each format is good for", async () => {
        const { stdout } = await cli("--help");
        assert.match(stdout, /^usage: npm run render -- /);
        assert.match(stdout, /Secrets are left out of the stream/);
        assert.match(stdout, /--format json .*not for kubectl/s);
    });

    it("a large render arrives whole through a pipe (exit code set, no process.exit after the write)", async () => {
        const dir = mkdtempSync(join(tmpdir(), "render-pipe-"));
        const models = Object.fromEntries([...Array(200).keys()].map((i) => [`model-${i}`, { backends: [{ backend: "a", model: `m${i}` }, { backend: "b", model: `m${i}`, priority: 1 }] }]));
        const file = join(dir, "Pulumi.big.yaml");
        writeFileSync(
            file,
            JSON.stringify({
                config: {
                    "ai-gateway:backends": { a: { schema: "OpenAI", hostname: "a.m.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.m.svc.cluster.local", port: 80 } },
                    "ai-gateway:models": models,
                    "ai-gateway:routing": { routeBuckets: 64 },
                },
            }),
        );
        // Three processes side by side: each writes to its own pipe, while the others keep the cores busy.
        const runs = await Promise.all([0, 1, 2].map(() => cli("--config-file", file, "--format", "json")));
        for (const { stdout } of runs) {
            assert.ok(stdout.length > 4 * 65536, `${stdout.length} bytes`);
            const { resources } = JSON.parse(stdout) as { resources: { inputs: { kind?: string; spec?: { rules?: unknown[] } } }[] };
            const rules = resources.filter((r) => r.inputs.kind === "AIGatewayRoute").flatMap((r) => r.inputs.spec?.rules ?? []);
            assert.equal(rules.length, 200, "every model's rule arrived");
        }
    });

    it("prints the dev stack and exits 0", async () => {
        const { stdout } = await cli("--stack", "dev");
        assert.match(stdout, /^# /);
        assert.match(stdout, /kind: Deployment/);
    });
});
