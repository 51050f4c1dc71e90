import { isIPv6 } from "node:net";
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
import { clientIPSchema, connectionLimitSchema, proxyProtocolSchema, tcpKeepaliveSchema } from "./clientTraffic";
import { doc } from "./docs";
import { byteSize, dnsLabel, duration, headerFor, headerValue, hostname, intBetween, k8sName, port, quantity, resourceRequirements, stringMap } from "./primitives";

/**
 * `ai-gateway:gateway`: the Gateway and what configures it (GatewayClass, EnvoyProxy, ClientTrafficPolicy,
 * GatewayConfig). Keys follow the seed chart `ai-gateway-core`, with the same defaults; every resource
 * can be switched off with `enabled: false`.
 */

/** Envoy pods of one Gateway: a bound, so no typo asks the cluster for millions of pods. */
export const MAX_REPLICAS = 1000;

/** A listener or route host name: a DNS name, optionally with a leading wildcard label (`*.example.com`). */
export const listenerHostname = z.string().superRefine((v, ctx) => {
    if (v.startsWith("*.")) {
        const rest = hostname.safeParse(v.slice(2));
        if (!rest.success) ctx.addIssue({ code: "custom", message: `"${v}" is not a valid host name; use a DNS name such as llm.example.com or *.example.com` });
        return;
    }
    const result = hostname.safeParse(v);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
});

export const listenerSchema = z.strictObject({
    name: k8sName.describe("listener name, unique in the Gateway"),
    protocol: z.enum(["HTTP", "HTTPS"]).describe("`HTTP`, or `HTTPS` (TLS terminated at the Gateway; needs `tls.certificateRefs`)"),
    port: port.describe("port the listener accepts connections on; one protocol per port"),
    hostname: listenerHostname.optional().describe("host name the listener answers for; may start with `*.`"),
    tls: z
        .strictObject({
            certificateRefs: z
                .array(
                    z.strictObject({
                        name: k8sName.describe("name of a `kubernetes.io/tls` Secret"),
                        namespace: dnsLabel.optional().describe("its namespace (another than the gateway's needs a ReferenceGrant); default: the gateway namespace"),
                    }),
                )
                .min(1, "is empty; name at least one TLS Secret, e.g. [{name: ai-gateway-tls}]")
                .describe("the TLS Secrets of the listener; they must exist"),
        })
        .optional()
        .describe("TLS of an HTTPS listener"),
    allowedRoutes: z
        .strictObject({
            namespaces: z
                .strictObject({
                    from: z.enum(["Same", "All", "Selector"]).describe("`Same`, `All`, or `Selector` (namespaces whose labels match `selector`)"),
                    /** Namespaces whose labels match, with `from: Selector`. */
                    selector: z
                        .strictObject({ matchLabels: stringMap.describe("labels a namespace must carry") })
                        .optional()
                        .describe("with `from: Selector`: which namespaces"),
                })
                .describe("namespaces whose routes may attach"),
        })
        .optional()
        .describe("which routes may attach to the listener"),
});

