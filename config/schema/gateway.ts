import { z } from "zod";
import {
    affinitySchema,
    envVarSchema,
    intOrPercent,
    metadataFields,
    podSecurityContextSchema,
    securityContextSchema,
    tolerationSchema,
    volumeMountSchema,
    volumeSchema,
} from "./kubernetes";
import { dnsLabel, duration, hostname, intBetween, k8sName, port, quantity, resourceRequirements, stringMap } from "./primitives";

/**
 * `ai-gateway:gateway`: the Gateway and what configures it (GatewayClass, EnvoyProxy, ClientTrafficPolicy,
 * GatewayConfig). Keys follow the seed chart `ai-gateway-core`, with the same defaults; every resource
 * can be switched off with `enabled: false`.
 */

/** Envoy pods of one Gateway: a bound, so no typo asks the cluster for millions of pods. */
export const MAX_REPLICAS = 1000;

/** A listener host name: a DNS name, optionally with a leading wildcard label (`*.example.com`). */
const listenerHostname = z.string().superRefine((v, ctx) => {
    if (v.startsWith("*.")) {
        const rest = hostname.safeParse(v.slice(2));
        if (!rest.success) ctx.addIssue({ code: "custom", message: `"${v}" is not a valid host name; use a DNS name such as llm.example.com or *.example.com` });
        return;
    }
    const result = hostname.safeParse(v);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
});

export const listenerSchema = z.strictObject({
    name: k8sName,
    protocol: z.enum(["HTTP", "HTTPS"]),
    port: port,
    hostname: listenerHostname.optional(),
    tls: z
        .strictObject({
            certificateRefs: z
                .array(z.strictObject({ name: k8sName, namespace: dnsLabel.optional() }))
                .min(1, "is empty; name at least one TLS Secret, e.g. [{name: ai-gateway-tls}]"),
        })
        .optional(),
    allowedRoutes: z
        .strictObject({
            namespaces: z.strictObject({
                from: z.enum(["Same", "All", "Selector"]),
                /** Namespaces whose labels match, with `from: Selector`. */
                selector: z.strictObject({ matchLabels: stringMap }).optional(),
            }),
        })
        .optional(),
});

