/**
 * `npm run bench`: what a user waits for. For 10, 100, 300, 1000 and 3000 generated models (3 backends each,
 * over 100 backends), the whole `npm run render` process (Node start, TypeScript loading, config validation,
 * the program under Pulumi mocks, the JSON output) against an independent floor: a plain Node process that
 * registers as many bare CustomResources with tiny specs under Pulumi's mocks. Runs alternate program and
 * floor, five pairs per size; the table shows medians and the largest peak memory, and the growth exponent of
 * each side (the slope of log time over log models between the two largest sizes).
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { cpus, tmpdir } from "os";
import { join } from "path";

/** `BENCH_SIZES=10,100` measures only those sizes. */
const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(",").map(Number) : [10, 100, 300, 1000, 3000];
const PAIRS = 5;
const BACKENDS = 100;
const ROOT = join(__dirname, "..");
/** GNU time reports a process's peak resident memory; without it the memory columns stay empty. */
const GNU_TIME = "/usr/bin/time";

/** A valid configuration with `models` virtual models, 3 in-cluster backends each. */
export function generatedConfig(models: number): Record<string, unknown> {
    const backends: Record<string, unknown> = {};
    for (let b = 0; b < BACKENDS; b++) backends[`backend-${b}`] = { schema: "OpenAI", hostname: `model-${b}.serving.svc.cluster.local`, port: 80 };
    const routes: Record<string, unknown> = {};
    for (let m = 0; m < models; m++) {
        routes[`model-${m}`] = {
            backends: [
                { backend: `backend-${m % BACKENDS}`, model: `org/model-${m}`, weight: 60 },
                { backend: `backend-${(m + 1) % BACKENDS}`, model: `org/model-${m}`, weight: 40 },
                { backend: `backend-${(m + 2) % BACKENDS}`, model: `org/model-${m}`, priority: 1 },
            ],
        };
    }
    return { backends, models: routes };
}

/** The floor: N bare CustomResources with tiny specs, under Pulumi's mocks, in plain Node (no TypeScript). */
const FLOOR = `
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: () => ({}) }, "bench", "bench", false);
const n = Number(process.argv[1]);
for (let i = 0; i < n; i++) {
    new k8s.apiextensions.CustomResource("cr-" + i, { apiVersion: "bench.example.com/v1", kind: "Payload", metadata: { name: "cr-" + i }, spec: { i } });
}
`;

interface Run {
    seconds: number;
    /** Peak resident memory in MiB, when GNU time is there to tell. */
    peakMiB?: number;
    stdout: string;
}

function run(args: string[]): Run {
    const timed = existsSync(GNU_TIME);
    const start = process.hrtime.bigint();
    const r = spawnSync(timed ? GNU_TIME : process.execPath, timed ? ["-f", "peak-kib %M", process.execPath, ...args] : args, {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 1024 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status}): ${r.stderr}`);
    const peak = /peak-kib (\d+)/.exec(r.stderr ?? "");
    return { seconds, peakMiB: peak ? Number(peak[1]) / 1024 : undefined, stdout: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const maxOf = (xs: (number | undefined)[]) => (xs.every((x) => x !== undefined) ? Math.max(...(xs as number[])) : undefined);

interface Row {
    models: number;
    resources: number;
    program: number;
    programPeak?: number;
    floor: number;
    floorPeak?: number;
}

function measure(models: number, dir: string): Row {
    const file = join(dir, `Pulumi.bench-${models}.yaml`);
    const config = generatedConfig(models);
    writeFileSync(file, JSON.stringify({ config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`ai-gateway:${k}`, v])) }));
    const program = ["-r", "ts-node/register/transpile-only", "scripts/render.ts", "--config-file", file, "--format", "json"];
    // One untimed run of each side: the file cache is warm for both.
    const first = run(program);
    const resources = (JSON.parse(first.stdout) as { resources: unknown[] }).resources.length;
    const floor = ["-e", FLOOR, String(resources)];
    run(floor);
    const programs: Run[] = [];
    const floors: Run[] = [];
    for (let i = 0; i < PAIRS; i++) {
        programs.push(run(program));
        floors.push(run(floor));
    }
    return {
        models,
        resources,
        program: median(programs.map((r) => r.seconds)),
        programPeak: maxOf(programs.map((r) => r.peakMiB)),
        floor: median(floors.map((r) => r.seconds)),
        floorPeak: maxOf(floors.map((r) => r.peakMiB)),
    };
}

/** Slope of log(time) over log(models) between two rows: 1 is linear growth. */
const exponent = (a: Row, b: Row, side: "program" | "floor") => Math.log(b[side] / a[side]) / Math.log(b.models / a.models);

function main(): void {
    const dir = mkdtempSync(join(tmpdir(), "bench-"));
    const rows: Row[] = [];
    try {
        for (const n of SIZES) {
            rows.push(measure(n, dir));
            process.stderr.write(`measured ${n} models\n`);
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    const mib = (x?: number) => (x === undefined ? "" : x.toFixed(0));
    const lines = [
        "| models | resources | render s | render peak MiB | floor s | floor peak MiB | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        ...rows.map((r) => `| ${r.models} | ${r.resources} | ${r.program.toFixed(2)} | ${mib(r.programPeak)} | ${r.floor.toFixed(2)} | ${mib(r.floorPeak)} | ${(r.program / r.floor).toFixed(2)} |`),
    ];
    const [a, b] = rows.slice(-2);
    lines.push("", `Growth exponent between ${a.models} and ${b.models} models: render ${exponent(a, b, "program").toFixed(2)}, floor ${exponent(a, b, "floor").toFixed(2)} (1 = linear).`);
    lines.push(`Medians of ${PAIRS} alternated pairs per size; whole processes on ${cpus().length} cores.`);
    process.stdout.write(lines.join("\n") + "\n");
}

if (require.main === module) main();