const IPV4 = /^((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$/;

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;

const passthrough = z.record(z.string(), z.unknown());

export const envoyProxySchema = z.strictObject({
    /** false: no EnvoyProxy, and the Gateway has no parametersRef (Envoy Gateway's defaults apply). */
    enabled: z.boolean().default(true).describe("create the EnvoyProxy; `false` = Envoy Gateway's defaults"),
    ...metadataFields("the EnvoyProxy"),
    replicas: intBetween(1, MAX_REPLICAS, `must be at most ${MAX_REPLICAS}; lower it`)
        .default(1)
        .describe("Envoy pods (at least 1); with the HPA on it becomes the HPA's floor and the Deployment gets no fixed count (Envoy Gateway would re-apply it on every reconcile, undoing each scale-up)"),
    // Container settings of the envoy container.
    resources: resourceRequirements.default({}).describe("`requests`/`limits` of the envoy container"),
    securityContext: securityContextSchema.optional().meta(
        doc(
            "security context of the envoy container; your fields are merged over that default (capabilities and seccomp field by field), so setting one field (e.g. `readOnlyRootFilesystem: true`) keeps the others' protection, where Envoy Gateway would replace the whole default",
            { row: true, default: "(Envoy Gateway's: non-root 65532, no privilege escalation, drop `ALL`, seccomp `RuntimeDefault`)" },
        ),
    ),
    env: z
        .array(envVarSchema)
        .default([])
        .describe("env of the envoy container (`{name, value}` or `{name, valueFrom: {secretKeyRef|configMapKeyRef|fieldRef}}`)"),
    volumeMounts: z.array(volumeMountSchema).default([]).describe("mounts of the envoy container; each names one of `pod.volumes`"),
    /** Privileged settings (privileged, root, powerful capabilities, host paths) are refused unless this says they are meant. */
    allowPrivileged: z
        .boolean()
        .default(false)
        .describe(
            "`true` accepts privileged settings of the Envoy pods (`securityContext.privileged`, `runAsUser: 0`, `allowPrivilegeEscalation`, capabilities such as `SYS_ADMIN` or `NET_ADMIN`, `procMount: Unmasked`, `hostPath` volumes), with a warning; they face every client, so without it those settings are refused",
        ),
    pod: z
        .strictObject({
            ...metadataFields("the Envoy pods"),
            securityContext: podSecurityContextSchema.optional().meta(doc("pod security context", { row: true })),
            tolerations: z.array(tolerationSchema).default([]).describe("pod tolerations"),
            nodeSelector: stringMap.default({}).describe("pod node selector"),
            affinity: affinitySchema
                .optional()
                .meta(
                    doc(
                        "`nodeAffinity`, `podAffinity`, `podAntiAffinity` as in a Pod spec (Envoy pods carry the labels `gateway.envoyproxy.io/owning-gateway-name` and `-namespace`)",
                        { row: true },
                    ),
                ),
            volumes: z.array(volumeSchema).default([]).describe("pod volumes as in a Pod spec"),
        })
        .prefault({})
        .describe("the Envoy pods"),
    service: z
        .strictObject({
            type: z.enum(["ClusterIP", "LoadBalancer", "NodePort"]).default("LoadBalancer").describe("`LoadBalancer`, `NodePort` or `ClusterIP`"),
            annotations: stringMap.default({}).describe("Service annotations (cloud load-balancer settings)"),
            loadBalancerIP: z.string().regex(IPV4, "is not an IPv4 address; use e.g. 203.0.113.10").optional().describe("IPv4 address, type `LoadBalancer` only"),
            externalTrafficPolicy: z
                .enum(["Local", "Cluster"])
                .optional()
                .meta(doc("`Local` keeps client IPs, `Cluster` spreads over nodes", { default: "(Envoy Gateway: `Local`)" })),
        })
        .prefault({})
        .describe("the Service in front of the Envoy pods"),
    hpa: z
        .strictObject({
            enabled: z.boolean().default(false).describe("a HorizontalPodAutoscaler (`envoyHpa`)"),
            /** Defaults to `replicas`. */
            minReplicas: intBetween(1, MAX_REPLICAS, `must be at most ${MAX_REPLICAS}; lower it`)
                .optional()
                .meta(doc("the fewest Envoy pods the HPA keeps", { default: "`replicas`" })),
            maxReplicas: intBetween(1, MAX_REPLICAS, `must be at most ${MAX_REPLICAS}; lower it`)
                .optional()
                .describe("the most Envoy pods; required when on; at least the minimum"),
            /** autoscaling/v2 MetricSpecs; none = CPU utilization 80%. */
            metrics: z
                .array(
                    z.looseObject({
                        type: z.enum(["Resource", "Pods", "Object", "External", "ContainerResource"]).describe("autoscaling/v2 metric source type"),
                    }),
                )
                .optional()
                .meta(doc("autoscaling/v2 `metrics` and `behavior`, passed as they are", { default: "CPU utilization 80%" })),
            behavior: passthrough.optional().meta(doc("autoscaling/v2 `behavior` (scale-up and scale-down policies), passed as it is", { join: true })),
        })
        .prefault({})
        .describe("autoscaling of the Envoy pods"),
    pdb: z
        .strictObject({
            enabled: z.boolean().default(false).describe("a PodDisruptionBudget (`envoyPDB`)"),
            minAvailable: intOrPercent
                .optional()
                .describe("one of the two, a number or a percentage; it must let at least one pod go, or node drains hang"),
            /** Defaults to 1 when neither is set. */
            maxUnavailable: intOrPercent
                .optional()
                .meta(doc("Envoy pods a disruption may take down at once, a number or a percentage", { join: true, default: "`maxUnavailable: 1`" })),
        })
        .prefault({})
        .describe("the PodDisruptionBudget of the Envoy pods"),
    logging: z
        .strictObject({ level: z.enum(LOG_LEVELS).default("info").describe("`trace`, `debug`, `info`, `warn` or `error`") })
        .prefault({})
        .describe("Envoy's log"),
    shutdown: z
        .strictObject({
            drainTimeout: duration.default("30s").describe("how long Envoy drains connections when a pod stops"),
            minDrainDuration: duration.default("5s").describe("minimum drain, at most `drainTimeout`"),
        })
        .prefault({})
        .describe("how an Envoy pod stops"),
    /** EnvoyProxy `spec.telemetry` sections, passed as they are. */
    telemetry: z
        .strictObject({
            accessLog: passthrough.optional().describe("EnvoyProxy `spec.telemetry` sections, passed as they are (checked by the API server)"),
            metrics: passthrough.optional().meta(doc("EnvoyProxy `spec.telemetry.metrics`, passed as it is", { join: true })),
            tracing: passthrough.optional().meta(doc("EnvoyProxy `spec.telemetry.tracing`, passed as it is", { join: true })),
        })
        .prefault({})
        .describe("EnvoyProxy `spec.telemetry` sections"),
    /** EnvoyProxy `spec.bootstrap`, passed as it is. */
    bootstrap: z
        .strictObject({
            type: z.enum(["Merge", "Replace", "JSONPatch"]).optional().describe("how `value` or `jsonPatches` change Envoy's bootstrap"),
            value: z.string().optional().describe("bootstrap YAML, with `Merge` or `Replace`"),
            jsonPatches: z.array(passthrough).optional().describe("JSON patches, with `JSONPatch`"),
        })
        .optional()
        .meta(doc("EnvoyProxy `spec.bootstrap` (`type`, `value` or `jsonPatches`), passed as it is", { row: true })),
    /** Pins the proxies' ServiceAccount name (IRSA / EKS Pod Identity bind to it); unset = Envoy Gateway generates one. */
    serviceAccountName: dnsLabel
        .optional()
        .meta(
            doc("pins the Envoy pods' ServiceAccount (`envoyServiceAccount.name`), e.g. for EKS Pod Identity or IRSA", {
                default: "Envoy Gateway generates one",
            }),
        ),
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

const headerList = z
    .array(z.strictObject({ name: headerFor("set").describe("header name"), value: headerValue.describe("header value") }))
    .max(64, "lists more than 64 headers; list fewer");
const headerModifications = z.strictObject({
    add: headerList.optional().describe("headers added (beside any of the same name)"),
    set: headerList.optional().describe("headers set (replacing any of the same name)"),
    addIfAbsent: headerList.optional().describe("headers added only where absent"),
    remove: z.array(headerFor("remove")).max(64, "lists more than 64 headers; list fewer").optional().describe("names of headers removed"),
});

/** An HTTP/2 window: whole bytes within what Envoy accepts (64 KiB - 1 to 2 GiB - 1). */
const h2Window = byteSize({ min: 65_535, max: 2_147_483_647, example: "16Mi or 65536", outside: "is outside what Envoy accepts; use 64Ki to 2047Mi" });

export const clientTrafficSchema = z.strictObject({
    /** false: no ClientTrafficPolicy (Envoy's 32 KiB buffer and default timeouts apply). */
    enabled: z.boolean().default(true).describe("create the ClientTrafficPolicy on the Gateway"),
    ...metadataFields("the ClientTrafficPolicy"),
    /** Large prompts need more than Envoy's 32 KiB default. */
    bufferLimit: quantity.default("50Mi").describe("per-connection buffer (Envoy's default, 32 KiB, is too small for large prompts)"),
    timeout: z
        .strictObject({
            /** Closes a client connection that has had no active request this long (Envoy default 1h). */
            connectionIdle: duration
                .optional()
                .meta(
                    doc("connection timeout: a client connection without an active request is closed after this long (`timeout.http.idleTimeout`)", {
                        default: "(Envoy: 1h)",
                    }),
                ),
            /** Time to receive the whole request. */
            requestReceived: duration
                .optional()
                .meta(doc("time to receive the whole request (`timeout.http.requestReceivedTimeout`)", { default: "(none)" })),
            /** Time a stream may go without any activity (Envoy default 5m). */
            streamIdle: duration
                .optional()
                .meta(doc("a request or response with no activity this long is reset (`timeout.http.streamIdleTimeout`)", { default: "(Envoy: 5m)" })),
        })
        .prefault({})
        .describe("timeouts of client connections and requests"),
    /**
     * HTTP/2 flow-control windows. With Envoy's defaults (64 KiB per stream, 1 MiB per connection) a large
     * request body over HTTP/2 gets a 413 whatever bufferLimit says; upstream recommends 16Mi and 24Mi.
     */
    http2: z
        .strictObject({
            initialStreamWindowSize: h2Window
                .default("16Mi")
                .describe(
                    "HTTP/2 flow-control windows, whole bytes from 64Ki to 2047Mi; with Envoy's defaults (64 KiB, 1 MiB) a large request body over HTTP/2 gets a 413 whatever `bufferLimit` says",
                ),
            initialConnectionWindowSize: h2Window
                .default("24Mi")
                .meta(doc("HTTP/2 flow-control window of a whole connection, whole bytes from 64Ki to 2047Mi", { join: true })),
        })
        .prefault({})
        .describe("HTTP/2 flow-control windows"),
    /** Applies to HTTPS listeners. */
    tls: z
        .strictObject({
            minVersion: tlsVersion
                .optional()
                .meta(doc('`"1.2"`, `"1.3"` (`Auto`, `1.0`, `1.1` also exist); HTTPS listeners only', { default: "(Envoy: 1.2)" })),
            maxVersion: tlsVersion
                .optional()
                .meta(doc('highest TLS version: `"1.2"`, `"1.3"` (`Auto`, `1.0`, `1.1` also exist); HTTPS listeners only', { join: true, default: "(Envoy: 1.3)" })),
            ciphers: z.array(z.string().min(1)).optional().describe("cipher suites (not with TLS 1.3 minimum); ALPN protocols (`h2`, `http/1.1`, `http/1.0`)"),
            alpnProtocols: z
                .array(z.enum(["http/1.0", "http/1.1", "h2"]))
                .optional()
                .meta(doc("ALPN protocols offered (`h2`, `http/1.1`, `http/1.0`)", { join: true })),
        })
        .prefault({})
        .describe("TLS of the HTTPS listeners towards clients"),
    headers: z
        .strictObject({
            requestID: z
                .enum(["PreserveOrGenerate", "Preserve", "Generate", "Disable"])
                .optional()
                .describe("what Envoy does with `x-request-id`: keep a client's or generate one"),
            preserveXRequestID: z.boolean().optional().describe("keep a client's `x-request-id` (not with `requestID`)"),
            withUnderscoresAction: z.enum(["Allow", "RejectRequest", "DropHeader"]).optional().describe("what happens to a header with `_` in its name"),
            enableEnvoyHeaders: z.boolean().optional().describe("add Envoy's `x-envoy-*` headers"),
            disableRateLimitHeaders: z.boolean().optional().describe("leave out the `x-ratelimit-*` response headers"),
            earlyRequestHeaders: headerModifications.optional().describe("request headers changed before routing (`add`, `set`, `addIfAbsent`, `remove`)"),
            lateResponseHeaders: headerModifications.optional().describe("response headers changed last (`add`, `set`, `addIfAbsent`, `remove`)"),
        })
        .prefault({})
        .meta(
            doc(
                "`requestID`, `preserveXRequestID` (not with `requestID`), `withUnderscoresAction`, `enableEnvoyHeaders`, `disableRateLimitHeaders`, `earlyRequestHeaders` and `lateResponseHeaders` (`add`, `set`, `addIfAbsent`, `remove`)",
                { row: true },
            ),
        ),
    path: z
        .strictObject({
            disableMergeSlashes: z.boolean().optional().describe("keep repeated slashes in a path instead of merging them"),
            escapedSlashesAction: z
                .enum(["KeepUnchanged", "RejectRequest", "UnescapeAndForward", "UnescapeAndRedirect"])
                .optional()
                .describe("what happens to `%2F` and `%5C` in a path"),
        })
        .prefault({})
        .meta(doc("`disableMergeSlashes`, `escapedSlashesAction`", { row: true })),
    clientIP: clientIPSchema
        .optional()
        .describe(
            "where the client's address comes from behind a load balancer (`clientIPDetection`): `{xForwardedFor: {trustedHops | trustedCIDRs}}` or `{customHeader: {name, failClosed}}`; `auth.ipAllow`/`ipDeny` and access logs then see the client, not the balancer (see docs/client-ip.md)",
        ),
    proxyProtocol: proxyProtocolSchema
        .optional()
        .describe(
            "`true`: every connection starts with a PROXY protocol header (v1 or v2) naming the client, as an NLB with proxy protocol sends it; connections without one are refused. `{optional: true}` accepts both (only if nothing else can reach the Envoy pods)",
        ),
    tcpKeepalive: tcpKeepaliveSchema.optional().meta(doc("TCP keepalive on client connections: `{idleTime, interval, probes}`", { default: "off; `{}` = `{idleTime: 60s, interval: 15s, probes: 4}`" })),
    connectionLimit: connectionLimitSchema.optional(),
    /** Envoy answers this path itself, for load-balancer health checks. */
    healthCheck: z
        .strictObject({
            path: z
                .string()
                .regex(/^\/\S*$/, "is not a path; use a path starting with '/', e.g. /healthz")
                .describe("a path Envoy answers itself, for load-balancer health checks"),
        })
        .optional()
        .describe("a health-check endpoint Envoy answers itself"),
});

export const gatewayConfigSchema = z.strictObject({
    /** false: no GatewayConfig, and the Gateway carries no gateway-config annotation. */
    enabled: z
        .boolean()
        .default(true)
        .describe(
            "create the GatewayConfig and annotate the Gateway with it, once it has something to carry (extProc env or resources, tracing, a forward proxy): an empty one is left out, since the API server refuses an empty spec after a field manager let go of its last field (removing the last setting would fail `pulumi up`). `false` with extProc or forwardProxy settings is an error: they would do nothing",
        ),
    ...metadataFields("the GatewayConfig"),
    extProc: z
        .strictObject({
            env: z.array(envVarSchema).default([]).describe("env of the injected extProc container (e.g. `OTEL_*`); valid names, each once"),
            resources: resourceRequirements.default({}).describe("requests and limits of the extProc container"),
        })
        .prefault({})
        .describe("the extProc container the AI Gateway injects into the Envoy pods"),
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
                // An IPv6 address goes in brackets, as in a URL: [2001:db8::1]:3128.
                const host = m?.[1].startsWith("[") && m[1].endsWith("]") ? m[1].slice(1, -1) : undefined;
                const valid = host !== undefined ? isIPv6(host) : m !== null && hostname.safeParse(m[1]).success;
                if (!m || port < 1 || port > 65535 || !valid) {
                    ctx.addIssue({ code: "custom", message: `"${v}" is not host:port; use e.g. proxy.corp.example.com:3128 (an IPv6 address in brackets: [2001:db8::1]:3128)` });
                }
            }).describe(
                "`host:port` of an HTTP CONNECT proxy every connection to a provider goes through (egress-locked networks); no scheme, credentials or TLS, which the AI Gateway does not support. Not proven by the offline translation (an AI Gateway v1.1 field)",
            ),
        })
        .optional()
        .describe("an HTTP CONNECT proxy for the connections to providers"),
});

