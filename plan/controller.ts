import type { Values } from "../config/merge";
import type { ControllerConfig } from "../config/schema/controller";

/**
 * The typed keys that become values of ai-gateway-helm (v1.1.0): each names the config key it comes from and
 * the chart value it sets, so that the values can be built, and a user value over the same path flagged, from
 * one list. No Pulumi here.
 */
export interface TypedControllerValue {
    /** Where it comes from in the stack config, for messages: `platform.aiGateway.controller.replicas`. */
    from: string;
    /** The chart value it sets: `["controller", "replicaCount"]`. */
    path: readonly string[];
    value: unknown;
}

export interface TypedControllerInput {
    controller: ControllerConfig;
    /** `rateLimit.quotaFailClosed`, when provider quotas are in use. */
    quotaFailClosed?: boolean;
    /** `observability.tracing.headers`: request headers the extProc's spans record. */
    spanHeaders?: Readonly<Record<string, string>>;
}

/** The controller's default span attribute (its `spanRequestHeaderAttributes` when unset), kept beside the user's. */
export const SESSION_SPAN_ATTRIBUTE = { header: "agent-session-id", attribute: "session.id" } as const;

/**
 * `spanRequestHeaderAttributes` of the controller: `<header>:<attribute>` pairs, comma-separated, in header
 * order. Setting it replaces the controller's default, so the session id stays unless a header of the user's
 * records it or takes its attribute.
 */
export function spanRequestHeaderAttributes(headers: Readonly<Record<string, string>>): string {
    const pairs = new Map(Object.entries(headers).map(([h, a]) => [h.toLowerCase(), a]));
    const { header, attribute } = SESSION_SPAN_ATTRIBUTE;
    if (!pairs.has(header) && ![...pairs.values()].includes(attribute)) pairs.set(header, attribute);
    return [...pairs.keys()]
        .sort()
        .map((h) => `${h}:${pairs.get(h)}`)
        .join(",");
}

const CONTROLLER = "platform.aiGateway.controller";

/** Every typed key that is set, in a fixed order, with the chart value it becomes. */
export function typedControllerValues(input: TypedControllerInput): TypedControllerValue[] {
    const c = input.controller;
    const out: TypedControllerValue[] = [];
    const add = (from: string, path: string[], value: unknown) => {
        if (value !== undefined) out.push({ from, path, value });
    };
    add(`${CONTROLLER}.replicas`, ["controller", "replicaCount"], c.replicas);
    if (c.podDisruptionBudget) {
        const pdb = c.podDisruptionBudget;
        add(`${CONTROLLER}.podDisruptionBudget`, ["controller", "podDisruptionBudget", "enabled"], true);
        // The chart reads maxUnavailable when the key exists, minAvailable (its default: 1) otherwise.
        add(`${CONTROLLER}.podDisruptionBudget.minAvailable`, ["controller", "podDisruptionBudget", "minAvailable"], pdb.minAvailable);
        add(`${CONTROLLER}.podDisruptionBudget.maxUnavailable`, ["controller", "podDisruptionBudget", "maxUnavailable"], pdb.maxUnavailable);
    }
    if (c.resources) add(`${CONTROLLER}.resources`, ["controller", "resources"], { ...c.resources });
    add(`${CONTROLLER}.logLevel`, ["controller", "logLevel"], c.logLevel);
    add(`${CONTROLLER}.logFormat`, ["controller", "logFormat"], c.logFormat);
    add("rateLimit.quotaFailClosed", ["controller", "quotaRateLimitFailureModeDeny"], input.quotaFailClosed);
    if (input.spanHeaders && Object.keys(input.spanHeaders).length > 0) {
        add("observability.tracing.headers", ["controller", "spanRequestHeaderAttributes"], spanRequestHeaderAttributes(input.spanHeaders));
    }
    return out;
}

/** The typed keys as nested Helm values. */
export function typedValuesTree(typed: readonly TypedControllerValue[]): Values {
    const root: Values = {};
    for (const { path, value } of typed) {
        let node = root;
        for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Values;
        node[path[path.length - 1]] = value;
    }
    return root;
}

/** The typed keys a user value overrides: the user's value exists at the same chart path, or above it. */
export function overriddenTypedValues(typed: readonly TypedControllerValue[], userValues: Values): TypedControllerValue[] {
    return typed.filter(({ path }) => {
        let v: unknown = userValues;
        for (const key of path) {
            if (typeof v !== "object" || v === null || Array.isArray(v)) return true;
            if (!Object.hasOwn(v, key)) return false;
            v = (v as Values)[key];
        }
        return true;
    });
}
