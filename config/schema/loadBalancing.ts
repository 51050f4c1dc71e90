import { z } from "zod";
import { doc } from "./docs";
import { duration, durationMillis, headerFor, intBetween } from "./primitives";

/**
 * `backends.<b>.loadBalancer`: how Envoy spreads a model's requests over the endpoints of the backends it
 * routes to (BackendTrafficPolicy `loadBalancer` on the route rules that reach the backend). Hashing on
 * the verified user keeps one user's requests on one replica, so a self-hosted model's prompt cache stays
 * warm for them.
 */

export const LOAD_BALANCER_TYPES = ["RoundRobin", "LeastRequest", "Random", "ConsistentHash"] as const;

/** Envoy's slow start ramps a new endpoint up over this window; longer than an hour is a typo. */
const MAX_SLOW_START_MILLIS = 3_600_000;

export const hashOnSchema = z
    .union(
        [
            z.literal("user"),
            z.strictObject({ header: headerFor("match").describe("a request header whose value picks the endpoint, e.g. `x-session-id`") }),
        ],
        { error: 'must be "user" or {header: <name>}; use user to keep each verified user on one endpoint' },
    )
    .describe("`user`: the verified user the gateway sets in `rateLimit.userHeader` (never a header as the client sent it); `{header: <name>}`: a request header");

export const loadBalancerSchema = z
    .strictObject({
        type: z.enum(LOAD_BALANCER_TYPES).describe("`RoundRobin`, `LeastRequest` (Envoy Gateway's default), `Random` or `ConsistentHash` (needs `hashOn`)"),
        hashOn: hashOnSchema.optional(),
        slowStart: duration
            .superRefine((v, ctx) => {
                const ms = durationMillis(v);
                if (ms < 1000 || ms > MAX_SLOW_START_MILLIS) ctx.addIssue({ code: "custom", message: `${v} is outside 1s to 1h; use e.g. 60s, about as long as a new replica takes to warm up` });
            })
            .optional()
            .describe("a new endpoint's share of requests ramps up over this window (`RoundRobin` and `LeastRequest` only), e.g. while a model server warms its caches"),
        zoneAware: z
            .strictObject({
                minEndpoints: intBetween(1, 10_000)
                    .optional()
                    .meta(doc("the fewest endpoints the backend needs before zones count at all", { default: "(Envoy: 6)" })),
                percentage: intBetween(0, 100)
                    .optional()
                    .meta(doc("share of requests zone-aware routing applies to", { default: "(Envoy: 100)" })),
            })
            .optional()
            .describe("prefer endpoints in the Envoy pod's own zone (`zoneAware.preferLocal`; not with `ConsistentHash`); `{}` takes Envoy's defaults"),
    })
    .superRefine((lb, ctx) => {
        if (lb.type === "ConsistentHash" && lb.hashOn === undefined) ctx.addIssue({ code: "custom", path: ["hashOn"], message: "is required with ConsistentHash; set hashOn: user (the verified user) or hashOn: {header: x-session-id}" });
        if (lb.type !== "ConsistentHash" && lb.hashOn !== undefined) ctx.addIssue({ code: "custom", path: ["hashOn"], message: `does nothing with ${lb.type}, which hashes nothing; set type: ConsistentHash, or remove hashOn` });
        if (lb.slowStart !== undefined && (lb.type === "Random" || lb.type === "ConsistentHash")) {
            ctx.addIssue({ code: "custom", path: ["slowStart"], message: `is not supported with ${lb.type} (Envoy ramps up only RoundRobin and LeastRequest); use one of those, or remove slowStart` });
        }
        if (lb.zoneAware !== undefined && lb.type === "ConsistentHash") {
            ctx.addIssue({ code: "custom", path: ["zoneAware"], message: "is not supported with ConsistentHash (Envoy Gateway refuses preferring the local zone there); remove zoneAware, or use another type" });
        }
    })
    .describe(
        "how requests spread over the backend's endpoints, on the route rules of every model that reaches it: `{type, hashOn, slowStart, zoneAware}`; every backend of one model must agree (one Envoy cluster per model)",
    );

export type LoadBalancerConfig = z.output<typeof loadBalancerSchema>;
