import { existsSync, statSync } from "fs";
import { isAbsolute, resolve } from "path";
import type { ConfigProblem } from "./errors";
import { PROJECT } from "./stackConfig";
import { readStackFile, StackFileError } from "./stackFile";

/**
 * `ai-gateway:include`: files in the Pulumi.<stack>.yaml format whose `ai-gateway:*` keys join the stack's.
 *
 * Pulumi hands a stack's whole configuration to the program in one environment variable, and Linux caps one
 * variable at 128 KiB: above it `pulumi up` fails before the program starts ("argument list too long"; upstream
 * pulumi/pulumi#8680). A few hundred models with budgets reach it. An included file is read by the program
 * itself, so its size is bounded only by the cap below.
 */
export const INCLUDE_KEY = `${PROJECT}:include`;
/** The most files one stack may include. */
export const MAX_INCLUDED_FILES = 16;
/** An included file is refused above this size before it is parsed (a stack file: 1 MiB). */
export const MAX_INCLUDED_FILE_BYTES = 16 * 1024 * 1024;
/** What Linux allows one environment variable (MAX_ARG_STRLEN: 32 pages of 4 KiB), `PULUMI_CONFIG=` included. */
export const PULUMI_CONFIG_LIMIT_BYTES = 128 * 1024;
/** A stack whose configuration passes this share of the limit is warned while it still runs. */
const WARN_AT = 0.75;

export interface IncludedConfig {
    /** The stack's keys and every included file's, as `pulumi.runtime.allConfig()` gives them (JSON text for structures). */
    config: Record<string, string>;
    /** The file (as the stack names it) each included key comes from. */
    origins: Record<string, string>;
    /** Problems of the include list and of the files, each at `ai-gateway:include[i]`. */
    problems: ConfigProblem[];
    /** Files that are read but change nothing (they set no key). */
    warnings: ConfigProblem[];
}

/**
 * The stack's configuration with the keys of its included files added, resolved against `baseDir` (the project's
 * directory, where Pulumi.yaml is). The include key itself is not passed on. Never throws: every problem is returned.
 */
export function withIncludedConfig(stack: Record<string, string>, baseDir: string): IncludedConfig {
    const { [INCLUDE_KEY]: listed, ...config } = stack;
    const origins: Record<string, string> = {};
    if (listed === undefined) return { config, origins, problems: [], warnings: [] };
    const files = includeList(listed);
    if (typeof files === "string") return { config, origins, problems: [{ path: INCLUDE_KEY, message: files }], warnings: [] };
    const problems: ConfigProblem[] = [];
    const warnings: ConfigProblem[] = [];
    const seen = new Map<string, number>();
    files.forEach((file, i) => {
        const at = `${INCLUDE_KEY}[${i}]`;
        const path = isAbsolute(file) ? file : resolve(baseDir, file);
        const twice = seen.get(path);
        if (twice !== undefined) {
            problems.push({ path: at, message: `names the same file as ${INCLUDE_KEY}[${twice}]; list each file once` });
            return;
        }
        seen.set(path, i);
        if (!existsSync(path) || !statSync(path).isFile()) {
            problems.push({ path: at, message: `${file}: no such file (looked for ${path}); a relative path starts at the project's directory, where Pulumi.yaml is` });
            return;
        }
        let read;
        try {
            read = readStackFile(path, MAX_INCLUDED_FILE_BYTES);
        } catch (e) {
            problems.push({ path: at, message: `${file} ${e instanceof StackFileError ? e.message : `cannot be read: ${(e as Error).message}`}` });
            return;
        }
        // Read for nothing: most likely its keys are not under `config:` where the stack would look for them.
        if (Object.keys(read.config).length === 0) warnings.push({ path: at, message: `${file} sets no key, so including it changes nothing; put its ${PROJECT}:* keys under config:, or remove it from the list` });
        const secret = new Set(read.secretKeys);
        for (const [key, value] of Object.entries(read.config)) {
            const problem = includedKeyProblem(key, secret.has(key), file, Object.hasOwn(config, key) ? "the stack file" : origins[key]);
            if (problem !== undefined) problems.push({ path: at, message: problem });
            else {
                config[key] = value;
                origins[key] = file;
            }
        }
    });
    return { config, origins, problems, warnings };
}

/** The list of files, or why the value is not one. */
function includeList(value: string): string[] | string {
    const example = `list the files, e.g. ${INCLUDE_KEY}: [models.yaml]`;
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        parsed = value;
    }
    if (!Array.isArray(parsed)) return `must be a list of files; ${example}`;
    if (parsed.length === 0 || parsed.length > MAX_INCLUDED_FILES) return `holds ${parsed.length} files; list 1 to ${MAX_INCLUDED_FILES}, or remove the key`;
    const bad = parsed.findIndex((f) => typeof f !== "string" || f.trim() === "" || f.length > 4096 || f.includes("\0"));
    if (bad >= 0) return `item ${bad} is not a file's path; ${example}`;
    return parsed as string[];
}

/** Why an included file may not set `key`, or undefined when it may. */
function includedKeyProblem(key: string, secret: boolean, file: string, alreadyIn: string | undefined): string | undefined {
    if (!key.startsWith(`${PROJECT}:`)) return `${file} sets ${key}; an included file holds only ${PROJECT}:* keys: keep ${key} in the stack file`;
    if (key === INCLUDE_KEY) return `${file} sets ${INCLUDE_KEY}; included files do not include others: list every file in the stack file`;
    if (key === `${PROJECT}:apiKeys` || secret) {
        return `${file} holds secrets (${key}); the program cannot decrypt a file it includes: keep secrets in the stack, with pulumi config set --secret --path 'apiKeys.<name>' <value>`;
    }
    if (alreadyIn !== undefined) return `${file} sets ${key}, which ${alreadyIn} sets too; keep the key in one place`;
    return undefined;
}

/**
 * A warning when the stack's own configuration nears what Pulumi can hand the program. Sized as the language
 * host writes it: `PULUMI_CONFIG=` and a JSON map of `<namespace>:config:<key>` to each value's text.
 */
export function configSizeWarning(stack: Record<string, string>): string | undefined {
    const asPassed = Object.fromEntries(Object.entries(stack).map(([k, v]) => [k.replace(/^([^:]+):/, "$1:config:"), v]));
    const bytes = Buffer.byteLength(`PULUMI_CONFIG=${JSON.stringify(asPassed)}`);
    if (bytes < PULUMI_CONFIG_LIMIT_BYTES * WARN_AT) return undefined;
    const largest = Object.entries(stack)
        .filter(([k]) => k.startsWith(`${PROJECT}:`))
        .sort(([, a], [, b]) => b.length - a.length)
        .slice(0, 2)
        .map(([k]) => k);
    const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;
    const state = bytes > PULUMI_CONFIG_LIMIT_BYTES ? "is over" : "nears";
    return `${PROJECT}: the stack's configuration is ${kib(bytes)} as Pulumi hands it to the program, and ${state} the ${kib(PULUMI_CONFIG_LIMIT_BYTES)} Linux allows it (one environment variable): above that, pulumi up fails before the program starts ("argument list too long"); move ${largest.join(" and ")} into a file in the same format and name it in ${INCLUDE_KEY}`;
}
