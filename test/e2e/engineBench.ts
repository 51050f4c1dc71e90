/**
 * `npm run bench:engine`: what a user waits for in `pulumi up` and `pulumi preview`, with the tooling of the end-to-end
 * suite's stage 3 (the Pulumi CLI, the Node.js language host and the Kubernetes provider built by `npm run e2e:tools`,
 * a local API server with the pinned CRDs). For each size, a stack of the bench's generated models (3 backends each,
 * every model with its own request and token budget) and a floor: a plain JavaScript program run through the same CLI,
 * provider and API server that registers as many bare CustomResources as the program has Kubernetes objects, their
 * specs holding the program's objects (or padded to their size); both run with the e2e suite's stack transform (test/e2e/stackTransform.js).
 * For both, in turn:
 *
 *   up       the first `pulumi up --yes`
 *   preview  `pulumi preview` with no change
 *   change   `pulumi preview` after one model's request budget changes (the floor: one object's spec)
 *   apply    `pulumi up --yes` of that change
 *
 * Each operation is the whole CLI process under GNU time (wall, and CPU of it and every process it waited for),
 * with the peak resident memory of the language host, of the program's Node process and of the provider read from
 * /proc while it runs. Previews are repeated (`ENGINE_BENCH_RUNS`, default 3) and the medians shown; the ups run once.
 *
 *   ENGINE_BENCH_SIZES=100,300   (default 100,300,1000)
 *   ENGINE_BENCH_FLOOR=padding   the floor's specs a padding string of the objects' average size, instead of the objects themselves
 *   ENGINE_BENCH_PROFILE=1       the first no-change preview at the largest size also writes a V8 CPU profile
 *                                (.cpuprofile) of the program's process, and the CLI's Go profiles (cli-<side>-<size>.<pid>.cpu,
 *                                read with `go tool pprof -top`) of both sides, into ENGINE_BENCH_PROFILE_DIR (default .cache/profiles)
 *
 * Every process it starts is stopped by its process id at the end, also on failure.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { applyCrds } from "./cluster";
import { type ControlPlane, freePort, startControlPlane } from "./controlPlane";
import { preparePulumi, type PulumiEnvironment } from "./engine";
import { Kube } from "./kube";
import { generatedConfig } from "../../scripts/bench";
import { readToolManifest } from "../../tools/upstreamTools";

const ROOT = join(__dirname, "..", "..");
const SIZES = (process.env.ENGINE_BENCH_SIZES ?? "100,300,1000").split(",").map(Number);
const RUNS = Number(process.env.ENGINE_BENCH_RUNS ?? "3");
/** What the floor's specs hold: the program's objects (default), or padding of their average size. */
const FLOOR = process.env.ENGINE_BENCH_FLOOR ?? "objects";
const GNU_TIME = "/usr/bin/time";
const OPS = ["up", "preview", "change", "apply"] as const;
type Op = (typeof OPS)[number];

/** The processes whose CPU time and peak memory are reported, by their command line. */
const WATCHED = {
    cli: (argv: string[]) => /\/pulumi$/.test(argv[0]),
    languageHost: (argv: string[]) => /pulumi-language-nodejs$/.test(argv[0]),
    program: (argv: string[]) => /(^|\/)node$/.test(argv[0]) && argv.some((a) => a.includes("@pulumi/pulumi/cmd/run")),
    provider: (argv: string[]) => /pulumi-resource-kubernetes$/.test(argv[0]),
    // The e2e suite's stand-in for the random provider (a Node process; the real one is a Go binary).
    random: (argv: string[]) => argv.some((a) => a.endsWith("randomProvider.ts")),
} as const;
type Watched = keyof typeof WATCHED;

interface Measure {
    wall: number;
    cpu: number;
    peakMiB: Partial<Record<Watched, number>>;
    /** CPU seconds of each watched process, and of the API server and etcd (`cluster`) during the operation. */
    cpuOf: Partial<Record<Watched | "cluster", number>>;
}

const TICK = 100; // clock ticks a second (USER_HZ)

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return (Number(fields[11]) + Number(fields[12])) / TICK;
    } catch {
        return undefined;
    }
}

