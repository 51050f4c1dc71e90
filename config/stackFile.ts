import { readFileSync, statSync } from "fs";
import { loadAll, YAMLException } from "js-yaml";

/** What offline evaluation prints in place of a secret it cannot (or must not) show. */
export const SECRET_PLACEHOLDER = "[secret]";

/** A stack file is refused above this size before it is parsed (no parser time or memory spent on it). */
export const MAX_STACK_FILE_BYTES = 1024 * 1024;

/**
 * The most values a stack file may hold once its aliases (`*name`) are expanded. A file within the size cap
 * holds at most about half a million values written out; aliases nested in aliases multiply (a "billion
 * laughs" file), and every reader after the parser (the program, JSON, Pulumi) sees the expanded tree.
 */
export const MAX_EXPANDED_VALUES = 1_000_000;
/** The deepest a stack file's values may nest once aliases are expanded (the parser itself stops at 100 without them). */
export const MAX_EXPANDED_DEPTH = 200;

export interface StackFileConfig {
    /** Config for `pulumi.runtime.setAllConfig`: fully qualified keys, JSON text for structured values. */
    config: Record<string, string>;
    /** Fully qualified keys that held an encrypted `secure:` value somewhere inside. */
    secretKeys: string[];
}

/** A stack file that cannot be read as one: the message says where and why, never a secret value. */
export class StackFileError extends Error {}

/**
 * Reads a file in the Pulumi.<stack>.yaml format. Encrypted `secure:` values cannot be decrypted
 * without the stack's passphrase, so each becomes the placeholder (the program keeps it secret).
 */
export function readStackFile(path: string, maxBytes = MAX_STACK_FILE_BYTES): StackFileConfig {
    const size = statSync(path).size;
    if (size > maxBytes) {
        const limit = `${maxBytes} (${maxBytes / (1024 * 1024)} MiB)`;
        throw new StackFileError(`is ${size} bytes, more than the ${limit} a stack file may have; a stack file holds configuration, not data: keep it smaller`);
    }
    const text = readFileSync(path, "utf8");
    let doc: unknown;
    try {
        // js-yaml parses in linear time (duplicate keys are found through a lookup, not by comparing pairs), so a
        // stack file with thousands of models costs milliseconds.
        const docs = loadAll(text);
        if (docs.length > 1) throw new StackFileError(`holds ${docs.length} YAML documents; a stack file is one document: remove the "---" separators`);
        doc = docs[0];
    } catch (e) {
        if (e instanceof YAMLException) throw new StackFileError(yamlErrorMessage(e, text));
        throw e;
    }
    // The parser shares an anchored value between its aliases; counting with the shared values remembered is
    // linear in the file, where expanding them could take forever.
    const extent = expanded(doc, new Map());
    if (extent.size > MAX_EXPANDED_VALUES || extent.depth > MAX_EXPANDED_DEPTH) {
        const what = extent.depth > MAX_EXPANDED_DEPTH ? `to values nested more than ${MAX_EXPANDED_DEPTH} deep (or into themselves)` : `to more than ${MAX_EXPANDED_VALUES} values (aliases within aliases multiply)`;
        throw new StackFileError(`expands its YAML aliases (*name) ${what}; write the values out, or alias only what is repeated a few times`);
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !("config" in doc)) {
        const what = doc === null || doc === undefined ? "empty" : Array.isArray(doc) ? "a list" : typeof doc === "object" ? 'a map without "config:"' : `a ${typeof doc}`;
        throw new StackFileError(`is ${what}; a stack file is a map whose "config:" holds the keys, e.g.\nconfig:\n  ai-gateway:models: {...}`);
    }
    const config = (doc as { config?: unknown }).config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new StackFileError(`"config" must be a map of <project>:<key> to values`);
    }
    const out: Record<string, string> = {};
    const secretKeys: string[] = [];
    const notNumbers: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const found = { secret: false, notNumbers };
        const plain = replaceSecure(value, found, [key]);
        out[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
        if (found.secret) secretKeys.push(key);
    }
    // JSON would turn them into null, and the error would say "got null" about a value the file never wrote.
    if (notNumbers.length > 0) {
        throw new StackFileError(`${notNumbers.join(", ")}: YAML reads .nan and .inf as numbers that are none (not a number, infinity); write a number, or quote the value if a string is meant`);
    }
    return { config: out, secretKeys };
}

/**
 * How many values `v` holds with every alias expanded (stopping above the budget), and how deeply they nest.
 * `seen` remembers each shared value (Infinity while it is being counted: a value that holds itself never ends).
 */
function expanded(v: unknown, seen: Map<object, { size: number; depth: number }>, level = 0): { size: number; depth: number } {
    if (typeof v !== "object" || v === null) return { size: 1, depth: 0 };
    // Deeper than allowed: stop here, before the stack runs out (the answer is a refusal anyway).
    if (level > MAX_EXPANDED_DEPTH) return { size: 1, depth: Infinity };
    const known = seen.get(v);
    if (known !== undefined) return known;
    seen.set(v, { size: Infinity, depth: Infinity });
    const out = { size: 1, depth: 1 };
    for (const x of Array.isArray(v) ? v : Object.values(v)) {
        const inner = expanded(x, seen, level + 1);
        out.size += inner.size;
        out.depth = Math.max(out.depth, inner.depth + 1);
        if (out.size > MAX_EXPANDED_VALUES || out.depth > MAX_EXPANDED_DEPTH) break;
    }
    seen.set(v, out);
    return out;
}

