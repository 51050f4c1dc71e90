/**
 * `npm run test:dataplane`, the dev stack: requests through the real Envoy, external processor and rate-limit
 * service the local gateway runs from the program's render (./localGateway.ts), answered by stand-ins at the
 * backends' host names. Every failure message starts with the scenario's name.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { readToolManifest } from "../../tools/upstreamTools";
import { awayFromWindowEdge, call, chat, many, tokensCounted, usageHeaders } from "./client";
import { type LocalGateway, startLocalGateway } from "./localGateway";

const ROOT = join(__dirname, "..", "..");
const FILE = join(ROOT, "Pulumi.dev.yaml");

const HOST = (backend: string) => `${backend}.llm-simulator.svc.cluster.local`;

/** Clients of the scenarios that spend budget, beside the stack's own alice and bob: each starts with budgets no other scenario spent. */
const SCENARIO_CLIENTS = ["unknown-model", "weighted-split", "fallback", "retry", "request-budget", "token-budget", "streaming", "models", "embeddings", "redis-down"];

/**
 * The dev stack as shipped, with one more client per scenario, added as a user adds one
 * (`auth.apiKeys.clients.<id>` and its key in `apiKeys`); the local gateway gives every key a test value.
 */
function devStackWithScenarioClients(dir: string): string {
    const doc = parse(readFileSync(FILE, "utf8")) as { config: Record<string, Record<string, unknown>> };
    const clients = (doc.config["ai-gateway:auth"].apiKeys as { clients: Record<string, string> }).clients;
    assert.deepEqual(Object.keys(clients), ["alice", "bob"], "the dev stack's clients");
    for (const id of SCENARIO_CLIENTS) {
        clients[id] = `${id}-key`;
        doc.config["ai-gateway:apiKeys"][`${id}-key`] = `test value of ${id}-key`;
    }
    const file = join(dir, "Pulumi.dev.yaml");
    writeFileSync(file, stringify(doc));
    return file;
}

/** Small usage, so that token and spend budgets stay out of the way of the scenario under test. */
const SMALL = usageHeaders({ prompt: 1, completion: 1 });

