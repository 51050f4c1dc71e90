/**
 * Offline render (product contract §3): evaluates the program under Pulumi mocks and prints what
 * `pulumi up` would create, without a cluster or the Pulumi CLI.
 *
 *   npm run render -- --stack dev
 *   npm run render -- --config-file path/to.yaml [--format yaml|json] [--out DIR]
 */
import * as pulumi from "@pulumi/pulumi";
import { mkdirSync, writeFileSync } from "fs";
import { basename, join, resolve } from "path";
import { parseArgs } from "util";
import { AiGateway } from "../components";
import { loadConfig } from "../config";
import { toJson, toYaml } from "./format";
import { RecordingMocks, settle, withoutSourceMappedStacks, withoutUnusedStackTraces } from "./mocks";
import { readStackFile } from "./stackFile";

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
                       cloud resources as # comments. Secrets are left out of the stream (a # comment names each
                       and its keys): their values are not in the render. The rest applies with
                       kubectl apply --server-side -f - once those Secrets exist.
  --format json        {"resources": [...]}: every registered resource with its inputs, parent and dependencies,
                       secrets shown as "[secret]": for review and tooling, not for kubectl.
  --out DIR            writes DIR/<stack>.<format> instead of printing
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

export function parseRenderArgs(argv: string[]): RenderOptions {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                "config-file": { type: "string" },
                format: { type: "string", default: "yaml" },
                out: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
        }));
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    if (values.help) return { help: true, stack: "", file: "", format: "yaml" };
    if ((values.stack === undefined) === (values["config-file"] === undefined)) throw new UsageError("give exactly one of --stack or --config-file");
    if (values.format !== "yaml" && values.format !== "json") throw new UsageError(`--format must be yaml or json, not "${values.format}"`);
    const file = values.stack !== undefined ? join(PROJECT_ROOT, `Pulumi.${values.stack}.yaml`) : resolve(values["config-file"] as string);
    const stack = values.stack ?? (/^Pulumi\.(.+)\.ya?ml$/.exec(basename(file))?.[1] ?? "render");
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
    try {
        // Config is read and validated before any resource exists, exactly as in index.ts.
        new AiGateway("ai-gateway", { config: loadConfig((w) => warnings.push(`warning: ${w}\n`)) });
        await settle();
    } catch (e) {
        const message = e instanceof pulumi.RunError ? e.message : `render failed: ${(e as Error).message ?? String(e)}`;
        return { code: 1, stdout: "", stderr: `${message}\n` };
    }

    const text = opts.format === "json" ? toJson(mocks.resources) : toYaml(mocks.resources);
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
