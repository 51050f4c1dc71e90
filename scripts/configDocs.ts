import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { z } from "zod";
import { PROJECT } from "../config/loader";
import { stackSchema } from "../config/schema";

/**
 * One source for the stack file's JSON Schema and the configuration tables of docs/configuration.md: the zod
 * schemas of config/schema, their descriptions and table hints. `npm run docs:config` rewrites both files;
 * test/configDocs.spec.ts fails when either is stale.
 */

export const ROOT = join(__dirname, "..");
export const SCHEMA_FILE = join(ROOT, "schema", "stack-config.schema.json");
export const CONFIG_DOC_FILE = join(ROOT, "docs", "configuration.md");
export const REGENERATE = "npm run docs:config";

/** A JSON Schema node as z.toJSONSchema writes it. */
export interface JsonSchema {
    description?: string;
    default?: unknown;
    type?: string | string[];
    properties?: Record<string, JsonSchema>;
    required?: string[];
    additionalProperties?: JsonSchema | boolean;
    patternProperties?: Record<string, JsonSchema>;
    /** Schemas zod extracts (a cycle, or a schema with an `id`), referenced by `$ref`. */
    definitions?: Record<string, JsonSchema>;
    items?: JsonSchema;
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
    allOf?: JsonSchema[];
    docDefault?: string;
    docRow?: true;
    docExpand?: true;
    docJoin?: true;
    [key: string]: unknown;
}

/** Provider namespaces a stack of this program sets keys of (kubernetes:context, aws:region, ...). */
const PROVIDER_NAMESPACES = ["kubernetes", "aws", "random", "pulumi"];

/** The `ai-gateway:*` keys as a user writes them (input side: defaults shown, transforms ignored), table hints included. */
export function configJsonSchema(): JsonSchema {
    return z.toJSONSchema(stackSchema, {
        io: "input",
        target: "draft-07",
        unrepresentable: "any",
        override: (ctx) => {
            // zod leaves out the default of a value that is transformed after parsing (`50Mi` of a quantity):
            // every such default here is also what a user may write, so show it.
            const def = ctx.zodSchema._zod.def;
            if (def.type === "default" && !("default" in ctx.jsonSchema)) {
                ctx.jsonSchema.default = JSON.parse(JSON.stringify((def as z.core.$ZodDefaultDef).defaultValue));
            }
        },
    }) as JsonSchema;
}

/** The subschemas of a node, each with the path segment that leads to it (`*` a map's values, `[]` a list's items). */
function children(node: JsonSchema): [string, JsonSchema][] {
    const out: [string, JsonSchema][] = [];
    for (const [key, child] of Object.entries(node.properties ?? {})) out.push([`.${key}`, child]);
    for (const [pattern, child] of Object.entries(node.patternProperties ?? {})) out.push([`.${pattern}`, child]);
    for (const [name, child] of Object.entries(node.definitions ?? {})) out.push([`#/definitions/${name}`, child]);
    if (typeof node.additionalProperties === "object") out.push([".*", node.additionalProperties]);
    if (node.items) out.push(["[]", node.items]);
    for (const key of ["anyOf", "oneOf", "allOf"] as const) node[key]?.forEach((child, i) => out.push([`(${key}[${i}])`, child]));
    return out;
}

/** Paths of every key (object property) without a description, below `node`. */
export function undescribedKeys(node: JsonSchema, path = ""): string[] {
    const out: string[] = [];
    for (const [key, child] of Object.entries(node.properties ?? {})) if (!child.description?.trim()) out.push(`${path}.${key}`);
    for (const [segment, child] of children(node)) out.push(...undescribedKeys(child, `${path}${segment}`));
    return out;
}

/** The published schema node: table hints removed, a computed default said in the description. */
function published(node: JsonSchema): JsonSchema {
    const { docDefault, docRow, docExpand, docJoin, ...rest } = node;
    const out: JsonSchema = { ...rest };
    if (docDefault !== undefined && out.description !== undefined && !("default" in out)) {
        out.description = `${out.description}\nDefault: ${docDefault}.`;
    }
    if (node.properties) out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, published(v)]));
    if (node.patternProperties) out.patternProperties = Object.fromEntries(Object.entries(node.patternProperties).map(([k, v]) => [k, published(v)]));
    if (node.definitions) out.definitions = Object.fromEntries(Object.entries(node.definitions).map(([k, v]) => [k, published(v)]));
    if (typeof node.additionalProperties === "object") out.additionalProperties = published(node.additionalProperties);
    if (node.items) out.items = published(node.items);
    for (const key of ["anyOf", "oneOf", "allOf"] as const) if (node[key]) out[key] = node[key].map(published);
    return out;
}

