/**
 * A stack file made the way a user makes one: a copy of a committed `Pulumi.<stack>.yaml` in a project folder of its
 * own, then `pulumi stack init` and `pulumi config set [--secret] [--path]` with the real Pulumi CLI (a local backend,
 * a passphrase secrets provider of the test). The file the CLI leaves is what the local gateway then runs.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const PASSPHRASE = "dataplane-test-passphrase";

export interface CliStack {
    /** The stack file the CLI wrote (`<project>/Pulumi.<stack>.yaml`). */
    file: string;
    /** `pulumi <args> --non-interactive` in the project folder; its stdout. */
    cli(args: string[]): string;
    remove(): void;
}

/** `Pulumi.<stack>.yaml` of this repository, copied into a fresh project folder and initialised with the CLI. */
export function cliStack(pulumi: string, stack: string): CliStack {
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-dataplane-stack-"));
    const project = join(dir, "project");
    const home = join(dir, "home");
    const state = join(dir, "state");
    for (const d of [project, home, state]) mkdirSync(d, { recursive: true });
    const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH ?? "",
        HOME: home,
        PULUMI_HOME: join(home, ".pulumi"),
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    const cli = (args: string[]): string => {
        const r = spawnSync(pulumi, [...args, "--non-interactive"], { cwd: project, env, encoding: "utf8", timeout: 120_000 });
        // Never the arguments in the message: they may hold a secret being set.
        if (r.status !== 0) throw new Error(`pulumi ${args[0]} ${args[1] ?? ""} exited ${r.status ?? r.signal}: ${r.error?.message ?? ""}\n${r.stderr}`);
        return r.stdout;
    };
    try {
        copyFileSync(join(ROOT, "Pulumi.yaml"), join(project, "Pulumi.yaml"));
        copyFileSync(join(ROOT, `Pulumi.${stack}.yaml`), join(project, `Pulumi.${stack}.yaml`));
        cli(["login", `file://${state}`]);
        cli(["stack", "init", stack, "--secrets-provider", "passphrase"]);
    } catch (e) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
    }
    return { file: join(project, `Pulumi.${stack}.yaml`), cli, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
