/**
 * `npm run test:dataplane`, budgets that count more than one request stream (fixtures/budgets.yaml): a spend
 * budget in dollars at the backend's prices, a tenant's budget and the global budget across users, and a
 * passthrough route that the model budgets do not count (`rateLimit.scope: models`) but its own budget does.
 */
import * as assert from "node:assert/strict";
import { join } from "node:path";
import { readToolManifest } from "../../tools/upstreamTools";
import { awayFromWindowEdge, call, chat, tokensCounted, usageHeaders } from "./client";
import { localGatewayFor } from "./localGateway";

const FILE = join(__dirname, "fixtures", "budgets.yaml");
const BACKEND = "llm.models.svc.cluster.local";
const PREDICTOR = "sklearn-iris-predictor.ai-gateway.svc.cluster.local";
const SMALL = usageHeaders({ prompt: 1, completion: 1 });

describe("data plane (budgets): spend, tenant, global, passthrough", function () {
    const gw = localGatewayFor(FILE, () => readToolManifest("dataplane"));
    let user = 0;
    const freshUser = (scenario: string) => `${scenario}-${++user}`;
    const model = (name: string, headers: Record<string, string>) => call(gw.url, "/v1/chat/completions", { body: chat(name), headers });

    it("spend budget: 0.01 USD a minute per user stops after the responses' cost at the backend's prices reaches it", async () => {
        await awayFromWindowEdge();
        const frank = freshUser("spend");
        // 1000 input tokens at 1 USD/1M + 1500 output tokens at 2 USD/1M = 0.004 USD a response. As tokens (2500 each) or
        // requests, no limit of 0.01 would stop at the 4th: only the dollars do (0.004, 0.008, 0.012).
        const costly = usageHeaders({ prompt: 1000, completion: 1500 });
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) {
            statuses.push((await model("priced", { "x-user-id": frank, ...costly })).status);
            await tokensCounted();
        }
        assert.deepEqual(statuses, [200, 200, 200, 429, 429], "spend budget: statuses of 5 requests costing 0.004 USD each at the backend's prices, limit 0.01 USD a minute");
        assert.equal(gw.backends.get(BACKEND)!.requests, 3, "spend budget: a refused request reaches no backend");
        const cheap = await model("priced", { "x-user-id": freshUser("spend"), ...costly });
        assert.equal(cheap.status, 200, `spend budget: another user is unaffected, got ${cheap.status}`);
        const unpriced = await model("plain", { "x-user-id": frank, ...costly });
        assert.equal(unpriced.status, 200, `spend budget: the budget is the model's own; another model is unaffected, got ${unpriced.status}`);
    });

    it("tenant budget: acme's 3 requests a minute count all its users together; another tenant is unaffected", async () => {
        await awayFromWindowEdge();
        const statuses: number[] = [];
        for (const u of ["alice", "bob", "carol", "dave"]) statuses.push((await model("plain", { "x-user-id": freshUser(`tenant-${u}`), "x-tenant": "acme", ...SMALL })).status);
        assert.deepEqual(statuses, [200, 200, 200, 429], "tenant budget: statuses of 4 requests by 4 different users of tenant acme, limit 3 a minute");
        const other = await model("plain", { "x-user-id": freshUser("tenant-erin"), "x-tenant": "globex", ...SMALL });
        assert.equal(other.status, 200, `tenant budget: a user of another tenant is unaffected, got ${other.status}`);
    });

    it("passthrough: not counted by the model budgets (scope: models), counted by its own per-user budget (2 a minute)", async () => {
        await awayFromWindowEdge();
        const gina = freshUser("passthrough");
        const predict = () => call(gw.url, "/v1/models/sklearn-iris/infer", { body: { instances: [[1, 2, 3, 4]] }, headers: { "x-user-id": gina, "x-tenant": "initech" } });
        const first = await predict();
        assert.equal(first.status, 200, `passthrough: ${first.status} ${first.body.slice(0, 200)}`);
        assert.deepEqual(first.json(), { service: PREDICTOR, path: "/v1/models/sklearn-iris/infer" }, "passthrough: the route's Service answers, at the path the client sent");
        const statuses = [first.status];
        for (let i = 0; i < 2; i++) statuses.push((await predict()).status);
        assert.deepEqual(statuses, [200, 200, 429], "passthrough: statuses of 3 requests by one user to a route with its own budget of 2 a minute");
        assert.equal(gw.backends.get(PREDICTOR)!.requests, 2, "passthrough: the refused request reaches no Service");
        assert.equal(gw.backends.get(BACKEND)!.requests, 0, "passthrough: no model backend is reached");
        // Tenant initech's model budget (1 a minute) is left whole by the passthrough requests of one of its users.
        const after = await model("plain", { "x-user-id": gina, "x-tenant": "initech", ...SMALL });
        assert.equal(after.status, 200, `passthrough: tenant initech's 1 model request a minute is left after 3 passthrough requests of an initech user (scope: models), got ${after.status}`);
        const again = await model("plain", { "x-user-id": freshUser("passthrough"), "x-tenant": "initech", ...SMALL });
        assert.equal(again.status, 429, `passthrough: initech's budget does count model requests (the check above could fail), got ${again.status}`);
    });

    it("global budget: 1000 cached input tokens a minute for everyone together: users who each stay under it are stopped together", async () => {
        await awayFromWindowEdge();
        const statuses: number[] = [];
        // 3 users, 600 cached tokens each: the third user has spent nothing of its own, yet the global 1000 is gone.
        for (let i = 0; i < 3; i++) {
            statuses.push((await model("plain", { "x-user-id": freshUser("global"), ...usageHeaders({ prompt: 600, completion: 1, cached: 600 }) })).status);
            await tokensCounted();
        }
        assert.deepEqual(statuses, [200, 200, 429], "global budget: statuses of 3 users' first requests reporting 600 cached input tokens each, global limit 1000 a minute");
    });
});

