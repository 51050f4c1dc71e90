// The plan floor's entry point: validation with every rule, over the config floor's types and helpers.
export * from "../config";
export { loadConfig, parseConfig } from "./validate";
export { buildPlan, type Plan } from "./plan";
