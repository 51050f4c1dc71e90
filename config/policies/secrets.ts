/**
 * The secret policy: what a stack file must not hold in plain text. A key name of `ai-gateway:apiKeys` is
 * printed in plans, errors and the names of Secrets, so one that looks like a credential (a secret pasted in
 * the wrong place) is refused without being shown. A value of `ai-gateway:apiKeys` found in a plain field
 * would be deployed in plain text: that field is named, the value never.
 */

/** Prefixes of the credentials providers and platforms hand out. */
const CREDENTIAL_PREFIXES: [RegExp, string][] = [
    [/^sk-/, "starts like an OpenAI or Anthropic key (sk-)"],
    [/^(AKIA|ASIA)[0-9A-Z]{12,}/, "looks like an AWS access key id"],
    [/^AIza[0-9A-Za-z_-]{20,}/, "looks like a Google API key"],
    [/^(ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{20,}|^github_pat_/, "looks like a GitHub token"],
    [/^glpat-/, "looks like a GitLab token"],
    [/^xox[abprs]-/, "looks like a Slack token"],
    [/^hf_[0-9A-Za-z]{20,}/, "looks like a Hugging Face token"],
    [/^eyJ[0-9A-Za-z_-]{10,}\./, "looks like a JSON Web Token"],
    [/-----BEGIN /, "holds a PEM block"],
    [/^Bearer\s/i, "holds a bearer credential"],
];

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
    const counts = new Map<string, number>();
    for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
    let bits = 0;
    for (const n of counts.values()) bits -= (n / s.length) * Math.log2(n / s.length);
    return bits;
}

/**
 * Why a name looks like a credential rather than the name of one, or undefined. A name is words (letters and
 * digits between `-`, `_` or `.`); a credential is a known prefix, or a long random run without separators.
 */
export function credentialLikeName(name: string): string | undefined {
    for (const [pattern, why] of CREDENTIAL_PREFIXES) if (pattern.test(name)) return why;
    const longestRun = Math.max(0, ...name.split(/[-_.:/ ]/).map((part) => part.length));
    if (name.length >= 24 && longestRun >= 24 && /[0-9]/.test(name) && /[A-Za-z]/.test(name) && entropy(name) >= 3.5) return "is a long random string";
    if (name.length > 128) return "is longer than any name needs (128 characters)";
    return undefined;
}

/** Values shorter than this are not looked for elsewhere: short ones collide with ordinary words. */
export const MIN_SECRET_LENGTH = 8;

/**
 * The paths of plain-text fields of `raw` (the config without apiKeys) that hold one of `secrets`, as
 * path arrays; a key name that holds one is reported at its parent (the key itself would show the secret).
 */
export function plainCopies(raw: unknown, secrets: readonly string[]): (string | number)[][] {
    const wanted = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH);
    if (wanted.length === 0) return [];
    const holds = (text: string) => wanted.some((s) => text.includes(s));
    const out: (string | number)[][] = [];
    const stack: [unknown, (string | number)[]][] = [[raw, []]];
    while (stack.length > 0) {
        const [value, path] = stack.pop()!;
        if (typeof value === "string") {
            if (holds(value)) out.push(path);
        } else if (Array.isArray(value)) {
            value.forEach((v, i) => stack.push([v, [...path, i]]));
        } else if (typeof value === "object" && value !== null) {
            for (const [k, v] of Object.entries(value)) {
                if (holds(k)) out.push(path);
                else stack.push([v, [...path, k]]);
            }
        }
    }
    return out.sort((a, b) => a.join("\u0000").localeCompare(b.join("\u0000")));
}
