/**
 * A stand-in for the `random` resource plugin in the end-to-end engine stage (test/e2e/engine.e2e.ts): the
 * Go module proxy serves no version of github.com/pulumi/pulumi-random/provider/v4 ("This module version is
 * not available"), so the provider the engine runs for `random:index/randomPassword:RandomPassword` (the one
 * random resource the program registers, components/redis.ts) is this one, written with the Pulumi Node SDK's
 * provider API and installed as plugin `random` at the version @pulumi/random asks for.
 *
 * It keeps the upstream resource's contract where the program depends on it: `result` is a password of
 * `length` characters from the classes the inputs allow (`special` and `overrideSpecial`, `upper`, `lower`,
 * `numeric`, with their `min*` counts), drawn from the operating system's secure random source; any change of
 * inputs replaces it (a new password); reads keep it. `result` is a secret because @pulumi/random marks it
 * an additional secret output, as with the real provider.
 *
 *   node -r ts-node/register/transpile-only test/e2e/randomProvider.ts <engine address>   (the engine starts it)
 */
import { randomInt, randomUUID } from "node:crypto";
import type * as provider from "@pulumi/pulumi/provider";
import { main } from "@pulumi/pulumi/provider";

export const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
export const STAND_IN_VERSION = (require("@pulumi/random/package.json") as { version: string }).version;

/** The inputs of RandomPassword this stand-in honours, with the upstream defaults. */
export interface PasswordInputs {
    length: number;
    special?: boolean;
    upper?: boolean;
    lower?: boolean;
    numeric?: boolean;
    overrideSpecial?: string;
    minSpecial?: number;
    minUpper?: number;
    minLower?: number;
    minNumeric?: number;
    keepers?: Record<string, string>;
}

const CLASSES = {
    upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    lower: "abcdefghijklmnopqrstuvwxyz",
    numeric: "0123456789",
    special: "!@#$%&*()-_=+[]{}<>:?",
};

/** A password as the upstream provider makes one: the minimum of each class first, the rest from all allowed, shuffled. */
export function password(inputs: PasswordInputs): string {
    const allowed: [keyof typeof CLASSES, string, number][] = [];
    if (inputs.upper ?? true) allowed.push(["upper", CLASSES.upper, inputs.minUpper ?? 0]);
    if (inputs.lower ?? true) allowed.push(["lower", CLASSES.lower, inputs.minLower ?? 0]);
    if (inputs.numeric ?? true) allowed.push(["numeric", CLASSES.numeric, inputs.minNumeric ?? 0]);
    if (inputs.special ?? true) allowed.push(["special", inputs.overrideSpecial ?? CLASSES.special, inputs.minSpecial ?? 0]);
    const all = allowed.map(([, chars]) => chars).join("");
    if (all.length === 0) throw new Error("every character class is switched off");
    const pick = (chars: string) => chars[randomInt(chars.length)];
    const out = allowed.flatMap(([, chars, min]) => Array.from({ length: min }, () => pick(chars)));
    while (out.length < inputs.length) out.push(pick(all));
    for (let i = out.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out.join("");
}

/** The resource's own type: a URN's type part is `<parent type>$…$<type>`. */
const typeOf = (urn: string) => urn.split("::")[2]?.split("$").pop() ?? "";

function checkInputs(urn: string, news: Record<string, unknown>): provider.CheckResult {
    if (typeOf(urn) !== RANDOM_PASSWORD) return { failures: [{ property: "", reason: `this stand-in provides only ${RANDOM_PASSWORD}, not ${typeOf(urn)}` }] };
    const length = news.length;
    if (typeof length !== "number" || !Number.isInteger(length) || length < 1 || length > 1024) return { failures: [{ property: "length", reason: "must be a whole number from 1 to 1024" }] };
    return { inputs: news };
}

const INPUT_KEYS = ["length", "special", "upper", "lower", "numeric", "overrideSpecial", "minSpecial", "minUpper", "minLower", "minNumeric", "keepers"] as const;

export const standIn: provider.Provider = {
    version: STAND_IN_VERSION,
    check: async (urn, _olds, news) => checkInputs(urn, news as Record<string, unknown>),
    diff: async (_id, _urn, olds: Record<string, unknown>, news: Record<string, unknown>) => {
        const replaces = INPUT_KEYS.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        return { changes: replaces.length > 0, replaces: [...replaces] };
    },
    create: async (_urn, inputs: PasswordInputs) => ({ id: randomUUID(), outs: { ...inputs, result: password(inputs) } }),
    read: async (id, _urn, props) => ({ id, props }),
    delete: async () => undefined,
};

if (require.main === module) {
    void main(standIn, process.argv.slice(2));
}
