/**
 * The one regular-expression policy: every pattern the configuration hands to Envoy or to the AI Gateway is
 * parsed here by re2js, the JavaScript port of RE2, so the syntax is RE2's (`(?i)`, `(?P<name>...)`, POSIX
 * classes accepted; lookaround, back-references, `\Z` refused) with RE2's repetition limit of 1000. Patterns
 * Envoy compiles must also stay within Envoy's program-size limit (`re2.max_program_size.error_level`, 100 by
 * default), estimated the way RE2's C++ compiler counts (byte-wise UTF-8), not the way re2js does (rune-wise).
 */
import { RE2JS, RE2JSException } from "re2js";

/** Who compiles the pattern: Envoy (RE2 in C++, with a program-size limit) or the AI Gateway (Go's regexp). */
export type RegexEngine = "envoy" | "go";

/** Envoy's default `re2.max_program_size.error_level`: a larger program makes Envoy refuse the whole route table. */
export const ENVOY_MAX_PROGRAM_SIZE = 100;
/** No pattern is read beyond this many characters. */
export const MAX_PATTERN_LENGTH = 4096;

/** How a pattern is shown in a message: quoted, and cut when long. */
export function showPattern(pattern: string): string {
    const text = JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern);
    return text;
}

/** Why a pattern is not one the engine accepts (`<what>; <fix>`), or undefined when it is. */
export function regexProblem(pattern: string, engine: RegexEngine, otherwise?: string): string | undefined {
    const or = otherwise === undefined ? "" : `, or ${otherwise}`;
    if (pattern.length > MAX_PATTERN_LENGTH) return `is a pattern of ${pattern.length} characters, more than ${MAX_PATTERN_LENGTH}; shorten it${or}`;
    let compiled: RE2JS;
    try {
        compiled = RE2JS.compile(pattern);
    } catch (e) {
        if (!(e instanceof RE2JSException)) throw e;
        const reason = e.message.replace(/^error parsing regexp: /, "");
        return `${showPattern(pattern)} is not an RE2 expression: ${reason}; rewrite it in RE2 syntax (no lookaround, no back-references, repeats up to {1000})${or}`;
    }
    if (engine === "envoy") {
        if (envoyProgramSize(compiled) > ENVOY_MAX_PROGRAM_SIZE) {
            return `${showPattern(pattern)} compiles to an RE2 program of more than the ${ENVOY_MAX_PROGRAM_SIZE} instructions Envoy accepts (it would refuse the route); simplify it: fewer repeats ({n}), fewer wide classes such as . or \\pL${or}`;
        }
    }
    return undefined;
}

interface Inst {
    op: number;
    runes: ArrayLike<number>;
    arg: number;
}

/** re2js instruction kinds (Inst.RUNE ... Inst.RUNE_ANY_NOT_NL) that match one character. */
const RUNE = 8;
const RUNE1 = 9;
const RUNE_ANY = 10;
const RUNE_ANY_NOT_NL = 11;
const MAX_RUNE = 0x10ffff;
/** re2js's RE2Flags.FOLD_CASE on an instruction's arg. */
const FOLD_CASE = 1;

/**
 * The program size RE2's C++ compiler would give: re2js's instruction count, where each character class
 * costs the byte ranges of its UTF-8 automaton (continuation-byte suffixes shared, as RE2 caches them), plus
 * RE2's fixed start and match instructions.
 */
function envoyProgramSize(compiled: RE2JS): number {
    const prog = (compiled as unknown as { re2Input: { prog: { inst: Inst[] } } }).re2Input.prog;
    let size = 2;
    // A class repeated ({n}) repeats its instruction: count each distinct one once.
    const classes = new Map<string, number>();
    const utf8 = (ranges: ArrayLike<number>) => {
        const key = Array.from(ranges).join(",");
        let n = classes.get(key);
        if (n === undefined) classes.set(key, (n = utf8Nodes(ranges)));
        return n;
    };
    for (const inst of prog.inst) {
        // Past the limit the answer is known: stop before counting the rest of a large program.
        if (size > ENVOY_MAX_PROGRAM_SIZE) return size;
        if (inst.op === RUNE_ANY) size += utf8([0, MAX_RUNE]);
        else if (inst.op === RUNE_ANY_NOT_NL) size += utf8([0, 9, 11, MAX_RUNE]);
        else if (inst.op === RUNE || inst.op === RUNE1) {
            const runes = Array.from(inst.runes);
            const ranges = runes.length === 1 ? [runes[0], runes[0]] : runes;
            // A case-folded letter matches its other cases too: count them as ranges of their own.
            const folded = inst.arg & FOLD_CASE && runes.length === 1 ? foldRanges(runes[0]) : ranges;
            size += utf8(folded);
        } else {
            size += 1;
        }
    }
    return size;
}

