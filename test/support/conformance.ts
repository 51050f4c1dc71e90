// Validates rendered Kubernetes custom resources against the upstream CRD schemas, the way the
// API server would, except that unknown fields are errors instead of being silently pruned.
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { Environment, type ParseResult } from "@marcbachmann/cel-js";
import { parse as parseYaml } from "yaml";
import { pinnedCrdDirectory } from "../../tools/upstreamCrds";

export interface ManifestObject {
    apiVersion: string;
    kind: string;
    metadata?: { name?: string; namespace?: string; [k: string]: unknown };
    [k: string]: unknown;
}

type Json = Record<string, unknown>;

interface CrdVersion {
    name: string;
    /** position in spec.versions */
    index: number;
    scope: string;
    /** Unparsed CRD document: most kinds are never validated, so schemas are parsed on first use. */
    docText: string;
    validator?: ValidateFunction;
    schema?: Json;
}

const DNS1123_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const DNS1123_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const asRecord = (v: unknown): Json => (isRecord(v) ? v : {});

/** The pinned CRDs: AI_GATEWAY_CRD_DIR, else the cache tools/upstreamCrds.ts fills from the upstream releases. */
export function crdDirectory(): string {
    return pinnedCrdDirectory();
}

/**
 * Drops the versions' `schema:` blocks (all of them, or all but the `keep`-th) from a CRD
 * document, so that indexing and loading one version do not parse megabytes of YAML.
 * Assumes block-style YAML; callers fall back to a full parse when the result looks wrong.
 */
function stripSchemas(doc: string, keep = -1): string {
    const kept: string[] = [];
    let skipDeeperThan = -1;
    let versionIndent = -1; // the first `schema:` key is a version's; nested ones are deeper
    let block = -1;
    for (const line of doc.split("\n")) {
        if (skipDeeperThan >= 0) {
            const indent = line.search(/\S/);
            if (indent === -1 || indent > skipDeeperThan || line.trimStart().startsWith("#")) continue;
            skipDeeperThan = -1;
        }
        kept.push(line);
        const m = /^(\s*)(- )?schema:\s*$/.exec(line);
        if (!m) continue;
        const indent = m[1].length + (m[2] ? 2 : 0);
        if (versionIndent === -1) versionIndent = indent;
        if (indent === versionIndent && ++block !== keep) skipDeeperThan = indent;
    }
    return kept.join("\n");
}

function parseOrEmpty(text: string): Json {
    try {
        return asRecord(parseYaml(text));
    } catch {
        return {};
    }
}

const versionsOf = (crd: Json): Json[] => {
    const versions = asRecord(crd.spec).versions;
    return Array.isArray(versions) ? versions.map(asRecord) : [];
};

// Formats are Kubernetes' (int32, byte, ...), not ajv's; descriptions only slow compilation down.
const DROPPED_KEYS = new Set(["format", "nullable", "description"]);

/** Kubernetes structural schema -> JSON Schema that rejects the fields the API server would prune. */
function toJsonSchema(node: unknown, structural = true): unknown {
    if (!isRecord(node)) return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
        if (key === "properties" && isRecord(value)) {
            out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
        } else if (key === "items" || key === "additionalProperties") {
            out[key] = toJsonSchema(value);
        } else if ((key === "allOf" || key === "anyOf" || key === "oneOf") && Array.isArray(value)) {
            // Junctors only add value checks; they never declare fields, so never close them.
            out[key] = value.map((v) => toJsonSchema(v, false));
        } else if (key === "not") {
            out.not = toJsonSchema(value, false);
        } else if (!DROPPED_KEYS.has(key) && !key.startsWith("x-kubernetes-")) {
            out[key] = value;
        }
    }
    if (node["x-kubernetes-int-or-string"] === true) {
        out.type = ["integer", "string"];
        // The usual `anyOf: [{type: integer}, {type: string}]` only repeats the type and doubles every error.
        const typeOnly = (b: unknown) => isRecord(b) && Object.keys(b).every((k) => k === "type");
        if (Array.isArray(out.anyOf) && out.anyOf.every(typeOnly)) delete out.anyOf;
    }
    if (node["x-kubernetes-list-type"] === "set") out.uniqueItems = true;
    if (node.nullable === true) {
        if (typeof out.type === "string") out.type = [out.type, "null"];
        else if (Array.isArray(out.type)) out.type = [...out.type, "null"];
        if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    }
    if (
        structural &&
        isRecord(node.properties) &&
        node["x-kubernetes-preserve-unknown-fields"] !== true &&
        node.additionalProperties === undefined
    ) {
        out.additionalProperties = false;
    }
    return out;
}

