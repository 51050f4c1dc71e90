/**
 * The Pulumi side of the end-to-end engine stage: a throwaway Pulumi home with the locally built plugins,
 * state in a local folder of the run (`pulumi login file://<folder>`), a passphrase secrets provider, the stack's
 * project folder, the CLI for configuration and state commands, and one process per engine operation
 * (test/e2e/engineRun.ts).
 *
 * Plugins, installed with `pulumi plugin install --file` at the versions the SDKs in package-lock.json ask
 * for, so the engine never downloads one (automatic acquisition is off):
 * - `kubernetes`: built from github.com/pulumi/pulumi-kubernetes/provider/v4 at the one commit the module
 *   proxy serves (tools.json records it);
 * - `random`: the stand-in of test/e2e/randomProvider.ts (the proxy serves no version of the random provider).
 *
 * Every process started here is stopped by its process id: a CLI command runs to its end (with a timeout); an
 * engine operation runs in a process group of its own, which `stop()` (and the end of each operation) signals
 * by its id, so the CLI and the plugins it started go with it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseDocument } from "yaml";
import type { BuiltTool } from "../../scripts/upstreamTools";
import type { ControlPlane } from "./controlPlane";
import type { EngineRequest, EngineResult } from "./engineRun";
import { STAND_IN_VERSION } from "./randomProvider";

const ROOT = join(__dirname, "..", "..");

/** The passphrase of the test stack's secrets provider. */
export const TEST_PASSPHRASE = "e2e-engine-passphrase";

export interface PulumiTools {
    pulumi: BuiltTool;
    kubernetesProvider: BuiltTool;
}

export interface PulumiEnvironment {
    /** The project folder: Pulumi.yaml and Pulumi.<stack>.yaml. */
    workDir: string;
    stack: string;
    /** The local backend's folder (`pulumi login file://<folder>`). */
    stateDir: string;
    /** The environment of every Pulumi process. */
    env: NodeJS.ProcessEnv;
    /** A CLI command in the project folder; throws with its output when it fails. */
    cli(args: string[]): string;
    /** One engine operation in a process of its own. */
    run(op: EngineRequest["op"], options?: { expectNoChanges?: boolean }): Promise<EngineResult>;
    stop(): Promise<void>;
}

/** A stack file for the local API server: `stackFile` with the kubeconfig and context of `cp`, and `changes` (path → value) applied. */
export function localStackFile(stackFile: string, kubeconfig: string, changes: [string[], unknown][]): string {
    const doc = parseDocument(readFileSync(stackFile, "utf8"));
    doc.setIn(["config", "kubernetes:kubeconfig"], kubeconfig);
    doc.setIn(["config", "kubernetes:context"], "e2e");
    for (const [path, value] of changes) doc.setIn(["config", ...path], value);
    return doc.toString();
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

export async function preparePulumi(tools: PulumiTools, cp: ControlPlane, stackFile: string, stack: string, changes: [string[], unknown][], noEgress: string): Promise<PulumiEnvironment> {
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-e2e-pulumi-"));
    const home = join(dir, "home");
    const workDir = join(dir, "project");
    const plugins = join(dir, "plugins");
    const stateDir = join(dir, "state");
    for (const d of [home, workDir, plugins, stateDir]) mkdirSync(d, { recursive: true });
    const running = new Set<ChildProcess>();
    const env: NodeJS.ProcessEnv = {
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
        HOME: home,
        PULUMI_HOME: join(home, ".pulumi"),
        // `pulumi login --local` means file://~, and the CLI takes ~ from the user database, not from HOME: the
        // backend is named explicitly, a folder of this run.
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        // Nothing leaves the machine: requests off it go to a closed loopback port; loopback is reached directly.
        HTTP_PROXY: noEgress,
        HTTPS_PROXY: noEgress,
        NO_PROXY: "127.0.0.1,localhost",
        no_proxy: "127.0.0.1,localhost",
    };
    const cli = (args: string[]): string => {
        const r = spawnSync(tools.pulumi.bin, [...args, "--non-interactive"], { cwd: workDir, env, encoding: "utf8", timeout: 300_000 });
        if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.error?.message ?? ""}\n${r.stderr}${r.stdout}`);
        return r.stdout;
    };
    const stop = async () => {
        for (const p of running) await stopGroup(p);
        rmSync(dir, { recursive: true, force: true });
    };

    try {
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

        writeFileSync(join(workDir, "Pulumi.yaml"), "name: ai-gateway\nruntime: nodejs\ndescription: the program of this repository, run by the end-to-end test as an inline program\n");
        writeFileSync(join(workDir, `Pulumi.${stack}.yaml`), localStackFile(stackFile, cp.kubeconfig, changes));
        cli(["stack", "init", stack, "--secrets-provider", "passphrase"]);
    } catch (e) {
        await stop();
        throw e;
    }

    const run = async (op: EngineRequest["op"], options: { expectNoChanges?: boolean } = {}): Promise<EngineResult> => {
        const id = `${op}-${Date.now()}`;
        const requestFile = join(dir, `${id}.request.json`);
        const resultFile = join(dir, `${id}.result.json`);
        const logFile = join(dir, `${id}.log`);
        const request: EngineRequest = { op, workDir, stack, pulumiRoot: dirname(dirname(tools.pulumi.bin)), ...options };
        writeFileSync(requestFile, JSON.stringify(request));
        const out = openSync(logFile, "w");
        const p = spawn(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), join(__dirname, "engineRun.ts"), requestFile, resultFile], {
            cwd: ROOT,
            env,
            stdio: ["ignore", out, out],
            detached: true,
        });
        running.add(p);
        p.once("error", () => undefined);
        await new Promise<void>((resolve) => p.once("exit", () => resolve()));
        await stopGroup(p);
        running.delete(p);
        if (!existsSync(resultFile)) return { ok: false, error: `the engine process exited ${p.exitCode ?? p.signalCode} without a result:\n${readFileSync(logFile, "utf8")}`, steps: [], annotated: [] };
        return JSON.parse(readFileSync(resultFile, "utf8")) as EngineResult;
    };

    return { workDir, stack, stateDir, env, cli, run, stop };
}
