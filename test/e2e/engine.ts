/**
 * The Pulumi side of the end-to-end engine stage: the project as a user has it (a copy of this repository's files
 * with its `node_modules`, `Pulumi.yaml` as shipped), a throwaway Pulumi home with the locally built plugins, and
 * the Pulumi CLI run exactly as the README runs it: `pulumi login file://<folder>`, `pulumi stack init`,
 * `pulumi config set [--secret] [--path]`, `pulumi up --yes`, `pulumi preview`, `pulumi destroy --yes`. The CLI
 * runs the program through the Node.js language host installed beside it (`pulumi-language-nodejs`, built by
 * `npm run e2e:tools`), which runs the Node SDK's run harness, which loads `index.ts` through ts-node with the
 * project's tsconfig.json and transpiler.
 *
 * Plugins, installed with `pulumi plugin install --file` at the versions the SDKs in package-lock.json ask
 * for, so the engine never downloads one (automatic acquisition is off):
 * - `kubernetes`: built from github.com/pulumi/pulumi-kubernetes/provider/v4 at the one commit the module
 *   proxy serves (tools.json records it);
 * - `random`: the stand-in of test/e2e/randomProvider.ts (the proxy serves no version of the random provider).
 *
 * The one addition to the program is test/e2e/stackTransform.js, loaded through NODE_OPTIONS (see there).
 *
 * Every process started here is stopped by its process id: a configuration command runs to its end (with a
 * timeout); an engine operation (`up`, `preview`, `destroy`) runs in a process group of its own, which `stop()`
 * (and the end of each operation) signals by its id, so the language host, the program and the plugins go with it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BuiltTool } from "../../tools/upstreamTools";
import { STAND_IN_VERSION } from "./randomProvider";

const ROOT = join(__dirname, "..", "..");

/** The passphrase of the test stacks' secrets provider. */
export const TEST_PASSPHRASE = "e2e-engine-passphrase";

export interface PulumiTools {
    pulumi: BuiltTool;
    languageHost: BuiltTool;
    kubernetesProvider: BuiltTool;
}

/** One resource step of an engine operation, from its event log. */
export interface EngineStep {
    op: string;
    urn: string;
    type: string;
    /** Kubernetes objects: kind, namespace and name from the step's inputs. */
    kind?: string;
    namespace?: string;
    name?: string;
    diffs: string[];
}

/** A policy violation an operation reported. */
export interface PolicyViolation {
    policyName: string;
    message: string;
    enforcementLevel: string;
}

export interface EngineResult {
    ok: boolean;
    /** The CLI's exit code, and its output when it failed. */
    exitCode: number | null;
    output: string;
    steps: EngineStep[];
    policyViolations: PolicyViolation[];
    /** Resources the test's stack transform annotated (`<type> <name>`). */
    annotated: string[];
}

export interface PulumiEnvironment {
    /** The project folder: the copy of the repository. */
    workDir: string;
    /** The local backend's folder (`pulumi login file://<folder>`). */
    stateDir: string;
    /** The environment of every Pulumi process. */
    env: NodeJS.ProcessEnv;
    /** A CLI command in the project folder; throws with its output when it fails. */
    cli(args: string[]): string;
    /** `pulumi up --yes`, `pulumi preview [args]` or `pulumi destroy --yes` of the selected stack, in a process group of its own. */
    run(op: "up" | "preview" | "destroy", args?: string[]): Promise<EngineResult>;
    stop(): Promise<void>;
}

/** The repository's files as a clone has them: tracked and untracked-but-not-ignored files that exist. */
export function projectFiles(root = ROOT): string[] {
    const r = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`git ls-files in ${root}: ${r.stderr || r.error?.message}`);
    return [...new Set(r.stdout.split("\0").filter((f) => f !== "" && existsSync(join(root, f))))].sort();
}

/** A copy of the repository in `into`, with the repository's `node_modules` (as `npm ci` left it) linked in. */
export function copyProject(into: string, root = ROOT): void {
    for (const file of projectFiles(root)) {
        mkdirSync(dirname(join(into, file)), { recursive: true });
        copyFileSync(join(root, file), join(into, file));
    }
    symlinkSync(join(root, "node_modules"), join(into, "node_modules"), "dir");
}

/** The steps and policy violations of an engine event log (`--event-log`: one JSON event a line). */
export function readEventLog(text: string): { steps: EngineStep[]; policyViolations: PolicyViolation[] } {
    const steps: EngineStep[] = [];
    const policyViolations: PolicyViolation[] = [];
    for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        const event = JSON.parse(line) as {
            resourcePreEvent?: { metadata: { op: string; urn: string; type: string; diffs?: string[]; old?: { inputs?: unknown }; new?: { inputs?: unknown } } };
            policyEvent?: { policyName: string; message: string; enforcementLevel: string };
        };
        const m = event.resourcePreEvent?.metadata;
        if (m) {
            const inputs = (m.new ?? m.old)?.inputs as { kind?: string; metadata?: { name?: string; namespace?: string } } | undefined;
            steps.push({
                op: m.op,
                urn: m.urn,
                type: m.type,
                ...(m.type.startsWith("kubernetes:") && { kind: inputs?.kind, namespace: inputs?.metadata?.namespace, name: inputs?.metadata?.name }),
                diffs: m.diffs ?? [],
            });
        }
        const p = event.policyEvent;
        if (p) policyViolations.push({ policyName: p.policyName, message: p.message, enforcementLevel: p.enforcementLevel });
    }
    return { steps, policyViolations };
}

