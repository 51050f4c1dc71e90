export { ApiKeys, PROJECT } from "./loader";
export type { StackConfig, StackConfigInput } from "./loader";
export { ConfigError, formatProblems } from "./errors";
export type { ConfigProblem } from "./errors";
export { setSecretCommand } from "./rules/secrets";
export * from "./schema";
