/**
 * `npm run bench`: time and peak memory to evaluate the program for 10, 100 and 1000 generated models,
 * beside the SDK floor (the same number of bare CustomResources under the same mocks and runtime).
 * Each measurement runs in its own process so peak memory is its own.
 */
import * as k8s from "@pulumi/kubernetes";
import { execFileSync } from "child_process";
import { buildStack } from "../components/stack";
import { MAX_ROUTE_BUCKETS, parseConfig } from "../config";
import { fittingBucketCount } from "../config/rules/models";
import { RecordingMocks, settle, withoutSourceMappedStacks } from "./mocks";

const SIZES = [10, 100, 1000];
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

async function measure(kind: "program" | "floor", models: number, count: number): Promise<Sample> {
    // The same runtime setup as render for both sides.
    withoutSourceMappedStacks();
    const mocks = new RecordingMocks();
    await mocks.install("ai-gateway", "bench");
    const start = process.hrtime.bigint();
    if (kind === "program") {
        buildStack(parseConfig(generatedConfig(models)));
    } else {
        for (let i = 0; i < count; i++) {
            new k8s.apiextensions.CustomResource(`cr-${i}`, {
                apiVersion: "aigateway.envoyproxy.io/v1beta1",
                kind: "AIServiceBackend",
                metadata: { name: `cr-${i}`, namespace: "ai-gateway" },
                spec: { schema: { name: "OpenAI" }, backendRef: { name: `cr-${i}`, kind: "Backend", group: "gateway.envoyproxy.io" } },
            });
        }
    }
    await settle();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { seconds, peakMiB: process.resourceUsage().maxRSS / 1024, resources: mocks.resources.length };
}

function child(kind: "program" | "floor", models: number, count = 0): Sample {
    const out = execFileSync(process.execPath, [...process.execArgv, __filename, "--child", kind, String(models), String(count)], { encoding: "utf8" });
    return JSON.parse(out) as Sample;
}

function main(): void {
    const rows: string[] = [];
    rows.push("| models | resources | program s | program peak MiB | SDK floor s | floor peak MiB | time ratio |");
    rows.push("|---:|---:|---:|---:|---:|---:|---:|");
    for (const n of SIZES) {
        const program = child("program", n);
        const floor = child("floor", n, program.resources);
        rows.push(
            `| ${n} | ${program.resources} | ${program.seconds.toFixed(2)} | ${program.peakMiB.toFixed(0)} | ${floor.seconds.toFixed(2)} | ${floor.peakMiB.toFixed(0)} | ${(program.seconds / floor.seconds).toFixed(2)} |`,
        );
        process.stderr.write(`measured ${n} models\n`);
    }
    process.stdout.write(rows.join("\n") + "\n");
}

if (process.argv[2] === "--child") {
    const [kind, models, count] = process.argv.slice(3);
    measure(kind as "program" | "floor", Number(models), Number(count)).then(
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
