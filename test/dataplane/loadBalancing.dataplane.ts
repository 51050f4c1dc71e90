/**
 * `npm run test:dataplane`, load balancing over a backend's endpoints (fixtures/load-balancing.yaml): each backend
 * host resolves to three endpoints, as a headless Service resolves to its pods (a stand-in at an address of its own
 * for each). `ConsistentHash` on the verified user keeps one user's requests on one endpoint, whatever `x-user-id`
 * the client sends, and spreads users over several; on a header, the same by that header's value; `RoundRobin`, as
 * the contrast, spreads one user's requests over all of them.
 */
import * as assert from "node:assert/strict";
import { join } from "node:path";
import { readToolManifest } from "../../tools/upstreamTools";
import { call, chat, usageHeaders } from "./client";
import { localGatewayFor } from "./localGateway";

const FILE = join(__dirname, "fixtures", "load-balancing.yaml");
const ENDPOINTS = 3;
const HOSTS = { sticky: "sticky.models.svc.cluster.local", session: "session.models.svc.cluster.local", spread: "spread.models.svc.cluster.local" };
const SMALL = usageHeaders({ prompt: 1, completion: 1 });
const USERS = Array.from({ length: 8 }, (_, i) => `user-${i + 1}`);

describe("data plane (load balancing): consistent hashing on the verified user and on a header", function () {
    const gw = localGatewayFor(FILE, () => readToolManifest("dataplane"), { endpoints: Object.fromEntries(Object.values(HOSTS).map((h) => [h, ENDPOINTS])) });
    /** The client's API key: the test value of its key in the Secret the program creates from `apiKeys`. */
    const key = (client: string) => ({ "x-api-key": gw.secrets.get(`ai-gateway/ai-gateway-client-api-keys/${client}`) ?? `no key for ${client}` });
    /** Requests each endpoint of a host received since the test began. */
    const perEndpoint = (host: string) => Array.from({ length: ENDPOINTS }, (_, i) => gw.backends.get(`${host}#${i}`)!.requests);
    /** Sends one request and returns the endpoint that received it. */
    async function endpointOf(host: string, model: string, headers: Record<string, string>): Promise<number> {
        const before = perEndpoint(host);
        const r = await call(gw.url, "/v1/chat/completions", { body: chat(model), headers: { ...headers, ...SMALL } });
        assert.equal(r.status, 200, `${model}: ${r.status} ${r.body.slice(0, 300)}`);
        const after = perEndpoint(host);
        const hit = after.flatMap((n, i) => (n - before[i] === 1 ? [i] : []));
        assert.equal(hit.length, 1, `${model}: one endpoint of ${host} got the request: before ${before.join(",")}, after ${after.join(",")}`);
        assert.equal(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0), 1, `${model}: exactly one request reached ${host}`);
        return hit[0];
    }

    it("hashOn user: each verified user's requests go to one endpoint, whatever x-user-id the client claims; different users spread over more than one", async () => {
        const chosen = new Map<string, number>();
        for (const user of USERS) {
            const seen = new Set<number>();
            // The client's own x-user-id changes nothing: the gateway replaces it with the verified client before hashing.
            for (const claimed of [undefined, "someone-else", `other-${user}`]) seen.add(await endpointOf(HOSTS.sticky, "qwen", { ...key(user), ...(claimed && { "x-user-id": claimed }) }));
            assert.equal(seen.size, 1, `hashOn user: ${user}'s 3 requests (claiming other users) reached endpoints ${[...seen].join(", ")}`);
            chosen.set(user, [...seen][0]);
        }
        const used = new Set(chosen.values());
        assert.ok(used.size > 1, `hashOn user: ${USERS.length} users all reached one endpoint: ${JSON.stringify(Object.fromEntries(chosen))}`);
        // The same user again, later: still the same endpoint.
        for (const user of USERS.slice(0, 3)) assert.equal(await endpointOf(HOSTS.sticky, "qwen", key(user)), chosen.get(user), `hashOn user: ${user} again`);
    });

    it("hashOn header: requests with one x-session-id go to one endpoint; different sessions spread over more than one; any user", async () => {
        const chosen = new Map<string, number>();
        for (let s = 1; s <= 8; s++) {
            const session = `session-${s}`;
            const seen = new Set<number>();
            for (const user of USERS.slice(0, 3)) seen.add(await endpointOf(HOSTS.session, "llama", { ...key(user), "x-session-id": session }));
            assert.equal(seen.size, 1, `hashOn header: session ${session}'s requests (three users) reached endpoints ${[...seen].join(", ")}`);
            chosen.set(session, [...seen][0]);
        }
        assert.ok(new Set(chosen.values()).size > 1, `hashOn header: 8 sessions all reached one endpoint: ${JSON.stringify(Object.fromEntries(chosen))}`);
    });

    it("RoundRobin (the contrast): one user's requests reach every endpoint", async () => {
        const seen = new Set<number>();
        for (let i = 0; i < 2 * ENDPOINTS; i++) seen.add(await endpointOf(HOSTS.spread, "mistral", key("user-1")));
        assert.equal(seen.size, ENDPOINTS, `RoundRobin: ${2 * ENDPOINTS} requests of one user reached endpoints ${[...seen].join(", ")}`);
    });
});
