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
import { toJson, toYaml } from "./format";
import { RecordingMocks, settle } from "./mocks";
import { readStackFile } from "./stackFile";

const PROJECT_ROOT = resolve(__dirname, "..");
const USAGE = "usage: npm run render -- (--stack NAME | --config-file FILE) [--format yaml|json] [--out DIR]";

class UsageError extends Error {}

interface Options {
    stack: string;
    file: string;
    format: "yaml" | "json";
    out?: string;
}

function options(argv: string[]): Options {
    const { values } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string" },
            "config-file": { type: "string" },
            format: { type: "string", default: "yaml" },
            out: { type: "string" },
        },
        strict: true,
    });
    if ((values.stack === undefined) === (values["config-file"] === undefined)) throw new UsageError("give exactly one of --stack or --config-file");
    if (values.format !== "yaml" && values.format !== "json") throw new UsageError(`--format must be yaml or json, not "${values.format}"`);
    const file = values.stack !== undefined ? join(PROJECT_ROOT, `Pulumi.${values.stack}.yaml`) : resolve(values["config-file"] as string);
    const stack = values.stack ?? (/^Pulumi\.(.+)\.ya?ml$/.exec(basename(file))?.[1] ?? "render");
    return { stack, file, format: values.format, out: values.out };
}

async function main(): Promise<number> {
    let opts: Options;
    try {
        opts = options(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return 2;
    }

    let stackFile;
    try {
        stackFile = readStackFile(opts.file);
    } catch (e) {
        process.stderr.write(`cannot read ${opts.file}: ${(e as Error).message}\n`);
        return 1;
    }

    const mocks = new RecordingMocks();
    await mocks.install("ai-gateway", opts.stack);
    pulumi.runtime.setAllConfig(stackFile.config, stackFile.secretKeys);

    const failures: unknown[] = [];
    process.on("unhandledRejection", (e) => failures.push(e));
    try {
        // The program itself: config is read and validated before any resource exists.
        require("../index");
        await settle();
    } catch (e) {
        failures.push(e);
    }
    if (failures.length > 0) {
        for (const f of failures) process.stderr.write(`${f instanceof pulumi.RunError ? f.message : String(f)}\n`);
        return 1;
    }

    const text = opts.format === "json" ? toJson(mocks.resources) : toYaml(mocks.resources);
    if (opts.out) {
        mkdirSync(opts.out, { recursive: true });
        const target = join(opts.out, `${opts.stack}.${opts.format}`);
        writeFileSync(target, text);
        process.stderr.write(`wrote ${target}\n`);
    } else {
        process.stdout.write(text);
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        process.stderr.write(`render failed: ${(e as Error).message}\n`);
        process.exit(1);
    },
);
