/**
 * `npm run test:dataplane`, what operators see (fixtures/observability.yaml): each request's access-log line carries
 * its cost in every spend unit the budgets count in, equal to the tokens the backend reported times the prices; and a
 * shadow budget (`shadow: true`) never refuses a request while the rate-limit service counts it past its limit.
 */
import * as assert from "node:assert/strict";
import { join } from "node:path";
import { readToolManifest } from "../../tools/upstreamTools";
import { expectedMicroUsd } from "../support/cel";
import { awayFromWindowEdge, call, chat, tokensCounted, usageHeaders } from "./client";
import { localGatewayFor } from "./localGateway";

const FILE = join(__dirname, "fixtures", "observability.yaml");
const BACKEND = "llm.models.svc.cluster.local";
/** The fixture's prices, USD per 1M tokens. */
const PRICES = { "m-1": { input: 2.5, output: 10, cachedInput: 1.25 }, "m-2": { input: 0.15, output: 0.6 } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("data plane (observability): spend in the access log, a shadow budget", function () {
    const gw = localGatewayFor(FILE, () => readToolManifest("dataplane"));
    let user = 0;
    const freshUser = (scenario: string) => `${scenario}-${++user}`;
    const model = (name: string, headers: Record<string, string>) => call(gw.url, "/v1/chat/completions", { body: chat(name), headers });

    /** Envoy's access-log lines (JSON objects on its stdout) of one user, waiting until there are `count` (Envoy flushes the log about once a second). */
    async function accessLog(userId: string, count: number): Promise<Record<string, unknown>[]> {
        let lines: Record<string, unknown>[] = [];
        // Envoy writes its access log at least every 10 s (--file-flush-interval-msec): wait three times that.
        for (let i = 0; i < 120; i++) {
            lines = gw
                .log("envoy")
                .split("\n")
                .filter((l) => l.startsWith("{"))
                .flatMap((l) => {
                    try {
                        return [JSON.parse(l) as Record<string, unknown>];
                    } catch {
                        return [];
                    }
                })
                .filter((l) => l.user === userId);
            if (lines.length >= count) return lines;
            await sleep(250);
        }
        assert.fail(`access log: ${lines.length} of ${count} lines of user ${userId} after 30 s; Envoy's log ends:\n${gw.log("envoy").split("\n").slice(-20).join("\n")}`);
    }

    it("access log: each line carries the response's cost in micro-dollars and in 0.00001 USD, the tokens the backend reported × the prices, rounded up", async () => {
        const alice = freshUser("spend-log");
        const calls = [
            // 800 × 2.5 + 200 × 1.25 + 500 × 10 = 7250 micro-dollars exactly: 725 units of 0.00001 USD.
            { model: "priced", upstream: "m-1" as const, usage: { prompt: 1000, completion: 500, cached: 200 } },
            // 7 × 0.15 + 3 × 0.6 = 2.85 micro-dollars: charged 3, and 1 unit of 0.00001 USD.
            { model: "cheap", upstream: "m-2" as const, usage: { prompt: 7, completion: 3 } },
        ];
        for (const c of calls) {
            const r = await model(c.model, { "x-user-id": alice, ...usageHeaders(c.usage) });
            assert.equal(r.status, 200, `access log (${c.model}): ${r.status} ${r.body.slice(0, 300)}`);
        }
        const lines = await accessLog(alice, calls.length);
        assert.equal(lines.length, calls.length, `access log: one line per request: ${JSON.stringify(lines)}`);
        for (const c of calls) {
            // Each call reports its own input token count: that finds its line.
            const line = lines.find((l) => Number(l.input_tokens) === c.usage.prompt);
            assert.ok(line, `access log: no line with the ${c.usage.prompt} input tokens of the request to ${c.model}: ${JSON.stringify(lines)}`);
            const micro = expectedMicroUsd(PRICES[c.upstream], { input: c.usage.prompt, cached: c.usage.cached, output: c.usage.completion });
            // Envoy writes numbers as JSON numbers; a field the metadata lacks would be "-" (and fail here).
            assert.deepEqual(
                { status: Number(line.status), model_override: line.model_override, output_tokens: Number(line.output_tokens), llm_spend_micro_usd: line.llm_spend_micro_usd, llm_spend_10_micro_usd: line.llm_spend_10_micro_usd },
                { status: 200, model_override: c.upstream, output_tokens: c.usage.completion, llm_spend_micro_usd: Number(micro), llm_spend_10_micro_usd: Number((micro + 9n) / 10n) },
                `access log (${c.model}): the line's tokens and cost: ${JSON.stringify(line)}`,
            );
        }
        assert.equal(gw.backends.get(BACKEND)!.requests, calls.length, "access log: every request reached the backend");
    });

    it("shadow budget: 3 requests a minute in shadow mode: 8 requests all pass, and the rate-limit service counted all 8 against the limit of 3", async () => {
        await awayFromWindowEdge();
        const bob = freshUser("shadow");
        const limit = 3;
        const statuses: number[] = [];
        for (let i = 0; i < limit + 5; i++) {
            const r = await model("trial", { "x-user-id": bob, ...usageHeaders({ prompt: 1, completion: 1 }) });
            statuses.push(r.status);
            assert.equal(r.headers["x-envoy-ratelimited"], undefined, `shadow budget: request ${i + 1} is not marked rate limited`);
        }
        assert.deepEqual(statuses, Array(limit + 5).fill(200), "shadow budget: statuses of 8 requests of one user against a shadow limit of 3 a minute");
        assert.equal(gw.backends.get(BACKEND)!.requests, limit + 5, "shadow budget: every request reached the backend");

        // The rate-limit service has the rule in shadow mode (its debug port prints the limits it received from Envoy Gateway)...
        const rlconfig = (await call(gw.rateLimitDebug!, "/rlconfig")).body;
        const shadowLines = rlconfig.split("\n").filter((l) => l.includes("shadow_mode: true"));
        assert.equal(shadowLines.length, 1, `shadow budget: one limit in shadow mode in the rate-limit service's configuration:\n${rlconfig}`);
        assert.match(shadowLines[0], /unit=MINUTE requests_per_unit=3,/, `shadow budget: the limit is the budget's: ${shadowLines[0]}`);
        // ... and counts it in Redis under the rule's name (Envoy Gateway's `<policy>/rule/<i>` descriptor) and the user: past the limit.
        // Its full key is `<domain>.<rule>_<rule>.<the user's descriptor>...`, the rule being `<policy>/rule/<i>`.
        const rule = /([^\s.]+\/rule\/\d+)_/.exec(shadowLines[0].split(":")[0])?.[1];
        assert.ok(rule, `shadow budget: no rule name in ${shadowLines[0]}`);
        await tokensCounted();
        const keys = gw.redis!.command("--scan", "--pattern", `*${rule}*${bob}*`).split("\n").filter(Boolean);
        assert.equal(keys.length, 1, `shadow budget: one Redis counter of rule ${rule} for ${bob}; keys of ${bob}: ${gw.redis!.command("--scan", "--pattern", `*${bob}*`)}`);
        assert.equal(Number(gw.redis!.command("GET", keys[0]).trim()), limit + 5, `shadow budget: the counter ${keys[0]} counted every request, past the limit of ${limit}`);
        // The access log records each as served.
        const lines = await accessLog(bob, limit + 5);
        assert.deepEqual(lines.map((l) => Number(l.status)), Array(limit + 5).fill(200), "shadow budget: the access log shows every request served");
    });
});
