/**
 * `npm run test:dataplane`, every AI endpoint beside a catch-all passthrough route (fixtures/endpoints.yaml): each
 * endpoint AI Gateway v1.1.0 serves reaches the model route and its backend, the passthrough application gets only
 * the other paths, the shared request budgets count both (`rateLimit.scope: allRoutes`), and with
 * `gateway.errors.format: openai` the `openai` npm package parses the gateway's own errors. An MCP client's
 * `tools/list` reaches a small MCP server through the MCP route and gets only the tools the filter lets through.
 */
import * as assert from "node:assert/strict";
import { join } from "node:path";
import OpenAI from "openai";
import { readToolManifest } from "../../tools/upstreamTools";
import { awayFromWindowEdge, call, chat, fetchableUrl } from "./client";
import { localGatewayFor } from "./localGateway";
import { mcpServer, mcpSession } from "./mcpServer";

const FILE = join(__dirname, "fixtures", "endpoints.yaml");
const OPENAI = "api.openai.com";
const ANTHROPIC = "api.anthropic.com";
const COHERE = "api.cohere.com";
const WEB = "web.ai-gateway.svc.cluster.local";
const KIWI = "kiwi.tools.svc.cluster.local";

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64");
const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };

/** A multipart/form-data body with a model field and a small audio file, as an OpenAI client sends it. */
function multipart(model: string): { body: string; type: string } {
    const boundary = "dataplane-boundary";
    const body = [
        `--${boundary}\r\ncontent-disposition: form-data; name="model"\r\n\r\n${model}\r\n`,
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.wav"\r\ncontent-type: audio/wav\r\n\r\nRIFF0000WAVE\r\n`,
        `--${boundary}--\r\n`,
    ].join("");
    return { body, type: `multipart/form-data; boundary=${boundary}` };
}

interface Endpoint {
    path: string;
    /** The backend's host and the path it receives. */
    backend?: { host: string; path: string };
    body?: unknown;
    contentType?: string;
    /** What the stand-in answers (testupstream's `x-response-body`), in the endpoint's schema. */
    answer?: unknown;
}

const audio = multipart("gpt-4o-mini");
const ENDPOINTS: Endpoint[] = [
    { path: "/v1/chat/completions", backend: { host: OPENAI, path: "/v1/chat/completions" }, body: chat("gpt-4o-mini") },
    {
        path: "/v1/completions",
        backend: { host: OPENAI, path: "/v1/completions" },
        body: { model: "gpt-4o-mini", prompt: "Hello" },
        answer: { id: "cmpl-1", object: "text_completion", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, text: "ok", finish_reason: "stop" }], usage },
    },
    { path: "/v1/embeddings", backend: { host: OPENAI, path: "/v1/embeddings" }, body: { model: "gpt-4o-mini", input: "Hello" } },
    {
        path: "/v1/responses",
        backend: { host: OPENAI, path: "/v1/responses" },
        body: { model: "gpt-4o-mini", input: "Hello" },
        answer: { id: "resp_1", object: "response", created_at: 1, model: "gpt-4o-mini", status: "completed", output: [], usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } },
    },
    {
        path: "/v1/responses/input_tokens",
        backend: { host: OPENAI, path: "/v1/responses/input_tokens" },
        body: { model: "gpt-4o-mini", input: "Hello" },
        answer: { object: "response.input_tokens", input_tokens: 3 },
    },
    { path: "/v1/audio/transcriptions", backend: { host: OPENAI, path: "/v1/audio/transcriptions" }, body: audio.body, contentType: audio.type, answer: { text: "hello" } },
    { path: "/v1/audio/translations", backend: { host: OPENAI, path: "/v1/audio/translations" }, body: audio.body, contentType: audio.type, answer: { text: "hello" } },
    {
        path: "/v1/images/generations",
        backend: { host: OPENAI, path: "/v1/images/generations" },
        body: { model: "gpt-4o-mini", prompt: "a cat" },
        answer: { created: 1, data: [{ url: "https://example.com/cat.png" }] },
    },
    {
        path: "/cohere/v2/rerank",
        backend: { host: COHERE, path: "/v2/rerank" },
        body: { model: "rerank-v3.5", query: "cat", documents: ["a cat", "a dog"] },
        answer: { id: "rr-1", results: [{ index: 0, relevance_score: 0.9 }], meta: { billed_units: { search_units: 1 } } },
    },
    { path: "/tokenize", backend: { host: OPENAI, path: "/tokenize" }, body: { model: "gpt-4o-mini", prompt: "Hello" }, answer: { count: 1, max_model_len: 1024, tokens: [1] } },
    { path: "/v1/models" },
    {
        path: "/anthropic/v1/messages",
        backend: { host: ANTHROPIC, path: "/v1/messages" },
        body: { model: "claude-sonnet-4", max_tokens: 16, messages: [{ role: "user", content: "Hello" }] },
        answer: { id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4", content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 1 } },
    },
    {
        path: "/anthropic/v1/messages/count_tokens",
        backend: { host: ANTHROPIC, path: "/v1/messages/count_tokens" },
        body: { model: "claude-sonnet-4", messages: [{ role: "user", content: "Hello" }] },
        answer: { input_tokens: 3 },
    },
];

