import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import {
    configTable,
    flowYaml,
    keysWithoutTable,
    CONFIG_DOC_FILE,
    REGENERATE,
    renderConfigDoc,
    ROOT,
    SCHEMA_FILE,
    schemaFileText,
    stackFileSchema,
    undescribedKeys,
} from "../scripts/configDocs";

/** The first line where two texts differ, to say where a generated file went stale. */
function firstDifference(actual: string, expected: string): string {
    const a = actual.split("\n");
    const e = expected.split("\n");
    const i = a.findIndex((line, n) => line !== e[n]);
    const at = i < 0 ? a.length : i;
    return `line ${at + 1}: has ${JSON.stringify(a[at] ?? "<end of file>").slice(0, 200)}, generated ${JSON.stringify(e[at] ?? "<end of file>").slice(0, 200)}`;
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
    compiled ??= new Ajv({ allErrors: true, allowUnionTypes: true }).compile(stackFileSchema());
    return compiled;
}

/** Validates a stack file's text; returns ajv's errors as `<path> <message>` lines. */
function problems(yamlText: string): string[] {
    const validate = validator();
    if (validate(parse(yamlText))) return [];
    return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

describe("config docs: generated from the zod schemas", () => {
    it(`schema/stack-config.schema.json is current (else run: ${REGENERATE})`, () => {
        const onDisk = readFileSync(SCHEMA_FILE, "utf8");
        const generated = schemaFileText();
        assert.ok(onDisk === generated, `schema/stack-config.schema.json is stale, ${firstDifference(onDisk, generated)}; run: ${REGENERATE}`);
    });

    it(`docs/configuration.md's tables are current (else run: ${REGENERATE})`, () => {
        const onDisk = readFileSync(CONFIG_DOC_FILE, "utf8");
        const generated = renderConfigDoc(onDisk);
        assert.ok(onDisk === generated, `docs/configuration.md's tables are stale, ${firstDifference(onDisk, generated)}; run: ${REGENERATE}`);
    });

    it("every key has a description", () => {
        assert.deepEqual(undescribedKeys(stackFileSchema()), [], `add .describe() to these keys in config/schema, then run: ${REGENERATE}`);
        // The check itself finds a key without one, at any depth.
        assert.deepEqual(undescribedKeys({ properties: { a: { description: "a", items: { properties: { b: { description: " " } } } } } }), [".a[].b"]);
    });

    it("has a table for every ai-gateway key", () => {
        assert.deepEqual(
            keysWithoutTable(),
            [],
            `add each key's table to CONFIG_TABLES in scripts/configDocs.ts and its marker <!-- generated:config-table <name> --> to docs/configuration.md, then run: ${REGENERATE}`,
        );
        assert.deepEqual(keysWithoutTable({ properties: { gateway: {}, apiKeys: {}, extra: {} } }), ["extra"]);
    });

    it("is deterministic", () => {
        assert.equal(schemaFileText(), schemaFileText());
        assert.equal(renderConfigDoc(readFileSync(CONFIG_DOC_FILE, "utf8")), renderConfigDoc(readFileSync(CONFIG_DOC_FILE, "utf8")));
    });

    it("tables take defaults from the schema and meanings from the descriptions", () => {
        const table = configTable("routing-retry");
        assert.match(table, /^\| key \| default \| meaning \|\n\|---\|---\|---\|\n/);
        assert.ok(table.includes("| `retry.numRetries` | `3` | retries after the first attempt |"), table);
        // An object shown as one row: the defaults of its keys, as YAML.
        assert.ok(table.includes("| `retry.backOff` | `{baseInterval: 100ms, maxInterval: 10s}` | jittered exponential back-off between retries |"), table);
        assert.ok(table.includes("| `retry.retryOn.httpStatusCodes` | `[500, 502, 503, 504, 404]` |"), table);
        // Keys sharing a row, a computed default, a required key, and a pipe inside a cell.
        const gateway = configTable("gateway");
        assert.ok(gateway.includes("| `labels`, `annotations` | `{}` | metadata of the Gateway"), gateway);
        assert.ok(gateway.includes("| `envoyProxy.hpa.minReplicas` | `replicas` |"), gateway);
        assert.ok(gateway.includes("`{name, protocol: HTTP\\|HTTPS, port,"), gateway);
        assert.ok(configTable("backends").includes("| `schema` | (required) |"));
        assert.ok(configTable("traffic").startsWith("| key | default when the section is set | meaning |"));
        assert.throws(() => configTable("nope"), /no config table named "nope"/);
    });

    it("needs a marker for every table, once", () => {
        assert.throws(() => renderConfigDoc("# no markers\n"), /no marker for config table\(s\) platform, gateway/);
        const readme = readFileSync(CONFIG_DOC_FILE, "utf8");
        const twice = `${readme}\n<!-- generated:config-table aws -->\n<!-- /generated -->\n`;
        assert.throws(() => renderConfigDoc(twice), /config table "aws" appears twice/);
        assert.throws(() => renderConfigDoc(`${readme}\n<!-- generated:config-table awz -->\n<!-- /generated -->\n`), /no config table named "awz"/);
    });

    it("writes defaults as YAML a user could paste", () => {
        assert.equal(flowYaml({ grafana_dashboard: "1" }), '{grafana_dashboard: "1"}');
        assert.equal(flowYaml([{ name: "http", protocol: "HTTP", port: 80 }]), "[{name: http, protocol: HTTP, port: 80}]");
        assert.equal(flowYaml(["true", "1.2", "100ms", "a b"]), '["true", "1.2", 100ms, "a b"]');
        assert.equal(flowYaml("redis:8.2-alpine"), "redis:8.2-alpine");
    });
});

describe("config docs: the stack file's JSON Schema validates stack files", () => {
    for (const stack of ["dev", "prod"]) {
        it(`accepts the repo's Pulumi.${stack}.yaml, which names the schema in its first line`, () => {
            const text = readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
            assert.equal(text.split("\n")[0], "# yaml-language-server: $schema=./schema/stack-config.schema.json");
            assert.deepEqual(problems(text), []);
        });
    }

    it("accepts what a user writes before parsing: unquoted numbers where strings come out", () => {
        const text = [
            "config:",
            "  ai-gateway:gateway:",
            "    clientTraffic: {bufferLimit: 1048576, tls: {minVersion: 1.2}, http2: {initialStreamWindowSize: 65536}}",
            "    envoyProxy: {resources: {limits: {cpu: 2}}}",
            "  aws:region: us-west-2",
            "  pulumi:tags: {team: ml}",
        ].join("\n");
        assert.deepEqual(problems(text), []);
    });

    it("rejects a misspelt key, at the top and inside a key", () => {
        const top = problems("config:\n  ai-gateway:modles: {}\n");
        assert.ok(top.some((p) => p.startsWith("/config must NOT have additional properties") && p.includes('"additionalProperty":"ai-gateway:modles"')), top.join("\n"));
        const namespace = problems("config:\n  ai-gatway:auth: {none: true}\n");
        assert.ok(namespace.some((p) => p.includes('"additionalProperty":"ai-gatway:auth"')), namespace.join("\n"));
        const nested = problems("config:\n  ai-gateway:backends:\n    openai: {schema: OpenAI, hostnme: api.openai.com}\n");
        assert.ok(nested.some((p) => p.startsWith("/config/ai-gateway:backends/openai must NOT have additional properties") && p.includes('"hostnme"')), nested.join("\n"));
    });

    it("rejects a wrong type or value", () => {
        const type = problems("config:\n  ai-gateway:routing: {minBackendsPerModel: two}\n");
        assert.ok(type.some((p) => p.startsWith("/config/ai-gateway:routing/minBackendsPerModel must be integer")), type.join("\n"));
        const value = problems("config:\n  ai-gateway:retry: {perRetryTimeout: 20}\n");
        assert.ok(value.some((p) => p.startsWith("/config/ai-gateway:retry/perRetryTimeout must be string")), value.join("\n"));
        const choice = problems("config:\n  ai-gateway:backends: {x: {schema: OpenAl}}\n");
        assert.ok(choice.some((p) => p.startsWith("/config/ai-gateway:backends/x/schema must be equal to one of the allowed values")), choice.join("\n"));
    });

    it("takes secrets only encrypted, and only in ai-gateway:apiKeys", () => {
        assert.deepEqual(problems("config:\n  ai-gateway:apiKeys:\n    openai: {secure: v1:abc}\n"), []);
        const plain = problems("config:\n  ai-gateway:apiKeys:\n    openai: sk-plain-text\n");
        assert.ok(plain.some((p) => p.startsWith("/config/ai-gateway:apiKeys/openai must be object")), plain.join("\n"));
        const elsewhere = problems("config:\n  ai-gateway:rateLimit: {userHeader: {secure: v1:abc}}\n");
        assert.ok(elsewhere.some((p) => p.startsWith("/config/ai-gateway:rateLimit/userHeader must be string")), elsewhere.join("\n"));
    });
});
