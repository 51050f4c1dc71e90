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
import { MAX_STACK_FILE_BYTES } from "../config/stackFile";
import { parseConfig } from "../plan";
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

    it("a stack file with several YAML documents is refused, not read as its first", async () => {
        const stderr = await refused("config:\n  ai-gateway:models: {}\n---\nconfig:\n  ai-gateway:rateLimit: {enabled: false}\n");
        assert.match(stderr, /^cannot read .*: holds 2 YAML documents; a stack file is one document: remove the "---" separators/);
    });

    it("YAML errors name the line and column, and never print a value under ai-gateway:apiKeys", async () => {
        const duplicate = await refused("config:\n  ai-gateway:apiKeys:\n    openai: sk-known-secret-1111\n    openai: sk-known-secret-2222\n");
        assert.match(duplicate, /line 4, column 5: duplicated mapping key; fix the YAML there\n {2}\s+openai: \[secret\]\n$/);
        const flow = await refused("config:\n  ai-gateway:apiKeys: {openai: sk-known-secret-3333, openai: sk-known-secret-4444}\n");
        const unclosed = await refused('config:\n  ai-gateway:apiKeys:\n    openai: "sk-known-secret-5555\n    azure: sk-known-secret-6666\n');
        const encrypted = await refused("config:\n  ai-gateway:apiKeys:\n    openai:\n      secure: v1:known-ciphertext-7777\n      secure: v1:known-ciphertext-8888\n");
        for (const text of [duplicate, flow, unclosed, encrypted]) assert.doesNotMatch(text, /known-(secret|ciphertext)/, text);
        assert.match(encrypted, /line 5, column 7: duplicated mapping key/);
    });

    it(`a stack file over ${MAX_STACK_FILE_BYTES} bytes is refused before it is parsed`, async () => {
        const started = Date.now();
        const stderr = await refused(`config:\n${"#".repeat(MAX_STACK_FILE_BYTES)}\n`);
        assert.match(stderr, /is \d+ bytes, more than the 1048576 \(1 MiB\) a stack file may have/);
        assert.ok(Date.now() - started < 2000);
    });

    it("nested YAML aliases (a billion laughs) are refused at once, before anything expands them", async () => {
        const bomb = ["config:", "  ai-gateway:models:", "    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
        for (let i = 1; i < 12; i++) bomb.push(`    a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
        const started = Date.now();
        const stderr = await refused(bomb.join("\n") + "\n");
        assert.match(stderr, /expands its YAML aliases \(\*name\) to more than 1000000 values \(aliases within aliases multiply\); write the values out/);
        assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
        // A chain of aliases each one deeper, and a value that holds itself.
        const chain = ["config:", "  ai-gateway:models:", "    a0: &a0 [x]"];
        for (let i = 1; i < 300; i++) chain.push(`    a${i}: &a${i} [*a${i - 1}]`);
        assert.match(await refused(chain.join("\n") + "\n"), /to values nested more than 200 deep \(or into themselves\)/);
        assert.match(await refused("config:\n  ai-gateway:models: &m {x: *m}\n"), /to values nested more than 200 deep \(or into themselves\)/);
    });

    it("an alias used a few times (one budget shared by models) still works", async () => {
        const yaml = [
            "config:",
            "  ai-gateway:backends:",
            "    a: {schema: OpenAI, hostname: a.models.svc.cluster.local, port: 80}",
            "    b: {schema: OpenAI, hostname: b.models.svc.cluster.local, port: 80}",
            "  ai-gateway:models:",
            "    m1: {backends: &two [{backend: a}, {backend: b, priority: 1}]}",
            "    m2: {backends: *two}",
            "",
        ].join("\n");
        const { code, stderr } = await renderFile(stackFile(yaml));
        assert.equal(code, 0, stderr);
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

describe("hardening: names objects already have, and numbers without end", () => {
    for (const name of ["constructor", "toString", "valueOf", "hasOwnProperty"]) {
        it(`"${name}" works as a model, backend, secret and client name`, async () => {
            const yaml = [
                "config:",
                "  ai-gateway:backends:",
                `    ${name}: {schema: OpenAI, hostname: api.openai.com, auth: {type: APIKey, secret: ${name}}}`,
                "    b: {schema: OpenAI, hostname: b.models.svc.cluster.local, port: 80}",
                "  ai-gateway:models:",
                `    ${name}: {backends: [{backend: ${name}}, {backend: b, priority: 1}]}`,
                "  ai-gateway:auth:",
                `    apiKeys: {clients: {${name}: ${name}}}`,
                "  ai-gateway:apiKeys:",
                `    ${name}: sk-known-inherited-name`,
                "",
            ].join("\n");
            const { code, stdout, stderr } = await renderFile(stackFile(yaml));
            assert.equal(code, 0, stderr);
            assert.match(stdout, new RegExp(`value: ${name}\\n`), "the model's route matches its name");
            // Capitals are not DNS-1123: the name is lower-cased and keeps a hash of the original.
            assert.match(stdout, new RegExp(`name: ai-gateway-${name.toLowerCase()}(-[0-9a-f]{6})?\\n`), "the backend's objects");
            assert.doesNotMatch(stdout, /sk-known-inherited-name/);
        });
    }

    it('"__proto__" as a name is refused where it stands (it would vanish into a prototype)', () => {
        const raw = JSON.parse(
            '{"backends": {"__proto__": {"schema": "OpenAI", "hostname": "a.example.com"}}, "models": {"__proto__": {"backends": []}}, "auth": {"apiKeys": {"clients": {"__proto__": "k"}}}, "apiKeys": {"__proto__": "x"}}',
        ) as Record<string, unknown>;
        assert.deepEqual(configProblems(raw), [
            'backends.__proto__: "__proto__" cannot be a name here (JavaScript objects reserve it); rename it',
            'models.__proto__: "__proto__" cannot be a name here (JavaScript objects reserve it); rename it',
            'auth.apiKeys.clients.__proto__: "__proto__" cannot be a name here (JavaScript objects reserve it); rename it',
            'apiKeys.__proto__: "__proto__" cannot be a name here (JavaScript objects reserve it); rename it',
        ]);
    });

    it("huge numbers are refused at once, with their bound (no allocation or loop of that size)", () => {
        const started = Date.now();
        const two = { a: { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.models.svc.cluster.local", port: 80 } };
        assert.deepEqual(
            configProblems({
                backends: two,
                models: { m: { backends: [{ backend: "a" }, { backend: "b", priority: 200_000_000 }] } },
                retry: { numRetries: 1e12, numAttemptsPerPriority: 1e9 },
                gateway: { envoyProxy: { replicas: 2 ** 40, hpa: { enabled: true, maxReplicas: 1e6 } } },
                traffic: { circuitBreaker: { maxConnections: 1e12 } },
            }),
            [
                "gateway.envoyProxy.replicas: must be at most 1000; lower it",
                "gateway.envoyProxy.hpa.maxReplicas: must be at most 1000; lower it",
                "models.m.backends[1].priority: must be at most 127: a model has at most 128 backends and priorities have no gaps; lower it",
                "retry.numRetries: must be at most 100; lower it (each retry waits up to perRetryTimeout)",
                "retry.numAttemptsPerPriority: must be at most 100; lower it",
                "traffic.circuitBreaker.maxConnections: must be at most 2147483647 (a 32-bit integer); lower it",
            ],
        );
        assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
    });

    it("the CORS origin check is linear: a long origin is answered at once", () => {
        for (const length of [34, 1000, 100_000]) {
            const started = Date.now();
            const problems = configProblems({ auth: { cors: { allowOrigins: [`https://${"a".repeat(length)}!`] } } });
            assert.equal(problems.length, 1);
            assert.match(problems[0], /^auth\.cors\.allowOrigins\[0\]: is not an origin; use scheme:\/\/host\[:port\]/);
            assert.ok(Date.now() - started < 200, `${length} characters took ${Date.now() - started} ms`);
        }
    });
});

