import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, StackConfig } from "../plan";
import { AiGateway } from "../components";
import type { StackOutputs } from "../components/stack";
import { KINDS } from "../specs/manifest";
import { dirname, join } from "path";
import { toJson, toYaml } from "../scripts/format";
import { RecordedResource, redactSecrets, settle } from "../scripts/mocks";
import { readStackFile } from "../config/stackFile";
import { withIncludedConfig } from "../config/include";
import { ConfigError } from "../config/errors";
import type { ManifestObject } from "./support/conformance";
import { mocks } from "./setup";

/** What one evaluation of the program registered, and its stack outputs. */
export interface Evaluation {
    resources: RecordedResource[];
    outputs: StackOutputs;
    config: StackConfig;
    /** The one resource of this type and logical name (fails the test when absent). */
    get(type: string, name: string): RecordedResource;
    /** Every resource of a type. */
    all(type: string): RecordedResource[];
    /** The custom resource of a kind with this Kubernetes name. */
    object(kind: string, name: string): Record<string, unknown> & { spec: Record<string, unknown> };
    /** Inputs of every Kubernetes object of a kind. */
    objects(kind: string): (Record<string, unknown> & { metadata: { name: string; namespace?: string }; spec: Record<string, unknown> })[];
}

/** Runs the program for raw stack config (keys without the project prefix) under the recording mocks. */
export async function evaluate(
    raw: Record<string, unknown>,
    options?: pulumi.ComponentResourceOptions | (() => pulumi.ComponentResourceOptions),
): Promise<Evaluation> {
    mocks.reset();
    const config = parseConfig(raw);
    // A function, so that resources the options hold (a provider) are registered after the reset.
    const gateway = new AiGateway("ai-gateway", { config }, typeof options === "function" ? options() : options);
    const { namespaces, gatewayName, gatewayAddressCommand, url, models, firstCallCommand, redisUrl, bedrockRoleArn } = gateway;
    const outputs: StackOutputs = { namespaces, gatewayName, gatewayAddressCommand, url, models, firstCallCommand, redisUrl, bedrockRoleArn };
    await settle();
    const resources = [...mocks.resources];
    const kubernetesObjects = () => resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && typeof r.inputs.kind === "string");
    return {
        resources,
        outputs,
        config,
        get(type, name) {
            const found = resources.filter((r) => r.type === type && r.name === name);
            assert.equal(found.length, 1, `expected one ${type} named ${name}; registered: ${resources.map((r) => `${r.type}/${r.name}`).join(", ")}`);
            return found[0];
        },
        all: (type) => resources.filter((r) => r.type === type),
        object(kind, name) {
            const found = kubernetesObjects().filter((r) => r.inputs.kind === kind && (r.inputs.metadata as { name?: string }).name === name);
            assert.equal(found.length, 1, `expected one ${kind} ${name}; found ${kubernetesObjects().filter((r) => r.inputs.kind === kind).map((r) => (r.inputs.metadata as { name?: string }).name).join(", ") || "none"}`);
            return found[0].inputs as ReturnType<Evaluation["object"]>;
        },
        objects: (kind) => kubernetesObjects().filter((r) => r.inputs.kind === kind).map((r) => r.inputs as ReturnType<Evaluation["objects"]>[number]),
    };
}

/** The smallest config with something to count: two in-cluster backends, one model, a global request budget. */
export const WITH_BUDGET: Record<string, unknown> = {
    backends: {
        a: { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80 },
        b: { schema: "OpenAI", hostname: "b.models.svc.cluster.local", port: 80 },
    },
    models: { m: { backends: [{ backend: "a" }, { backend: "b", priority: 1 }] } },
    rateLimit: { global: { requests: [{ limit: 100, window: "1m" }] } },
};

