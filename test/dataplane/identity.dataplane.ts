/**
 * `npm run test:dataplane`, client identity (fixtures/identity.yaml): API-key clients, a per-user request budget
 * of 2 a minute that fails closed, and a provider reached over HTTPS (a stand-in with a certificate of the test CA) with a key of
 * its own. The user a budget counts is the verified client, never what the client says it is.
 */
import * as assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { readToolManifest } from "../../tools/upstreamTools";
import { awayFromWindowEdge, call, chat, usageHeaders } from "./client";
import { localGatewayFor } from "./localGateway";

const FILE = join(__dirname, "fixtures", "identity.yaml");
const PROVIDER = "api.openai.com";
const SMALL = usageHeaders({ prompt: 1, completion: 1 });

describe("data plane (API-key identity): the verified client is the user", function () {
    const gw = localGatewayFor(FILE, () => readToolManifest("dataplane"));
    /** The client's API key: the test value of its key in the Secret the program creates from `apiKeys`. */
    const key = (client: string) => ({ "x-api-key": gw.secrets.get(`ai-gateway/ai-gateway-client-api-keys/${client}`) ?? `no key for ${client}` });

    before(async () => {
        // Envoy opens its connection to the rate-limit service with the first request that needs it. On a loaded machine
        // that first call can outlast the rate-limit filter's timeout, and this stack fails closed: a 500 that says
        // nothing about identity. A client no scenario uses opens it first (its budget is its own).
        const deadline = Date.now() + 30_000;
        let r = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { ...key("warm-up"), ...SMALL } });
        while (r.status === 500 && Date.now() < deadline) {
            await new Promise((done) => setTimeout(done, 1000));
            r = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { ...key("warm-up"), ...SMALL } });
        }
        assert.equal(r.status, 200, `identity (warm-up): the first requests of a client got ${r.status} ${r.body.slice(0, 300)} for 30 s`);
    });

    it("identity: a known key reaches the provider over HTTPS, which gets the provider's key and the verified user", async () => {
        const r = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { ...key("team-a"), ...SMALL } });
        assert.equal(r.status, 200, `identity (known key): ${r.status} ${r.body.slice(0, 300)}`);
        const seen = gw.backends.get(PROVIDER)!.headers;
        assert.equal(seen.length, 1, "identity (known key): the provider's stand-in got the request");
        assert.equal(seen[0].authorization, `Bearer ${gw.secrets.get("ai-gateway/ai-gateway-openai-apikey/apiKey")}`, "identity (known key): the provider gets its own key, not the client's");
        assert.equal(seen[0]["x-api-key"], undefined, "identity (known key): the client's key does not reach the provider");
        assert.equal(seen[0]["x-user-id"], "team-a", "identity (known key): the user header is the verified client");
    });

    it("identity: a missing or unknown key gets 401 and reaches no backend", async () => {
        const missing = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: SMALL });
        assert.equal(missing.status, 401, `identity (missing key): ${missing.status} ${missing.body.slice(0, 200)}`);
        const wrong = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { "x-api-key": "not-a-key", ...SMALL } });
        assert.equal(wrong.status, 401, `identity (unknown key): ${wrong.status} ${wrong.body.slice(0, 200)}`);
        assert.equal(gw.backends.get(PROVIDER)!.requests, 0, "identity (missing or unknown key): no backend may receive the request");
    });

    it("identity: a client-sent x-user-id buys no budget: team-a's 3rd request in a minute gets 429 whatever user it claims, team-b is unaffected", async () => {
        await awayFromWindowEdge();
        // Whatever user each request claims, team-a's 3rd request in a window is refused (fewer when the first scenario's
        // request fell into the same minute).
        const statuses: number[] = [];
        for (const claimed of ["team-b", "someone-else", "team-c"]) {
            statuses.push((await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { ...key("team-a"), "x-user-id": claimed, ...SMALL } })).status);
        }
        const passed = statuses.indexOf(429);
        assert.ok(passed >= 1 && passed <= 2 && statuses.slice(0, passed).every((s) => s === 200) && statuses.slice(passed).every((s) => s === 429), `identity (spoofed x-user-id): statuses of team-a's requests claiming other users, budget 2 a minute: ${statuses.join(", ")}`);
        for (const h of gw.backends.get(PROVIDER)!.headers) assert.equal(h["x-user-id"], "team-a", "identity (spoofed x-user-id): the provider sees the verified client");
        const b = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { ...key("team-b"), ...SMALL } });
        assert.equal(b.status, 200, `identity (spoofed x-user-id): team-b keeps its own budget, got ${b.status}`);
    });
    it("Redis down: with rateLimit.failClosed true, requests are refused (500) while Redis is unreachable, and pass again once it is back", async () => {
        await awayFromWindowEdge();
        await gw.redis!.stop();
        try {
            const closed = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { ...key("team-b"), ...SMALL } });
            assert.equal(closed.status, 500, `Redis down (fail closed): ${closed.status} ${closed.body.slice(0, 200)}`);
        } finally {
            await gw.redis!.start();
        }
        // team-b spent 1 of its 2 requests in the spoofing scenario; the rate-limit service reconnects to Redis within seconds.
        const deadline = Date.now() + 30_000;
        let again = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { ...key("team-b"), ...SMALL } });
        while (again.status === 500 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 1000));
            again = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { ...key("team-b"), ...SMALL } });
        }
        assert.equal(again.status, 200, `Redis down (fail closed): 30 s after Redis is back, ${again.status} ${again.body.slice(0, 200)}`);
    });
});

describe("data plane (external authorization identity): the user is what the service names, never what the client says", function () {
    const gw = localGatewayFor(join(__dirname, "fixtures", "extauth.yaml"), () => readToolManifest("dataplane"));
    const AUTHZ = "authz.auth.svc.cluster.local";

    before(() => {
        // The authorization service: `Bearer user:<name>` is that user, `Bearer anonymous` is let in without a user, the rest denied.
        const authz = (req: IncomingMessage, res: ServerResponse) => {
            req.resume();
            const credential = String(req.headers.authorization ?? "");
            if (credential.startsWith("Bearer user:")) res.writeHead(200, { "x-user-id": credential.slice("Bearer user:".length) }).end();
            else if (credential === "Bearer anonymous") res.writeHead(200).end();
            else res.writeHead(403).end();
        };
        gw.backends.get(AUTHZ)!.serve(authz);
    });

    it("identity (external authorization): the provider sees the user the service names; a client's own x-user-id is removed, also when the service names no one", async () => {
        const named = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { authorization: "Bearer user:alice", "x-user-id": "bob", ...SMALL } });
        assert.equal(named.status, 200, `identity (external authorization): ${named.status} ${named.body.slice(0, 200)}`);
        const anonymous = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { authorization: "Bearer anonymous", "x-user-id": "victim", ...SMALL } });
        assert.equal(anonymous.status, 200, `identity (external authorization, no user named): ${anonymous.status} ${anonymous.body.slice(0, 200)}`);
        const denied = await call(gw.url, "/v1/chat/completions", { body: chat("gpt-4o-mini"), headers: { authorization: "Bearer nobody", ...SMALL } });
        assert.equal(denied.status, 403, `identity (external authorization, denied): ${denied.status}`);
        const users = gw.backends.get(PROVIDER)!.headers.map((h) => h["x-user-id"]);
        assert.deepEqual(users, ["alice", undefined], "identity (external authorization): the x-user-id the provider saw for alice claiming bob, and for an anonymous client claiming victim (identity-header stripping)");
    });
});