/** Whether line `i` holds a secret: under `ai-gateway:apiKeys` (by indentation), or a `secure:` value. */
function isSecretLine(lines: string[], i: number): boolean {
    const secretKey = /^\s*["']?[\w.-]+:apiKeys["']?\s*:|\bsecure\s*:/;
    if (secretKey.test(lines[i] ?? "")) return true;
    let threshold = (lines[i] ?? "").search(/\S/);
    if (threshold < 0) threshold = Infinity;
    for (let j = i - 1; j >= 0 && threshold > 0; j--) {
        const indent = lines[j].search(/\S/);
        if (indent < 0 || lines[j].trimStart().startsWith("#") || indent >= threshold) continue;
        if (secretKey.test(lines[j])) return true;
        threshold = indent;
    }
    return false;
}

/**
 * `line L, column C: <what>` and the line itself, its value hidden where it is a secret. Only the exception's
 * `reason` is used: its `message` carries an excerpt of the lines around the error, secrets included.
 */
function yamlErrorMessage(e: YAMLException, text: string): string {
    let offset = Math.min(e.mark?.position ?? 0, text.length);
    let reason = e.reason;
    // The parser notices an unclosed bracket or quote only where the next line breaks it: point at the opening.
    const opened = unclosedBefore(text, offset);
    if (opened && text.lastIndexOf("\n", offset - 1) > opened.offset) {
        const at = position(text, offset);
        reason = `${opened.what} is never closed (the parser stops at line ${at.line}, column ${at.column}: ${e.reason})`;
        offset = opened.offset;
    }
    const { line, column } = position(text, offset);
    const lines = text.split("\n");
    const raw = lines[line - 1] ?? "";
    // A key ends at the first ':' followed by a space or the line's end (`ai-gateway:apiKeys: {...}`).
    const hide = (l: string) => l.replace(/^(\s*(?:- )?)(?:((?:[^:#]|:(?!\s|$))*:)(?:\s.*)?|.*)$/, (_m, lead: string, key?: string) => `${lead}${key ? `${key} ` : ""}${SECRET_PLACEHOLDER}`);
    const shown = raw.trim() !== "" && isSecretLine(lines, line - 1) ? hide(raw) : raw;
    return `line ${line}, column ${column}: ${reason}; fix the YAML there\n  ${shown}`;
}

function position(text: string, offset: number): { line: number; column: number } {
    const before = text.slice(0, offset);
    return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/**
 * The innermost flow collection (`{`, `[`) or quoted scalar still open at `end`, skipping comments and quoted
 * text. A quote opens a scalar only where a token starts (after a space, a bracket, a comma or a colon).
 */
function unclosedBefore(text: string, end: number): { offset: number; what: string } | undefined {
    const open: { offset: number; what: string; close: string }[] = [];
    let quote: { offset: number; char: string } | undefined;
    for (let i = 0; i < end; i++) {
        const c = text[i];
        if (quote) {
            if (c === "\\" && quote.char === '"') i++;
            else if (c === quote.char && !(c === "'" && text[i + 1] === "'")) quote = undefined;
            else if (c === "'" && text[i + 1] === "'") i++;
            continue;
        }
        const prev = i === 0 ? "\n" : text[i - 1];
        if (c === "#" && /\s/.test(prev)) {
            const eol = text.indexOf("\n", i);
            i = eol < 0 ? end : eol - 1;
        } else if ((c === '"' || c === "'") && /[\s[{,:]/.test(prev)) {
            quote = { offset: i, char: c };
        } else if (c === "{" || c === "[") {
            open.push({ offset: i, what: `this ${c}`, close: c === "{" ? "}" : "]" });
        } else if ((c === "}" || c === "]") && open.length > 0 && open[open.length - 1].close === c) {
            open.pop();
        }
    }
    if (quote) return { offset: quote.offset, what: `this quoted text (${quote.char})` };
    return open[open.length - 1];
}

/**
 * The value with each `{secure: ...}` replaced by a placeholder that names its path. The path is a stack of keys
 * turned into text only for a secret: building it for every value cost more than parsing the file.
 */
function replaceSecure(v: unknown, found: { secret: boolean; notNumbers: string[] }, path: (string | number)[]): unknown {
    if (typeof v === "number" && !Number.isFinite(v)) {
        found.notNumbers.push(`${pathText(path)} is ${Number.isNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf"}`);
        return v;
    }
    if (Array.isArray(v)) {
        return v.map((x, i) => {
            path.push(i);
            const out = replaceSecure(x, found, path);
            path.pop();
            return out;
        });
    }
    if (typeof v === "object" && v !== null) {
        const entries = Object.entries(v);
        if (entries.length === 1 && entries[0][0] === "secure") {
            found.secret = true;
            // One per key: two secrets that cannot be read must not look equal (equal client keys are refused).
            return `${SECRET_PLACEHOLDER} ${pathText(path)}`;
        }
        return Object.fromEntries(
            entries.map(([k, x]) => {
                path.push(k);
                const out = replaceSecure(x, found, path);
                path.pop();
                return [k, out];
            }),
        );
    }
    return v;
}

/** `key.sub[0].x`, as the path of a value of the stack file. */
function pathText(path: (string | number)[]): string {
    return path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");
}