/** The value of an Output, for assertions. */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** The problems a config is refused with (fails the test when it is accepted). */
export function configProblems(raw: Record<string, unknown>): string[] {
    try {
        parseConfig(raw);
    } catch (e) {
        const err = e as { problems?: { path: string; message: string }[] };
        assert.ok(err.problems, `expected a ConfigError, got ${String(e)}`);
        return err.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    }
    assert.fail("expected the configuration to be refused");
}

/** Raw config of a stack file in this repository (Pulumi.<stack>.yaml), as the program would read it. */
export function stackFileConfig(stack: string): Record<string, unknown> {
    return configOfFile(join(__dirname, "..", `Pulumi.${stack}.yaml`));
}

/** Raw `ai-gateway:*` config of any file in the Pulumi.<stack>.yaml format, keys without the project prefix. */
export function configOfFile(file: string): Record<string, unknown> {
    // With the keys of the files it includes (ai-gateway:include), as the program reads them.
    const { config, problems } = withIncludedConfig(readStackFile(file).config, dirname(file));
    if (problems.length > 0) throw new ConfigError(problems);
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
        if (!key.startsWith("ai-gateway:")) continue;
        try {
            raw[key.slice("ai-gateway:".length)] = JSON.parse(value);
        } catch {
            raw[key.slice("ai-gateway:".length)] = value;
        }
    }
    return raw;
}

/**
 * Kubernetes objects of custom kinds (anything outside the core API groups the API server builds in),
 * except kinds whose CRDs the pinned platform does not install (a ServiceMonitor).
 */
export function customResources(e: Evaluation): ManifestObject[] {
    const builtIn = /^(v1|apps\/v1|networking\.k8s\.io\/v1|rbac\.authorization\.k8s\.io\/v1|policy\/v1|batch\/v1|autoscaling\/v2)$/;
    const external = new Set(Object.values(KINDS).filter((k) => k.crds === "external").map((k) => k.apiVersion));
    return e.resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:") && typeof r.inputs.apiVersion === "string" && !builtIn.test(r.inputs.apiVersion))
        .filter((r) => !external.has(r.inputs.apiVersion as string))
        .map((r) => redactSecrets(r.inputs) as ManifestObject);
}

/**
 * Where a known secret value shows in plain text: any resource's redacted inputs, the inputs of any
 * resource but `holder` (the Secret that must carry it), the YAML and JSON render, the stack outputs.
 */
export async function secretLeaks(e: Evaluation, value: string, holder: string): Promise<string[]> {
    const found: string[] = [];
    for (const r of e.resources) {
        if (JSON.stringify(redactSecrets(r.inputs)).includes(value)) found.push(`${r.type} ${r.name} shows it`);
        if (r.name !== holder && JSON.stringify(r.inputs).includes(value)) found.push(`${r.type} ${r.name} holds it`);
    }
    if (toYaml(e.resources).includes(value)) found.push("the YAML render");
    if (toJson(e.resources).includes(value)) found.push("the JSON render");
    const outputs = { ...e.outputs, redisUrl: e.outputs.redisUrl && (await valueOf(e.outputs.redisUrl)) };
    if (JSON.stringify(outputs).includes(value)) found.push("the stack outputs");
    return found;
}

/**
 * The AI Gateway controller's Helm values besides the MCP session seed the program always adds (see
 * test/platform.spec.ts), or undefined when nothing else is set.
 */
export function controllerValuesBesideSeed(values: unknown): Record<string, unknown> | undefined {
    const controller = (values as { controller?: Record<string, unknown> }).controller;
    if (controller === undefined) return undefined;
    const { mcp, extraEnvVars, ...rest } = controller;
    const env = ((extraEnvVars ?? []) as { name: string }[]).filter((v) => !v.name.startsWith("AI_GATEWAY_MCP_"));
    const { sessionEncryption, ...mcpRest } = (mcp ?? {}) as Record<string, unknown>;
    void sessionEncryption;
    const out = { ...rest, ...(env.length > 0 && { extraEnvVars: env }), ...(Object.keys(mcpRest).length > 0 && { mcp: mcpRest }) };
    return Object.keys(out).length > 0 ? out : undefined;
}
