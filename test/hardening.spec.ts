/**
 * Inputs that used to be accepted, crash or hang: each is refused cleanly (exit 1, `<path>: <what>; <fix>`
 * on stderr, nothing on stdout, no stack trace, nothing registered) or handled, and a secret in them is
 * never echoed.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseRenderArgs, render } from "../scripts/render";
import { MAX_STACK_FILE_BYTES } from "../scripts/stackFile";
import { configProblems } from "./harness";
import { mocks } from "./setup";

const ROOT = join(__dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "hardening-"));
let files = 0;
/** A stack file with this text, in a temporary folder. */
function stackFile(text: string): string {
    const path = join(dir, `Pulumi.case${files++}.yaml`);
    writeFileSync(path, text);
    return path;
}
const renderFile = (path: string) => render(parseRenderArgs(["--config-file", path]), mocks);

/** Render must refuse: exit 1, nothing on stdout, nothing registered; returns stderr. */
async function refused(text: string): Promise<string> {
    const { code, stdout, stderr } = await renderFile(stackFile(text));
    assert.equal(code, 1, stderr);
    assert.equal(stdout, "");
    assert.equal(mocks.resources.length, 0, "no resource registered");
    assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
    return stderr;
}

describe("hardening: stack files", () => {
    it("a misspelt project namespace, or a key without one, is an error with the fix (a typo could switch auth off)", async () => {
        const stderr = await refused(
            ["config:", "  ai-gatway:auth: {jwt: {issuer: https://a.example.com, jwksUri: https://a.example.com/jwks}}", "  ai-gateway-prod:rateLimit: {enabled: false}", "  models: {}", "  kubernetes:context: kind-dev", "  aws:region: us-west-2", ""].join("\n"),
        );
        assert.equal(
            stderr,
            [
                "invalid stack configuration (3 problems); nothing was deployed:",
                '  - ai-gatway:auth: "ai-gatway" is not this project\'s namespace, so the program never reads it; did you mean "ai-gateway:auth"?',
                '  - ai-gateway-prod:rateLimit: "ai-gateway-prod" is not this project\'s namespace, so the program never reads it; did you mean "ai-gateway:rateLimit"?',
                '  - models: has no namespace, so the program never reads it; write it as "ai-gateway:models"',
                "",
            ].join("\n"),
        );
    });

    it("a stack file that is not a map with config: (empty, a list, a scalar, no config) is refused", async () => {
        for (const [text, what] of [["", "empty"], ["- a\n- b\n", "a list"], ["hello\n", "a string"], ["encryptionsalt: v1:abc\n", 'a map without "config:"']]) {
            const stderr = await refused(text);
            assert.match(stderr, new RegExp(`^cannot read .*: is ${what}; a stack file is a map whose "config:" holds the keys`), stderr);
        }
    });

    it("YAML errors name the line and column, and never print a value under ai-gateway:apiKeys", async () => {
        const duplicate = await refused("config:\n  ai-gateway:apiKeys:\n    openai: sk-known-secret-1111\n    openai: sk-known-secret-2222\n");
        assert.match(duplicate, /line 4, column 5: Map keys must be unique; fix the YAML there\n {2}\s+openai: \[secret\]\n$/);
        const flow = await refused("config:\n  ai-gateway:apiKeys: {openai: sk-known-secret-3333, openai: sk-known-secret-4444}\n");
        const unclosed = await refused('config:\n  ai-gateway:apiKeys:\n    openai: "sk-known-secret-5555\n    azure: sk-known-secret-6666\n');
        const encrypted = await refused("config:\n  ai-gateway:apiKeys:\n    openai:\n      secure: v1:known-ciphertext-7777\n      secure: v1:known-ciphertext-8888\n");
        for (const text of [duplicate, flow, unclosed, encrypted]) assert.doesNotMatch(text, /known-(secret|ciphertext)/, text);
        assert.match(encrypted, /line 5, column 7: Map keys must be unique/);
    });

    it(`a stack file over ${MAX_STACK_FILE_BYTES} bytes is refused before it is parsed`, async () => {
        const started = Date.now();
        const stderr = await refused(`config:\n${"#".repeat(MAX_STACK_FILE_BYTES)}\n`);
        assert.match(stderr, /is \d+ bytes, more than the 1048576 \(1 MiB\) a stack file may have/);
        assert.ok(Date.now() - started < 2000);
    });

    it("through the command line: exit 1, the problems on stderr, nothing on stdout, within 10 s", async function () {
        this.timeout(20000);
        const exec = promisify(execFile);
        const file = stackFile("config:\n  ai-gatway:auth: {}\n");
        const started = Date.now();
        await assert.rejects(exec(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/render.ts", "--config-file", file], { cwd: ROOT }), (e: { code: number; stdout: string; stderr: string }) => {
            assert.equal(e.code, 1);
            assert.equal(e.stdout, "");
            assert.match(e.stderr, /ai-gatway:auth: "ai-gatway" is not this project's namespace/);
            assert.doesNotMatch(e.stderr, /\n\s+at /);
            return true;
        });
        assert.ok(Date.now() - started < 10000);
    });
});

describe("hardening: credentials inside URLs", () => {
    const SECRET = "known-url-secret-9999";
    it("an OTLP endpoint or a JWKS URI with user info is refused with the secret mechanism to use, and the value is never echoed", () => {
        const problems = configProblems({
            observability: { tracing: { endpoint: `https://user:${SECRET}@otlp.example.com/v1` } },
            auth: { jwt: { issuer: "https://auth.example.com", jwksUri: `http://user:${SECRET}@auth.example.com/jwks` } },
            platform: { redis: { install: false, url: `redis.example.com:6379@${SECRET}` } },
        });
        assert.deepEqual(problems, [
            "platform.redis.url: holds credentials; give only host:port here, put the password in ai-gateway:apiKeys and name it in platform.redis.passwordSecret",
            "auth.jwt.jwksUri: holds credentials in the URL; remove them: Envoy fetches the JWKS without credentials (a JWKS is public; keep a private one behind an in-cluster Service, http://<service>.<namespace>.svc.cluster.local/...)",
            "observability.tracing.endpoint: holds credentials in the URL; remove them, put the collector's auth headers in ai-gateway:apiKeys (e.g. 'Authorization=Bearer <token>') and name that key in observability.tracing.headersSecret",
        ]);
        assert.doesNotMatch(problems.join("\n"), new RegExp(SECRET));
    });
});
