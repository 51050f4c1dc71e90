import { AI_GATEWAY_METADATA_NAMESPACE, MODEL_HEADER } from "../../config/aiMetadata";
import { identityHeaders } from "../identity";
import { type AuthType, awsRegionOf, backendUsesTls, type BackendAuthConfig, EXT_AUTHZ_METADATA_NAMESPACE, isAwsSchema, isInClusterHost, type SchemaName } from "../../config/schema";
import { INFERENCE_EXTENSION } from "../../config/versions";
import { inferencePoolName, backendNames, MCP_GENERATED_PREFIX } from "../names";
import type { Rule, RuleContext } from "../../config/rules/types";
import { headerNameProblem } from "../../config/policies/headers";

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
        const kubernetesName = backendNames(config.gateway.name, name, auth).backend;
        if (kubernetesName.startsWith(MCP_GENERATED_PREFIX)) {
            ctx.add(
                ["backends", name],
                `names the Backend ${kubernetesName}, and names starting with ${MCP_GENERATED_PREFIX} are the AI Gateway controller's own (its MCP proxy's); give the backend (or gateway.name) another name`,
            );
        }

        const required = REQUIRED_AUTH[schema];
        if (required && auth === undefined) {
            ctx.add(at("auth"), `is required for schema ${schema}; add auth with type ${quoted(required)}`);
        } else if (required && auth !== undefined && !required.includes(auth.type)) {
            ctx.add(at("auth", "type"), `"${auth.type}" cannot authenticate ${schema} requests; use ${quoted(required)}`);
        }

        if (backend.hostname === undefined && !isAwsSchema(schema) && backend.inferencePool === undefined) {
            ctx.add(
                at("hostname"),
                `is required for schema ${schema}; set the provider's host name (e.g. api.openai.com) or, for an in-cluster model, <service>.<namespace>.svc.cluster.local`,
            );
        }
        credentialSources(auth, at("auth"), ctx);
        // On the default chain without ai-gateway:aws, rules/aws.ts reports the missing identity (and region) once.
        const reportedByAws = auth?.type === "AWSCredentials" && auth.credentialsSecret === undefined && auth.oidcExchange === undefined && config.aws === undefined;
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
        const tls = backendUsesTls(backend);
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

/** The credential sources of one auth, of which the AI Gateway takes one: two are an error, not a guess. */
function credentialSources(auth: BackendAuthConfig | undefined, at: (string | number)[], ctx: RuleContext): void {
    if (auth?.type === "AWSCredentials" && auth.credentialsSecret !== undefined && auth.oidcExchange !== undefined) {
        ctx.add([...at, "oidcExchange"], "cannot be used together with credentialsSecret: requests are signed with one AWS identity; remove one of them");
    }
    if (auth?.type === "AzureCredentials") {
        if (auth.secret === undefined && auth.oidcExchange === undefined) {
            ctx.add(at, "needs exactly one credential source; set secret (the key of ai-gateway:apiKeys holding the client secret) or oidcExchange (an OpenID provider the application trusts)");
        } else if (auth.secret !== undefined && auth.oidcExchange !== undefined) {
            ctx.add([...at, "oidcExchange"], "cannot be used together with secret: the application signs in one way; remove one of them");
        }
    }
    if (auth?.type === "GCPCredentials" && auth.secret !== undefined && auth.workloadIdentityFederation !== undefined) {
        ctx.add([...at, "workloadIdentityFederation"], "cannot be used together with secret: Vertex AI is called with one identity; remove one of them");
    }
}

/** Default `fromRequestHeaders` header per credential type (for AWS a prefix of three headers). */
export const DEFAULT_CREDENTIAL_HEADERS: { readonly [T in AuthType]: string } = {
    APIKey: "x-aigw-api-key",
    AnthropicAPIKey: "x-aigw-anthropic-api-key",
    AzureAPIKey: "x-aigw-azure-api-key",
    AzureCredentials: "x-aigw-azure-access-token",
    GCPCredentials: "x-aigw-gcp-access-token",
    AWSCredentials: "x-aigw-aws-",
};