/** The API server's and etcd's process ids, by the port in the API server's URL and the etcd URL it was given. */
function clusterPids(cp: ControlPlane): number[] {
    const port = new URL(cp.url).port;
    const pids: number[] = [];
    let etcdUrl: string | undefined;
    const all = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
    for (const entry of all) {
        try {
            const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
            if (argv.includes(`--secure-port=${port}`)) {
                pids.push(Number(entry));
                etcdUrl = argv.find((a) => a.startsWith("--etcd-servers="))?.slice("--etcd-servers=".length);
            }
        } catch {
            // gone meanwhile
        }
    }
    for (const entry of all) {
        try {
            const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
            if (etcdUrl && /(^|\/)etcd$/.test(argv[0]) && argv.includes(`--listen-client-urls=${etcdUrl}`)) pids.push(Number(entry));
        } catch {
            // gone meanwhile
        }
    }
    return pids;
}

let clusterProcesses: number[] = [];
const clusterCpu = () => clusterProcesses.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);

/** The bench's models, each with its own request and token budget (`requests` is what `change` raises). */
export function benchConfig(models: number, changed?: number): Record<string, unknown> {
    const config = generatedConfig(models) as { backends: unknown; models: Record<string, Record<string, unknown>> };
    let i = 0;
    for (const model of Object.values(config.models)) {
        model.rateLimit = { requests: [{ limit: i === changed ? 101 : 100, window: "1m" }], tokens: [{ limit: 100000, window: "1m" }] };
        i++;
    }
    return {
        "ai-gateway:backends": config.backends,
        "ai-gateway:models": config.models,
        "ai-gateway:rateLimit": { enabled: true },
        // No Helm chart can be downloaded here: the platform's releases are the cluster's (as in the e2e stage 3).
        "ai-gateway:platform": { envoyGateway: { install: false }, aiGateway: { install: false }, redis: { install: true } },
    };
}

/**
 * The floor: bare CustomResources, one per object of the program; one object's `rev` is what `change` raises. Each
 * spec holds the program's object as it registered it (`floor:bodies`, a JSON file: everything but apiVersion, kind
 * and metadata), so the engine, the provider and the SDK's protobuf handle the same nested fields; or, with
 * ENGINE_BENCH_FLOOR=padding, a string of the objects' average spec size (cheaper to encode, check and diff).
 */
