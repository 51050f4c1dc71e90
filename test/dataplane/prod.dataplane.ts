/**
 * `npm run test:dataplane`, the prod stack: clients authenticate with JWTs of the stack's identity provider (a
 * stand-in at `auth.example.com` serves the key set, ./localGateway.ts signs the tokens), providers are reached
 * over HTTPS at their own host names (stand-ins with certificates of the test CA), with the provider keys the
 * program puts in its Secrets. The stack file is the one a user makes: `Pulumi.prod.yaml` with its provider keys set
 * by the real Pulumi CLI (`pulumi config set --secret --path apiKeys.<name>`), and a weighted split of `gpt-4.1`
 * (`pulumi config set --path`), in a project folder of the test's own (./stackCli.ts). Its QuotaPolicy (OpenAI's
 * gpt-4.1 tokens a minute, lowered with the CLI) is enforced by the quota service the local gateway runs.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readToolManifest } from "../../tools/upstreamTools";
import { awayFromWindowEdge, call, chat, many, tokensCounted, usageHeaders } from "./client";
import { type LocalGateway, startLocalGateway } from "./localGateway";
import { type CliStack, cliStack } from "./stackCli";

const SMALL = usageHeaders({ prompt: 1, completion: 1 });
const OPENAI = "api.openai.com";
const AZURE = "example-resource.openai.azure.com";
/** OpenAI's gpt-4.1 quota in the test, tokens a minute. */
const QUOTA = 5000;
/** The test credentials, set with `pulumi config set --secret`. */
const CREDENTIALS: Record<string, string> = { openai: "sk-dataplane-openai-test", "azure-openai": "dataplane-azure-test", otlp: "Authorization=Bearer dataplane-otlp-test" };

