import { createHash } from "crypto";

/**
 * Which AIGatewayRoute serves a model. An AIGatewayRoute holds at most 15 rules (one per model), and
 * `pulumi up` must move as few models as possible when another model is added or removed. The program has
 * no state between runs, so the assignment is a function of the set of model names alone.
 *
 * The SHA-256 of a model's name picks one of `routing.routeBuckets` buckets (its first 32 bits modulo the
 * count). A bucket of at most 15 models is one route, `<gateway>-models-<bucket>`. A bucket of more is a
 * binary trie on the next 32 bits of the hash: a node is a route while it holds at most 15 models, and
 * splits into its children (prefix + 0, prefix + 1) above that, `<gateway>-models-<bucket>-<prefix>`.
 *
 * Names come from the bucket and prefix alone, so a route keeps its name and its models as long as its
 * own subtree keeps them. Adding a model changes only the route on the model's own hash path: it gains
 * the model, or, at 16, splits into exactly two routes below it (16 models never fit one child, and a
 * split stops as soon as both sides fit). Removing one undoes exactly that: at 15 the two routes under
 * the node merge back. No other route changes its name or its models, and a bucket that never passes 15
 * models is the same route, with the same name, as when buckets could not split.
 *
 * No Pulumi or Kubernetes imports: config validation uses this module too, so both agree.
 */

/** AI Gateway v1.1.0 caps `AIGatewayRoute.spec.rules` at 15 (one HTTPRoute slot is the controller's). */
export const MAX_RULES_PER_ROUTE = 15;

/**
 * The deepest prefix inside a bucket. More than 15 names of one bucket sharing 32 more bits of SHA-256 do
 * not happen by chance; if they are ever configured, validation refuses them instead of splitting without end.
 */
export const MAX_SPLIT_BITS = 32;

interface NameHash {
    /** Bits 0-31 of the SHA-256: the bucket. */
    bucket: number;
    /** Bits 32-63: the splits inside a bucket, most significant first. */
    split: number;
}

function nameHash(model: string): NameHash {
    const digest = createHash("sha256").update(model, "utf8").digest();
    return { bucket: digest.readUInt32BE(0), split: digest.readUInt32BE(4) };
}

/** The bucket of a model, from its name and the bucket count only. */
export function routeBucket(model: string, buckets: number): number {
    return nameHash(model).bucket % buckets;
}

/** The first `bits` split bits of a model's name hash, as `0` and `1` characters. */
export function splitPrefix(model: string, bits: number): string {
    return nameHash(model).split.toString(2).padStart(32, "0").slice(0, bits);
}

/** `07` of 16 buckets: fixed width, so names sort in bucket order. */
export function bucketId(bucket: number, buckets: number): string {
    return String(bucket).padStart(String(buckets - 1).length, "0");
}

export interface ModelBucket {
    /** Part of the route's name: the zero-padded bucket, and `-<prefix>` once the bucket has split (`07-01`). */
    id: string;
    /** The bucket number. */
    bucket: number;
    /** The split bits every model of the route starts with; empty for a whole bucket. */
    prefix: string;
    /** Model names, sorted. */
    models: string[];
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The routes of these models, in bucket order and, inside a bucket, in prefix order. Only non-empty nodes
 * are routes. A node `maxSplitBits` deep is a route whatever it holds (validation refuses one over 15).
 * Each name is hashed once; the hashes of a bucket are sorted, so every node is a contiguous run of them.
 */
export function packModels(models: Iterable<string>, buckets: number, maxSplitBits = MAX_SPLIT_BITS): ModelBucket[] {
    const byBucket = new Map<number, { model: string; split: number }[]>();
    for (const model of new Set(models)) {
        const hash = nameHash(model);
        const b = hash.bucket % buckets;
        const entries = byBucket.get(b);
        const entry = { model, split: hash.split };
        if (entries) entries.push(entry);
        else byBucket.set(b, [entry]);
    }
    const out: ModelBucket[] = [];
    for (const [bucket, entries] of [...byBucket.entries()].sort(([a], [b]) => a - b)) {
        entries.sort((a, b) => a.split - b.split);
        const id = bucketId(bucket, buckets);
        const visit = (lo: number, hi: number, prefix: string): void => {
            if (lo === hi) return;
            if (hi - lo <= MAX_RULES_PER_ROUTE || prefix.length >= maxSplitBits) {
                const models = entries.slice(lo, hi).map((e) => e.model).sort(byName);
                out.push({ id: prefix === "" ? id : `${id}-${prefix}`, bucket, prefix, models });
                return;
            }
            // Sorted hashes that share `prefix`: those with the next bit 0 come first.
            const shift = 31 - prefix.length;
            let mid = lo;
            while (mid < hi && ((entries[mid].split >>> shift) & 1) === 0) mid++;
            visit(lo, mid, `${prefix}0`);
            visit(mid, hi, `${prefix}1`);
        };
        visit(0, entries.length, "");
    }
    return out;
}
