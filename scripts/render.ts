/**
 * Offline render (product contract §3): evaluates the program under Pulumi mocks and prints what
 * `pulumi up` would create, without a cluster or the Pulumi CLI.
 *
 *   npm run render -- --stack dev
 *   npm run render -- --config-file path/to.yaml [--format yaml|json] [--out DIR]
 */
import * as pulumi from "@pulumi/pulumi";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "fs";
import { basename, dirname, join, resolve } from "path";
import { parseArgs } from "util";
import { AiGateway } from "../components";
import { loadConfig } from "../plan";
import { closest, suggestion } from "../config/errors";
import { toJson, toYaml, type RenderedOutputs } from "./format";
import { RecordingMocks, settle, withoutSourceMappedStacks, withoutUnusedStackTraces } from "./mocks";
import { readStackFile } from "../config/stackFile";

const PROJECT_ROOT = resolve(__dirname, "..");
export const USAGE = "usage: npm run render -- (--stack NAME | --config-file FILE) [--format yaml|json] [--out DIR]";

export class UsageError extends Error {}

/** `render --help`: what the command does and what its output is good for. */
export const HELP = `${USAGE}

Evaluates the program for a stack file under Pulumi mocks, without a cluster or the Pulumi CLI, and prints
what \`pulumi up\` would create. Nothing is deployed.

  --stack NAME         reads Pulumi.NAME.yaml beside the program
  --config-file FILE   any file in the Pulumi.<stack>.yaml format
  --format yaml        (default) every Kubernetes object as a YAML stream, namespaces first; Helm releases and
                       cloud resources as # comments, the stack outputs (models, url, firstCallCommand) as
                       # comments at the end. Secrets are left out of the stream (a # comment names each
                       and its keys): their values are not in the render. The rest applies with
                       kubectl apply --server-side -f - once those Secrets exist.
  --format json        {"resources": [...]}: every registered resource with its inputs, parent and dependencies,
                       secrets shown as "[secret]", and "outputs": for review and tooling, not for kubectl.
  --out DIR            writes DIR/<name>.<format> instead of printing: <name> is the stack (Pulumi.<name>.yaml),
                       or the --config-file's name without .yaml
  --help               prints this

Bad configuration: exit 1, every problem on stderr, nothing on stdout. Warnings go to stderr, exit 0.`;

export interface RenderOptions {
    /** `--help`: print HELP and nothing else. */
    help?: boolean;
    stack: string;
    file: string;
    format: "yaml" | "json";
    out?: string;
}

export interface RenderResult {
    code: number;
    stdout: string;
    stderr: string;
}

