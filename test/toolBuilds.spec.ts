import * as assert from "node:assert/strict";
import { buildGroup, buildJobs, timingTable, TOOL_SETS, type ToolName } from "../tools/upstreamTools";

describe("tool builds: what builds side by side, and the table .ci/run prints", () => {
    it("tools of one upstream repository share a group (built one after the other); other repositories are independent", () => {
        assert.equal(buildGroup("kubeApiserver"), buildGroup("kubeControllerManager"));
        assert.equal(buildGroup("egctl"), buildGroup("envoyGateway"));
        assert.equal(buildGroup("envoyGateway"), buildGroup("envoyGatewayDataplane"));
        assert.equal(buildGroup("aigw"), buildGroup("aiGatewayController"));
        assert.equal(buildGroup("extproc"), buildGroup("testupstream"));
        assert.equal(buildGroup("pulumi"), buildGroup("languageHost"));
        assert.equal(buildGroup("ratelimit"), buildGroup("quotaRatelimit"));
        assert.notEqual(buildGroup("pulumi"), buildGroup("kubernetesProvider"));
        assert.notEqual(buildGroup("egctl"), buildGroup("aigw"));
        const all = [...new Set(Object.values(TOOL_SETS).flat())] as ToolName[];
        assert.equal(new Set(all.map(buildGroup)).size, 7, [...new Set(all.map(buildGroup))].join(", "));
    });

    it("AI_GATEWAY_BUILD_JOBS: 2 by default, a whole number from 1 to 16, else an error naming the fix", () => {
        const saved = process.env.AI_GATEWAY_BUILD_JOBS;
        try {
            delete process.env.AI_GATEWAY_BUILD_JOBS;
            assert.equal(buildJobs(), 2);
            process.env.AI_GATEWAY_BUILD_JOBS = "3";
            assert.equal(buildJobs(), 3);
            for (const bad of ["0", "17", "1.5", "two"]) {
                process.env.AI_GATEWAY_BUILD_JOBS = bad;
                assert.throws(() => buildJobs(), /AI_GATEWAY_BUILD_JOBS is ".*"; use a whole number from 1 to 16/);
            }
        } finally {
            if (saved === undefined) delete process.env.AI_GATEWAY_BUILD_JOBS;
            else process.env.AI_GATEWAY_BUILD_JOBS = saved;
        }
    });

    it("the table shows every tool once: its build in this run, else cached with its last build's time", () => {
        const lines = [
            { tool: "kubeApiserver", version: "v1.34.2", seconds: 315, cached: false },
            { tool: "aigw", version: "v1.1.0", cached: true },
            { tool: "kubeApiserver", version: "v1.34.2", seconds: 315, cached: true },
            { tool: "egctl", version: "v1.8.3", seconds: 300, cached: true },
        ]
            .map((l) => JSON.stringify(l))
            .join("\n");
        const table = timingTable(lines).split("\n");
        assert.deepEqual(table.slice(2, 5), [
            "| kubeApiserver | v1.34.2 | 315 | built now |",
            "| aigw | v1.1.0 | ? | cached (its last build's time) |",
            "| egctl | v1.8.3 | 300 | cached (its last build's time) |",
        ]);
        assert.match(table.at(-1) ?? "", /^1 built \(315 s of build time, .*\), 2 cached\.$/);
    });
});