/** JSON Schema of a whole `Pulumi.<stack>.yaml` of this project, for editors and CI. */
export function stackFileSchema(): JsonSchema {
    const keys = configJsonSchema();
    const config: Record<string, JsonSchema> = {};
    for (const [key, node] of Object.entries(keys.properties ?? {})) {
        // ai-gateway:apiKeys holds secrets: each entry only ever as an encrypted `secure:` value.
        config[`${PROJECT}:${key}`] =
            key === "apiKeys"
                ? {
                      description: node.description,
                      type: "object",
                      additionalProperties: {
                          description: "An encrypted secret, as `pulumi config set --secret --path 'apiKeys.<name>' <value>` writes it; never a plain-text value.",
                          type: "object",
                          properties: { secure: { description: "The encrypted value (ciphertext of the stack's secrets provider).", type: "string", minLength: 1 } },
                          required: ["secure"],
                          additionalProperties: false,
                      },
                  }
                : published(node);
    }
    config[`${PROJECT}:include`] = {
        description: "Files in this format whose ai-gateway:* keys join the stack's (no secrets, no provider keys), relative to the project's directory: for a configuration larger than the 128 KiB Pulumi can hand the program. See docs/configuration.md.",
        type: "array",
        items: { type: "string", minLength: 1 },
        minItems: 1,
        maxItems: 16,
    };
    config["kubernetes:context"] = {
        description: "The kubeconfig context this stack deploys to (kind names it kind-<cluster>, `aws eks update-kubeconfig` after the cluster's ARN); set it, so that a deploy never goes to whatever context is current.",
        type: "string",
        minLength: 1,
    };
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        title: `Pulumi.<stack>.yaml of the ${PROJECT} project`,
        description: `A stack file: the ${PROJECT}:* keys, each described, plus provider keys. Generated from config/schema by ${REGENERATE}.`,
        type: "object",
        properties: {
            config: {
                description: `Stack configuration: \`${PROJECT}:<key>\` keys and provider keys (${PROVIDER_NAMESPACES.map((n) => `${n}:*`).join(", ")}).`,
                type: "object",
                properties: config,
                patternProperties: {
                    [`^(${PROVIDER_NAMESPACES.join("|")}):.+$`]: { description: "A provider setting, passed to Pulumi as it is." },
                },
                additionalProperties: false,
            },
            secretsprovider: { description: "The stack's secrets provider (written by `pulumi stack init --secrets-provider`).", type: "string" },
            encryptedkey: { description: "The stack's data key, encrypted by the secrets provider (written by Pulumi).", type: "string" },
            encryptionsalt: { description: "Salt of the passphrase secrets provider (written by Pulumi).", type: "string" },
            environment: { description: "Pulumi ESC environments the stack imports." },
        },
        additionalProperties: false,
        // `$ref`s of the ai-gateway keys point at the root: keep what they point at there.
        ...(keys.definitions && { definitions: published({ definitions: keys.definitions }).definitions }),
    };
}

/** The schema file's text: stable key order, two-space indents, final newline. */
export function schemaFileText(): string {
    return `${JSON.stringify(stackFileSchema(), null, 2)}\n`;
}

/** Where a configuration table's rows come from. */
interface TableSection {
    /** Path from the `ai-gateway:` keys: property names, `*` for a map's values, `[]` for a list's items. */
    path: string[];
    /** Key column prefix of the section's rows, e.g. `retry.`. */
    prefix?: string;
    /** One row for exactly this key, under this name, instead of a row per key below it. */
    label?: string;
}

interface TableSpec {
    sections: TableSection[];
    /** Heading of the default column. */
    defaultHeading?: string;
}

