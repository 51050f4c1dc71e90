/**
 * `npm run test:dataplane`, a burst limit without Redis (fixtures/local-limit.yaml): `rateLimit.local` of 3
 * requests per model and window, and no budget, so the stack runs neither Redis nor a rate-limit service. Envoy's
 * own token bucket answers the 4th request with 429 before any backend sees it; each model has a bucket of its own.
 */
import * as assert from "node:assert/strict";
import { join } from "node:path";
import { readToolManifest } from "../../tools/upstreamTools";
import { call, chat, usageHeaders } from "./client";
import { localGatewayFor } from "./localGateway";

const FILE = join(__dirname, "fixtures", "local-limit.yaml");
const BACKEND = "llm.models.svc.cluster.local";
const SMALL = usageHeaders({ prompt: 1, completion: 1 });

describe("data plane (local limit): rateLimit.local without Redis", function () {
    const gw = localGatewayFor(FILE, () => readToolManifest("dataplane"));
    const model = (name: string) => call(gw.url, "/v1/chat/completions", { body: chat(name), headers: SMALL });

    it("local limit: 3 requests per model pass, the 4th and 5th get 429 and reach no backend; another model keeps its own 3", async () => {
        assert.equal(gw.redis, undefined, "local limit: the stack runs no Redis");
        assert.equal(gw.rateLimitDebug, undefined, "local limit: the stack runs no rate-limit service");
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) statuses.push((await model("first")).status);
        assert.deepEqual(statuses, [200, 200, 200, 429, 429], "local limit: statuses of 5 requests to one model, 3 allowed per window");
        assert.equal(gw.backends.get(BACKEND)!.requests, 3, "local limit: a refused request reaches no backend");
        const other: number[] = [];
        for (let i = 0; i < 4; i++) other.push((await model("second")).status);
        assert.deepEqual(other, [200, 200, 200, 429], "local limit: another model has a bucket of its own");
    });
});