const FLOOR_PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");
const config = new pulumi.Config("floor");
const count = config.requireNumber("count");
const bytes = config.requireNumber("specBytes");
const changed = config.getNumber("changed");
const bodiesFile = config.get("bodies");
const bodies = bodiesFile ? JSON.parse(require("fs").readFileSync(bodiesFile, "utf8")) : undefined;
for (let i = 0; i < count; i++) {
    new k8s.apiextensions.CustomResource("payload-" + i, {
        apiVersion: "bench.example.com/v1",
        kind: "Payload",
        metadata: { name: "payload-" + i },
        spec: { rev: i === changed ? 1 : 0, ...(bodies ? { body: bodies[i] } : { data: "x".repeat(bytes) }) },
    });
}
`;

const PAYLOAD_CRD = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "payloads.bench.example.com" },
    spec: {
        group: "bench.example.com",
        scope: "Cluster",
        names: { plural: "payloads", singular: "payload", kind: "Payload" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
};

/** The signature key Pulumi marks a secret value with (in state and on the wire). */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

/** A state value with each secret (its ciphertext, as `stack export` shows it) made a plain string of the same text. */
function plainValues(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(plainValues);
    if (typeof v !== "object" || v === null) return v;
    const o = v as Record<string, unknown>;
    if (Object.hasOwn(o, SECRET_SIGNATURE)) return String(o.ciphertext ?? o.plaintext ?? "");
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, plainValues(x)]));
}

/** Descendants of a process, from /proc. */
function descendants(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
        } catch {
            // gone meanwhile
        }
    }
    const out: number[] = [];
    const walk = (pid: number) => {
        for (const c of children.get(pid) ?? []) {
            out.push(c);
            walk(c);
        }
    };
    walk(root);
    return out;
}

function watchedKind(pid: number): Watched | undefined {
    try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        for (const [kind, matches] of Object.entries(WATCHED) as [Watched, (argv: string[]) => boolean][]) if (matches(argv)) return kind;
    } catch {
        // gone meanwhile
    }
    return undefined;
}

function highWaterMiB(pid: number): number | undefined {
    try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) / 1024 : undefined;
    } catch {
        return undefined;
    }
}

/** One CLI operation in a folder, under GNU time, in a process group of its own (stopped by its id at the end). */
async function operation(pulumi: PulumiEnvironment, cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Measure> {
    const cli = readToolManifest("e2e").pulumi.bin;
    const out = join(cwd, `.bench-${Date.now()}.log`);
    const p = spawn(GNU_TIME, ["-o", `${out}.time`, "-f", "%e %U %S", cli, ...args, "--non-interactive", "--color", "never"], {
        cwd,
        // The e2e stack transform (skipAwait where no kubelet runs) costs the program a round trip per resource: the
        // floor gets it too, so that both pay it.
        env: { ...pulumi.env, ...(cwd !== pulumi.workDir && { AI_GATEWAY_E2E_PROGRAM: join(cwd, "index.js") }), ...extraEnv },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
    });
    if (p.pid !== undefined) runningOps.add(p.pid);
    // The CLI writes its diagnostics to stdout: both are kept (their ends) for the message of a failed operation.
    let stderr = "";
    let stdout = "";
    p.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-20000)));
    p.stdout.on("data", (c: Buffer) => (stdout = (stdout + c.toString("utf8")).slice(-20000)));
    const peaks: Partial<Record<Watched, number>> = {};
    /** The last CPU reading of each watched process (by pid): read until it exits. */
    const cpuByPid = new Map<number, { kind: Watched; seconds: number }>();
    const clusterBefore = clusterCpu();
    const poll = setInterval(() => {
        if (p.pid === undefined) return;
        for (const pid of descendants(p.pid)) {
            const kind = watchedKind(pid);
            if (!kind) continue;
            const hwm = highWaterMiB(pid);
            if (hwm) peaks[kind] = Math.max(peaks[kind] ?? 0, hwm);
            const seconds = cpuSeconds(pid);
            if (seconds !== undefined) cpuByPid.set(pid, { kind, seconds });
        }
    }, 100);
    const code = await new Promise<number | null>((resolve) => p.once("exit", (c) => resolve(c)));
    if (p.pid !== undefined) runningOps.delete(p.pid);
    clearInterval(poll);
    const cpuOf: Measure["cpuOf"] = { cluster: clusterCpu() - clusterBefore };
    for (const { kind, seconds } of cpuByPid.values()) cpuOf[kind] = (cpuOf[kind] ?? 0) + seconds;
    try {
        if (p.pid !== undefined) process.kill(-p.pid, "SIGKILL");
    } catch {
        // the group is gone
    }
    const timing = existsSync(`${out}.time`) ? readFileSync(`${out}.time`, "utf8").trim().split("\n").pop() ?? "" : "";
    rmSync(`${out}.time`, { force: true });
    if (code !== 0) throw new Error(`pulumi ${args.join(" ")} in ${cwd} exited ${code}:\n${stdout.split("\n").slice(-40).join("\n")}\n${stderr.split("\n").slice(-40).join("\n")}\n${timing}`);
    const [wall, user, sys] = timing.split(" ").map(Number);
    return { wall, cpu: user + sys, peakMiB: peaks, cpuOf };
}

/**
 * A `--require` hook (NODE_OPTIONS refuses --cpu-prof) that profiles the program's process, the one the run harness
 * runs, with the inspector, and writes the profile into the folder when the process exits.
 */
function profilerHook(dir: string): string {
    const hook = join(dir, "profile-program.js");
    writeFileSync(
        hook,
        `"use strict";
