import { z } from "zod";
import { doc } from "./docs";
import { resourceRequirements } from "./primitives";

/**
 * `platform.aiGateway.controller`: the AI Gateway controller's operations, typed. Each key becomes one
 * value of ai-gateway-helm (plan/controller.ts); a key left unset keeps the chart's own default, and the
 * untyped `platform.aiGateway.values` still wins over all of it (with a warning naming the typed key).
 */

/** Most controller replicas: one leads, the rest stand by (leader election), so more only adds idle pods. */
export const MAX_CONTROLLER_REPLICAS = 10;
/** The controller's log levels (its `-logLevel` flag). */
export const CONTROLLER_LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** The controller's log formats (its `-logFormat` flag). */
export const CONTROLLER_LOG_FORMATS = ["text", "json"] as const;

const podCount = (what: string) =>
    z
        .number({ error: `must be a whole number of pods; use 0 to ${MAX_CONTROLLER_REPLICAS}` })
        .int(`must be a whole number of pods; use 0 to ${MAX_CONTROLLER_REPLICAS}`)
        .min(0, `is below 0; use 0 to ${MAX_CONTROLLER_REPLICAS}`)
        .max(MAX_CONTROLLER_REPLICAS, `is above ${MAX_CONTROLLER_REPLICAS}; use at most ${MAX_CONTROLLER_REPLICAS}`)
        .optional()
        .describe(what);

export const controllerPdbSchema = z
    .strictObject({
        minAvailable: podCount("controller pods that must stay up during a voluntary disruption (a node drain)"),
        maxUnavailable: podCount("controller pods a voluntary disruption may take down at once"),
    })
    .superRefine((v, ctx) => {
        if ((v.minAvailable === undefined) === (v.maxUnavailable === undefined)) {
            ctx.addIssue({
                code: "custom",
                message: `${v.minAvailable === undefined ? "sets neither minAvailable nor maxUnavailable" : "sets both minAvailable and maxUnavailable"}; set exactly one, e.g. {maxUnavailable: 1}`,
            });
        }
    });

export const controllerSchema = z.strictObject({
    replicas: z
        .number({ error: `must be a whole number; use 1 to ${MAX_CONTROLLER_REPLICAS}` })
        .int(`must be a whole number; use 1 to ${MAX_CONTROLLER_REPLICAS}`)
        .min(1, `is below 1; use 1 to ${MAX_CONTROLLER_REPLICAS}`)
        .max(MAX_CONTROLLER_REPLICAS, `is above ${MAX_CONTROLLER_REPLICAS}; use at most ${MAX_CONTROLLER_REPLICAS} (one leads, the others stand by)`)
        .optional()
        .meta(doc("controller pods (`controller.replicaCount`); one leads, the others stand by to take over", { default: "(chart: 1)" })),
    podDisruptionBudget: controllerPdbSchema
        .optional()
        .meta(doc("a PodDisruptionBudget for the controller (`controller.podDisruptionBudget`): `{minAvailable: n}` or `{maxUnavailable: n}`", { default: "none", row: true })),
    resources: resourceRequirements
        .optional()
        .meta(doc("the controller container's requests and limits (`controller.resources`)", { default: "(chart: none)", row: true })),
    logLevel: z
        .enum(CONTROLLER_LOG_LEVELS)
        .optional()
        .meta(doc("`debug`, `info`, `warn` or `error` (`controller.logLevel`)", { default: "(chart: `info`)" })),
    logFormat: z
        .enum(CONTROLLER_LOG_FORMATS)
        .optional()
        .meta(doc("`text` or `json` (`controller.logFormat`)", { default: "(chart: `text`)" })),
});

export type ControllerConfig = z.output<typeof controllerSchema>;
