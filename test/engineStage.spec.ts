/**
 * The pure parts of the end-to-end engine stage (no Go, no API server, no Pulumi CLI): how a module with
 * replace directives is wrapped for its build, the engine's event log, the project copy, and the stand-in random provider.
 */
import * as assert from "node:assert/strict";
import { goModReplaces } from "../tools/upstreamTools";
import { projectFiles, readEventLog } from "./e2e/engine";
import { password, RANDOM_PASSWORD, standIn } from "./e2e/randomProvider";

describe("e2e engine stage setup", () => {
    it("reads a go.mod's replace directives, single-line and in blocks, with and without a version on the left, ignoring comments", () => {
        const goMod = [
            "module example.com/m",
            "",
            "replace example.com/sdk => ../sdk // its own folder",
            "replace example.com/clip => example.com/fork v0.0.0-2024",
            "// replace example.com/commented => ../x",
            "replace (",
            "\texample.com/a v1.2.3 => example.com/b v1.0.0",
            "\texample.com/c => ./c",
            ")",
            "require example.com/sdk v1.0.0",
        ].join("\n");
        assert.deepEqual(goModReplaces(goMod), [
            { from: "example.com/sdk", to: "../sdk" },
            { from: "example.com/clip", to: "example.com/fork v0.0.0-2024" },
            { from: "example.com/a", to: "example.com/b v1.0.0" },
            { from: "example.com/c", to: "./c" },
        ]);
    });

    it("reads the steps and policy violations of an engine event log, Kubernetes objects by kind, namespace and name", () => {
        const events = [
            { sequence: 0, timestamp: 1, preludeEvent: { config: {} } },
            {
                sequence: 1,
                timestamp: 1,
                resourcePreEvent: {
                    metadata: { op: "update", urn: "urn:pulumi:dev::ai-gateway::kubernetes:core/v1:Secret::s", type: "kubernetes:core/v1:Secret", diffs: ["data"], new: { inputs: { kind: "Secret", metadata: { name: "s", namespace: "ns" } } } },
                },
            },
            { sequence: 2, timestamp: 1, resourcePreEvent: { metadata: { op: "delete", urn: "urn:pulumi:dev::ai-gateway::random:index/randomPassword:RandomPassword::p", type: "random:index/randomPassword:RandomPassword", old: { inputs: { length: 32 } } } } },
            { sequence: 3, timestamp: 1, policyEvent: { policyName: "p1", message: "m1", enforcementLevel: "mandatory", policyPackName: "x", policyPackVersion: "0.1.0", color: "never" } },
        ];
        const log = events.map((e) => JSON.stringify(e)).join("\n") + "\n";
        assert.deepEqual(readEventLog(log), {
            steps: [
                { op: "update", urn: "urn:pulumi:dev::ai-gateway::kubernetes:core/v1:Secret::s", type: "kubernetes:core/v1:Secret", kind: "Secret", namespace: "ns", name: "s", diffs: ["data"] },
                { op: "delete", urn: "urn:pulumi:dev::ai-gateway::random:index/randomPassword:RandomPassword::p", type: "random:index/randomPassword:RandomPassword", diffs: [] },
            ],
            policyViolations: [{ policyName: "p1", message: "m1", enforcementLevel: "mandatory" }],
        });
    });

    it("the project copy holds what a clone has: Pulumi.yaml, the program, tsconfig.json and its transpiler, the policy pack; nothing ignored", () => {
        const files = projectFiles();
        for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "index.ts", "tsconfig.json", "scripts/tsNodeTranspiler.js", "policy/PulumiPolicy.yaml", "policy/index.ts", "package.json"]) {
            assert.ok(files.includes(f), f);
        }
        assert.deepEqual(files.filter((f) => f.startsWith("node_modules/") || f.startsWith(".cache/") || f.startsWith(".git/")), []);
    });

    it("the stand-in random provider makes passwords of the asked length and classes, with the minimum of each", () => {
        for (let i = 0; i < 50; i++) {
            const p = password({ length: 32, special: false });
            assert.match(p, /^[A-Za-z0-9]{32}$/);
        }
        const p = password({ length: 12, upper: false, lower: false, numeric: true, special: true, overrideSpecial: "#", minSpecial: 4 });
        assert.match(p, /^[0-9#]{12}$/);
        assert.ok(p.split("#").length - 1 >= 4, p);
        assert.notEqual(password({ length: 32 }), password({ length: 32 }));
        assert.throws(() => password({ length: 8, upper: false, lower: false, numeric: false, special: false }), /every character class is switched off/);
    });

    it("the stand-in replaces on any input change, keeps the password otherwise, and refuses other types and bad lengths", async () => {
        // As the engine names it: the parent components' types before the resource's own.
        const urn = `urn:pulumi:dev::ai-gateway::ai-gateway:index:AiGateway$ai-gateway:platform:Redis$${RANDOM_PASSWORD}::p`;
        assert.ok((await standIn.check!(urn, {}, { length: 32 })).inputs);
        assert.deepEqual(await standIn.diff!("id", urn, { length: 32, special: false }, { length: 32, special: false }), { changes: false, replaces: [] });
        assert.deepEqual(await standIn.diff!("id", urn, { length: 32, special: false }, { length: 16, special: false }), { changes: true, replaces: ["length"] });
        assert.deepEqual((await standIn.check!(urn, {}, { length: 0 })).failures?.map((f) => f.property), ["length"]);
        assert.match((await standIn.check!("urn:pulumi:dev::ai-gateway::random:index/randomString:RandomString::s", {}, { length: 8 })).failures?.[0].reason ?? "", /provides only random:index\/randomPassword/);
        const created = await standIn.create!(urn, { length: 20, special: false });
        assert.match(String(created.outs.result), /^[A-Za-z0-9]{20}$/);
    });
});