if (process.argv.some((a) => a.includes("@pulumi/pulumi/cmd/run"))) {
    const inspector = require("node:inspector");
    const session = new inspector.Session();
    session.connect();
    session.post("Profiler.enable", () => session.post("Profiler.start"));
    process.once("beforeExit", () => {
        session.post("Profiler.stop", (error, result) => {
            if (!error) require("node:fs").writeFileSync(${JSON.stringify(dir)} + "/program-" + process.pid + ".cpuprofile", JSON.stringify(result.profile));
        });
    });
}
`,
    );
    return hook;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The stack file as `pulumi stack init` wrote it (its encryption salt), with this configuration. */
function writeStackFile(file: string, config: Record<string, unknown>): void {
    const salt = existsSync(file) ? /^encryptionsalt: .*$/m.exec(readFileSync(file, "utf8"))?.[0] : undefined;
    writeFileSync(file, `${salt ? `${salt}\n` : ""}config: ${JSON.stringify(config)}\n`);
}

/**
 * The program's stack: its models and backends in a file that `ai-gateway:include` names, as a user's large stack
 * keeps them (Pulumi hands the stack file's configuration to the program in one environment variable, which
 * Linux caps at 128 KiB: about 330 of the bench's models). Every size does the same, so the sizes compare.
 */
function writeProgramStack(file: string, config: Record<string, unknown>): void {
    const included = ["ai-gateway:models", "ai-gateway:backends"];
    const models = file.replace(/\.yaml$/, ".models.yaml");
    writeFileSync(models, `config: ${JSON.stringify(Object.fromEntries(included.map((k) => [k, config[k]])))}\n`);
    const rest = Object.fromEntries(Object.entries(config).filter(([k]) => !included.includes(k)));
    writeStackFile(file, { ...rest, "ai-gateway:include": [models.slice(models.lastIndexOf("/") + 1)] });
}

interface Side {
    name: "program" | "floor";
    dir: string;
    stack: string;
    config(changed?: number): Record<string, unknown>;
}

interface Row {
    models: number;
    objects: number;
    specBytes: number;
    program: Record<Op, Measure>;
    floor: Record<Op, Measure>;
}

async function measureSize(pulumi: PulumiEnvironment, floorDir: string, cp: ControlPlane, models: number, profileDir?: string): Promise<Row> {
    const cluster = { "kubernetes:kubeconfig": cp.kubeconfig, "kubernetes:context": "e2e" };
    const program: Side = { name: "program", dir: pulumi.workDir, stack: `bench-${models}`, config: (changed) => ({ ...cluster, ...benchConfig(models, changed) }) };
    pulumi.cli(["stack", "init", program.stack, "--secrets-provider", "passphrase"]);
    writeProgramStack(join(program.dir, `Pulumi.${program.stack}.yaml`), program.config());
    const results = { program: {} as Record<Op, Measure[]>, floor: {} as Record<Op, Measure[]> };
    const record = (side: Side, op: Op, m: Measure) => ((results[side.name][op] ??= []).push(m), process.stderr.write(`  ${models} ${side.name} ${op}: ${m.wall.toFixed(1)} s wall, ${m.cpu.toFixed(1)} s CPU (${Object.entries(m.cpuOf).map(([k, v]) => `${k} ${(v ?? 0).toFixed(1)}`).join(", ")}; load ${loadavg()[0].toFixed(1)})\n`));
    const select = (side: Side) => ["--stack", side.stack];

    // The program's first up decides the floor's size: as many objects, specs of the same total size.
    record(program, "up", await operation(pulumi, program.dir, ["up", "--yes", "--skip-preview", ...select(program)]));
    const exported = spawnSync(readToolManifest("e2e").pulumi.bin, ["stack", "export", "--stack", program.stack, "--non-interactive"], { cwd: program.dir, env: pulumi.env, encoding: "utf8", maxBuffer: 1024 * 1024 * 1024, timeout: 300_000 });
    if (exported.status !== 0) throw new Error(`pulumi stack export: ${exported.error?.message ?? exported.stderr}`);
    const state = JSON.parse(exported.stdout) as { deployment: { resources?: { type: string; inputs?: Record<string, unknown>; outputs?: { spec?: unknown; kind?: unknown } }[] } };
    const objects = (state.deployment.resources ?? []).filter((r) => r.type.startsWith("kubernetes:") && typeof r.outputs?.kind === "string");
    const specBytes = Math.max(1, Math.round(objects.reduce((sum, r) => sum + JSON.stringify(r.outputs?.spec ?? {}).length, 0) / objects.length));
    const bodies = join(floorDir, `bodies-${models}.json`);
    writeFileSync(bodies, JSON.stringify(objects.map(({ inputs = {} }) => plainValues(Object.fromEntries(Object.entries(inputs).filter(([k]) => !["apiVersion", "kind", "metadata"].includes(k)))))));
    const shape = FLOOR === "objects" ? { "floor:bodies": bodies } : {};
    const floor: Side = { name: "floor", dir: floorDir, stack: `floor-${models}`, config: (changed) => ({ ...cluster, "floor:count": objects.length, "floor:specBytes": specBytes, ...shape, ...(changed !== undefined && { "floor:changed": changed }) }) };
    const floorCli = (args: string[]) => {
        const r = spawnSync(readToolManifest("e2e").pulumi.bin, [...args, "--non-interactive"], { cwd: floorDir, env: pulumi.env, encoding: "utf8", timeout: 300_000 });
        if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")}: ${r.stderr}`);
    };
    floorCli(["stack", "init", floor.stack, "--secrets-provider", "passphrase"]);
    writeStackFile(join(floorDir, `Pulumi.${floor.stack}.yaml`), floor.config());
    record(floor, "up", await operation(pulumi, floor.dir, ["up", "--yes", "--skip-preview", ...select(floor)]));

    const largest = models === Math.max(...SIZES);
    for (let i = 0; i < RUNS; i++) {
        for (const side of [program, floor]) {
            const profiled = profileDir !== undefined && largest && i === 0;
            const profile = profiled && side === program ? { NODE_OPTIONS: `${pulumi.env.NODE_OPTIONS ?? ""} --require ${profilerHook(profileDir)}` } : {};
            // The CLI's own CPU profile (Go pprof, `go tool pprof -top <file>.<pid>.cpu`), of both sides.
            const cliProfile = profiled ? ["--profiling", join(profileDir, `cli-${side.name}-${models}`)] : [];
            record(side, "preview", await operation(pulumi, side.dir, ["preview", ...select(side), ...cliProfile], profile));
        }
    }
    writeProgramStack(join(program.dir, `Pulumi.${program.stack}.yaml`), program.config(0));
    writeStackFile(join(floorDir, `Pulumi.${floor.stack}.yaml`), floor.config(0));
    for (let i = 0; i < RUNS; i++) for (const side of [program, floor]) record(side, "change", await operation(pulumi, side.dir, ["preview", ...select(side)]));
    for (const side of [program, floor]) record(side, "apply", await operation(pulumi, side.dir, ["up", "--yes", "--skip-preview", ...select(side)]));
    // The cluster is shared between sizes: each stack takes its objects away again.
    for (const side of [program, floor]) await operation(pulumi, side.dir, ["destroy", "--yes", "--skip-preview", ...select(side)]);

    const summary = (ms: Measure[]): Measure => ({
        wall: median(ms.map((m) => m.wall)),
        cpu: median(ms.map((m) => m.cpu)),
        peakMiB: Object.fromEntries(Object.keys(WATCHED).map((k) => [k, Math.max(0, ...ms.map((m) => m.peakMiB[k as Watched] ?? 0))])),
        cpuOf: Object.fromEntries([...Object.keys(WATCHED), "cluster"].map((k) => [k, median(ms.map((m) => m.cpuOf[k as Watched] ?? 0))])),
    });
    const summarize = (side: "program" | "floor") => Object.fromEntries(OPS.map((op) => [op, summary(results[side][op])])) as Record<Op, Measure>;
    return { models, objects: objects.length, specBytes, program: summarize("program"), floor: summarize("floor") };
}