const IPV4 = /^((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$/;

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;

const passthrough = z.record(z.string(), z.unknown());

export const envoyProxySchema = z.strictObject({
    /** false: no EnvoyProxy, and the Gateway has no parametersRef (Envoy Gateway's defaults apply). */
    enabled: z.boolean().default(true),
    ...metadataFields,
    replicas: intBetween(1, MAX_REPLICAS, `must be at most ${MAX_REPLICAS}; lower it`).default(1),
    // Container settings of the envoy container.
    resources: resourceRequirements.default({}),
    securityContext: securityContextSchema.optional(),
    env: z.array(envVarSchema).default([]),
    volumeMounts: z.array(volumeMountSchema).default([]),
    pod: z
        .strictObject({
            ...metadataFields,
            securityContext: podSecurityContextSchema.optional(),
            tolerations: z.array(tolerationSchema).default([]),
            nodeSelector: stringMap.default({}),
            affinity: affinitySchema.optional(),
            volumes: z.array(volumeSchema).default([]),
        })
        .prefault({}),
    service: z
        .strictObject({
            type: z.enum(["ClusterIP", "LoadBalancer", "NodePort"]).default("LoadBalancer"),
            annotations: stringMap.default({}),
            loadBalancerIP: z.string().regex(IPV4, "is not an IPv4 address; use e.g. 203.0.113.10").optional(),
            externalTrafficPolicy: z.enum(["Local", "Cluster"]).optional(),
        })
        .prefault({}),
    hpa: z
        .strictObject({
            enabled: z.boolean().default(false),
            /** Defaults to `replicas`. */
            minReplicas: intBetween(1, MAX_REPLICAS, `must be at most ${MAX_REPLICAS}; lower it`).optional(),
            maxReplicas: intBetween(1, MAX_REPLICAS, `must be at most ${MAX_REPLICAS}; lower it`).optional(),
            /** autoscaling/v2 MetricSpecs; none = CPU utilization 80%. */
            metrics: z.array(z.looseObject({ type: z.enum(["Resource", "Pods", "Object", "External", "ContainerResource"]) })).optional(),
            behavior: passthrough.optional(),
        })
        .prefault({}),
    pdb: z
        .strictObject({
            enabled: z.boolean().default(false),
            minAvailable: intOrPercent.optional(),
            /** Defaults to 1 when neither is set. */
            maxUnavailable: intOrPercent.optional(),
        })
        .prefault({}),
    logging: z.strictObject({ level: z.enum(LOG_LEVELS).default("info") }).prefault({}),
    shutdown: z
        .strictObject({ drainTimeout: duration.default("30s"), minDrainDuration: duration.default("5s") })
        .prefault({}),
    /** EnvoyProxy `spec.telemetry` sections, passed as they are. */
    telemetry: z
        .strictObject({ accessLog: passthrough.optional(), metrics: passthrough.optional(), tracing: passthrough.optional() })
        .prefault({}),
    /** EnvoyProxy `spec.bootstrap`, passed as it is. */
    bootstrap: z
        .strictObject({ type: z.enum(["Merge", "Replace", "JSONPatch"]).optional(), value: z.string().optional(), jsonPatches: z.array(passthrough).optional() })
        .optional(),
    /** Pins the proxies' ServiceAccount name (IRSA / EKS Pod Identity bind to it); unset = Envoy Gateway generates one. */
    serviceAccountName: dnsLabel.optional(),
});

export const TLS_VERSIONS = ["Auto", "1.0", "1.1", "1.2", "1.3"] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** A TLS version; YAML reads an unquoted 1.2 as a number, so numbers are taken too. */
const tlsVersion = z
    .union([z.string(), z.number()], { error: 'must be a TLS version; use "1.2" or "1.3"' })
    .transform((v) => (typeof v === "number" ? v.toFixed(1) : v))
    .superRefine((v, ctx) => {
        if (!(TLS_VERSIONS as readonly string[]).includes(v)) {
            ctx.addIssue({ code: "custom", message: `"${v}" is not a TLS version; use "1.2" or "1.3" ("Auto", "1.0" and "1.1" also exist)` });
        }
    })
    .transform((v) => v as TlsVersion);

const headerList = z.array(z.strictObject({ name: z.string().min(1, "is empty; name the header"), value: z.string() }));
const headerModifications = z.strictObject({
    add: headerList.optional(),
    set: headerList.optional(),
    addIfAbsent: headerList.optional(),
    remove: z.array(z.string().min(1)).optional(),
});

/** Envoy accepts HTTP/2 flow-control windows from 64 KiB - 1 to 2 GiB - 1 bytes. */
const MIN_H2_WINDOW = 65_535;
const MAX_H2_WINDOW = 2_147_483_647;
const BYTE_UNITS: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };

/** An HTTP/2 window: whole bytes (`16Mi`, `65536`) within what Envoy accepts. */
const h2Window = z
    .union([z.string(), z.number()], { error: "must be a size; use a value such as 16Mi or 65536" })
    .superRefine((v, ctx) => {
        const m = /^([1-9][0-9]*)(Ki|Mi|Gi|k|M|G)?$/.exec(String(v));
        if (!m) {
            ctx.addIssue({ code: "custom", message: `"${v}" is not a whole number of bytes; use a value such as 16Mi or 65536` });
            return;
        }
        const bytes = Number(m[1]) * BYTE_UNITS[m[2] ?? ""];
        if (bytes < MIN_H2_WINDOW || bytes > MAX_H2_WINDOW) {
            ctx.addIssue({ code: "custom", message: `${v} is outside what Envoy accepts; use 64Ki to 2047Mi` });
        }
    })
    .transform((v) => String(v));

export const clientTrafficSchema = z.strictObject({
    /** false: no ClientTrafficPolicy (Envoy's 32 KiB buffer and default timeouts apply). */
    enabled: z.boolean().default(true),
    ...metadataFields,
    /** Large prompts need more than Envoy's 32 KiB default. */
    bufferLimit: quantity.default("50Mi"),
    timeout: z
        .strictObject({
            /** Closes a client connection that has had no active request this long (Envoy default 1h). */
            connectionIdle: duration.optional(),
            /** Time to receive the whole request. */
            requestReceived: duration.optional(),
            /** Time a stream may go without any activity (Envoy default 5m). */
            streamIdle: duration.optional(),
        })
        .prefault({}),
    /**
     * HTTP/2 flow-control windows. With Envoy's defaults (64 KiB per stream, 1 MiB per connection) a large
     * request body over HTTP/2 gets a 413 whatever bufferLimit says; upstream recommends 16Mi and 24Mi.
     */
    http2: z
        .strictObject({
            initialStreamWindowSize: h2Window.default("16Mi"),
            initialConnectionWindowSize: h2Window.default("24Mi"),
        })
        .prefault({}),
    /** Applies to HTTPS listeners. */
    tls: z
        .strictObject({
            minVersion: tlsVersion.optional(),
            maxVersion: tlsVersion.optional(),
            ciphers: z.array(z.string().min(1)).optional(),
            alpnProtocols: z.array(z.enum(["http/1.0", "http/1.1", "h2"])).optional(),
        })
        .prefault({}),
    headers: z
        .strictObject({
            requestID: z.enum(["PreserveOrGenerate", "Preserve", "Generate", "Disable"]).optional(),
            preserveXRequestID: z.boolean().optional(),
            withUnderscoresAction: z.enum(["Allow", "RejectRequest", "DropHeader"]).optional(),
            enableEnvoyHeaders: z.boolean().optional(),
            disableRateLimitHeaders: z.boolean().optional(),
            earlyRequestHeaders: headerModifications.optional(),
            lateResponseHeaders: headerModifications.optional(),
        })
        .prefault({}),
    path: z
        .strictObject({
            disableMergeSlashes: z.boolean().optional(),
            escapedSlashesAction: z.enum(["KeepUnchanged", "RejectRequest", "UnescapeAndForward", "UnescapeAndRedirect"]).optional(),
        })
        .prefault({}),
    /** Envoy answers this path itself, for load-balancer health checks. */
    healthCheck: z
        .strictObject({ path: z.string().regex(/^\/\S*$/, "is not a path; use a path starting with '/', e.g. /healthz") })
        .optional(),
});

export const gatewayConfigSchema = z.strictObject({
    /** false: no GatewayConfig, and the Gateway carries no gateway-config annotation. */
    enabled: z.boolean().default(true),
    ...metadataFields,
    extProc: z
        .strictObject({
            env: z.array(envVarSchema).default([]),
            resources: resourceRequirements.default({}),
        })
        .prefault({}),
    /**
     * An HTTP CONNECT proxy every upstream LLM connection goes through (corporate egress). The AI Gateway
     * supports neither authentication nor TLS to the proxy: `host:port` only.
     */
    forwardProxy: z
        .strictObject({
            address: z.string().superRefine((v, ctx) => {
                if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.includes("@")) {
                    // Never echo it: user info is a credential.
                    ctx.addIssue({ code: "custom", message: "must be host:port only: the AI Gateway connects to the proxy without a scheme, credentials or TLS; e.g. proxy.corp.example.com:3128" });
                    return;
                }
                const m = /^(.+):(\d{1,5})$/.exec(v);
                const port = m ? Number(m[2]) : 0;
                if (!m || port < 1 || port > 65535 || !hostname.safeParse(m[1]).success) {
                    ctx.addIssue({ code: "custom", message: `"${v}" is not host:port; use e.g. proxy.corp.example.com:3128` });
                }
            }),
        })
        .optional(),
});

