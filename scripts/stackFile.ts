import { readFileSync } from "fs";
import { parse } from "yaml";

/** What offline evaluation prints in place of a secret it cannot (or must not) show. */
export const SECRET_PLACEHOLDER = "[secret]";

export interface StackFileConfig {
    /** Config for `pulumi.runtime.setAllConfig`: fully qualified keys, JSON text for structured values. */
    config: Record<string, string>;
    /** Fully qualified keys that held an encrypted `secure:` value somewhere inside. */
    secretKeys: string[];
}

/**
 * Reads a file in the Pulumi.<stack>.yaml format. Encrypted `secure:` values cannot be decrypted
 * without the stack's passphrase, so each becomes the placeholder (the program keeps it secret).
 */
export function readStackFile(path: string): StackFileConfig {
    const doc: unknown = parse(readFileSync(path, "utf8"));
    const config = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new Error(`${path}: "config" must be a map of <project>:<key> to values`);
    }
    const out: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const found = { secret: false };
        const plain = replaceSecure(value, found);
        out[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
        if (found.secret) secretKeys.push(key);
    }
    return { config: out, secretKeys };
}

function replaceSecure(v: unknown, found: { secret: boolean }): unknown {
    if (Array.isArray(v)) return v.map((x) => replaceSecure(x, found));
    if (typeof v === "object" && v !== null) {
        const entries = Object.entries(v);
        if (entries.length === 1 && entries[0][0] === "secure") {
            found.secret = true;
            return SECRET_PLACEHOLDER;
        }
        return Object.fromEntries(entries.map(([k, x]) => [k, replaceSecure(x, found)]));
    }
    return v;
}