function table(rows: Row[]): string {
    const f = (x: number, d = 1) => x.toFixed(d);
    const lines = [
        "| models | objects | operation | program wall s | program CPU s | floor wall s | floor CPU s | wall ratio | CPU ratio | program peak MiB (host / node / provider) | floor peak MiB (host / node / provider) |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|",
    ];
    const peaks = (m: Measure) => `${f(m.peakMiB.languageHost ?? 0, 0)} / ${f(m.peakMiB.program ?? 0, 0)} / ${f(m.peakMiB.provider ?? 0, 0)}`;
    for (const r of rows) {
        for (const op of OPS) {
            const p = r.program[op];
            const fl = r.floor[op];
            lines.push(`| ${r.models} | ${r.objects} | ${op} | ${f(p.wall)} | ${f(p.cpu)} | ${f(fl.wall)} | ${f(fl.cpu)} | ${f(p.wall / fl.wall, 2)} | ${f(p.cpu / fl.cpu, 2)} | ${peaks(p)} | ${peaks(fl)} |`);
        }
    }
    lines.push(
        "",
        "Where the CPU goes (seconds, medians): CLI (engine) / language host / program (Node) / Kubernetes provider / random provider (the suite's Node stand-in) / API server and etcd",
        "",
        "| models | operation | program | floor |",
        "|---:|---|---|---|",
    );
    const split = (m: Measure) => (["cli", "languageHost", "program", "provider", "random", "cluster"] as const).map((k) => f(m.cpuOf[k] ?? 0)).join(" / ");
    for (const r of rows) for (const op of OPS) lines.push(`| ${r.models} | ${op} | ${split(r.program[op])} | ${split(r.floor[op])} |`);
    if (rows.length >= 2) {
        const [a, b] = rows.slice(-2);
        const exponent = (side: "program" | "floor", op: Op) => Math.log(b[side][op].wall / a[side][op].wall) / Math.log(b.models / a.models);
        lines.push("", `Growth exponent of the wall time between ${a.models} and ${b.models} models (1 = linear): ${OPS.map((op) => `${op} ${f(exponent("program", op), 2)} (floor ${f(exponent("floor", op), 2)})`).join(", ")}.`);
    }
    lines.push(`Floor: ${FLOOR === "objects" ? "the program's objects as CustomResource specs" : "specs padded to the objects' average size"}. Previews: medians of ${RUNS} runs; ups: one run each. ${cpus().length} cores; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(" ")}.`);
    return lines.join("\n");
}

