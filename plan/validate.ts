import { readStackConfig, validateConfig, type ConfigSource } from "../config/loader";
import type { StackConfig } from "../config/stackConfig";
import { RULES } from "./rules";

/**
 * Validates raw config values (keys without the project prefix, values already JSON-parsed): every key with
 * the schema (config/), then every cross-field rule in plan/rules, and returns the typed configuration, or
 * throws one ConfigError listing every problem.
 */
export function parseConfig(raw: Record<string, unknown>, otherKeys: readonly string[] = [], from: ConfigSource = "program"): StackConfig {
    return validateConfig(RULES, raw, otherKeys, from);
}

/**
 * Reads every `ai-gateway:*` key of the running stack. Warnings go to `warn`: by default Pulumi's log,
 * which `pulumi up` and `pulumi preview` show (render prints them on stderr instead). Files named in
 * `ai-gateway:include` are read relative to `baseDir` (by default the project's directory).
 */
export function loadConfig(warn?: (message: string) => void, baseDir?: string): StackConfig {
    return readStackConfig(RULES, warn, baseDir);
}