/** The request headers an AWS override reads: three under the prefix. */
const AWS_HEADER_SUFFIXES = ["access-key-id", "secret-access-key", "session-token"];

/** The request headers (lower-case) a `fromRequestHeaders` override reads, which the AI Gateway removes before forwarding. */
export function credentialHeaderNames(type: AuthType, header: string | undefined): string[] {
    const base = (header ?? DEFAULT_CREDENTIAL_HEADERS[type]).toLowerCase();
    // For AWS the header is a prefix of three.
    return type === "AWSCredentials" ? AWS_HEADER_SUFFIXES.map((s) => base + s) : [base];
}

/**
 * Per-request credentials: a source something trustworthy writes, a header nothing else in the gateway
 * reads, writes, logs or forwards elsewhere.
 */
export const credentialOverrides: Rule = (config, ctx) => {
    const extAuth = config.auth.extAuth;
    const writtenByExtAuth = new Set((extAuth?.headersToBackend ?? []).map((h) => h.toLowerCase()));
    // Headers with a meaning of their own: the client's identity (verified or claimed), the user budgets and logs count, the model.
    // (The authorization service's headers are judged by setBy below.)
    const identity = new Set([
        ...identityHeaders({ ...config.auth, extAuth: undefined }),
        config.rateLimit.userHeader.toLowerCase(),
        MODEL_HEADER,
        ...(config.auth.apiKeys ? [config.auth.apiKeys.header.toLowerCase()] : []),
    ]);
    for (const [name, backend] of Object.entries(config.backends)) {
        const override = backend.credentialOverride;
        if (override === undefined) continue;
        const at = (...path: (string | number)[]) => ["backends", name, "credentialOverride", ...path];
        const auth = backend.auth;
        if (auth === undefined) {
            ctx.add(at(), "needs auth: the override replaces the credential of auth.type for a request; set auth (with the credential used when a request carries none), or remove credentialOverride");
            continue;
        }

        const metadata = override.fromDynamicMetadata;
        if (metadata !== undefined) {
            if (metadata.namespace === AI_GATEWAY_METADATA_NAMESPACE) {
                ctx.add(at("fromDynamicMetadata", "namespace"), `is the AI Gateway's own namespace, written from the request and read by the access log; use the namespace of the filter that writes the credential, e.g. ${EXT_AUTHZ_METADATA_NAMESPACE}`);
            } else if (metadata.namespace === EXT_AUTHZ_METADATA_NAMESPACE && extAuth === undefined) {
                ctx.add(at("fromDynamicMetadata", "namespace"), `is written by the external authorization filter, but auth.extAuth is not set, so nothing writes it; set auth.extAuth (its service returns the credential as dynamic metadata), or use fromRequestHeaders with setBy: client`);
            } else if (metadata.namespace === EXT_AUTHZ_METADATA_NAMESPACE && extAuth?.protocol === "HTTP") {
                // Envoy takes metadata from an HTTP service's answer only through dynamic_metadata_from_headers, which Envoy Gateway never sets.
                ctx.add(
                    at("fromDynamicMetadata", "namespace"),
                    "is written by the external authorization filter only from a gRPC service's answer, and auth.extAuth.protocol is HTTP, so nothing writes it; use protocol: GRPC (its CheckResponse carries dynamic_metadata), or fromRequestHeaders with setBy: extAuth",
                );
            } else if (metadata.namespace !== EXT_AUTHZ_METADATA_NAMESPACE) {
                ctx.warn(
                    at("fromDynamicMetadata", "namespace"),
                    `"${metadata.namespace}" is written by no filter the program configures; make sure a filter of yours writes it on every request, or requests ${metadata.fallbackToConfigured ? "use the configured credential" : "are refused with 401"}`,
                );
            }
        }

        const headers = override.fromRequestHeaders;
        if (headers === undefined) continue;
        const names = credentialHeaderNames(auth.type, headers.header);
        const headerAt = headers.header !== undefined ? at("fromRequestHeaders", "header") : at("fromRequestHeaders");
        const clash = names.find((h) => headerNameProblem(h, "copy") !== undefined || identity.has(h));
        if (clash !== undefined) {
            ctx.add(
                headerAt,
                `"${clash}" already carries the request, the client's identity, the user or the model (and some of these are logged); name a header of its own, e.g. ${DEFAULT_CREDENTIAL_HEADERS[auth.type]}`,
            );
            continue;
        }
        const mutated = names.find((h) => mutates(backend.headers, h) || Object.values(config.models).some((m) => m.backends.some((e) => e.backend === name && mutates(e.headers, h))));
        if (mutated !== undefined) {
            ctx.add(headerAt, `"${mutated}" is also set or removed by a headers mutation of this backend or its models; remove it from the mutation (the AI Gateway removes the credential header itself)`);
        }

        const setByAt = at("fromRequestHeaders", "setBy");
        if (headers.setBy === "extAuth") {
            if (extAuth === undefined) {
                ctx.add(setByAt, "is extAuth, but auth.extAuth is not set; set auth.extAuth with the header in its headersToBackend, or use setBy: client for keys the clients send");
            } else if (!names.every((h) => writtenByExtAuth.has(h))) {
                ctx.add(setByAt, `is extAuth, but auth.extAuth.headersToBackend does not list ${names.filter((h) => !writtenByExtAuth.has(h)).join(", ")}, so a client's own copy would reach the backend as the credential; add it to headersToBackend (whose client copies are removed)`);
            } else if (!config.gateway.clientTraffic.enabled) {
                ctx.add(setByAt, "is extAuth, but gateway.clientTraffic.enabled is false, so the client's copy of the header is not removed before authorization; enable clientTraffic, or use fromDynamicMetadata");
            }
            // The authorization service answers every request, passthrough ones too: the credential would reach those services.
            const passthrough = Object.keys(config.passthrough);
            if (extAuth !== undefined && passthrough.length > 0) {
                ctx.add(
                    setByAt,
                    `is extAuth, whose headers are set on every request of the gateway, so passthrough routes (${passthrough.sort().join(", ")}) would forward the provider credential to their services; use fromDynamicMetadata (metadata never leaves Envoy), or remove the passthrough routes`,
                );
            }
        } else {
            const stripped = names.find((h) => writtenByExtAuth.has(h));
            if (stripped !== undefined) {
                ctx.add(setByAt, `is client, but "${stripped}" is in auth.extAuth.headersToBackend, whose client copies are removed; use setBy: extAuth, or a header the authorization service does not write`);
            }
            // gRPC checks carry every request header unless headersToExtAuth narrows them.
            const toService = extAuth?.headersToExtAuth?.map((h) => h.toLowerCase());
            const sent = extAuth !== undefined && names.some((h) => (toService === undefined ? extAuth.protocol === "GRPC" : toService.includes(h)));
            if (stripped === undefined && sent) {
                ctx.warn(
                    headerAt,
                    "reaches the authorization service of auth.extAuth with every check (clients' own provider keys); make sure it never logs them, or set auth.extAuth.headersToExtAuth to the headers it needs",
                );
            }
        }
        if (auth.type === "AWSCredentials") {
            ctx.warn(
                at("fromRequestHeaders"),
                "carries an AWS secret access key in request headers, which clients can set and proxies in front may log; prefer fromDynamicMetadata, written by your authorization service",
            );
        }
    }
};

