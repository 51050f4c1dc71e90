import { z } from "zod";
import { AI_GATEWAY, ENVOY_GATEWAY, INFERENCE_EXTENSION, REDIS } from "../versions";
import { controllerSchema } from "./controller";
import { chartVersion, dnsLabel, helmValues, hostname, port, resourceRequirements } from "./primitives";

/** What each key of one Helm release means, for the docs and the JSON Schema. */
interface HelmReleaseText {
    install: string;
    version: string;
    namespace: string;
    values: string;
    chart: string;
}

/** Longest chart location accepted (a URL or a folder path). */
const MAX_CHART_LOCATION = 2048;

/**
 * Where a release's charts come from instead of the upstream registry: a repository holding them under their
 * upstream names (an OCI registry path or a Helm repository URL, e.g. a mirror), or a local folder holding one
 * folder per chart, named as the chart (air-gapped installs). Exactly one of the two.
 */
export const chartSource = z
    .strictObject({
        repository: z
            .string()
            .max(MAX_CHART_LOCATION)
            .superRefine((v, ctx) => {
                const fail = (message: string) => ctx.addIssue({ code: "custom", message });
                // Never echo it: the part before "@" is a credential.
                if (/^[^/]*:\/\/[^/]*@/.test(v)) return fail("holds credentials; give the location only, and log in to the registry with `helm registry login` (OCI) or the repository's own means");
                if (!/^(oci|https?):\/\/[^/\s]+(\/[^\s]*)?$/.test(v)) return fail(`"${v}" is not an oci:// or https:// location; use e.g. oci://registry.example.com/envoyproxy or https://charts.example.com`);
                if (v.endsWith("/")) fail(`ends with "/"; remove it: the chart name is added to it`);
            })
            .optional()
            .describe("an OCI registry path (`oci://…`) or Helm repository URL (`https://…`) holding the charts under their upstream names, e.g. a mirror"),
        path: z
            .string()
            .min(1)
            .max(MAX_CHART_LOCATION)
            .optional()
            .describe("a local folder holding one folder per chart, named as the chart (relative to the project folder); each chart's `Chart.yaml` version must be the release's `version`"),
    })
    .superRefine((v, ctx) => {
        if ((v.repository === undefined) === (v.path === undefined)) {
            ctx.addIssue({ code: "custom", message: `${v.repository === undefined ? "names no source" : "names two sources"}; set exactly one of repository (where the charts are published) or path (a folder holding the chart folders)` });
        }
    });
export type ChartSource = z.output<typeof chartSource>;

function helmRelease(version: string, namespace: string, text: HelmReleaseText) {
    return z.strictObject({
        /** false: already on the cluster; only custom resources are created. */
        install: z.boolean().default(true).describe(text.install),
        version: chartVersion.default(version).describe(text.version),
        namespace: dnsLabel.default(namespace).describe(text.namespace),
        /** Extra Helm values merged last (user wins). */
        values: helmValues.default({}).describe(text.values),
        /** Where the charts come from, when not from the upstream registry. */
        chart: chartSource.optional().describe(text.chart),
    });
}

/** Rotations of the MCP session seed a stack may count up to (each one a generation of its random seed). */
export const MAX_SEED_ROTATION = 1_000_000;

/**
 * `host:port` of one Redis, as Envoy Gateway's `rateLimit.backend.redis.url` takes it: no scheme, no
 * credentials (the password belongs in apiKeys, named by passwordSecret), no list of nodes.
 */
const redisUrl = z.string().superRefine((v, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: "custom", message });
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v);
    const rest = scheme ? v.slice(scheme[0].length) : v;
    if (rest.includes("@")) {
        // Never echo it: the part before "@" is a credential.
        return fail("holds credentials; give only host:port here, put the password in ai-gateway:apiKeys and name it in platform.redis.passwordSecret");
    }
    const hostPort = rest.replace(/\/.*$/, "");
    if (scheme) {
        const tls = scheme[1].toLowerCase() === "rediss" ? " (TLS to Redis is not supported)" : "";
        return fail(`"${v}" has a scheme${tls}; Envoy Gateway takes host:port: use "${hostPort}"`);
    }
    if (v.includes(",")) return fail(`"${v}" lists several nodes, but only a single Redis is supported; give one host:port`);
    const m = /^(.+):(\d+)$/.exec(v);
    if (!m) return fail(`"${v}" has no port; use "${v}:6379" (or the port your Redis listens on)`);
    const port = Number(m[2]);
    if (port < 1 || port > 65535) return fail(`"${v}" has port ${port}, outside 1-65535; use the port your Redis listens on`);
    if (!hostname.safeParse(m[1]).success) fail(`"${m[1]}" is not a valid host name; use a DNS name such as redis.example.com`);
});

