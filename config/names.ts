import { createHash } from "crypto";

/**
 * Kubernetes names derived from config names. DNS-1123, stable (a name depends only on its own inputs,
 * never on the position of other models or backends), and unique (a short hash is added whenever the
 * readable form had to change the input, so `Qwen/Qwen3` and `qwen-qwen3` never collide).
 */

const MAX_NAME = 63;

function shortHash(input: string): string {
    return createHash("sha256").update(input).digest("hex").slice(0, 6);
}

/** A DNS-1123 label made from any string: lower case, runs of other characters become `-`. */
export function dnsLabel(input: string, max = MAX_NAME): string {
    const readable = input
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-+|-+$/g, "");
    if (readable === input && readable.length <= max) return readable;
    const hash = shortHash(input);
    const head = readable.slice(0, max - hash.length - 1).replace(/-+$/g, "");
    return head ? `${head}-${hash}` : `x-${hash}`;
}

/** `<prefix>-<part>-<part>…` as one DNS-1123 label; each part is sanitised on its own. */
export function childName(prefix: string, ...parts: string[]): string {
    const joined = [prefix, ...parts.map((p) => dnsLabel(p))].join("-");
    return joined.length <= MAX_NAME ? joined : dnsLabel(joined);
}

/** In-cluster DNS name of a Service. */
export function serviceFqdn(service: string, namespace: string, clusterDomain = "cluster.local"): string {
    return `${service}.${namespace}.svc.${clusterDomain}`;
}