// ObjectMeta is closed too: a misspelt `labels` would be pruned just as silently as a spec field.
const OTHER_METADATA_FIELDS = [
    "generateName", "finalizers", "ownerReferences", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink",
];
const METADATA_SCHEMA: Json = {
    type: "object",
    required: ["name"],
    additionalProperties: false,
    properties: {
        ...Object.fromEntries(OTHER_METADATA_FIELDS.map((f) => [f, {}])),
        name: { type: "string", maxLength: 253, pattern: DNS1123_SUBDOMAIN },
        namespace: { type: "string", maxLength: 63, pattern: DNS1123_LABEL },
        labels: { type: "object", additionalProperties: { type: "string" } },
        annotations: { type: "object", additionalProperties: { type: "string" } },
    },
};

function rootSchema(openAPIV3Schema: Json): Json {
    const schema = toJsonSchema(openAPIV3Schema) as Json;
    const properties = asRecord(schema.properties);
    schema.properties = {
        ...properties,
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: METADATA_SCHEMA,
    };
    schema.additionalProperties = false;
    return schema;
}

/** "/spec/rules/0/weight" -> "spec.rules[0].weight" */
function jsonPath(pointer: string, extra?: string): string {
    const segments = pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (extra !== undefined) segments.push(extra);
    let out = "";
    for (const s of segments) {
        if (/^\d+$/.test(s)) out += `[${s}]`;
        else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
        else out += `[${JSON.stringify(s)}]`;
    }
    return out || "(root)";
}

function describeAjvError(e: ErrorObject): string {
    const p = e.params as Json;
    switch (e.keyword) {
        case "additionalProperties":
            return `${jsonPath(e.instancePath, String(p.additionalProperty))}: unknown field (not in the CRD schema)`;
        case "required":
            return `${jsonPath(e.instancePath, String(p.missingProperty))}: required field missing`;
        case "enum":
            return `${jsonPath(e.instancePath)}: must be one of ${JSON.stringify(p.allowedValues)}`;
        default:
            return `${jsonPath(e.instancePath)}: ${e.message ?? e.keyword}`;
    }
}

// CEL evaluation: rules the evaluator cannot parse or run (missing Kubernetes extension functions,
// runtime errors such as absent keys) are skipped, never reported.
let celEnvironment: Environment | undefined;
const celPrograms = new Map<string, ParseResult | null>();

function celProgram(rule: string): ParseResult | null {
    let program = celPrograms.get(rule);
    if (program === undefined) {
        celEnvironment ??= new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false })
            .registerVariable("self", "dyn");
        try {
            program = celEnvironment.parse(rule);
        } catch {
            program = null;
        }
        celPrograms.set(rule, program);
    }
    return program;
}

/** Kubernetes hands CEL int64 for integer fields; JS numbers would be doubles. */
function toCelValue(value: unknown, schema: Json): unknown {
    if (typeof value === "number") {
        const integral = schema.type === "integer" || schema["x-kubernetes-int-or-string"] === true;
        return integral && Number.isInteger(value) ? BigInt(value) : value;
    }
    if (Array.isArray(value)) return value.map((v) => toCelValue(v, asRecord(schema.items)));
    if (isRecord(value)) {
        const props = asRecord(schema.properties);
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [k, toCelValue(v, asRecord(props[k] ?? schema.additionalProperties))]),
        );
    }
    return value;
}

/**
 * Every CEL rule of the schema, at every node of the value. The value is converted for CEL once: the converted
 * tree has the value's shape, and each node of it is what the rules at that node see as `self`.
 */
function celProblems(value: unknown, schema: Json, pointer: string, out: string[]): void {
    checkCel(toCelValue(value, schema), schema, pointer, out);
}

function checkCel(self: unknown, schema: Json, pointer: string, out: string[]): void {
    if (self === undefined || self === null) return;
    const rules = Array.isArray(schema["x-kubernetes-validations"]) ? schema["x-kubernetes-validations"] : [];
    for (const r of rules.filter(isRecord)) {
        const rule = typeof r.rule === "string" ? r.rule : "";
        if (rule.includes("oldSelf")) continue; // transition rules need the previous object
        const program = celProgram(rule);
        let result: unknown;
        try {
            result = program?.({ self });
        } catch {
            continue;
        }
        if (result === false) out.push(`${jsonPath(pointer)}: ${typeof r.message === "string" ? r.message : `failed rule: ${rule}`}`);
    }
    const esc = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
    if (Array.isArray(self)) {
        self.forEach((v, i) => checkCel(v, asRecord(schema.items), `${pointer}/${i}`, out));
    } else if (isRecord(self)) {
        const props = asRecord(schema.properties);
        for (const [k, v] of Object.entries(self)) {
            const sub = props[k] ?? schema.additionalProperties;
            if (isRecord(sub)) checkCel(v, sub, `${pointer}/${esc(k)}`, out);
        }
    }
}