describe("data plane (endpoints): every AI endpoint beside a catch-all passthrough; OpenAI SDK errors", function () {
    const gw = localGatewayFor(FILE, () => readToolManifest("dataplane"));
    const key = (client: string) => gw.secrets.get(`ai-gateway/ai-gateway-client-api-keys/${client}`) ?? `no key for ${client}`;
    const requestsTo = (host: string) => gw.backends.get(host)!.requests;

    for (const e of ENDPOINTS) {
        it(`endpoints: ${e.path} reaches the model route${e.backend ? ` and ${e.backend.host}${e.backend.path}` : ""}, not the catch-all passthrough`, async () => {
            const headers: Record<string, string> = { "x-api-key": key("app") };
            if (e.contentType) headers["content-type"] = e.contentType;
            if (e.answer) headers["x-response-body"] = b64(e.answer);
            const r = await call(gw.url, e.path, { body: e.body, headers });
            assert.equal(requestsTo(WEB), 0, `endpoints (${e.path}): the catch-all passthrough got the request (${r.status} ${r.body.slice(0, 200)})`);
            assert.equal(r.status, 200, `endpoints (${e.path}): ${r.status} ${r.body.slice(0, 300)}`);
            if (e.backend) {
                const seen = [...gw.backends.values()].flatMap((b) => b.paths.map((p) => `${b.host}${p}`));
                assert.deepEqual(seen, [`${e.backend.host}${e.backend.path}`], `endpoints (${e.path}): the requests the backends received`);
            } else {
                const ids = ((r.json().data as { id: string }[]) ?? []).map((m) => m.id).sort();
                assert.deepEqual(ids, gw.models, `endpoints (${e.path}): the gateway answers it itself with the stack's models`);
            }
        });
    }

    it("endpoints: the catch-all passthrough gets every other path, unchanged", async () => {
        const rest = ["/", "/healthz", "/v1/files", "/v1/models/sklearn-iris:predict", "/v1/chat/completions/extra", "/v1/chat", "/anthropic/v1/complete", "/cohere/v2/chat", "/tokenize2"];
        for (const path of rest) {
            const r = await call(gw.url, path, { headers: { "x-api-key": key("app") } });
            assert.equal(r.status, 200, `endpoints (passthrough ${path}): ${r.status} ${r.body.slice(0, 200)}`);
            assert.deepEqual(r.json(), { service: WEB, path }, `endpoints (passthrough ${path}): the catch-all's Service answers`);
        }
        assert.equal(requestsTo(WEB), rest.length, "endpoints (passthrough): the Service got each request once");
        for (const h of [OPENAI, ANTHROPIC, COHERE]) assert.equal(requestsTo(h), 0, `endpoints (passthrough): ${h} got none of them`);
        const anonymous = await call(gw.url, "/healthz");
        assert.equal(anonymous.status, 401, `endpoints (passthrough): the catch-all is behind the same client authentication, got ${anonymous.status}`);
    });

    it("passthrough (scope: allRoutes): the per-user budget of 30 requests a minute counts passthrough requests, and then refuses model requests too", async () => {
        await awayFromWindowEdge();
        const headers = { "x-api-key": key("scoped") };
        const statuses: number[] = [];
        for (let i = 0; i < 31; i++) statuses.push((await call(gw.url, "/v1/files", { headers })).status);
        assert.deepEqual(statuses, [...Array(30).fill(200), 429], "passthrough (scope: allRoutes): statuses of 31 passthrough requests by one client, per-user budget 30 a minute");
        const r = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers });
        assert.equal(r.status, 429, `passthrough (scope: allRoutes): a model request after 30 passthrough requests, got ${r.status}`);
        assert.equal(requestsTo(OPENAI), 0, "passthrough (scope: allRoutes): the refused model request reaches no backend");
    });

    it("MCP: tools/list through the MCP route reaches the MCP server and lists only the tools of its filter (include: [search])", async () => {
        const kiwi = mcpServer("kiwi", ["search", "delete", "search-all"]);
        gw.backends.get(KIWI)!.serve(kiwi.handler);
        try {
            const session = await mcpSession(gw.url, "/mcp", { "x-api-key": key("mcp") });
            const { reply, message } = await session.request("tools/list");
            assert.equal(reply.status, 200, `MCP (tools/list): ${reply.status} ${reply.body.slice(0, 300)}`);
            const tools = ((message.result as { tools?: { name: string }[] } | undefined)?.tools ?? []).map((t) => t.name).sort();
            assert.deepEqual(tools, ["kiwi__search"], `MCP (tools/list): the tools offered through the gateway (the server has search, delete, search-all): ${JSON.stringify(message).slice(0, 300)}`);
            assert.ok(kiwi.methods.includes("tools/list"), `MCP (tools/list): the MCP server was asked tools/list (it was asked: ${kiwi.methods.join(", ")})`);
            assert.equal(requestsTo(WEB), 0, "MCP: the catch-all passthrough got none of the MCP requests");
            const anonymous = await call(gw.url, "/mcp", { headers: { accept: "application/json, text/event-stream" }, body: { jsonrpc: "2.0", id: 1, method: "initialize", params: {} } });
            assert.equal(anonymous.status, 401, `MCP: the MCP route is behind the client authentication, got ${anonymous.status}`);
        } finally {
            gw.backends.get(KIWI)!.serve(undefined);
        }
    });

    describe("the openai npm package as a client (gateway.errors.format: openai)", () => {
        let relay: Awaited<ReturnType<typeof fetchableUrl>>;
        before(async () => {
            relay = await fetchableUrl(gw.url);
        });
        after(async () => {
            await relay?.close();
        });
        const client = (withKey = true) =>
            new OpenAI({ baseURL: `${relay.url}/v1`, apiKey: "not-used-by-the-gateway", maxRetries: 0, defaultHeaders: withKey ? { "x-api-key": key("sdk") } : {} });
        /** The error a call throws, which must be an APIError. */
        const failure = async (what: string, f: () => Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> => {
            try {
                await f();
            } catch (e) {
                assert.ok(e instanceof OpenAI.APIError, `openai SDK (${what}): threw ${String(e)}, not an APIError`);
                return e;
            }
            assert.fail(`openai SDK (${what}): the call succeeded`);
        };

        it("openai SDK: a chat completion parses", async () => {
            const completion = await client().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] });
            assert.ok(completion.choices[0]?.message?.content, `openai SDK (chat completion): no choices[0].message.content in ${JSON.stringify(completion).slice(0, 300)}`);
            assert.equal(typeof completion.usage?.total_tokens, "number", "openai SDK (chat completion): usage parses");
        });

        it("openai SDK: a missing API key is an AuthenticationError (401, authentication_error, invalid_api_key)", async () => {
            const e = await failure("401", () => client(false).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] }));
            assert.ok(e instanceof OpenAI.AuthenticationError, `openai SDK (401): ${e.constructor.name} ${e.status} ${e.message}`);
            assert.deepEqual([e.status, e.type, e.code], [401, "authentication_error", "invalid_api_key"], "openai SDK (401): status, type, code");
        });

        it("openai SDK: an unknown model is a NotFoundError (404, invalid_request_error, model_not_found)", async () => {
            const e = await failure("404", () => client().chat.completions.create({ model: "gpt-unknown", messages: [{ role: "user", content: "Hello" }] }));
            assert.ok(e instanceof OpenAI.NotFoundError, `openai SDK (404): ${e.constructor.name} ${e.status} ${e.message}`);
            assert.deepEqual([e.status, e.type, e.code], [404, "invalid_request_error", "model_not_found"], "openai SDK (404): status, type, code");
        });

        it("openai SDK: a request past a budget is a RateLimitError (429, rate_limit_error, rate_limit_exceeded), without retry-after or x-ratelimit-* headers", async () => {
            await awayFromWindowEdge();
            await client().chat.completions.create({ model: "limited", messages: [{ role: "user", content: "Hello" }] });
            const e = await failure("429", () => client().chat.completions.create({ model: "limited", messages: [{ role: "user", content: "Hello" }] }));
            assert.ok(e instanceof OpenAI.RateLimitError, `openai SDK (429): ${e.constructor.name} ${e.status} ${e.message}`);
            assert.deepEqual([e.status, e.type, e.code], [429, "rate_limit_error", "rate_limit_exceeded"], "openai SDK (429): status, type, code");
            // Envoy's custom response (Envoy Gateway's responseOverride) drops the rate-limit filter's headers: a client learns
            // nothing of when to retry. The day this fails, the headers survive: update docs/errors.md and the warning.
            const limitHeaders = [...e.headers!.keys()].filter((h) => h === "retry-after" || h.startsWith("x-ratelimit-"));
            assert.deepEqual(limitHeaders, [], "openai SDK (429): the OpenAI-format 429 carries no retry-after or x-ratelimit-* header (Envoy's custom response drops them)");
            assert.doesNotMatch(e.message, /retry-after|x-ratelimit/i, "openai SDK (429): the error message must not point the client at headers the response does not have");
        });
    });
});