describe("hardening: dangerous targets", () => {
    const backend = (hostname: string, port = 80) => ({ schema: "OpenAI", hostname, port });
    const ok = backend("vllm.models.svc.cluster.local");

    it("cloud metadata, link-local, loopback and the Kubernetes API are refused as backends", () => {
        const hosts = ["169.254.169.254", "169.254.170.2", "metadata.google.internal", "127.0.0.1", "localhost", "kubernetes.default.svc.cluster.local", "kubernetes"];
        const backends = Object.fromEntries(hosts.map((h, i) => [`b${i}`, backend(h)]));
        const problems = configProblems({ backends: { ...backends, ok } });
        assert.deepEqual(
            problems.map((p) => p.split(": ")[0]),
            hosts.map((_, i) => `backends.b${i}.hostname`),
        );
        assert.match(problems[0], /"169\.254\.169\.254" is a link-local address, where cloud metadata services hand out the node's credentials; a backend must not point there/);
        assert.match(problems[3], /"127\.0\.0\.1" is the loopback address of the Envoy pod itself/);
        assert.match(problems[5], /is the Kubernetes API server/);
    });

    it("services in kube-system, kube-public and the platform's own namespaces are refused as backends and passthrough targets", () => {
        const problems = configProblems({
            backends: { dns: backend("kube-dns.kube-system.svc.cluster.local", 53), ok },
            passthrough: {
                pub: { path: "/pub", service: { name: "x", namespace: "kube-public", port: 80 } },
                eg: { path: "/eg", service: { name: "envoy-gateway", namespace: "envoy-gateway-system", port: 19000 } },
                ai: { path: "/ai", service: { name: "ai-gateway-controller", namespace: "envoy-ai-gateway-system", port: 1063 } },
                redis: { path: "/redis", service: { name: "redis", namespace: "redis-system", port: 6379 } },
                api: { path: "/api", service: { name: "kubernetes", namespace: "default", port: 443 } },
                fine: { path: "/iris", service: { name: "iris", namespace: "kserve", port: 80 } },
            },
        });
        assert.deepEqual(
            problems.map((p) => p.split(": ")[0]),
            ["backends.dns.hostname", "passthrough.pub.service.namespace", "passthrough.eg.service.namespace", "passthrough.ai.service.namespace", "passthrough.redis.service.namespace", "passthrough.api.service.name"],
        );
        assert.match(problems[2], /"envoy-gateway-system" holds Envoy Gateway \(platform\.envoyGateway\.namespace\): a route \(and a ReferenceGrant\) into it would open it to every client of the gateway/);
    });
});

describe("hardening: credentials over plain text", () => {
    const withKey = (backend: Record<string, unknown>) => ({ apiKeys: { k: "sk-x" }, backends: { a: { schema: "OpenAI", auth: { type: "APIKey", secret: "k" }, ...backend } } });
    const why = (host: string) => `sends the APIKey credential to ${host} without TLS, readable by anything on the way; use TLS (port 443, or tls: true), or set allowPlainTextCredentials: true if the path is protected otherwise`;

    it("a credential to a host outside the cluster needs TLS: tls: false or a plain port is refused", () => {
        assert.deepEqual(configProblems(withKey({ hostname: "api.openai.com", tls: false })), [`backends.a.tls: ${why("api.openai.com")}`]);
        assert.deepEqual(configProblems(withKey({ hostname: "llm.example.com", port: 8080 })), [`backends.a.port: ${why("llm.example.com")}`]);
        assert.deepEqual(
            configProblems({ aws: { region: "us-west-2", eksClusterName: "c", podIdentity: true }, backends: { b: { schema: "AWSBedrock", port: 80, auth: { type: "AWSCredentials" } } } }).filter((p) => p.startsWith("backends.b.port")),
            ["backends.b.port: sends the AWSCredentials credential to bedrock-runtime.<region>.amazonaws.com without TLS, readable by anything on the way; use TLS (port 443, or tls: true), or set allowPlainTextCredentials: true if the path is protected otherwise"],
        );
    });

    it("inside the cluster, with TLS, or with the documented opt-out, it is accepted; an opt-out with nothing to allow is refused", () => {
        assert.doesNotThrow(() => parseConfig(withKey({ hostname: "litellm.ai.svc.cluster.local", port: 4000 })));
        assert.doesNotThrow(() => parseConfig(withKey({ hostname: "llm.example.com", port: 8443, tls: true })));
        assert.doesNotThrow(() => parseConfig(withKey({ hostname: "llm.example.com", port: 8080, allowPlainTextCredentials: true })));
        assert.deepEqual(configProblems(withKey({ hostname: "api.openai.com", allowPlainTextCredentials: true })), [
            "backends.a.allowPlainTextCredentials: has nothing to allow: this backend sends no credential over plain text outside the cluster; remove it",
        ]);
    });
});

describe("hardening: budgets bound to a verified identity", () => {
    const jwt = { issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/jwks.json", claimToHeaders: [{ claim: "tenant", header: "x-tenant" }] };
    const budgeted = {
        backends: { a: { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80 }, b: { schema: "OpenAI", hostname: "b.models.svc.cluster.local", port: 80 } },
        models: { m: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] } },
        rateLimit: { perUser: { requests: [{ limit: 10, window: "1m" }] } },
    };

    it("a user header that carries a credential is refused (it would land in logs, metrics and Redis keys)", () => {
        for (const header of ["Authorization", "cookie", "x-api-key"]) {
            assert.deepEqual(configProblems({ ...budgeted, rateLimit: { ...budgeted.rateLimit, userHeader: header } }), [
                `rateLimit.userHeader: is ${header}, which carries a credential: it would land in access logs, metrics and Redis keys; use a header that names the user or tenant (e.g. x-user-id, filled by the gateway from the verified identity)`,
            ]);
        }
        assert.deepEqual(configProblems({ ...budgeted, apiKeys: { k: "v" }, auth: { apiKeys: { header: "x-team-key", clients: { a: "k" } } }, rateLimit: { ...budgeted.rateLimit, userHeader: "x-team-key" } }).filter((p) => p.startsWith("rateLimit.userHeader")), [
            "rateLimit.userHeader: is x-team-key, which carries a credential: it would land in access logs, metrics and Redis keys; use a header that names the user (e.g. x-user-id, filled by the gateway from the verified identity)",
        ]);
    });

    it("another claim or client-id header for the user is refused: one identity, in rateLimit.userHeader", () => {
        assert.deepEqual(configProblems({ ...budgeted, auth: { jwt: { ...jwt, claimToHeaders: [{ claim: "email", header: "x-user-id" }] } } }), [
            'auth.jwt.claimToHeaders[0].claim: maps "email" into x-user-id, rateLimit.userHeader, which carries auth.jwt.userClaim ("sub"); set userClaim: email instead, and remove this entry',
        ]);
        assert.deepEqual(configProblems({ ...budgeted, apiKeys: { k: "v" }, auth: { apiKeys: { clients: { a: "k" }, forwardClientIdHeader: "x-client-id" } } }), [
            "auth.apiKeys.forwardClientIdHeader: is x-client-id, but budgets, access logs and metrics identify users by rateLimit.userHeader (x-user-id), which the gateway fills with the client's name; remove it, or set rateLimit.userHeader: x-client-id",
        ]);
    });

    it("headers filled from the verified identity are always stripped: client auth without the ClientTrafficPolicy is refused", () => {
        assert.deepEqual(configProblems({ ...budgeted, auth: { jwt }, gateway: { clientTraffic: { enabled: false } } }), [
            "gateway.clientTraffic.enabled: is false, but client authentication fills x-user-id and x-tenant from the verified identity, and only the ClientTrafficPolicy removes what clients send there: any client could claim any user or tenant; set it to true",
        ]);
    });

    it("without client authentication, per-user budgets trust a client header: a warning", () => {
        assert.deepEqual(parseConfig(budgeted).warnings, [
            "rateLimit.userHeader: per-user budgets count by x-user-id as the client sends it, so a client gets a fresh budget with every new value; turn on client authentication (ai-gateway:auth.jwt or auth.apiKeys), which fills x-user-id from the verified identity",
        ]);
        assert.deepEqual(parseConfig({ ...budgeted, auth: { jwt } }).warnings, [
            "gateway.listeners: have no HTTPS listener, so clients send their auth.jwt credentials to a LoadBalancer over plain HTTP (listener http), readable and replayable by anything on the way; add an HTTPS listener and set gateway.redirectToHttps: true, or keep the Service internal (ClusterIP)",
        ]);
        assert.deepEqual(parseConfig({ ...budgeted, rateLimit: { global: { requests: [{ limit: 10, window: "1m" }] } } }).warnings, [], "no per-user budget: nothing to warn of");
    });
});

