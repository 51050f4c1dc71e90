import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { distance } from "fastest-levenshtein";
import { ConfigError, ConfigProblem, formatPath, formatProblem, suggestion } from "./errors";
import { configSizeWarning, withIncludedConfig } from "./include";
import { credentialLikeName, MIN_SECRET_LENGTH, plainCopies } from "./policies/secrets";
import { PROVIDER_KEYS } from "./providerKeys";
import type { Rule } from "./rules/types";
import { AUTH_TYPES, envoyServiceType, ParsedStackConfig, STACK_KEYS, stackSchema, waitsUntilProgrammed } from "./schema";
import { ApiKeys, PROJECT, type StackConfig } from "./stackConfig";
import type { StackConfigInput } from "./publicTypes";

export { ApiKeys, PROJECT };
export type { StackConfig, StackConfigInput };

/**
 * Validates raw config values (keys without the project prefix, values already JSON-parsed) with the
 * schema and then `rules`, in their order, and returns the typed configuration, or throws one ConfigError
 * listing every problem. The rules are the plan's (plan/rules): some need facts only the plan computes.
 */
export function validateConfig(
    rules: readonly Rule[],
    raw: Record<string, unknown>,
    otherKeys: readonly string[] = [],
    from: ConfigSource = "program",
    /** The file each included key (`ai-gateway:<key>`) came from (`ai-gateway:include`), named after the path of its problems. */
    includedFrom: Readonly<Record<string, string>> = {},
): StackConfig {
    // From a stack file, a path is the key there (`ai-gateway:rateLimit.userHeader`); from a program, its own.
    const at = (p: ConfigProblem): ConfigProblem => (from === "stackFile" ? inIncludedFile(inStackFileTerms(p, otherKeys), includedFrom) : p);
    const problems: ConfigProblem[] = [...misspeltNamespaces(otherKeys)];
    // A `__proto__` key would be swallowed by the first plain object it is copied into: refuse it here.
    const reserved = reservedKeyPaths(raw);
    if (reserved.length > 0) {
        throw new ConfigError(
            [...problems, ...reserved.map((path) => ({ path: formatPath(path), message: `"__proto__" cannot be a name here (JavaScript objects reserve it); rename it` }))].map(at),
        );
    }
    const { apiKeys, ...rest } = raw;

    const keyValues: Record<string, pulumi.Input<string>> = {};
    const keyNames: Record<string, true> = {};
    /** Top-level keys that did not parse: rules reading them are skipped, the others still run. */
    const broken = new Set<string>();
    if (apiKeys !== undefined) {
        if (typeof apiKeys !== "object" || apiKeys === null || Array.isArray(apiKeys)) {
            broken.add("apiKeys");
            problems.push({ path: "apiKeys", message: "must be an object of named secrets; run: pulumi config set --secret --path 'apiKeys.<name>' <value>" });
        } else {
            // A key name is printed in plans, errors and Secret names: one that is a credential is refused before anything shows it.
            const pasted = Object.keys(apiKeys).flatMap((name, i) => {
                const why = credentialLikeName(name);
                return why === undefined ? [] : [{ path: "apiKeys", message: `key ${i + 1} (in the order the stack sets them) ${why}, and a key name is printed in plans, errors and the names of Secrets; make the secret the value of a key with a plain name: pulumi config set --secret --path 'apiKeys.<name>' <secret>, and remove key ${i + 1}` }];
            });
            if (pasted.length > 0) throw new ConfigError([...problems, ...pasted]);
            for (const [name, value] of Object.entries(apiKeys)) {
                // A program using the component may pass an Output or a promise, whose value is known only at deploy time.
                if ((typeof value === "string" && value.length > 0) || pulumi.Output.isInstance(value) || value instanceof Promise) {
                    keyValues[name] = value as pulumi.Input<string>;
                    keyNames[name] = true;
                } else {
                    broken.add("apiKeys");
                    // Never echo the value: it is a secret.
                    problems.push({
                        path: formatPath(["apiKeys", name]),
                        message: `must be a non-empty string; run: pulumi config set --secret --path 'apiKeys.${name}' <value>`,
                    });
                }
            }
        }
    }

    // Each key is parsed on its own, so one broken key does not hide the problems of the others.
    const input: Record<string, unknown> = { ...rest, apiKeys: keyNames };
    const parsed: Record<string, unknown> = {};
    for (const key of STACK_KEYS) {
        const result = stackSchema.shape[key].safeParse(input[key], { reportInput: true });
        if (result.success) {
            parsed[key] = result.data;
        } else {
            broken.add(key);
            problems.push(...result.error.issues.flatMap((issue) => describeIssue({ ...issue, path: [key, ...issue.path] })));
        }
    }
    for (const key of Object.keys(input).filter((k) => !(STACK_KEYS as readonly string[]).includes(k))) {
        const fix = suggestion(key, STACK_KEYS, "one of").replace(/"([^"]+)"/g, `"${PROJECT}:$1"`);
        problems.push({ path: `${PROJECT}:${key}`, message: `unknown key; ${fix}` });
    }
    const warnings: ConfigProblem[] = [];
    for (const rule of rules) {
        const found = runRule(rule, parsed, broken);
        problems.push(...found.errors);
        warnings.push(...found.warnings);
    }
    if (!broken.has("auth") && !broken.has("apiKeys")) problems.push(...sharedClientKeys(parsed as ParsedStackConfig, keyValues));
    // A secret copied into a plain field would be deployed in plain text: name the field, never the value or its key.
    const plainSecrets = Object.values(keyValues).filter((v): v is string => typeof v === "string");
    for (const path of plainCopies(rest, plainSecrets)) {
        problems.push({
            path: formatPath(path) || PROJECT,
            message: "holds the value of an ai-gateway:apiKeys entry in plain text (in a value, or in the name of a key under it), where it would be deployed and shown as written; keep the secret only in ai-gateway:apiKeys and name its key in the field meant for it",
        });
    }
    if (problems.length > 0) {
        // Where a secret was copied into the config, other problems may quote it (a key name in a path): the copy's own error says where.
        const shows = (p: ConfigProblem) => plainSecrets.some((v) => v.length >= MIN_SECRET_LENGTH && (p.path.includes(v) || p.message.includes(v)));
        throw new ConfigError(problems.filter((p) => !shows(p)).map(at));
    }

    const names = Object.keys(keyValues).sort();
    return { ...(parsed as ParsedStackConfig), apiKeys: new ApiKeys(names, keyValues), warnings: warnings.map((w) => formatProblem(at(w))) };
}