/** Every generated table, by the name in its marker `<!-- generated:config-table <name> -->`. */
export const CONFIG_TABLES: Record<string, TableSpec> = {
    platform: { sections: [{ path: ["platform"] }] },
    gateway: { sections: [{ path: ["gateway"] }] },
    backends: { sections: [{ path: ["backends", "*"] }] },
    models: { sections: [{ path: ["models", "*"] }] },
    "routing-retry": { sections: [{ path: ["routing"], prefix: "routing." }, { path: ["retry"], prefix: "retry." }] },
    observability: { sections: [{ path: ["observability"] }] },
    rateLimit: {
        sections: [
            { path: ["rateLimit"], prefix: "rateLimit." },
            { path: ["rateLimit", "defaults", "tokens", "[]", "type"], label: "<budget>.tokens[].type" },
            { path: ["models", "*", "rateLimit"], label: "models.<name>.rateLimit" },
        ],
    },
    aws: { sections: [{ path: ["aws"] }] },
    auth: { sections: [{ path: ["auth"] }] },
    traffic: { sections: [{ path: ["traffic"] }], defaultHeading: "default when the section is set" },
    passthrough: { sections: [{ path: ["passthrough", "*"], prefix: "<name>." }] },
    mcp: { sections: [{ path: ["mcp"] }] },
    guardrails: { sections: [{ path: ["guardrails", "*"], prefix: "<name>." }] },
};

/** `ai-gateway:*` keys docs/configuration.md documents in prose rather than in a key table. */
export const DOCUMENTED_IN_PROSE: readonly string[] = ["apiKeys"];

/** `ai-gateway:*` keys that no generated table covers and docs/configuration.md does not document in prose. */
export function keysWithoutTable(root: JsonSchema = configJsonSchema()): string[] {
    const covered = new Set(Object.values(CONFIG_TABLES).flatMap((t) => t.sections.filter((s) => s.label === undefined).map((s) => s.path[0])));
    return Object.keys(root.properties ?? {}).filter((key) => !covered.has(key) && !DOCUMENTED_IN_PROSE.includes(key));
}

/** The node at `path`, or an error naming the first segment that leads nowhere. */
function nodeAt(root: JsonSchema, path: string[]): JsonSchema {
    let node = root;
    for (const [i, segment] of path.entries()) {
        const next =
            segment === "*"
                ? typeof node.additionalProperties === "object" ? node.additionalProperties : undefined
                : segment === "[]"
                  ? node.items
                  : Object.hasOwn(node.properties ?? {}, segment) ? node.properties?.[segment] : undefined;
        if (!next) throw new Error(`config table path ${path.join(".")}: nothing at "${path.slice(0, i + 1).join(".")}"; fix CONFIG_TABLES in scripts/configDocs.ts`);
        node = next;
    }
    return node;
}

/** A default as YAML flow text: plain scalars where YAML reads them back as the same strings. */
export function flowYaml(value: unknown, nested = false): string {
    if (Array.isArray(value)) return `[${value.map((v) => flowYaml(v, true)).join(", ")}]`;
    if (typeof value === "object" && value !== null) {
        return `{${Object.entries(value).map(([k, v]) => `${flowYaml(k, true)}: ${flowYaml(v, true)}`).join(", ")}}`;
    }
    if (typeof value !== "string") return String(value);
    const yamlScalar = /^(true|false|null|yes|no|on|off|~|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$/i;
    const plain = /^[A-Za-z0-9_/][A-Za-z0-9_./-]*$/.test(value) && !yamlScalar.test(value);
    return !nested || plain ? value : JSON.stringify(value);
}

/** The default a user gets when leaving the key out: an object default filled with its keys' own defaults. */
function effectiveDefault(node: JsonSchema): unknown {
    const value = node.default;
    if (typeof value !== "object" || value === null || Array.isArray(value) || !node.properties) return value;
    const filled: Record<string, unknown> = { ...value };
    for (const [key, child] of Object.entries(node.properties)) {
        if (!Object.hasOwn(filled, key) && "default" in child) filled[key] = effectiveDefault(child);
    }
    return filled;
}

interface Row {
    /** Key column entries; the first in full, the joined ones relative to the same parent. */
    keys: string[];
    defaults: string[];
    meaning: string;
}

function defaultText(node: JsonSchema, required: boolean): string {
    if (node.docDefault !== undefined) return node.docDefault;
    if ("default" in node) return `\`${flowYaml(effectiveDefault(node))}\``;
    return required ? "(required)" : "";
}

function isObject(node: JsonSchema): boolean {
    return node.properties !== undefined && Object.keys(node.properties).length > 0;
}

/** Rows for the keys below `node`: objects open into a row per key unless marked as one row. */
function rowsOf(node: JsonSchema, prefix: string, rows: Row[], path: string): void {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
        const label = `${prefix}${key}`;
        const item = child.docExpand ? (child.items ?? (typeof child.additionalProperties === "object" ? child.additionalProperties : undefined)) : undefined;
        if (item) {
            rowsOf(item, `${label}${child.items ? "[]" : ".<name>"}.`, rows, `${path}.${key}`);
            continue;
        }
        if (isObject(child) && !child.docRow) {
            rowsOf(child, `${label}.`, rows, `${path}.${key}`);
            continue;
        }
        const description = child.description;
        if (!description) throw new Error(`${path}.${key}: has no description; add .describe() to it in config/schema, then run ${REGENERATE}`);
        const defaults = defaultText(child, node.required?.includes(key) ?? false);
        const previous = rows[rows.length - 1];
        if (child.docJoin && previous) {
            previous.keys.push(prefix ? `.${key}` : key);
            previous.defaults.push(defaults);
        } else {
            rows.push({ keys: [label], defaults: [defaults], meaning: description });
        }
    }
}

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
    return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
}