describe("hardening: no open proxy by default", () => {
    const openai = { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } };
    const local = { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80 };
    const exposed = { apiKeys: { openai: "sk-x" }, backends: { openai, local }, models: { m: { backends: [{ backend: "openai" }, { backend: "local", priority: 1 }] } } };

    it("a LoadBalancer gateway in front of provider credentials without client auth is refused", () => {
        assert.deepEqual(configProblems(exposed), [
            "auth: is not set, and the gateway is exposed through a LoadBalancer Service with upstreams the gateway adds credentials to (openai): anyone who reaches it spends your provider accounts; add auth.jwt, auth.apiKeys, auth.oidc, auth.extAuth, auth.clientCertificates or auth.ipAllow, or set auth.none: true if something in front of the gateway authenticates clients (or use gateway.envoyProxy.service.type ClusterIP)",
        ]);
    });

    it("without the program's EnvoyProxy, Envoy Gateway's default LoadBalancer Service counts as exposed", () => {
        assert.deepEqual(configProblems({ ...exposed, gateway: { envoyProxy: { enabled: false, service: { type: "ClusterIP" } } } }), [
            "auth: is not set, and the gateway is exposed through Envoy Gateway's default LoadBalancer Service (gateway.envoyProxy.enabled is false) with upstreams the gateway adds credentials to (openai): anyone who reaches it spends your provider accounts; add auth.jwt, auth.apiKeys, auth.oidc, auth.extAuth, auth.clientCertificates or auth.ipAllow, or set auth.none: true if something in front of the gateway authenticates clients (or set gateway.envoyProxy.enabled: true with service.type ClusterIP)",
        ]);
        // A Gateway of the user's own: its Service is not the program's to judge.
        assert.doesNotThrow(() => parseConfig({ ...exposed, gateway: { enabled: false, envoyProxy: { enabled: false } } }));
    });

    it("client auth, the explicit auth.none, an internal Service, or no credentials behind the models: accepted", () => {
        assert.doesNotThrow(() => parseConfig({ ...exposed, auth: { none: true } }));
        assert.doesNotThrow(() => parseConfig({ ...exposed, auth: { apiKeys: { clients: { a: "openai" } } } }));
        assert.doesNotThrow(() => parseConfig({ ...exposed, gateway: { envoyProxy: { service: { type: "ClusterIP" } } } }));
        assert.doesNotThrow(() => parseConfig({ ...exposed, models: { m: { backends: [{ backend: "local" }, { backend: "local", model: "other", priority: 1 }] } } }));
        assert.deepEqual(configProblems({ ...exposed, auth: { none: true, apiKeys: { clients: { a: "openai" } } } }), ["auth.none: contradicts auth.apiKeys; remove one of them"]);
    });
});

