import { type AuthType, awsRegionOf, isAwsSchema, isInClusterHost, type SchemaName } from "../schema";
import type { Rule } from "./types";

/** Credentials each cloud schema must be signed with; the provider refuses anything else. */
const REQUIRED_AUTH: Partial<Record<SchemaName, readonly AuthType[]>> = {
    AWSBedrock: ["AWSCredentials"],
    AWSAnthropic: ["AWSCredentials"],
    AzureOpenAI: ["AzureAPIKey", "AzureCredentials"],
    GCPVertexAI: ["GCPCredentials"],
    GCPAnthropic: ["GCPCredentials"],
};

/** Schemas whose `prefix` the AI Gateway uses (it ignores it for the others). */
const PREFIX_SCHEMAS: readonly SchemaName[] = ["OpenAI", "Anthropic"];
/** Schemas whose `version` the AI Gateway uses. */
const VERSION_SCHEMAS: readonly SchemaName[] = ["AzureOpenAI", "AWSAnthropic", "GCPAnthropic", "Cohere"];

const quoted = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(" or ");

/** Each backend has what its schema needs: a host, a region, a version, matching credentials. */
export const backendSettings: Rule = (config, ctx) => {
    for (const [name, backend] of Object.entries(config.backends)) {
        const at = (...path: string[]) => ["backends", name, ...path];
        const { schema, auth } = backend;

        const required = REQUIRED_AUTH[schema];
        if (required && auth === undefined) {
            ctx.add(at("auth"), `is required for schema ${schema}; add auth with type ${quoted(required)}`);
        } else if (required && auth !== undefined && !required.includes(auth.type)) {
            ctx.add(at("auth", "type"), `"${auth.type}" cannot authenticate ${schema} requests; use ${quoted(required)}`);
        }

        if (backend.hostname === undefined && !isAwsSchema(schema)) {
            ctx.add(
                at("hostname"),
                `is required for schema ${schema}; set the provider's host name (e.g. api.openai.com) or, for an in-cluster model, <service>.<namespace>.svc.cluster.local`,
            );
        }
        // Without a credentials file and without ai-gateway:aws, rules/aws.ts reports the missing identity (and region) once.
        const reportedByAws = auth?.type === "AWSCredentials" && auth.credentialsSecret === undefined && config.aws === undefined;
        if (auth?.type === "AWSCredentials" && !reportedByAws && awsRegionOf(backend, config.aws?.region) === undefined) {
            ctx.add(at("auth", "region"), `is required: ${schema} requests are signed for a region and ai-gateway:aws.region is not set; set it, e.g. us-west-2`);
        }
        if (auth?.type === "AWSCredentials" && auth.profile !== undefined && auth.credentialsSecret === undefined) {
            ctx.add(at("auth", "profile"), "only applies to a credentials file; set auth.credentialsSecret or remove the profile");
        }

        if (schema === "AzureOpenAI" && backend.version === undefined) {
            ctx.add(at("version"), "is required for schema AzureOpenAI; set the Azure OpenAI API version, e.g. 2025-01-01-preview");
        } else if (backend.version !== undefined && !VERSION_SCHEMAS.includes(schema)) {
            const hint = PREFIX_SCHEMAS.includes(schema) ? " (set prefix for a different path)" : "";
            ctx.add(at("version"), `is not used by schema ${schema}; remove it${hint}`);
        }
        if (backend.prefix !== undefined && !PREFIX_SCHEMAS.includes(schema)) {
            ctx.add(at("prefix"), `is not used by schema ${schema}, only by OpenAI and Anthropic; remove it`);
        }

        // A credential over plain text outside the cluster is readable, and replayable, by anything on the path.
        const endpointHost = backend.hostname ?? (isAwsSchema(schema) ? "bedrock-runtime.<region>.amazonaws.com" : undefined);
        const tls = backend.tls ?? backend.port === 443;
        if (auth !== undefined && !tls && endpointHost !== undefined && !isInClusterHost(endpointHost) && !backend.allowPlainTextCredentials) {
            const where = backend.tls === false ? at("tls") : at("port");
            ctx.add(
                where,
                `sends the ${auth.type} credential to ${endpointHost} without TLS, readable by anything on the way; use TLS (port 443, or tls: true), or set allowPlainTextCredentials: true if the path is protected otherwise`,
            );
        } else if (backend.allowPlainTextCredentials && (auth === undefined || tls || (endpointHost !== undefined && isInClusterHost(endpointHost)))) {
            ctx.add(at("allowPlainTextCredentials"), "has nothing to allow: this backend sends no credential over plain text outside the cluster; remove it");
        }

        // `namespace` documents where an in-cluster service lives: it must agree with the host name.
        const inCluster = /^[^.]+\.([^.]+)\.svc(\.|$)/.exec(backend.hostname?.toLowerCase() ?? "");
        if (backend.namespace !== undefined && inCluster && inCluster[1] !== backend.namespace) {
            ctx.add(
                at("namespace"),
                `"${backend.namespace}" disagrees with hostname "${backend.hostname}", a service in namespace "${inCluster[1]}"; correct one of them`,
            );
        }
    }
};

/** A simulator speaks OpenAI's API and answers only the model names it was started with. */
export const simulatorBackends: Rule = (config, ctx) => {
    const simulated = Object.entries(config.backends).filter(([, b]) => b.simulator !== undefined);
    for (const [name, backend] of simulated) {
        if (backend.schema !== "OpenAI") ctx.add(["backends", name, "simulator"], `serves the OpenAI API only, not ${backend.schema}; set schema: OpenAI, or remove simulator`);
    }
    const names = new Set(simulated.map(([name]) => name));
    for (const [modelName, model] of Object.entries(config.models)) {
        if (model.match?.pattern === undefined) continue;
        model.backends.forEach((entry, i) => {
            if (!names.has(entry.backend) || entry.model !== undefined) return;
            ctx.warn(
                ["models", modelName, "backends", i, "model"],
                `is unset on a pattern model, so backend ${entry.backend}'s simulator gets the name the client sent and answers 404 to any name it was not started with; set model to the name it should answer`,
            );
        });
    }
};
