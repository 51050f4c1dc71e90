// The library's entry point: importing it registers nothing; `new AiGateway(...)` does.
export { AiGateway, type AiGatewayArgs } from "./aiGateway";
export type { StackOutputs } from "./stack";
export { ConfigError, formatProblems, loadConfig, parseConfig, PROJECT } from "../plan/public";
export type { ConfigProblem, StackConfig, StackConfigInput, StackConfigValues } from "../plan/public";