export const gatewayClassSchema = z.strictObject({
    /** false: use an existing GatewayClass named `className`. */
    enabled: z.boolean().default(true).describe("create the GatewayClass; `false` = use an existing class named `className`"),
    /** Defaults to the controller name Envoy Gateway is installed with. */
    controllerName: z
        .string()
        .regex(/^[a-z0-9.-]+\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$/, "is not a controller name; use <domain>/<path>, e.g. gateway.envoyproxy.io/gatewayclass-controller")
        .optional()
        .meta(
            doc("must match Envoy Gateway's `config.envoyGateway.gateway.controllerName`", {
                default: "the one Envoy Gateway is installed with (`gateway.envoyproxy.io/gatewayclass-controller`)",
            }),
        ),
    ...metadataFields("the GatewayClass"),
});

/** At most 16 host names a route answers on, each at most once (Gateway API's limit for a route's `hostnames`). */
export function routeHostnames(what: string) {
    return z
        .array(listenerHostname)
        .min(1, "is empty; list at least one host name or remove the key")
        .max(16, "lists more than 16 host names, the most a route accepts; keep 16")
        .refine((h) => new Set(h).size === h.length, "lists a host name twice; list each once")
        .meta(doc(`host names ${what}`, { default: "every host name of the Gateway's listeners" }));
}