describe("data plane (dev stack): requests through the local gateway", function () {
    let gw: LocalGateway;
    const dir = mkdtempSync(join(tmpdir(), "dataplane-dev-"));
    /** The API-key header of a client: the test value of its key in the Secret the program makes from `apiKeys`. */
    const as = (client: string) => {
        const key = gw.secrets.get(`ai-gateway/ai-gateway-client-api-keys/${client}`);
        assert.ok(key, `no API key for client ${client}`);
        return { "x-api-key": key };
    };

    before(async function () {
        this.timeout(600_000);
        const tools = readToolManifest("dataplane");
        gw = await startLocalGateway(devStackWithScenarioClients(dir), tools);
    });

    after(async () => {
        await gw?.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    beforeEach(() => {
        for (const b of gw.backends.values()) b.reset();
    });

    it("first call: every exact model name answers 200 with a chat completion", async () => {
        assert.deepEqual(gw.models, ["qwen-with-fallback", "virtual-qwen-model"], "first call: the dev stack's exact model names");
        for (const model of gw.models) {
            const r = await call(gw.url, "/v1/chat/completions", { body: chat(model), headers: { ...as("alice"), ...SMALL } });
            assert.equal(r.status, 200, `first call (${model}): ${r.status} ${r.body.slice(0, 400)}\n${gw.logs().slice(-3000)}`);
            const choices = r.json().choices as { message: { content: string } }[];
            assert.ok(choices?.[0]?.message?.content, `first call (${model}): no choices[0].message.content in ${r.body.slice(0, 300)}`);
        }
    });

    it("unknown model: a name no model matches gets 404", async () => {
        const r = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-unknown"), headers: { ...as("unknown-model") } });
        assert.equal(r.status, 404, `unknown model: ${r.status} ${r.body.slice(0, 300)}`);
        const total = [...gw.backends.values()].reduce((n, b) => n + b.requests, 0);
        assert.equal(total, 0, "unknown model: no backend may receive the request");
    });

    it("identity: without an API key, or with one no client has, the gateway answers 401 and reaches no backend", async () => {
        for (const [what, headers] of [["no key", {}], ["a wrong key", { "x-api-key": "not-a-client-key" }]] as const) {
            const r = await call(gw.url, "/v1/chat/completions", { body: chat("qwen-with-fallback"), headers: { "x-user-id": "alice", ...headers } });
            assert.equal(r.status, 401, `identity (${what}): ${r.status} ${r.body.slice(0, 200)}`);
        }
        const total = [...gw.backends.values()].reduce((n, b) => n + b.requests, 0);
        assert.equal(total, 0, "identity: no backend may receive an unauthenticated request");
    });

    it("weighted split: 600 requests to virtual-qwen-model land 50/30/20 within ±5 points", async () => {
        const replies = await many(600, 20, () => call(gw.url, "/v1/chat/completions", { body: chat("virtual-qwen-model"), headers: { ...as("weighted-split"), ...SMALL } }));
        const failed = replies.filter((r) => r.status !== 200);
        assert.equal(failed.length, 0, `weighted split: ${failed.length} of 600 requests failed, e.g. ${failed[0]?.status} ${failed[0]?.body.slice(0, 200)}`);
        const expected: Record<string, number> = { "qwen-primary": 50, "qwen-secondary": 30, "qwen-tertiary": 20 };
        const share = Object.fromEntries(Object.keys(expected).map((b) => [b, (gw.backends.get(HOST(b))!.requests / 600) * 100]));
        for (const [b, weight] of Object.entries(expected)) {
            assert.ok(Math.abs(share[b] - weight) <= 5, `weighted split: ${b} got ${share[b].toFixed(1)}% of 600 requests, configured ${weight}% (±5): ${JSON.stringify(share)}`);
        }
    });

    it("fallback: with the priority-0 backend answering 503, qwen-with-fallback is answered by priority 1", async () => {
        gw.backends.get(HOST("qwen-primary"))!.failWith(503);
        const r = await call(gw.url, "/v1/chat/completions", { body: chat("qwen-with-fallback"), headers: { ...as("fallback"), ...SMALL } });
        assert.equal(r.status, 200, `fallback: ${r.status} ${r.body.slice(0, 300)}`);
        assert.equal(gw.backends.get(HOST("qwen-primary"))!.requests, 1, "fallback: the primary is tried once (numAttemptsPerPriority: 1)");
        assert.equal(gw.backends.get(HOST("qwen-secondary"))!.requests, 1, "fallback: the secondary answers");
    });

    it("retry: with every backend answering 503, the upstream attempts are 1 + retry.numRetries (5)", async () => {
        for (const b of ["qwen-primary", "qwen-secondary"]) gw.backends.get(HOST(b))!.failWith(503);
        const r = await call(gw.url, "/v1/chat/completions", { body: chat("qwen-with-fallback"), headers: { ...as("retry"), ...SMALL } });
        assert.equal(r.status, 503, `retry: the last attempt's 503 reaches the client, got ${r.status} ${r.body.slice(0, 200)}`);
        const attempts = ["qwen-primary", "qwen-secondary"].map((b) => gw.backends.get(HOST(b))!.requests);
        assert.equal(attempts[0] + attempts[1], 6, `retry: upstream attempts (primary, secondary) = ${attempts.join(", ")}; expected 6 in all`);
    });

    it("request budget: qwen-with-fallback allows 3 requests a minute per user, then 429 with x-ratelimit-* headers; another user is unaffected", async () => {
        await awayFromWindowEdge();
        const client = as("request-budget");
        const statuses: number[] = [];
        let last;
        for (let i = 0; i < 4; i++) {
            // The 4th claims another user: the gateway replaces x-user-id with the verified client's name.
            const claim: Record<string, string> = i === 3 ? { "x-user-id": "someone-else" } : {};
            last = await call(gw.url, "/v1/chat/completions", { body: chat("qwen-with-fallback"), headers: { ...client, ...claim, ...SMALL } });
            statuses.push(last.status);
        }
        assert.deepEqual(statuses, [200, 200, 200, 429], `request budget: statuses of 4 requests by one client within a minute (the 4th claiming x-user-id: someone-else)`);
        const limitHeaders = Object.keys(last!.headers).filter((h) => h.startsWith("x-ratelimit-"));
        assert.ok(limitHeaders.length > 0, `request budget: the 429 carries no x-ratelimit-* header (headers: ${Object.keys(last!.headers).join(", ")})`);
        const bob = await call(gw.url, "/v1/chat/completions", { body: chat("qwen-with-fallback"), headers: { ...as("bob"), ...SMALL } });
        assert.equal(bob.status, 200, `request budget: another client (bob) is unaffected, got ${bob.status}`);
    });

    it("token budget: qwen-with-fallback's 50 tokens a minute per user count the usage the backend reports", async () => {
        await awayFromWindowEdge();
        const carol = as("token-budget");
        const forty = usageHeaders({ prompt: 10, completion: 30 });
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) {
            statuses.push((await call(gw.url, "/v1/chat/completions", { body: chat("qwen-with-fallback"), headers: { ...carol, ...forty } })).status);
            await tokensCounted();
        }
        // 40 tokens counted after the first, 80 after the second (a request is let through while under the limit).
        assert.deepEqual(statuses, [200, 200, 429], "token budget: statuses of 3 requests reporting 40 tokens each, limit 50 a minute");
    });
    it("streaming: an SSE chat completion streams to [DONE], and the usage of its last chunk counts against the token budget", async () => {
        await awayFromWindowEdge();
        const dave = as("streaming");
        const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
            JSON.stringify({ id: "chatcmpl-s", object: "chat.completion.chunk", created: 1, model: "stand-in", choices: [{ index: 0, delta, finish_reason: null }], ...extra });
        const lines = [chunk({ role: "assistant", content: "Hel" }), chunk({ content: "lo" }), JSON.stringify({ id: "chatcmpl-s", object: "chat.completion.chunk", created: 1, model: "stand-in", choices: [], usage: { prompt_tokens: 10, completion_tokens: 30, total_tokens: 40 } }), "[DONE]"];
        const sse = { "x-response-type": "sse", "x-response-body": Buffer.from(lines.join("\n")).toString("base64") };
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) {
            const r = await call(gw.url, "/v1/chat/completions", { body: { ...chat("qwen-with-fallback"), stream: true }, headers: { ...dave, ...sse } });
            statuses.push(r.status);
            await tokensCounted();
            if (i === 0) {
                assert.match(String(r.headers["content-type"]), /text\/event-stream/, `streaming: content-type ${r.headers["content-type"]}`);
                const events = r.body.split("\n\n").filter((e) => e.startsWith("data: "));
                assert.ok(events.length >= 3, `streaming: ${events.length} events in ${r.body.slice(0, 300)}`);
                assert.equal(events[events.length - 1], "data: [DONE]", "streaming: the stream ends with [DONE]");
                assert.ok(r.body.includes('"content":"Hel"') && r.body.includes('"content":"lo"'), `streaming: the content chunks arrive: ${r.body.slice(0, 300)}`);
            }
        }
        assert.deepEqual(statuses, [200, 200, 429], "streaming: 3 streamed requests reporting 40 tokens each, limit 50 a minute");
    });

    it("/v1/models lists exactly the stack's exact model names", async () => {
        const r = await call(gw.url, "/v1/models", { headers: { ...as("models") } });
        assert.equal(r.status, 200, `/v1/models: ${r.status} ${r.body.slice(0, 200)}`);
        const data = r.json().data as { id: string; object: string; owned_by: string; created: number }[];
        assert.deepEqual(data.map((m) => m.id).sort(), gw.models, "/v1/models: the listed ids");
        for (const m of data) assert.ok(m.object === "model" && m.owned_by && m.created > 0, `/v1/models: ${JSON.stringify(m)} lacks object/owned_by/created`);
    });

    it("endpoints: /v1/embeddings reaches the AI route and a model's backend", async () => {
        const r = await call(gw.url, "/v1/embeddings", { body: { model: "virtual-qwen-model", input: "hello" }, headers: { ...as("embeddings") } });
        assert.equal(r.status, 200, `endpoints (embeddings): ${r.status} ${r.body.slice(0, 300)}`);
        assert.ok(Array.isArray((r.json().data as { embedding: number[] }[])?.[0]?.embedding), `endpoints (embeddings): no data[0].embedding in ${r.body.slice(0, 200)}`);
        const paths = [...gw.backends.values()].flatMap((b) => b.paths);
        assert.deepEqual(paths, ["/v1/embeddings"], "endpoints (embeddings): one backend request, on the embeddings path");
    });

    it("Redis down: with rateLimit.failClosed false (the default), an exhausted request budget lets requests through while Redis is unreachable", async () => {
        await awayFromWindowEdge();
        const erin = as("redis-down");
        for (let i = 0; i < 3; i++) await call(gw.url, "/v1/chat/completions", { body: chat("qwen-with-fallback"), headers: { ...erin, ...SMALL } });
        const limited = await call(gw.url, "/v1/chat/completions", { body: chat("qwen-with-fallback"), headers: { ...erin, ...SMALL } });
        assert.equal(limited.status, 429, "Redis down: the budget is exhausted while Redis is up");
        await gw.redis!.stop();
        try {
            const open = await call(gw.url, "/v1/chat/completions", { body: chat("qwen-with-fallback"), headers: { ...erin, ...SMALL } });
            assert.equal(open.status, 200, `Redis down: fail open lets the request through, got ${open.status} ${open.body.slice(0, 200)}`);
        } finally {
            await gw.redis!.start();
        }
    });
});
