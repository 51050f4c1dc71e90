import type { ParsedStackConfig } from "../schema";

/** Collects problems found by cross-field rules; paths are arrays as in zod issues. */
export interface RuleContext {
    add(path: ReadonlyArray<string | number>, message: string): void;
}

/** A cross-field rule: runs only when every key parsed on its own, reports through ctx. */
export type Rule = (config: ParsedStackConfig, ctx: RuleContext) => void;