/** How the model routes' error answers look (gateway.errors.format). */
export const ERROR_FORMATS = ["openai", "envoy"] as const;
export type ErrorFormat = (typeof ERROR_FORMATS)[number];

export const gatewaySchema = z.strictObject({
    name: dnsLabel.default("ai-gateway").describe("Gateway name; the other objects' names derive from it"),
    namespace: dnsLabel
        .default("ai-gateway")
        .describe(
            "namespace of the Gateway and its objects, created by the program unless it is `default`; never the Envoy Gateway namespace (the AI Gateway adds no ext_proc filter to Gateways there, envoyproxy/ai-gateway#1708) nor another namespace the program creates",
        ),
    className: k8sName.default("ai-gateway").describe("GatewayClass of the Gateway"),
    /** false: use an existing Gateway named `name` in `namespace`; the policies still attach to it. */
    enabled: z
        .boolean()
        .default(true)
        .describe(
            "create the Gateway; `false` = a Gateway named `name` already exists in `namespace` (the policies and GatewayConfig attach to it; annotate it and set its `parametersRef` yourself)",
        ),
    ...metadataFields("the Gateway (the program adds the gateway-config and `pulumi.com/waitFor` annotations)"),
    listeners: z
        .array(listenerSchema)
        .min(1, "is empty; add at least one listener, e.g. {name: http, protocol: HTTP, port: 80}")
        .default([{ name: "http", protocol: "HTTP", port: 80 }])
        .describe(
            "each `{name, protocol: HTTP|HTTPS, port, hostname?, tls?: {certificateRefs: [{name, namespace?}]}, allowedRoutes?: {namespaces: {from: Same|All|Selector, selector?: {matchLabels}}}}`; `hostname` may start with `*.`; names unique, one protocol per port, HTTPS needs `tls.certificateRefs` (TLS is terminated at the Gateway)",
        ),
    /** Reference the EnvoyProxy from the Gateway (`spec.infrastructure.parametersRef`). */
    infrastructure: z
        .strictObject({
            enabled: z.boolean().default(true).describe("reference the EnvoyProxy from the Gateway (`spec.infrastructure.parametersRef`)"),
        })
        .prefault({})
        .describe("the Gateway's `spec.infrastructure`"),
    /** Host names every model route answers on (AIGatewayRoute `hostnames`); a model's own `hostnames` replace them. */
    hostnames: routeHostnames("the model routes answer on (AIGatewayRoute `hostnames`), e.g. `[llm.example.com]`; a model's own `hostnames` replace them for that model").optional(),
    /** The bodies of the gateway's own error answers on the model routes. */
    errors: z
        .strictObject({
            format: z
                .enum(ERROR_FORMATS)
                .default("envoy")
                .describe(
                    "`envoy` (default): Envoy's and the providers' bodies as they are, with the 429's `retry-after` and `x-ratelimit-*` headers. `openai`: the model routes answer 401, 403, 404, 413, 429, 503 and 504 with an OpenAI error body (`{\"error\": {\"message\", \"type\", \"code\"}}`, `application/json`) that OpenAI SDKs parse; Envoy's custom response drops the 429's `retry-after` and `x-ratelimit-*` headers (shown on real traffic), so a budget warns; a provider's own body for those codes is replaced too",
                ),
        })
        .prefault({})
        .describe("the gateway's own error answers on the model routes (see docs/errors.md)"),
    /** Answer every request on the HTTP listeners with a 301 to HTTPS. */
    redirectToHttps: z
        .boolean()
        .default(false)
        .describe("an HTTPRoute answering every request on the HTTP listeners with a 301 to HTTPS (needs both kinds of listener)"),
    /**
     * `pulumi up` waits until Envoy Gateway reports the Gateway Programmed (Envoy running, an address
     * assigned), so that the address and first-call outputs work when it returns.
     */
    // Unset and true differ: an explicit value on a Gateway the program does not create is refused (plan/rules/gateway.ts).
    waitUntilProgrammed: z
        .boolean()
        .optional()
        .meta(
            doc(
                "`pulumi up` waits (annotation `pulumi.com/waitFor: condition=Programmed`, up to the provider's 10-minute default) until Envoy Gateway reports the Gateway Programmed: Envoy running and an address assigned, so the address and first-call outputs work when it returns. A `LoadBalancer` Service on a cluster without a load balancer never gets one: use `NodePort` there, or set `false` (on a `kind-*` context, `render` and `pulumi up` warn about it)",
                { default: "`true`" },
            ),
        ),
    gatewayClass: gatewayClassSchema.prefault({}).describe("the GatewayClass"),
    envoyProxy: envoyProxySchema.prefault({}).describe("the EnvoyProxy: the Envoy pods and their Service"),
    clientTraffic: clientTrafficSchema.prefault({}).describe("the ClientTrafficPolicy: the client side of the Envoy pods"),
    gatewayConfig: gatewayConfigSchema.prefault({}).describe("the AI Gateway GatewayConfig: the extProc sidecar injected into the Envoy pods"),
});

export type GatewayConfig = z.output<typeof gatewaySchema>;
export type ListenerConfig = z.output<typeof listenerSchema>;
export type EnvoyProxyConfig = z.output<typeof envoyProxySchema>;
export type ClientTrafficConfig = z.output<typeof clientTrafficSchema>;
export type GatewayConfigSettings = z.output<typeof gatewayConfigSchema>;

/** Whether `pulumi up` waits for the Gateway to be Programmed: only for a Gateway the program creates, by default. */
export function waitsUntilProgrammed(gateway: Pick<GatewayConfig, "enabled" | "waitUntilProgrammed">): boolean {
    return gateway.enabled && (gateway.waitUntilProgrammed ?? true);
}

/**
 * The type of the Service in front of the gateway's Envoy: the program's EnvoyProxy sets it, and without one
 * Envoy Gateway's default applies, which is LoadBalancer (exposed).
 */
export function envoyServiceType(gateway: Pick<GatewayConfig, "envoyProxy">): EnvoyProxyConfig["service"]["type"] {
    return gateway.envoyProxy.enabled ? gateway.envoyProxy.service.type : "LoadBalancer";
}