export const gatewayClassSchema = z.strictObject({
    /** false: use an existing GatewayClass named `className`. */
    enabled: z.boolean().default(true),
    /** Defaults to the controller name Envoy Gateway is installed with. */
    controllerName: z
        .string()
        .regex(/^[a-z0-9.-]+\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$/, "is not a controller name; use <domain>/<path>, e.g. gateway.envoyproxy.io/gatewayclass-controller")
        .optional(),
    ...metadataFields,
});

export const gatewaySchema = z.strictObject({
    name: dnsLabel.default("ai-gateway"),
    namespace: dnsLabel.default("ai-gateway"),
    className: k8sName.default("ai-gateway"),
    /** false: use an existing Gateway named `name` in `namespace`; the policies still attach to it. */
    enabled: z.boolean().default(true),
    ...metadataFields,
    listeners: z
        .array(listenerSchema)
        .min(1, "is empty; add at least one listener, e.g. {name: http, protocol: HTTP, port: 80}")
        .default([{ name: "http", protocol: "HTTP", port: 80 }]),
    /** Reference the EnvoyProxy from the Gateway (`spec.infrastructure.parametersRef`). */
    infrastructure: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
    /** Answer every request on the HTTP listeners with a 301 to HTTPS. */
    redirectToHttps: z.boolean().default(false),
    /**
     * `pulumi up` waits until Envoy Gateway reports the Gateway Programmed (Envoy running, an address
     * assigned), so that the address and first-call outputs work when it returns.
     */
    waitUntilProgrammed: z.boolean().default(true),
    gatewayClass: gatewayClassSchema.prefault({}),
    envoyProxy: envoyProxySchema.prefault({}),
    clientTraffic: clientTrafficSchema.prefault({}),
    gatewayConfig: gatewayConfigSchema.prefault({}),
});

export type GatewayConfig = z.output<typeof gatewaySchema>;
export type ListenerConfig = z.output<typeof listenerSchema>;
export type EnvoyProxyConfig = z.output<typeof envoyProxySchema>;
export type ClientTrafficConfig = z.output<typeof clientTrafficSchema>;
export type GatewayConfigSettings = z.output<typeof gatewayConfigSchema>;