export const redisSchema = z.strictObject({
    install: z.boolean().default(true).describe("run the rate-limit Redis (only when `rateLimit.enabled`)"),
    namespace: dnsLabel.default(REDIS.namespace).describe("its namespace (created)"),
    image: z
        .string()
        .regex(/^(.+\/)?redis:8(\.\d+)*(-[a-z0-9.]+)?$/, "must be an official Redis 8 image; use redis:8.2-alpine or a newer 8.x tag")
        .default(REDIS.image)
        .describe("an official Redis 8.x image"),
    resources: resourceRequirements.default({
        requests: { cpu: "100m", memory: "128Mi" },
        limits: { cpu: "1", memory: "512Mi" },
    }).describe("container resources"),
    /** Where an existing Redis lives when `install: false` (host name; port below). */
    host: hostname.optional().describe("with `install: false`: host name of your Redis"),
    /** Or all of it at once, as Envoy Gateway takes it: `host:port` (`install: false`). */
    url: redisUrl.optional().describe("with `install: false`, instead of `host` and `port`: `host:port` of your Redis"),
    port: port.default(REDIS.port).describe("Redis port"),
    /** Key in ai-gateway:apiKeys holding the password of an existing Redis (`install: false`). */
    passwordSecret: z.string().min(1).optional().describe("with `install: false`: key in `apiKeys` holding its password"),
});

export const platformSchema = z.strictObject({
    envoyGateway: helmRelease(ENVOY_GATEWAY.version, ENVOY_GATEWAY.namespace, {
        install:
            "install Envoy Gateway: its CRDs (Gateway API, experimental channel, and Envoy Gateway's) from `oci://docker.io/envoyproxy/gateway-crds-helm`, rendered and applied server-side as upstream installs it (its Helm release record would exceed a Secret's 1 MiB), then the controller from `oci://docker.io/envoyproxy/gateway-helm` with `skipCrds` (Helm never upgrades a chart's `crds/`, so a version bump would leave old CRDs under a new controller); `false` = already on the cluster",
        version: "chart version",
        namespace: "namespace of the release (created)",
        values: "extra Helm values, merged last (maps deeply, lists replaced, `null` removes a key)",
        chart: "where `gateway-crds-helm` and `gateway-helm` come from instead of `oci://docker.io/envoyproxy`: `{repository: <oci:// or https:// location>}` or `{path: <folder holding both chart folders>}`",
    })
        .prefault({})
        .describe("The Envoy Gateway Helm releases (CRDs and controller)."),
    aiGateway: helmRelease(AI_GATEWAY.version, AI_GATEWAY.namespace, {
        install: "install `ai-gateway-crds-helm` and `ai-gateway-helm`",
        version: "version of both charts",
        namespace: "namespace of both releases (created); Envoy Gateway's extension-manager address is derived from it",
        values: "extra Helm values for `ai-gateway-helm`",
        chart: "where `ai-gateway-crds-helm` and `ai-gateway-helm` come from instead of `oci://docker.io/envoyproxy`: `{repository: <oci:// or https:// location>}` or `{path: <folder holding both chart folders>}`",
    })
        .extend({
            mcpSeedRotation: z
                .number()
                .int()
                .min(0)
                .max(MAX_SEED_ROTATION)
                .default(0)
                .describe(
                    "generation of the MCP session encryption seed, a random secret the program generates (the chart's default seed is public); raise it by one to rotate: a new seed encrypts new sessions and the previous one stays as the fallback, so open sessions survive one rotation",
                ),
            controller: controllerSchema
                .prefault({})
                .describe("the AI Gateway controller's operations, typed: each key is one value of `ai-gateway-helm`; `values` still wins over them (with a warning)"),
        })
        .prefault({})
        .describe("The Envoy AI Gateway Helm releases (CRDs and controller)."),
    redis: redisSchema.prefault({}).describe("The Redis that holds the rate-limit counters."),
    inferenceExtension: z
        .strictObject({
            install: z
                .boolean()
                .default(true)
                .describe(
                    "apply the Inference Extension CRDs (the release's `manifests.yaml`) before Envoy Gateway and the AI Gateway controller, which look for them at start; only when a backend has an `inferencePool`; `false` = already on the cluster",
                ),
            version: chartVersion
                .default(INFERENCE_EXTENSION.version)
                .describe("release of the CRDs and of the `inferencepool` chart each installed pool comes from"),
            chart: chartSource
                .optional()
                .describe(
                    `where the \`${INFERENCE_EXTENSION.chart}\` chart of each installed pool comes from instead of \`${INFERENCE_EXTENSION.repository}\`: \`{repository: <oci:// or https:// location>}\` or \`{path: <folder holding the ${INFERENCE_EXTENSION.chart} folder>}\``,
                ),
        })
        .prefault({})
        .describe("The Gateway API Inference Extension (InferencePool backends)."),
});

export type PlatformConfig = z.output<typeof platformSchema>;
export type RedisConfig = z.output<typeof redisSchema>;
