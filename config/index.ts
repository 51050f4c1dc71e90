export { ApiKeys, loadConfig, parseConfig, PROJECT } from "./loader";
export type { StackConfig, StackConfigInput } from "./loader";
export { ConfigError, formatProblems } from "./errors";
export type { ConfigProblem } from "./errors";
export { setSecretCommand } from "./rules";
export * from "./schema";