async function main(): Promise<void> {
    for (const n of SIZES) if (!Number.isInteger(n) || n < 1 || n > 5000) throw new Error(`ENGINE_BENCH_SIZES: ${n} is not a model count from 1 to 5000`);
    if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 20) throw new Error("ENGINE_BENCH_RUNS: use a whole number from 1 to 20");
    if (FLOOR !== "objects" && FLOOR !== "padding") throw new Error(`ENGINE_BENCH_FLOOR: "${FLOOR}" is neither objects nor padding`);
    const tools = readToolManifest("e2e");
    const profileDir = process.env.ENGINE_BENCH_PROFILE === "1" ? (process.env.ENGINE_BENCH_PROFILE_DIR ?? join(ROOT, ".cache", "profiles")) : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const floorDir = mkdtempSync(join(tmpdir(), "engine-bench-floor-"));
    stopAll = async () => {
        // The CLI stops its language host and plugins when interrupted.
        for (const pid of runningOps) {
            try {
                process.kill(-pid, "SIGINT");
            } catch {
                // gone
            }
        }
        if (runningOps.size > 0) await new Promise((r) => setTimeout(r, 5000));
        await pulumi?.stop();
        await cp?.stop();
        rmSync(floorDir, { recursive: true, force: true });
    };
    try {
        // With the namespace controller and the garbage collector, as in the e2e suite: a destroy that deletes a
        // namespace finishes.
        cp = await startControlPlane(tools.kubeApiserver.bin, { controllerManagerBin: tools.kubeControllerManager.bin });
        clusterProcesses = clusterPids(cp);
        const kube = new Kube(cp);
        await kube.discover();
        const problems = await applyCrds(kube);
        if (problems.length > 0) throw new Error(problems.join("\n"));
        const r = await kube.apply(PAYLOAD_CRD as never);
        if (r.status >= 300) throw new Error(`the floor's CRD: ${r.status} ${String(r.body.message)}`);
        await new Promise((res) => setTimeout(res, 2000));
        pulumi = await preparePulumi(tools, `http://127.0.0.1:${await freePort()}`);
        writeFileSync(join(floorDir, "Pulumi.yaml"), "name: floor\nruntime: nodejs\nmain: index.js\n");
        writeFileSync(join(floorDir, "index.js"), FLOOR_PROGRAM);
        symlinkSync(join(ROOT, "node_modules"), join(floorDir, "node_modules"), "dir");
        const rows: Row[] = [];
        for (const n of SIZES) {
            process.stderr.write(`${n} models:\n`);
            rows.push(await measureSize(pulumi, floorDir, cp, n, profileDir));
        }
        process.stdout.write(table(rows) + "\n");
    } finally {
        await stopAll();
    }
}

let cp: ControlPlane | undefined;
let pulumi: PulumiEnvironment | undefined;
let stopAll = async (): Promise<void> => undefined;
/** Process groups of the CLI operations under way. */
const runningOps = new Set<number>();

if (require.main === module) {
    // An interrupted bench still stops what it started (main's finally), then exits.
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopAll().then(() => process.exit(130)));
    main().catch((e: Error) => {
        process.stderr.write(`engine bench: ${e.message}\n`);
        process.exitCode = 1;
    });
}
