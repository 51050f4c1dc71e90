/**
 * `npm run test:dataplane`, the prod stack: clients authenticate with JWTs of the stack's identity provider (a
 * stand-in at `auth.example.com` serves the key set, ./localGateway.ts signs the tokens), providers are reached
 * over HTTPS at their own host names (stand-ins with certificates of the test CA), with the provider keys the
 * program puts in its Secrets.
 */
import * as assert from "node:assert/strict";
import { join } from "node:path";
import { readToolManifest } from "../../tools/upstreamTools";
import { call, chat, usageHeaders } from "./client";
import { type LocalGateway, startLocalGateway } from "./localGateway";

const FILE = join(__dirname, "..", "..", "Pulumi.prod.yaml");
const SMALL = usageHeaders({ prompt: 1, completion: 1 });

describe("data plane (prod stack): JWT clients, HTTPS providers", function () {
    let gw: LocalGateway;
    /** The HTTPS listener (the HTTP one redirects to it: redirectToHttps). */
    const https = () => ({ url: gw.listeners.find((l) => l.protocol === "HTTPS")!.url, host: "llm.example.com" });
    const token = (sub: string, tenant = "tenant-a") =>
        gw.jwt({ iss: "https://auth.example.com", aud: "ai-gateway", sub, tenant, exp: Math.floor(Date.now() / 1000) + 600 });

    before(async function () {
        this.timeout(600_000);
        gw = await startLocalGateway(FILE, readToolManifest("dataplane"));
    });

    after(async () => {
        await gw?.stop();
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
});