const OPTIONS = {
    stack: { type: "string" },
    "config-file": { type: "string" },
    format: { type: "string", default: "yaml" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

/** The stacks beside the program: the NAME of every Pulumi.NAME.yaml. */
export function stacksIn(dir: string): string[] {
    return readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export function parseRenderArgs(argv: string[], projectRoot = PROJECT_ROOT): RenderOptions {
    // An unknown flag, with the closest known one (parseArgs only says it is unknown).
    const known = Object.keys(OPTIONS).map((o) => `--${o}`);
    const unknown = argv.filter((a) => a.startsWith("--") && a !== "--").map((a) => a.split("=")[0]).filter((a) => !known.includes(a));
    if (unknown.length > 0) throw new UsageError(unknown.map((a) => `unknown option ${a}: ${suggestion(a, known)}`).join("\n"));
    let values;
    try {
        ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true }));
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    if (values.help) return { help: true, stack: "", file: "", format: "yaml" };
    if ((values.stack === undefined) === (values["config-file"] === undefined)) throw new UsageError("give exactly one of --stack or --config-file");
    if (values.format !== "yaml" && values.format !== "json") throw new UsageError(`--format must be yaml or json, not "${values.format}"`);
    if (values.stack !== undefined) {
        const file = join(projectRoot, `Pulumi.${values.stack}.yaml`);
        if (!existsSync(file)) {
            const stacks = stacksIn(projectRoot);
            const guess = closest(values.stack, stacks);
            const present =
                stacks.length === 0
                    ? "there is no Pulumi.<stack>.yaml beside the program; create one (pulumi stack init), or give --config-file"
                    : `${guess !== undefined ? `did you mean "${guess}"? ` : ""}the stacks here: ${stacks.join(", ")}`;
            throw new UsageError(`--stack ${values.stack}: no Pulumi.${values.stack}.yaml beside the program; ${present}`);
        }
        return { stack: values.stack, file, format: values.format, out: values.out };
    }
    const file = resolve(values["config-file"] as string);
    const name = basename(file);
    const stack = /^Pulumi\.(.+)\.ya?ml$/.exec(name)?.[1] ?? name.replace(/\.ya?ml$/, "");
    return { stack, file, format: values.format, out: values.out };
}

/** Evaluates the program (what index.ts runs) for a stack file, with mocks already installed. */
export async function render(opts: RenderOptions, mocks: RecordingMocks): Promise<RenderResult> {
    mocks.reset();
    let stackFile;
    try {
        stackFile = readStackFile(opts.file);
    } catch (e) {
        return { code: 1, stdout: "", stderr: `cannot read ${opts.file}: ${(e as Error).message}\n` };
    }
    pulumi.runtime.setAllConfig(stackFile.config, stackFile.secretKeys);
    const warnings: string[] = [];
    let outputs: RenderedOutputs;
    try {
        // Config is read and validated before any resource exists, exactly as in index.ts.
        const gateway = new AiGateway("ai-gateway", { config: loadConfig((w) => warnings.push(`warning: ${w}\n`), dirname(opts.file)) });
        outputs = { models: gateway.models, firstCallCommand: gateway.firstCallCommand, gatewayAddressCommand: gateway.gatewayAddressCommand };
        const shown = outputs;
        gateway.url.apply((url) => {
            if (url !== undefined) shown.url = url;
        });
        await settle();
    } catch (e) {
        const message = e instanceof pulumi.RunError ? e.message : `render failed: ${(e as Error).message ?? String(e)}`;
        return { code: 1, stdout: "", stderr: `${message}\n` };
    }

    const text = opts.format === "json" ? toJson(mocks.resources, outputs) : toYaml(mocks.resources, outputs);
    if (!opts.out) return { code: 0, stdout: text, stderr: warnings.join("") };
    mkdirSync(opts.out, { recursive: true });
    const target = join(opts.out, `${opts.stack}.${opts.format}`);
    writeFileSync(target, text);
    return { code: 0, stdout: "", stderr: `${warnings.join("")}wrote ${target}\n` };
}

async function main(): Promise<number> {
    let opts: RenderOptions;
    try {
        opts = parseRenderArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return 2;
    }
    if (opts.help) {
        process.stdout.write(`${HELP}\n`);
        return 0;
    }
    withoutSourceMappedStacks();
    withoutUnusedStackTraces();
    const mocks = new RecordingMocks();
    await mocks.install("ai-gateway", opts.stack);
    const failures: unknown[] = [];
    process.on("unhandledRejection", (e) => failures.push(e));
    const result = await render(opts, mocks);
    if (failures.length > 0) {
        process.stderr.write(failures.map((f) => `render failed: ${f instanceof Error ? f.message : String(f)}\n`).join(""));
        return 1;
    }
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.code;
}

if (require.main === module) {
    // Set the exit code and let Node exit once stdout is flushed: process.exit() right after a write to a
    // pipe cuts the output at the pipe's buffer (64 KiB).
    main().then(
        (code) => {
            process.exitCode = code;
        },
        (e) => {
            process.stderr.write(`render failed: ${(e as Error).message}\n`);
            process.exitCode = 1;
        },
    );
}