describe("hardening: every refusal above, through render", () => {
    /** A stack file holding this raw config (JSON is YAML). */
    const asStackFile = (raw: Record<string, unknown>) => JSON.stringify({ config: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`ai-gateway:${k}`, v])) });
    const b = (hostname: string, extra: Record<string, unknown> = {}) => ({ schema: "OpenAI", hostname, port: 80, ...extra });
    const CASES: Record<string, Record<string, unknown>> = {
        "a budget without any model": { rateLimit: { global: { requests: [{ limit: 1, window: "1m" }] } }, passthrough: { x: { path: "/x", service: { name: "x", port: 80 } } } },
        "credentials in an OTLP URL": { observability: { tracing: { endpoint: "https://u:p@otlp.example.com" } } },
        "a credential over plain text": { apiKeys: { k: "v" }, backends: { a: b("llm.example.com", { port: 8080, auth: { type: "APIKey", secret: "k" } }) } },
        "an open proxy": { apiKeys: { k: "v" }, backends: { a: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "k" } }, l: b("l.m.svc.cluster.local") }, models: { m: { backends: [{ backend: "a" }, { backend: "l" }] } } },
        "a metadata backend": { backends: { a: b("169.254.169.254") } },
        "a passthrough into kube-system": { passthrough: { x: { path: "/x", service: { name: "x", namespace: "kube-system", port: 80 } } } },
        "client auth without the ClientTrafficPolicy": { apiKeys: { k: "v" }, auth: { apiKeys: { clients: { a: "k" } } }, gateway: { clientTraffic: { enabled: false } } },
        "a huge priority": { backends: { a: b("a.m.svc.cluster.local"), c: b("c.m.svc.cluster.local") }, models: { m: { backends: [{ backend: "a" }, { backend: "c", priority: 200_000_000 }] } } },
        "a huge numRetries": { retry: { numRetries: 1e12 } },
    };
    for (const [what, raw] of Object.entries(CASES)) {
        it(`${what}: exit 1, <path>: <what>; <fix> on stderr, nothing on stdout or registered, at once`, async () => {
            const started = Date.now();
            const stderr = await refused(asStackFile(raw));
            assert.match(stderr, /^invalid stack configuration \(\d+ problems?\); nothing was deployed:\n(  - [^\n]+: [^\n]+; [^\n]+\n)+$/);
            assert.ok(Date.now() - started < 10_000);
        });
    }
});