/** Default of a joined row: each key's own, once if they agree, the keys without one left out. */
function joinedDefault(defaults: string[]): string {
    const set = defaults.filter((d) => d !== "");
    return new Set(set).size <= 1 ? (set[0] ?? "") : set.join(", ");
}

/** The markdown of one generated table. */
export function configTable(name: string, root: JsonSchema = configJsonSchema()): string {
    const spec = Object.hasOwn(CONFIG_TABLES, name) ? CONFIG_TABLES[name] : undefined;
    if (!spec) throw new Error(`no config table named "${name}"; use one of ${Object.keys(CONFIG_TABLES).join(", ")} (scripts/configDocs.ts)`);
    const rows: Row[] = [];
    for (const section of spec.sections) {
        const node = nodeAt(root, section.path);
        if (section.label !== undefined) {
            if (!node.description) throw new Error(`${section.path.join(".")}: has no description; add .describe() to it in config/schema`);
            rows.push({ keys: [section.label], defaults: [defaultText(node, false)], meaning: node.description });
        } else {
            rowsOf(node, section.prefix ?? "", rows, section.path.join("."));
        }
    }
    const lines = [`| key | ${spec.defaultHeading ?? "default"} | meaning |`, "|---|---|---|"];
    for (const row of rows) {
        const cells = [row.keys.map((k) => `\`${k}\``).join(", "), cell(joinedDefault(row.defaults)), cell(row.meaning)];
        lines.push(`|${cells.map((c) => (c === "" ? " " : ` ${c} `)).join("|")}|`);
    }
    return lines.join("\n");
}

const MARKER = /<!-- generated:config-table ([^ ]*) -->\n[\s\S]*?<!-- \/generated -->/g;

/** docs/configuration.md with every generated table rewritten; every table must have its marker, once. */
export function renderConfigDoc(readme: string): string {
    const root = configJsonSchema();
    const seen: string[] = [];
    const out = readme.replace(MARKER, (_, name: string) => {
        if (seen.includes(name)) throw new Error(`docs/configuration.md: config table "${name}" appears twice; keep one marker`);
        seen.push(name);
        return `<!-- generated:config-table ${name} -->\n\n${configTable(name, root)}\n\n<!-- /generated -->`;
    });
    const missing = Object.keys(CONFIG_TABLES).filter((name) => !seen.includes(name));
    if (missing.length > 0) {
        throw new Error(`docs/configuration.md: no marker for config table(s) ${missing.join(", ")}; add <!-- generated:config-table <name> --> ... <!-- /generated --> where each belongs`);
    }
    return out;
}

if (require.main === module) {
    writeFileSync(SCHEMA_FILE, schemaFileText());
    writeFileSync(CONFIG_DOC_FILE, renderConfigDoc(readFileSync(CONFIG_DOC_FILE, "utf8")));
    console.log(`wrote ${SCHEMA_FILE} and the configuration tables of ${CONFIG_DOC_FILE}`);
}