function foldRanges(rune: number): number[] {
    const forms = new Set([rune, ...[String.fromCodePoint(rune).toLowerCase(), String.fromCodePoint(rune).toUpperCase()].map((s) => s.codePointAt(0)!)]);
    // k and s fold to the Kelvin sign and the long s outside ASCII.
    if (rune === 0x6b || rune === 0x4b) forms.add(0x212a);
    if (rune === 0x73 || rune === 0x53) forms.add(0x17f);
    return [...forms].flatMap((r) => [r, r]);
}

/** The UTF-8 byte-range instructions of rune ranges `[lo0, hi0, lo1, hi1, ...]`, with shared suffixes counted once. */
function utf8Nodes(ranges: ArrayLike<number>): number {
    const nodes = new Set<string>();
    let extra = 0;
    for (let i = 0; i + 1 < ranges.length; i += 2) {
        let [lo, hi] = [ranges[i], Math.min(ranges[i + 1], MAX_RUNE)];
        // RE2 compiles all of 80-10FFFF (`.`, `[^a-z]`) loosely in 6 instructions: 3 lead bytes, 3 shared continuations.
        if (lo <= 0x80 && hi === MAX_RUNE) {
            extra = 6;
            hi = 0x7f;
        }
        for (const seq of utf8Sequences(lo, hi)) {
            // The last byte leads to the match; each earlier byte leads to the node of the bytes after it.
            let next = "end";
            for (let j = seq.length - 1; j >= 0; j--) {
                next = `${seq[j][0]}-${seq[j][1]}>${next}`;
                nodes.add(next);
            }
        }
    }
    return Math.max(1, nodes.size + extra);
}

const UTF8_LIMITS = [0x7f, 0x7ff, 0xffff, MAX_RUNE];

/** The sequences of byte ranges that encode exactly the runes lo..hi in UTF-8 (surrogates excluded). */
function utf8Sequences(lo: number, hi: number): [number, number][][] {
    const out: [number, number][][] = [];
    const stack: [number, number][] = [[lo, hi]];
    while (stack.length > 0) {
        const [a, b0] = stack.pop()!;
        let b = b0;
        if (a > b) continue;
        // Surrogates are no characters.
        if (a <= 0xdfff && b >= 0xd800) {
            stack.push([a, 0xd7ff], [0xe000, b]);
            continue;
        }
        const limit = UTF8_LIMITS.find((l) => a <= l)!;
        if (b > limit) {
            stack.push([limit + 1, b]);
            b = limit;
        }
        if (b <= 0x7f) {
            out.push([[a, b]]);
            continue;
        }
        const length = UTF8_LIMITS.indexOf(limit) + 1;
        // Split until each byte position is one contiguous range: the low bits of a and b span whole blocks.
        let split = false;
        for (let k = 1; k < length; k++) {
            const mask = (1 << (6 * k)) - 1;
            if ((a & ~mask) !== (b & ~mask)) {
                if ((a & mask) !== 0) {
                    stack.push([(a | mask) + 1, b], [a, a | mask]);
                    split = true;
                    break;
                }
                if ((b & mask) !== mask) {
                    stack.push([b & ~mask, b], [a, (b & ~mask) - 1]);
                    split = true;
                    break;
                }
            }
        }
        if (split) continue;
        const ea = encode(a);
        const eb = encode(b);
        out.push(ea.map((x, i) => [x, eb[i]]));
    }
    return out;
}

function encode(r: number): number[] {
    return [...Buffer.from(String.fromCodePoint(r), "utf8")];
}