/** Where a configuration comes from: a stack file's `ai-gateway:*` keys, or a program's object. */
export type ConfigSource = "stackFile" | "program";

/**
 * A problem's path as a stack file spells it: under `ai-gateway:`. A whole key of the stack file (another
 * namespace's, or one without a namespace) stays as it is.
 */
function inStackFileTerms(p: ConfigProblem, otherKeys: readonly string[]): ConfigProblem {
    if (p.path === "" || otherKeys.includes(p.path) || /^[^.[":]+:/.test(p.path)) return p;
    return { ...p, path: `${PROJECT}:${p.path}` };
}

/** A problem of a key that came from an included file: the file follows the path, so the reader knows where to look. */
function inIncludedFile(p: ConfigProblem, includedFrom: Readonly<Record<string, string>>): ConfigProblem {
    const key = /^[^.[]+/.exec(p.path)?.[0];
    const file = key !== undefined && Object.hasOwn(includedFrom, key) ? includedFrom[key] : undefined;
    return file === undefined ? p : { ...p, path: `${p.path} (in ${file})` };
}

/**
 * Clients whose API keys are equal though stored under different names: Envoy Gateway refuses the whole
 * SecurityPolicy then ("duplicated API key"), so no client could call. Only plain values can be compared
 * here (an Output is known at deploy time); the values themselves are never named.
 */
function sharedClientKeys(config: ParsedStackConfig, values: Record<string, pulumi.Input<string>>): ConfigProblem[] {
    const clients = config.auth.apiKeys?.clients ?? {};
    const firstWith = new Map<string, string>();
    const problems: ConfigProblem[] = [];
    for (const [client, secret] of Object.entries(clients)) {
        const value = Object.hasOwn(values, secret) ? values[secret] : undefined;
        if (typeof value !== "string") continue;
        const first = firstWith.get(value);
        if (first === undefined) firstWith.set(value, client);
        else if (clients[first] !== secret) {
            problems.push({
                path: formatPath(["auth", "apiKeys", "clients", client]),
                message: `its key (apiKeys.${secret}) equals that of clients.${first} (apiKeys.${clients[first]}), and Envoy Gateway refuses every client key when two are the same; give each client a key of its own`,
            });
        }
    }
    return problems;
}

/** Paths of every own `__proto__` key in the raw config (found with own-property walks only). */
function reservedKeyPaths(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    if (Array.isArray(value)) value.forEach((v, i) => reservedKeyPaths(v, [...path, i], out));
    else if (typeof value === "object" && value !== null) {
        for (const key of Object.keys(value)) {
            if (key === "__proto__") out.push([...path, key]);
            else reservedKeyPaths((value as Record<string, unknown>)[key], [...path, key], out);
        }
    }
    return out;
}

/**
 * Keys of the stack outside this project's namespace that look meant for it: no namespace at all, or one
 * a small edit away (`ai-gatway:auth`, `ai-gateway-prod:rateLimit`). The program never reads them, so a
 * typo could silently switch client authentication off.
 */
function misspeltNamespaces(keys: readonly string[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const key of keys) {
        const colon = key.indexOf(":");
        if (colon < 0) {
            problems.push({ path: key || "\"\"", message: `has no namespace, so the program never reads it; write it as "${PROJECT}:${key || "<key>"}"` });
            continue;
        }
        const namespace = key.slice(0, colon).toLowerCase();
        if (namespace === PROJECT) continue;
        const providerKeys = Object.hasOwn(PROVIDER_KEYS, key.slice(0, colon)) ? PROVIDER_KEYS[key.slice(0, colon)] : undefined;
        if (providerKeys) {
            // `kubernetes:foo.bar` sets foo with --path; the key is the part before the first dot.
            const name = key.slice(colon + 1).split(".")[0];
            if (!providerKeys.includes(name)) {
                problems.push({ path: key, message: `is not a key of the ${key.slice(0, colon)} provider, so it does nothing; ${suggestion(name, providerKeys, "one of")}` });
            }
            continue;
        }
        if (namespace.includes(PROJECT) || distance(namespace, PROJECT) <= 3) {
            problems.push({ path: key, message: `"${key.slice(0, colon)}" is not this project's namespace, so the program never reads it; did you mean "${PROJECT}:${key.slice(colon + 1)}"?` });
        }
    }
    return problems;
}

/** Thrown (and caught) when a rule reads a key that did not parse. */
const NEEDS_BROKEN_KEY = Symbol("rule needs a key that did not parse");

/**
 * Runs a cross-field rule on the keys that parsed. A rule that reads a broken key is skipped: its
 * verdict would rest on a value the user is about to change.
 */
function runRule(rule: Rule, parsed: Record<string, unknown>, broken: ReadonlySet<string>): { errors: ConfigProblem[]; warnings: ConfigProblem[] } {
    const found = { errors: [] as ConfigProblem[], warnings: [] as ConfigProblem[] };
    const view = new Proxy(parsed, {
        get(target, key) {
            if (typeof key === "string" && broken.has(key)) throw NEEDS_BROKEN_KEY;
            return target[key as string];
        },
    }) as ParsedStackConfig;
    try {
        rule(view, {
            add: (path, message) => found.errors.push({ path: formatPath(path), message }),
            warn: (path, message) => found.warnings.push({ path: formatPath(path), message }),
        });
    } catch (e) {
        if (e === NEEDS_BROKEN_KEY) return { errors: [], warnings: [] };
        throw e;
    }
    return found;
}

/**
 * Reads every `ai-gateway:*` key of the running stack. Warnings go to `warn`: by default Pulumi's log,
 * which `pulumi up` and `pulumi preview` show (render prints them on stderr instead).
 */
export function readStackConfig(
    rules: readonly Rule[],
    warn: (message: string) => void = (m) => void pulumi.log.warn(m),
    // The project's directory, which included files are relative to: where Pulumi.yaml is.
    baseDir: string = pulumi.runtime.getRootDirectory() || process.cwd(),
): StackConfig {
    const raw: Record<string, unknown> = {};
    const otherKeys: string[] = [];
    const stack = pulumi.runtime.allConfig();
    const { config: all, origins, problems, warnings } = withIncludedConfig(stack, baseDir);
    for (const [key, value] of Object.entries(all)) {
        if (!key.startsWith(`${PROJECT}:`)) otherKeys.push(key);
        else raw[key.slice(PROJECT.length + 1)] = parseValue(value);
    }
    let config: StackConfig;
    try {
        config = validateConfig(rules, raw, otherKeys, "stackFile", origins);
    } catch (e) {
        // The include list's problems first, then every other key's, at once.
        if (problems.length > 0 && e instanceof ConfigError) throw new ConfigError([...problems, ...e.problems]);
        throw e;
    }
    if (problems.length > 0) throw new ConfigError(problems);
    const size = configSizeWarning(stack);
    for (const w of [...(size !== undefined ? [size] : []), ...warnings.map(formatProblem), ...config.warnings, ...clusterWarnings(config, all, "stackFile")]) warn(w);
    return config;
}

/**
 * Warnings about the cluster the stack's default Kubernetes provider deploys to (`kubernetes:context`), for a
 * program that gives the component no provider of its own: none pinned, or a kind cluster, which has no load
 * balancer, behind a LoadBalancer Service.
 */
export function clusterWarnings(config: StackConfig, all: Record<string, string> = pulumi.runtime.allConfig(), from: ConfigSource = "program"): string[] {
    const key = from === "stackFile" ? `${PROJECT}:` : "";
    const warnings: string[] = [];
    // Without a pinned cluster, `pulumi up` deploys wherever kubectl points at that moment.
    if (!Object.hasOwn(all, "kubernetes:context") && !Object.hasOwn(all, "kubernetes:kubeconfig")) {
        warnings.push(`kubernetes:context: is not set, so pulumi up deploys to whatever kubectl context is current; pin the stack's cluster: pulumi config set kubernetes:context <context>`);
    }
    // kind names its contexts kind-<cluster> and has no load balancer: the Gateway would never be Programmed.
    const { gateway } = config;
    const context = Object.hasOwn(all, "kubernetes:context") ? all["kubernetes:context"] : undefined;
    if (context?.startsWith("kind-") && waitsUntilProgrammed(gateway) && envoyServiceType(gateway) === "LoadBalancer") {
        const [what, nodePort] = gateway.envoyProxy.enabled
            ? [`${key}gateway.envoyProxy.service.type: LoadBalancer`, "use type NodePort"]
            : [`${key}gateway.envoyProxy.enabled: false (Envoy Gateway's default Service is a LoadBalancer)`, "set gateway.envoyProxy.enabled: true with service.type NodePort"];
        warnings.push(
            `${what} on the kind cluster ${context}, which has no load balancer: the Gateway gets no address, and pulumi up waits for it (waitUntilProgrammed) until it times out; ${nodePort}, as the dev stack does, or run a load balancer such as cloud-provider-kind`,
        );
    }
    return warnings;
}

/** Structured values arrive as JSON text; plain strings stay strings. */
function parseValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

function describe(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "an object";
    // YAML's .nan and .inf are numbers JSON cannot write: name them as the file spells them.
    if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? "the number .nan" : `the number ${value > 0 ? "" : "-"}.inf`;
    return `${typeof value} ${JSON.stringify(value)}`;
}

const ARTICLE: Record<string, string> = { object: "an object", array: "a list", string: "a string", number: "a number", boolean: "true or false", int: "a whole number" };

/** Turns one zod issue into `<path>: <what is wrong>; <how to fix>` problems. */
function describeIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
    const path = formatPath(issue.path);
    const at = (p: PropertyKey[], message: string): ConfigProblem => ({ path: formatPath(p), message });
    switch (issue.code) {
        case "unrecognized_keys":
            return issue.keys.map((key) => at([...issue.path, key], `unknown key; ${suggestion(key, knownKeys(issue.path), "one of")}`));
        case "invalid_type": {
            const want = ARTICLE[issue.expected] ?? issue.expected;
            if (issue.input === undefined) return [{ path, message: authored(issue.message, `is required; set it to ${want}`) }];
            // A schema message that names what it got (a duration given as a number) knows the better fix.
            if (/, got /.test(issue.message) && issue.message.includes("; ")) return [{ path, message: issue.message }];
            return [{ path, message: `must be ${want}, got ${describe(issue.input)}; change it to ${want}` }];
        }
        case "invalid_value": {
            const allowed = issue.values.map(String);
            if (issue.input === undefined) return [{ path, message: `is required; use one of ${allowed.map((a) => `"${a}"`).join(", ")}` }];
            const input = String(issue.input);
            return [{ path, message: `"${input}" is not allowed; ${suggestion(input, allowed)}` }];
        }
        case "invalid_union":
            if (issue.discriminator !== undefined) {
                const input = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
                const fix = suggestion(String(input ?? ""), UNION_OPTIONS[issue.discriminator] ?? []);
                return [at(issue.path.at(-1) === issue.discriminator ? issue.path : [...issue.path, issue.discriminator], `${input === undefined ? "is required" : `"${String(input)}" is not known`}; ${fix}`)];
            }
            return [{ path, message: authored(issue.message, "has the wrong shape; see docs/configuration.md") }];
        case "too_small":
            return [{ path, message: authored(issue.message, `must be at least ${issue.minimum}; raise it`) }];
        case "too_big":
            return [{ path, message: authored(issue.message, `must be at most ${issue.maximum}; lower it`) }];
        default:
            // Say why, even when the schema gave no message of its own.
            return [{ path, message: authored(issue.message, `is not valid (${issue.message.replace(/\.$/, "").toLowerCase()}); see docs/configuration.md`) }];
    }
}

/** Messages written in the schema already say what and how; zod's own get a generic fix. */
function authored(message: string, fallback: string): string {
    return message.includes("; ") ? message : fallback;
}

/** The values of each union discriminator the schema uses, for did-you-mean. */
const UNION_OPTIONS: Record<string, readonly string[]> = { type: AUTH_TYPES };

/** The keys the schema knows at a path, for did-you-mean on unknown keys. */
function knownKeys(path: PropertyKey[]): string[] {
    let schema: z.core.$ZodType = stackSchema;
    for (const seg of path) {
        schema = unwrap(schema);
        const def = schema._zod.def as unknown as Record<string, unknown>;
        if (def.type === "object") schema = (def.shape as Record<string, z.core.$ZodType>)[String(seg)];
        else if (def.type === "record") schema = def.valueType as z.core.$ZodType;
        else if (def.type === "array") schema = def.element as z.core.$ZodType;
        else return [];
        if (schema === undefined) return [];
    }
    schema = unwrap(schema);
    const def = schema._zod.def as unknown as Record<string, unknown>;
    if (def.type === "object") return Object.keys(def.shape as object);
    if (def.type === "union") {
        const keys = new Set<string>();
        for (const option of def.options as z.core.$ZodType[]) {
            const o = unwrap(option)._zod.def as unknown as Record<string, unknown>;
            if (o.type === "object") Object.keys(o.shape as object).forEach((k) => keys.add(k));
        }
        return [...keys];
    }
    return [];
}

/** Sees through default/prefault/optional wrappers. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
    let s = schema;
    for (;;) {
        const def = s._zod.def as unknown as Record<string, unknown>;
        if (["default", "prefault", "optional", "nullable", "readonly", "pipe"].includes(def.type as string)) {
            s = (def.innerType ?? def.in) as z.core.$ZodType;
        } else {
            return s;
        }
    }
}

export { STACK_KEYS };
