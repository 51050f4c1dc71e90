/**
 * The configuration API of the library's entry point. Its declarations name plain interfaces only
 * (config/publicTypes.ts), never zod's types, so a program compiled with Pulumi's template tsconfig
 * type-checks against them as is.
 */
import { ConfigError, inProgramTerms } from "../config/errors";
import { loadConfig as loadStackConfig, parseConfig as parseStackConfig } from "./validate";
import type { StackConfigInput } from "../config/publicTypes";
import type { StackConfig } from "../config/stackConfig";

export { ConfigError, formatProblems, type ConfigProblem } from "../config/errors";
export { PROJECT, type StackConfig } from "../config/stackConfig";
export type { StackConfigInput, StackConfigValues } from "../config/publicTypes";

/**
 * Validates a configuration a program passes (the stack file's `ai-gateway:*` keys without the prefix, values
 * already parsed) and returns it with defaults applied, or throws one ConfigError listing every problem. Its
 * messages name keys as the program writes them (`rateLimit.userHeader`), not as a stack file does.
 */
export function parseConfig(raw: StackConfigInput | Record<string, unknown>, otherKeys: readonly string[] = []): StackConfig {
    try {
        const config = parseStackConfig(raw as Record<string, unknown>, otherKeys);
        return { ...config, warnings: config.warnings.map(inProgramTerms) };
    } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(e.problems.map((p) => ({ path: inProgramTerms(p.path), message: inProgramTerms(p.message) })));
        throw e;
    }
}

/**
 * Reads every `ai-gateway:*` key of the running stack. Warnings go to `warn`: by default Pulumi's log,
 * which `pulumi up` and `pulumi preview` show.
 */
export function loadConfig(warn?: (message: string) => void): StackConfig {
    return loadStackConfig(warn);
}