describe("data plane (prod stack): JWT clients, HTTPS providers", function () {
    let gw: LocalGateway;
    let stack: CliStack | undefined;
    let user = 0;
    /** The HTTPS listener (the HTTP one redirects to it: redirectToHttps). */
    const https = () => ({ url: gw.listeners.find((l) => l.protocol === "HTTPS")!.url, host: "llm.example.com" });
    const token = (sub: string, tenant = "tenant-a") =>
        gw.jwt({ iss: "https://auth.example.com", aud: "ai-gateway", sub, tenant, exp: Math.floor(Date.now() / 1000) + 600 });

    before(async function () {
        this.timeout(600_000);
        const tools = readToolManifest("dataplaneSuite");
        stack = cliStack(tools.pulumi.bin, "prod");
        for (const [name, value] of Object.entries(CREDENTIALS)) stack.cli(["config", "set", "--secret", "--path", `apiKeys.${name}`, value]);
        // gpt-4.1: OpenAI and Azure OpenAI at the same priority, 70/30 (the committed file falls back from one to the other).
        stack.cli(["config", "set", "--path", 'ai-gateway:models["gpt-4.1"].backends[0].weight', "70"]);
        stack.cli(["config", "set", "--path", 'ai-gateway:models["gpt-4.1"].backends[1].priority', "0"]);
        stack.cli(["config", "set", "--path", 'ai-gateway:models["gpt-4.1"].backends[1].weight', "30"]);
        // OpenAI's gpt-4.1 quota: 5000 tokens a minute, so that spending it leaves the stack's budgets (its global budget is
        // 2,000,000 tokens a minute, as the committed quota) far from their limits, and a 429 can only be the quota's.
        stack.cli(["config", "set", "--path", 'ai-gateway:backends.openai.quotas["gpt-4.1"][0].limit', String(QUOTA)]);
        const text = readFileSync(stack.file, "utf8");
        for (const value of Object.values(CREDENTIALS)) assert.ok(!text.includes(value), "prod (pulumi config set --secret): a credential is in the stack file in plain text");
        gw = await startLocalGateway(stack.file, tools);
    });

    after(async () => {
        await gw?.stop();
        stack?.remove();
    });

    it("first call: gpt-4o-mini answers 200 with a chat completion from OpenAI's stand-in, which gets the OpenAI key", async () => {
        const r = await call(https().url, "/v1/chat/completions", { host: https().host, body: chat("gpt-4o-mini"), headers: { authorization: `Bearer ${token("alice")}`, ...SMALL } });
        assert.equal(r.status, 200, `first call (prod, gpt-4o-mini): ${r.status} ${r.body.slice(0, 300)}`);
        const seen = gw.backends.get("api.openai.com")!.headers;
        assert.equal(seen.length, 1, "first call (prod): OpenAI's stand-in got the request");
        assert.equal(seen[0].authorization, `Bearer ${gw.secrets.get("ai-gateway/ai-gateway-openai-apikey/apiKey")}`, "first call (prod): OpenAI gets the provider key, not the client's token");
        assert.equal(seen[0]["x-user-id"], "alice", "first call (prod): the user is the token's subject");
    });

    it("identity (JWT): no token, a token of another issuer's key or of a tenant not allowed: 401/403, no provider reached", async () => {
        for (const b of gw.backends.values()) b.reset();
        const none = await call(https().url, "/v1/chat/completions", { host: https().host, body: chat("gpt-4o-mini"), headers: SMALL });
        assert.equal(none.status, 401, `identity (JWT, none): ${none.status} ${none.body.slice(0, 200)}`);
        const forged = token("mallory").replace(/\.[^.]+$/, ".c2lnbmF0dXJl");
        const bad = await call(https().url, "/v1/chat/completions", { host: https().host, body: chat("gpt-4o-mini"), headers: { authorization: `Bearer ${forged}`, ...SMALL } });
        assert.equal(bad.status, 401, `identity (JWT, bad signature): ${bad.status} ${bad.body.slice(0, 200)}`);
        const outsider = await call(https().url, "/v1/chat/completions", { host: https().host, body: chat("gpt-4o-mini"), headers: { authorization: `Bearer ${token("oscar", "tenant-z")}`, ...SMALL } });
        assert.equal(outsider.status, 403, `identity (JWT, tenant not allowed): ${outsider.status} ${outsider.body.slice(0, 200)}`);
        const reached = [...gw.backends.values()].reduce((n, b) => n + b.requests, 0);
        assert.equal(reached, 0, "identity (JWT): no provider may receive a refused request");
    });

    it("identity (JWT, spoofed headers): a client's own x-user-id and x-tenant are replaced by the token's subject and tenant claim", async () => {
        for (const b of gw.backends.values()) b.reset();
        const sub = `spoofer-${++user}`;
        const r = await call(https().url, "/v1/chat/completions", {
            host: https().host,
            body: chat("gpt-4o-mini"),
            headers: { authorization: `Bearer ${token(sub, "tenant-a")}`, "x-user-id": "someone-else", "x-tenant": "tenant-b", ...SMALL },
        });
        assert.equal(r.status, 200, `identity (JWT, spoofed headers): ${r.status} ${r.body.slice(0, 200)}`);
        const seen = gw.backends.get(OPENAI)!.headers;
        assert.equal(seen.length, 1, "identity (JWT, spoofed headers): OpenAI's stand-in got the request");
        assert.deepEqual([seen[0]["x-user-id"], seen[0]["x-tenant"]], [sub, "tenant-a"], "identity (JWT, spoofed headers): the user and tenant the provider sees (and budgets count) are the verified ones only");
        // A valid token without the user claim: nothing verified names the user, so what the client claims must not either.
        // (Envoy's JWT filter removes the client's copy of a claim header itself, with or without the claim.)
        const anonymous = gw.jwt({ iss: "https://auth.example.com", aud: "ai-gateway", tenant: "tenant-a", exp: Math.floor(Date.now() / 1000) + 600 });
        const r2 = await call(https().url, "/v1/chat/completions", { host: https().host, body: chat("gpt-4o-mini"), headers: { authorization: `Bearer ${anonymous}`, "x-user-id": "victim", ...SMALL } });
        const reached = gw.backends.get(OPENAI)!.headers.slice(1);
        assert.deepEqual([r2.status, reached.map((h) => h["x-user-id"])], [200, [undefined]], `identity (JWT, spoofed headers): a token without a subject and a client-sent x-user-id: victim: ${r2.status} ${r2.body.slice(0, 200)}`);
    });

    it("weighted split (prod, set with the CLI): 600 requests to gpt-4.1 land 70/30 on OpenAI and Azure OpenAI within ±5 points", async () => {
        for (const b of gw.backends.values()) b.reset();
        // A user each (the stack's default budget is 60 requests a minute per user).
        const replies = await many(600, 20, () =>
            call(https().url, "/v1/chat/completions", { host: https().host, body: chat("gpt-4.1"), headers: { authorization: `Bearer ${token(`weighted-${++user}`)}`, ...SMALL } }),
        );
        const failed = replies.filter((r) => r.status !== 200);
        assert.equal(failed.length, 0, `weighted split (prod): ${failed.length} of 600 requests failed, e.g. ${failed[0]?.status} ${failed[0]?.body.slice(0, 200)}`);
        const share = { [OPENAI]: (gw.backends.get(OPENAI)!.requests / 600) * 100, [AZURE]: (gw.backends.get(AZURE)!.requests / 600) * 100 };
        for (const [host, weight] of [[OPENAI, 70], [AZURE, 30]] as const) {
            assert.ok(Math.abs(share[host] - weight) <= 5, `weighted split (prod): ${host} got ${share[host].toFixed(1)}% of 600 requests, configured ${weight}% (±5): ${JSON.stringify(share)}`);
        }
    });

    it("fallback (prod): with OpenAI answering 503, gpt-4o-mini is answered by Azure OpenAI (priority 1), OpenAI tried once", async () => {
        for (const b of gw.backends.values()) b.reset();
        gw.backends.get(OPENAI)!.failWith(503);
        const r = await call(https().url, "/v1/chat/completions", { host: https().host, body: chat("gpt-4o-mini"), headers: { authorization: `Bearer ${token(`fallback-${++user}`)}`, ...SMALL } });
        assert.equal(r.status, 200, `fallback (prod): ${r.status} ${r.body.slice(0, 300)}`);
        assert.equal(gw.backends.get(OPENAI)!.requests, 1, "fallback (prod): OpenAI is tried once (numAttemptsPerPriority: 1)");
        assert.equal(gw.backends.get(AZURE)!.requests, 1, "fallback (prod): Azure OpenAI answers");
        assert.match(gw.backends.get(AZURE)!.paths[0], /\/openai\/deployments\/gpt-4o-mini\/chat\/completions/, "fallback (prod): Azure OpenAI is called at its deployment's path");
    });

    // Last: it spends OpenAI's gpt-4.1 quota for the rest of the minute.
    it("provider quota (prod): once OpenAI's gpt-4.1 quota (5000 tokens a minute, set with the CLI) is spent, gpt-4.1 requests get 429 from the gateway and reach no provider; another model is answered", async () => {
        await awayFromWindowEdge();
        for (const b of gw.backends.values()) b.reset();
        const send = (model: string, usage: Record<string, string>) =>
            call(https().url, "/v1/chat/completions", { host: https().host, body: chat(model), headers: { authorization: `Bearer ${token(`quota-${++user}`)}`, ...usage } });
        // One response from OpenAI reporting more tokens than the quota (the split sends 70% of gpt-4.1 there).
        const spend = usageHeaders({ prompt: QUOTA / 2, completion: QUOTA / 2 + 1 });
        for (let i = 0; i < 20 && gw.backends.get(OPENAI)!.requests === 0; i++) {
            const r = await send("gpt-4.1", spend);
            assert.equal(r.status, 200, `provider quota (prod): a request before the quota is spent: ${r.status} ${r.body.slice(0, 200)}`);
        }
        assert.equal(gw.backends.get(OPENAI)!.requests, 1, `provider quota (prod): OpenAI answered a request reporting ${QUOTA + 1} tokens`);
        await tokensCounted();
        for (const b of gw.backends.values()) b.reset();
        const replies = await many(20, 4, () => send("gpt-4.1", SMALL));
        const statuses = [...new Set(replies.map((r) => r.status))];
        const reached = { [OPENAI]: gw.backends.get(OPENAI)!.requests, [AZURE]: gw.backends.get(AZURE)!.requests };
        // AI Gateway v1.1.0 checks the quota before a backend is picked, naming the policy's backend: every request of the
        // route is refused, also those the split would send to Azure OpenAI (docs/local-gateway.md).
        assert.deepEqual([statuses, reached], [[429], { [OPENAI]: 0, [AZURE]: 0 }], `provider quota (prod): statuses of 20 gpt-4.1 requests once OpenAI's quota is spent, and the requests each provider got`);
        // The stack's budgets are far from their limits: another model is answered (by OpenAI, which has no quota for it).
        const other = await send("gpt-4o-mini", SMALL);
        assert.equal(other.status, 200, `provider quota (prod): gpt-4o-mini while gpt-4.1's quota is spent: ${other.status} ${other.body.slice(0, 200)}`);
    });
});
