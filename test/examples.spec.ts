import * as assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { redactSecrets, settle } from "../scripts/mocks";
import { mocks } from "./setup";

// The programs of examples/, as a user runs them, under Pulumi's mocks: each evaluates, registers the component and
// its platform, and warns about nothing. `ai-gateway` resolves to the library's source here, to the packed
// package in `npm run test:package` (which type-checks them with Pulumi's template tsconfig).

const EXAMPLES = join(__dirname, "..", "examples");
const LIBRARY = join(__dirname, "..", "components", "index.ts");

/** The stack config each example reads (its Pulumi.<stack>.yaml, in a real project). */
const STACK_CONFIG: Record<string, Record<string, string>> = {
    "openai-anthropic-fallback": { "ai-gateway:openaiKey": "sk-known-example-openai", "ai-gateway:anthropicKey": "sk-ant-known-example", "ai-gateway:teamAKey": "ck-known-example" },
    "vllm-inference-pool": {},
    "eks-bedrock": { "aws:region": "us-west-2", "ai-gateway:clusterName": "my-cluster" },
};

type Resolve = (request: string, ...rest: unknown[]) => string;
const Module = require("node:module") as { _resolveFilename: Resolve };

describe("examples: complete programs, evaluated as a user runs them", () => {
    const original = Module._resolveFilename;
    const warn = pulumi.log.warn;
    const logged: string[] = [];
    let saved: Record<string, string>;
    before(() => {
        Module._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
            return original.call(this, request === "ai-gateway" ? LIBRARY : request, ...rest);
        } as Resolve;
        saved = pulumi.runtime.allConfig();
        pulumi.log.warn = async (message: string) => void logged.push(message);
    });
    after(() => {
        Module._resolveFilename = original;
        pulumi.log.warn = warn;
        pulumi.runtime.setAllConfig(saved, []);
    });

    it("every folder of examples/ is a program with its own Pulumi.yaml, and each is run here", () => {
        const folders = readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
        assert.deepEqual(folders, Object.keys(STACK_CONFIG).sort());
        for (const f of folders) assert.deepEqual(readdirSync(join(EXAMPLES, f)).sort(), ["Pulumi.yaml", "index.ts"], f);
    });

    for (const [name, stackConfig] of Object.entries(STACK_CONFIG)) {
        it(`${name}: registers the gateway and its platform, exports its outputs, warns about nothing`, async () => {
            mocks.reset();
            logged.length = 0;
            const secrets = Object.keys(stackConfig).filter((k) => k.endsWith("Key"));
            pulumi.runtime.setAllConfig({ "kubernetes:context": "example", ...stackConfig }, secrets);
            const program = require.resolve(join(EXAMPLES, name, "index.ts"));
            delete require.cache[program];
            const outputs = require(program) as Record<string, unknown>;
            await settle();
            assert.deepEqual(logged, []);
            const types = new Set(mocks.resources.map((r) => r.type));
            for (const t of ["ai-gateway:index:AiGateway", "kubernetes:helm.sh/v3:Release", "kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute"]) assert.ok(types.has(t), `${t} in ${[...types].join(", ")}`);
            assert.ok(Array.isArray(outputs.models) && outputs.models.length > 0);
            assert.ok(!JSON.stringify(mocks.resources.map((r) => redactSecrets(r.inputs))).includes("known-example"), "the keys reach only secret inputs");
        });
    }
});
