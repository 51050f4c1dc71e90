import type { ParsedStackConfig } from "../schema";

/** Collects problems found by cross-field rules; paths are arrays as in zod issues. */
export interface RuleContext {
    /** The config cannot work as written: an error, nothing is deployed. */
    add(path: ReadonlyArray<string | number>, message: string): void;
    /** The config works but is probably not what the user meant: a warning, deployment goes on. */
    warn(path: ReadonlyArray<string | number>, message: string): void;
}

/** A cross-field rule: runs only when every key parsed on its own, reports through ctx. */
export type Rule = (config: ParsedStackConfig, ctx: RuleContext) => void;