/** SIGTERM to a process group by its leader's id, SIGKILL after 5 s; resolves once the leader has exited. */
async function stopGroup(p: ChildProcess): Promise<void> {
    if (p.pid === undefined) return;
    const pid = p.pid;
    const signal = (s: NodeJS.Signals | 0) => {
        try {
            process.kill(-pid, s);
            return true;
        } catch {
            return false; // nothing left in the group
        }
    };
    if (p.exitCode === null && p.signalCode === null) await new Promise<void>((resolve) => (p.once("exit", () => resolve()), signal("SIGTERM")));
    else signal("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    const deadline = Date.now() + 5000;
    while (signal(0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    signal("SIGKILL");
}

/** How long one engine operation may take before it is stopped. */
const OPERATION_TIMEOUT_MS = 900_000;

/**
 * The project copy, logged in to a local backend, with the plugins installed; no stack yet (the test runs
 * `pulumi stack init` and `pulumi config set` through `cli`, as the README does).
 */
export async function preparePulumi(tools: PulumiTools, noEgress: string): Promise<PulumiEnvironment> {
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-e2e-pulumi-"));
    const home = join(dir, "home");
    const workDir = join(dir, "project");
    const plugins = join(dir, "plugins");
    const stateDir = join(dir, "state");
    for (const d of [home, workDir, plugins, stateDir]) mkdirSync(d, { recursive: true });
    const transformLog = join(dir, "annotated.log");
    const running = new Set<ChildProcess>();
    const cliDir = dirname(tools.pulumi.bin);
    if (dirname(tools.languageHost.bin) !== cliDir) throw new Error(`${tools.languageHost.bin} is not beside the CLI (${cliDir}), where the CLI looks for it`);
    const env: NodeJS.ProcessEnv = {
        // As installed: the CLI's folder (with the language host beside it) on PATH, and Node.
        PATH: `${cliDir}:${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        HOME: home,
        PULUMI_HOME: join(home, ".pulumi"),
        PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // Shows `--event-log` on up, preview and destroy (the Automation API sets it for the same flag).
        PULUMI_DEBUG_COMMANDS: "true",
        // The test's stack transform, in the program's process only (test/e2e/stackTransform.js).
        NODE_OPTIONS: `--require ${join(__dirname, "stackTransform.js")}`,
        AI_GATEWAY_E2E_PROGRAM: join(workDir, "index.ts"),
        AI_GATEWAY_E2E_TRANSFORM_LOG: transformLog,
        // Nothing leaves the machine: requests off it go to a closed loopback port; loopback is reached directly.
        HTTP_PROXY: noEgress,
        HTTPS_PROXY: noEgress,
        NO_PROXY: "127.0.0.1,localhost",
        no_proxy: "127.0.0.1,localhost",
    };
    const cli = (args: string[]): string => {
        // `pulumi stack export` with the CRDs the platform charts create is several MiB.
        const r = spawnSync(tools.pulumi.bin, [...args, "--non-interactive"], { cwd: workDir, env, encoding: "utf8", timeout: 300_000, maxBuffer: 256 * 1024 * 1024 });
        if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.error?.message ?? ""}\n${r.stderr}${r.stdout.slice(-4000)}`);
        return r.stdout;
    };
    const stop = async () => {
        for (const p of running) await stopGroup(p);
        rmSync(dir, { recursive: true, force: true });
    };

    try {
        copyProject(workDir);
        // The stand-in random provider: a launcher the engine runs as pulumi-resource-random.
        const launcher = join(plugins, "random", "pulumi-resource-random");
        mkdirSync(dirname(launcher), { recursive: true });
        // The engine starts plugins in the project folder: ts-node must still read this repository's tsconfig.
        writeFileSync(
            launcher,
            `#!/bin/sh\nTS_NODE_PROJECT="${join(ROOT, "tsconfig.json")}" exec "${process.execPath}" -r "${require.resolve("ts-node/register/transpile-only")}" "${join(__dirname, "randomProvider.ts")}" "$@"\n`,
        );
        chmodSync(launcher, 0o755);
        const kubernetesVersion = tools.kubernetesProvider.installedAs ?? tools.kubernetesProvider.version.replace(/^v/, "");
        cli(["plugin", "install", "resource", "kubernetes", kubernetesVersion, "--file", tools.kubernetesProvider.bin]);
        cli(["plugin", "install", "resource", "random", STAND_IN_VERSION, "--file", dirname(launcher)]);
        cli(["login", `file://${stateDir}`]);
    } catch (e) {
        await stop();
        throw e;
    }

    const run = async (op: "up" | "preview" | "destroy", extra: string[] = []): Promise<EngineResult> => {
        const id = `${op}-${Date.now()}`;
        const eventLog = join(dir, `${id}.events.json`);
        const logFile = join(dir, `${id}.log`);
        const args = [op, ...(op === "preview" ? [] : ["--yes"]), ...extra, "--non-interactive", "--color", "never", "--event-log", eventLog];
        writeFileSync(transformLog, "");
        const out = openSync(logFile, "w");
        const p = spawn(tools.pulumi.bin, args, { cwd: workDir, env, stdio: ["ignore", out, out], detached: true });
        running.add(p);
        p.once("error", () => undefined);
        const timer = setTimeout(() => void stopGroup(p), OPERATION_TIMEOUT_MS);
        await new Promise<void>((resolve) => p.once("exit", () => resolve()));
        clearTimeout(timer);
        await stopGroup(p);
        running.delete(p);
        const output = readFileSync(logFile, "utf8");
        const events = existsSync(eventLog) ? readEventLog(readFileSync(eventLog, "utf8")) : { steps: [], policyViolations: [] };
        const annotated = readFileSync(transformLog, "utf8").split("\n").filter((l) => l !== "");
        return { ok: p.exitCode === 0, exitCode: p.exitCode, output: `pulumi ${args.join(" ")}\n${output}`, ...events, annotated };
    };

    return { workDir, stateDir, env, cli, run, stop };
}
