/**
 * The configuration API of the library's entry point. Its declarations name plain interfaces only
 * (config/publicTypes.ts), never zod's types, so a program compiled with Pulumi's template tsconfig
 * type-checks against them as is.
 */
import { loadConfig as loadStackConfig, parseConfig as parseStackConfig } from "./loader";
import type { StackConfigInput } from "./publicTypes";
import type { StackConfig } from "./stackConfig";

export { ConfigError, formatProblems, type ConfigProblem } from "./errors";
export { PROJECT, type StackConfig } from "./stackConfig";
export type { StackConfigInput, StackConfigValues } from "./publicTypes";

/**
 * Validates a configuration (the stack file's `ai-gateway:*` keys without the prefix, values already parsed)
 * and returns it with defaults applied, or throws one ConfigError listing every problem.
 */
export function parseConfig(raw: StackConfigInput | Record<string, unknown>, otherKeys: readonly string[] = []): StackConfig {
    return parseStackConfig(raw as Record<string, unknown>, otherKeys);
}

/**
 * Reads every `ai-gateway:*` key of the running stack. Warnings go to `warn`: by default Pulumi's log,
 * which `pulumi up` and `pulumi preview` show.
 */
export function loadConfig(warn?: (message: string) => void): StackConfig {
    return loadStackConfig(warn);
}