function mutates(m: { set?: Record<string, string>; remove?: string[] } | undefined, header: string): boolean {
    return Object.keys(m?.set ?? {}).some((h) => h.toLowerCase() === header) || (m?.remove ?? []).some((h) => h.toLowerCase() === header);
}

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

/**
 * InferencePool backends (upstream's rules, AI Gateway v1.1.0): a pool speaks OpenAI, and a rule references
 * at most one pool and nothing else, so a model routed to a pool has it as its only backend; what a pool
 * ignores is refused. The platform installed elsewhere must accept pools: warned, since the program cannot see it.
 */
export const inferencePoolBackends: Rule = (config, ctx) => {
    const pools = Object.keys(config.backends).filter((name) => config.backends[name].inferencePool !== undefined);
    if (pools.length === 0) {
        const { install, version } = config.platform.inferenceExtension;
        const set = [...(install ? [] : ["install"]), ...(version !== INFERENCE_EXTENSION.version ? ["version"] : [])];
        for (const key of set) {
            ctx.warn(["platform", "inferenceExtension", key], "has no effect: no backend has an inferencePool, so nothing of the Inference Extension is installed; remove it, or add a backend with inferencePool");
        }
        return;
    }
    const isPool = (backend: string) => Object.hasOwn(config.backends, backend) && config.backends[backend].inferencePool !== undefined;
    const installed = new Map<string, string>();
    for (const name of pools) {
        const backend = config.backends[name];
        const pool = backend.inferencePool!;
        if (backend.schema !== "OpenAI") {
            ctx.add(["backends", name, "schema"], `is ${backend.schema}, but the AI Gateway sends an InferencePool OpenAI requests (it takes every pool for an OpenAI server); set schema: OpenAI (vLLM, KServe and Triton serve it)`);
        }
        if (pool.name === undefined) installed.set(inferencePoolName(config.gateway.name, name, pool), name);
    }
    for (const name of pools) {
        const existing = config.backends[name].inferencePool!.name;
        const owner = existing === undefined ? undefined : installed.get(existing);
        if (owner !== undefined) {
            ctx.add(["backends", name, "inferencePool", "name"], `"${existing}" is the pool the program installs for backend ${owner}; route to backend ${owner} instead, or name another pool`);
        }
    }

    for (const [model, spec] of Object.entries(config.models)) {
        const entries = spec.backends.map((ref, i) => ({ ref, i, pool: isPool(ref.backend) }));
        const poolEntries = entries.filter((e) => e.pool);
        if (poolEntries.length === 0) continue;
        const others = entries.filter((e) => !e.pool);
        const names = (es: typeof entries) => es.map((e) => `"${e.ref.backend}"`).join(", ");
        if (others.length > 0) {
            ctx.add(
                ["models", model, "backends"],
                `mixes the InferencePool backend ${names(poolEntries)} with ${names(others)} in one rule, which the AI Gateway refuses (no fallback or weights between a pool and other backends); route this model to the pool only (the pool spreads requests over its pods), and give the others a model of their own`,
            );
        } else if (poolEntries.length > 1) {
            ctx.add(
                ["models", model, "backends"],
                `lists the InferencePool backends ${names(poolEntries)}, and one rule takes at most one pool; route this model to one pool (put every model server behind it), and give the others a model of their own`,
            );
        }
        for (const { ref, i } of poolEntries) {
            for (const key of ["weight", "priority"] as const) {
                if (ref[key] !== undefined) ctx.add(["models", model, "backends", i, key], `has no effect: an InferencePool is its model's only backend, and its Endpoint Picker chooses among the pods; remove ${key}`);
            }
            for (const key of ["headers", "body"] as const) {
                if (ref[key] !== undefined) ctx.add(["models", model, "backends", i, key], `is ignored by the AI Gateway for an InferencePool (it applies mutations to AIServiceBackends only); remove ${key}`);
            }
        }
    }

    const list = pools.sort().join(", ");
    if (!config.platform.envoyGateway.install) {
        ctx.warn(
            ["platform", "envoyGateway", "install"],
            `is false and backends ${list} route to InferencePools; make sure that Envoy Gateway lists {group: ${INFERENCE_EXTENSION.group}, kind: ${INFERENCE_EXTENSION.kind}, version: v1} in config.envoyGateway.extensionManager.backendResources and was restarted since, or its routes to the pools find no backend`,
        );
    }
    if (!config.platform.aiGateway.install) {
        ctx.warn(
            ["platform", "aiGateway", "install"],
            `is false and backends ${list} route to InferencePools; make sure the AI Gateway controller was (re)started after the InferencePool CRD was applied, since it looks for the CRD only when it starts`,
        );
    }
};
