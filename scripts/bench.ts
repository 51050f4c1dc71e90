/**
 * `npm run bench`: time and peak memory to evaluate the program for 10, 100 and 1000 generated models,
 * beside the SDK floor (the same number of bare CustomResources under the same mocks and runtime).
 * Each measurement runs in its own process so peak memory is its own.
 */
import * as k8s from "@pulumi/kubernetes";
import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildStack } from "../components/stack";
import { MAX_ROUTE_BUCKETS, parseConfig } from "../config";
import { fittingBucketCount } from "../config/rules/models";
import { RecordingMocks, redactSecrets, settle, withoutSourceMappedStacks } from "./mocks";

const SIZES = [10, 100, 1000];
const TARGET_RATIO = 1.3;
const BACKENDS = 20;

/** A valid configuration with `models` virtual models spread over a pool of in-cluster backends. */
export function generatedConfig(models: number): Record<string, unknown> {
    const backends: Record<string, unknown> = {};
    for (let b = 0; b < BACKENDS; b++) backends[`backend-${b}`] = { schema: "OpenAI", hostname: `model-${b}.serving.svc.cluster.local`, port: 80 };
    const routes: Record<string, unknown> = {};
    for (let m = 0; m < models; m++) {
        routes[`model-${m}`] = {
            backends: [
                { backend: `backend-${m % BACKENDS}`, model: `org/model-${m}`, weight: 70 },
                { backend: `backend-${(m + 1) % BACKENDS}`, model: `org/model-${m}`, weight: 30 },
            ],
        };
    }
    // Enough route buckets that no AIGatewayRoute exceeds 15 rules, as a user with this many models would set.
    const routeBuckets = fittingBucketCount(Object.keys(routes), 15) ?? MAX_ROUTE_BUCKETS;
    return { backends, models: routes, routing: { routeBuckets } };
}

interface Sample {
    seconds: number;
    peakMiB: number;
    resources: number;
}

/**
 * The SDK floor: one bare CustomResource per resource the program registers, each carrying that
 * resource's inputs as its spec: the same data through the SDK, without components, dependencies,
 * Outputs or config validation.
 */
function bareCustomResources(payloads: unknown[]): void {
    payloads.forEach((spec, i) => {
        new k8s.apiextensions.CustomResource(`cr-${i}`, {
            apiVersion: "bench.example.com/v1",
            kind: "Payload",
            metadata: { name: `cr-${i}`, namespace: "bench" },
            spec,
        });
    });
}


async function measure(kind: "program" | "floor", models: number, payloadFile: string): Promise<Sample> {
    // The same runtime setup as render for both sides.
    withoutSourceMappedStacks();
    // The floor replays what the program registered (written by the program's run, read here).
    const payloads = kind === "floor" ? (JSON.parse(readFileSync(payloadFile, "utf8")) as unknown[]) : [];
    const mocks = new RecordingMocks();
    await mocks.install("ai-gateway", "bench");
    const run = kind === "program" ? (n: number) => buildStack(parseConfig(generatedConfig(n))) : (n: number) => bareCustomResources(payloads.slice(0, n));
    // Warm-up: load and compile every module once on both sides, so the timing is of the evaluation.
    run(2);
    await settle();
    mocks.reset();

    const start = process.hrtime.bigint();
    run(kind === "program" ? models : payloads.length);
    await settle();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const sample = { seconds, peakMiB: process.resourceUsage().maxRSS / 1024, resources: mocks.resources.length };
    if (kind === "program") writeFileSync(payloadFile, JSON.stringify(mocks.resources.map((r) => redactSecrets(r.inputs))));
    return sample;
}

function child(kind: "program" | "floor", models: number, payloadFile: string): Sample {
    const out = execFileSync(process.execPath, [...process.execArgv, __filename, "--child", kind, String(models), payloadFile], { encoding: "utf8" });
    return JSON.parse(out) as Sample;
}

function main(): void {
    const rows: string[] = [];
    let last = 0;
    rows.push("| models | resources | program s | program peak MiB | SDK floor s | floor peak MiB | time ratio |");
    rows.push("|---:|---:|---:|---:|---:|---:|---:|");
    for (const n of SIZES) {
        const payloadFile = join(mkdtempSync(join(tmpdir(), "bench-")), "payloads.json");
        const program = child("program", n, payloadFile);
        const floor = child("floor", n, payloadFile);
        last = program.seconds / floor.seconds;
        rows.push(
            `| ${n} | ${program.resources} | ${program.seconds.toFixed(2)} | ${program.peakMiB.toFixed(0)} | ${floor.seconds.toFixed(2)} | ${floor.peakMiB.toFixed(0)} | ${(program.seconds / floor.seconds).toFixed(2)} |`,
        );
        process.stderr.write(`measured ${n} models\n`);
    }
    process.stdout.write(rows.join("\n") + "\n");
    process.stdout.write(`\nTarget: time ratio at most ${TARGET_RATIO} at ${SIZES[SIZES.length - 1]} models; ${last <= TARGET_RATIO ? "met" : "NOT met"} (${last.toFixed(2)}).\n`);
}

if (process.argv[2] === "--child") {
    const [kind, models, payloadFile] = process.argv.slice(3);
    measure(kind as "program" | "floor", Number(models), payloadFile).then(
        (s) => {
            process.stdout.write(JSON.stringify(s));
            process.exit(0);
        },
        (e) => {
            process.stderr.write(String(e));
            process.exit(1);
        },
    );
} else if (require.main === module) {
    main();
}
