import * as pulumi from "@pulumi/pulumi";
import { distance } from "fastest-levenshtein";

/** One problem in the stack configuration: where it is, what is wrong, and how to fix it. */
export interface ConfigProblem {
    /** Dotted path from the key without the project prefix, e.g. `models.chat.backends[1].backend`. */
    path: string;
    /** What is wrong and how to fix it, as `<what is wrong>; <how to fix>`. */
    message: string;
}

/**
 * Every configuration problem at once. A RunError, so `pulumi up` prints the message without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: ConfigProblem[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
    }
}

/**
 * A message of the stack file's loader in the terms of a program that passes the configuration itself: keys
 * without the `ai-gateway:` prefix, and secrets passed in `apiKeys` rather than set with `pulumi config set`.
 */
export function inProgramTerms(text: string): string {
    return text
        .replace(/run: pulumi config set --secret --path '([^']+)' <value>/g, "pass $1 in the configuration (a secret, e.g. new pulumi.Config().requireSecret(...))")
        .replace(/pulumi config set --secret --path '([^']+)' <value>/g, "$1 in the configuration, a secret")
        .replace(/(?<![\w-])ai-gateway:(?=[A-Za-z])/g, "");
}

export function formatProblem(p: ConfigProblem): string {
    return p.path ? `${p.path}: ${p.message}` : p.message;
}

export function formatProblems(problems: ConfigProblem[]): string {
    const lines = problems.map((p) => `  - ${formatProblem(p)}`);
    const noun = problems.length === 1 ? "problem" : "problems";
    return `invalid stack configuration (${problems.length} ${noun}); nothing was deployed:\n${lines.join("\n")}`;
}

/** Renders a path the way `pulumi config set --path` spells it: dots, `[i]`, and `["a.b"]` for keys with dots. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
    let out = "";
    for (const seg of path) {
        if (typeof seg === "number") {
            out += `[${seg}]`;
        } else {
            const key = String(seg);
            out += /^[A-Za-z0-9_-]+$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
        }
    }
    return out;
}

/** The closest candidate to `input`, when it is close enough to be a likely typo. */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    const lower = input.toLowerCase();
    for (const c of candidates) {
        const d = distance(lower, c.toLowerCase());
        if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
            best = c;
            bestDistance = d;
        }
    }
    const limit = Math.max(2, Math.floor(input.length / 3));
    return best !== undefined && bestDistance <= limit ? best : undefined;
}

/** `did you mean "x"?` when a close candidate exists, otherwise the list of allowed values. */
export function suggestion(input: string, candidates: readonly string[], noun = "one of"): string {
    const match = closest(input, candidates);
    if (match !== undefined) return `did you mean "${match}"?`;
    if (candidates.length === 0) return `none is defined`;
    return `use ${noun} ${candidates.map((c) => `"${c}"`).join(", ")}`;
}
