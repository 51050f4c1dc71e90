import { createHash } from "crypto";

/**
 * Which AIGatewayRoute serves a model. An AIGatewayRoute holds at most 15 rules (one per model), and
 * `pulumi up` must never move a model or rename a route because another model was added or removed.
 * Without state, the only assignment with that property is a function of the model's own name: a hash
 * of the name picks one of `routing.routeBuckets` fixed buckets, and each non-empty bucket is one
 * AIGatewayRoute. A new model lands in its bucket (creating that route if it was empty); a removed one
 * leaves its bucket (deleting the route if it was the last). A bucket that would hold more than 15
 * models is a configuration error (config/rules/models.ts) naming the models and the fix.
 *
 * No Pulumi or Kubernetes imports: config validation uses this module too, so both agree.
 */

/** AI Gateway v1.1.0 caps `AIGatewayRoute.spec.rules` at 15 (one HTTPRoute slot is the controller's). */
export const MAX_RULES_PER_ROUTE = 15;

/** The bucket of a model, from its name and the bucket count only. */
export function routeBucket(model: string, buckets: number): number {
    return createHash("sha256").update(model, "utf8").digest().readUInt32BE(0) % buckets;
}

/** `07` of 16 buckets: fixed width, so names sort in bucket order. */
export function bucketId(bucket: number, buckets: number): string {
    return String(bucket).padStart(String(buckets - 1).length, "0");
}

export interface ModelBucket {
    bucket: number;
    /** Zero-padded bucket number, part of the route's name. */
    id: string;
    /** Model names, sorted. */
    models: string[];
}

/** The non-empty buckets of these models, in bucket order. */
export function packModels(models: Iterable<string>, buckets: number): ModelBucket[] {
    const byBucket = new Map<number, string[]>();
    for (const model of models) {
        const b = routeBucket(model, buckets);
        const names = byBucket.get(b);
        if (names) names.push(model);
        else byBucket.set(b, [model]);
    }
    return [...byBucket.entries()]
        .sort(([a], [b]) => a - b)
        .map(([bucket, names]) => ({ bucket, id: bucketId(bucket, buckets), models: [...names].sort() }));
}