export class CrdCatalog {
    /** key: `${group}/${kind}@${version}`, served versions only */
    private readonly versions = new Map<string, CrdVersion>();
    private readonly servedByKind = new Map<string, string[]>();
    // Skipping ajv's code optimisation pass makes compiling the multi-megabyte schemas much faster.
    private readonly ajv = new Ajv({
        strict: false,
        allErrors: true,
        useDefaults: true,
        validateFormats: false,
        logger: false,
        code: { optimize: false },
    });

    constructor(dir: string = crdDirectory()) {
        const files = (fs.readdirSync(dir, { recursive: true }) as string[])
            .filter((f) => /\.ya?ml$/.test(f))
            .sort();
        for (const file of files) {
            const text = fs.readFileSync(path.join(dir, file), "utf8");
            for (const docText of text.split(/^---[ \t]*(?:#.*)?$/m)) this.index(docText);
        }
        if (this.versions.size === 0) throw new Error(`No CustomResourceDefinitions found under ${dir}`);
    }

    private index(docText: string): void {
        if (!/^kind:\s*CustomResourceDefinition\s*$/m.test(docText)) return;
        let crd = parseOrEmpty(stripSchemas(docText));
        if (versionsOf(crd).length === 0) crd = parseOrEmpty(docText);
        if (crd.kind !== "CustomResourceDefinition") return;
        const spec = asRecord(crd.spec);
        const groupKind = `${spec.group}/${asRecord(spec.names).kind}`;
        versionsOf(crd).forEach((v, index) => {
            if (v.served !== true) return;
            const name = String(v.name);
            this.versions.set(`${groupKind}@${name}`, { name, index, scope: String(spec.scope), docText });
            this.servedByKind.set(groupKind, [...(this.servedByKind.get(groupKind) ?? []), name]);
        });
    }

    private loadSchema(entry: CrdVersion): Json {
        const pick = (crd: Json): unknown => {
            const v = versionsOf(crd)[entry.index];
            return v?.name === entry.name ? asRecord(v.schema).openAPIV3Schema : undefined;
        };
        const schema = pick(parseOrEmpty(stripSchemas(entry.docText, entry.index))) ?? pick(parseOrEmpty(entry.docText));
        if (!isRecord(schema)) throw new Error(`CRD version ${entry.name} has no schema.openAPIV3Schema`);
        return schema;
    }

    private lookup(apiVersion: string, kind: string): CrdVersion | undefined {
        const [group, version] = String(apiVersion).includes("/") ? String(apiVersion).split("/", 2) : ["", apiVersion];
        return this.versions.get(`${group}/${kind}@${version}`);
    }

    hasKind(apiVersion: string, kind: string): boolean {
        return this.lookup(apiVersion, kind) !== undefined;
    }

    validate(obj: ManifestObject): string[] {
        const meta = asRecord(obj.metadata);
        const name = typeof meta.name === "string" ? meta.name : "<unnamed>";
        const label = `${obj.kind} ${typeof meta.namespace === "string" ? `${meta.namespace}/` : ""}${name}`;
        const problems: string[] = [];
        const entry = this.lookup(obj.apiVersion, obj.kind);
        if (!entry) {
            const served = this.servedByKind.get(`${String(obj.apiVersion).split("/")[0]}/${obj.kind}`);
            const hint = served ? ` (served versions: ${served.join(", ")})` : "";
            return [`${label}: no served CRD for apiVersion ${obj.apiVersion} kind ${obj.kind}${hint}`];
        }
        if (!entry.validator || !entry.schema) {
            entry.schema = this.loadSchema(entry);
            entry.validator = this.ajv.compile(rootSchema(entry.schema));
        }
        // JSON round trip: drops `undefined` like serialisation does, and gives ajv a copy to default.
        const data: unknown = JSON.parse(JSON.stringify(obj));
        if (!entry.validator(data)) problems.push(...(entry.validator.errors ?? []).map(describeAjvError));
        if (entry.scope === "Namespaced" && typeof meta.namespace !== "string") {
            problems.push("metadata.namespace: required for a namespaced kind");
        } else if (entry.scope === "Cluster" && meta.namespace !== undefined) {
            problems.push("metadata.namespace: must not be set on a cluster-scoped kind");
        }
        celProblems(data, entry.schema, "", problems);
        return [...new Set(problems)].map((p) => `${label}: ${p}`);
    }
}

let defaultCatalog: CrdCatalog | undefined;

/** Process-wide catalog over crdDirectory(), built on first use. */
export function catalog(): CrdCatalog {
    defaultCatalog ??= new CrdCatalog();
    return defaultCatalog;
}

export function validateManifest(obj: ManifestObject): string[] {
    return catalog().validate(obj);
}
