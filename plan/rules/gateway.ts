import { waitsUntilProgrammed } from "../../config/schema";
import { installedControllerName, quotasInUse } from "../platform";
import { rateLimitInUse } from "../rateLimit";
import { GATEWAY_CONFIG_ANNOTATION, PULUMI_WAIT_FOR_ANNOTATION } from "../../config/versions";
import { durationMillis } from "../../config/schema/primitives";
import type { EnvVarConfig } from "../../config/schema/kubernetes";
import { formatPath } from "../../config/errors";
import type { Rule, RuleContext } from "../../config/rules/types";

type Path = (string | number)[];

/** Listeners: unique names, no two on one port with different protocols or the same host, TLS only (and always) on HTTPS. */
export const gatewayListeners: Rule = (config, ctx) => {
    const { listeners } = config.gateway;
    const names = new Map<string, number>();
    const ports = new Map<number, number>();
    listeners.forEach((l, i) => {
        const at = (...rest: Path): Path => ["gateway", "listeners", i, ...rest];
        const sameName = names.get(l.name);
        if (sameName !== undefined) {
            ctx.add(at("name"), `"${l.name}" is already the name of listeners[${sameName}]; give each listener its own name`);
        } else {
            names.set(l.name, i);
        }

        const first = ports.get(l.port);
        if (first === undefined) {
            ports.set(l.port, i);
        } else if (listeners[first].protocol !== l.protocol) {
            ctx.add(at("port"), `port ${l.port} is already used by listeners[${first}] with protocol ${listeners[first].protocol}; use another port`);
        } else {
            const same = listeners.findIndex((o, j) => j < i && o.port === l.port && o.hostname === l.hostname);
            if (same !== -1) {
                const host = l.hostname === undefined ? "without a hostname" : `for hostname ${l.hostname}`;
                ctx.add(at("port"), `listeners[${same}] already serves ${l.protocol} on port ${l.port} ${host}; use another port or hostname`);
            }
        }

        if (l.protocol === "HTTPS" && l.tls === undefined) {
            ctx.add(at("tls"), "is required for an HTTPS listener; name the TLS Secret, e.g. tls: {certificateRefs: [{name: ai-gateway-tls}]}");
        }
        if (l.protocol === "HTTP" && l.tls !== undefined) {
            ctx.add(at("tls"), "is only for HTTPS listeners; remove it or set protocol: HTTPS");
        }

        const namespaces = l.allowedRoutes?.namespaces;
        if (namespaces?.from === "Selector" && namespaces.selector === undefined) {
            ctx.add(at("allowedRoutes", "namespaces", "selector"), "is required with from: Selector; set selector: {matchLabels: {...}}");
        }
        if (namespaces !== undefined && namespaces.from !== "Selector" && namespaces.selector !== undefined) {
            ctx.add(at("allowedRoutes", "namespaces", "selector"), `is only used with from: Selector, not ${namespaces.from}; remove it or set from: Selector`);
        }
    });

    if (config.gateway.redirectToHttps) {
        const protocols = new Set(listeners.map((l) => l.protocol));
        if (!protocols.has("HTTP") || !protocols.has("HTTPS")) {
            ctx.add(["gateway", "redirectToHttps"], "needs an HTTP listener to redirect from and an HTTPS listener to redirect to; add the missing listener or set redirectToHttps: false");
        }
        if (!config.gateway.enabled) {
            ctx.add(["gateway", "redirectToHttps"], "needs the Gateway this program creates, but gateway.enabled is false; set redirectToHttps: false");
        }
    }
};

/**
 * The Gateway namespace: never Envoy Gateway's (the AI Gateway adds no ext_proc filter there,
 * envoyproxy/ai-gateway#1708), never one the platform creates (two Namespace objects with one name).
 */
export const gatewayNamespace: Rule = (config, ctx) => {
    const { namespace, enabled } = config.gateway;
    const { envoyGateway, aiGateway, redis } = config.platform;
    const path = ["gateway", "namespace"];
    if (namespace === envoyGateway.namespace) {
        ctx.add(
            path,
            `"${namespace}" is the Envoy Gateway namespace, where the AI Gateway does not add its ext_proc filter (envoyproxy/ai-gateway#1708); use a namespace of its own, e.g. ai-gateway`,
        );
        return;
    }
    // Only a Gateway the program creates brings its own Namespace object.
    if (!enabled || namespace === "default") return;
    const created: [string, string, boolean][] = [
        ["platform.aiGateway.namespace", aiGateway.namespace, aiGateway.install],
        ["platform.redis.namespace", redis.namespace, redis.install && (rateLimitInUse(config.rateLimit, config.models, config.passthrough) || quotasInUse(config.backends))],
    ];
    for (const [key, ns, creates] of created) {
        if (creates && ns === namespace) {
            ctx.add(path, `"${namespace}" is also ${key}, which the program creates; use a namespace of its own, e.g. ai-gateway`);
        }
    }
};

/** The GatewayClass must name the controller Envoy Gateway runs, or no controller ever accepts it. */
export const gatewayClassController: Rule = (config, ctx) => {
    const { gatewayClass } = config.gateway;
    const eg = config.platform.envoyGateway;
    if (!gatewayClass.enabled || gatewayClass.controllerName === undefined || !eg.install) return;
    const installed = installedControllerName(eg.values);
    if (gatewayClass.controllerName !== installed) {
        ctx.add(
            ["gateway", "gatewayClass", "controllerName"],
            `"${gatewayClass.controllerName}" is not the controller Envoy Gateway is installed with ("${installed}"); remove the key, or set the same name in platform.envoyGateway.values config.envoyGateway.gateway.controllerName`,
        );
    }
};

/** The gateway-config and wait-for annotations belong to the program while it sets them. */
export const gatewayAnnotations: Rule = (config, ctx) => {
    const { gateway } = config;
    if (gateway.gatewayConfig.enabled && Object.hasOwn(gateway.annotations, GATEWAY_CONFIG_ANNOTATION)) {
        ctx.add(
            ["gateway", "annotations", GATEWAY_CONFIG_ANNOTATION],
            "is set by the program to name the GatewayConfig it creates; remove it, or set gatewayConfig.enabled: false to name your own",
        );
    }
    if (!gateway.enabled && gateway.waitUntilProgrammed !== undefined) {
        ctx.add(["gateway", "waitUntilProgrammed"], "does nothing while gateway.enabled is false: the program waits only for a Gateway it creates; remove it");
    }
    if (waitsUntilProgrammed(gateway) && Object.hasOwn(gateway.annotations, PULUMI_WAIT_FOR_ANNOTATION)) {
        ctx.add(
            ["gateway", "annotations", PULUMI_WAIT_FOR_ANNOTATION],
            "is set by the program to wait until the Gateway is Programmed; remove it, or set waitUntilProgrammed: false to wait for something else",
        );
    }
};

/** EnvoyProxy settings that parse on their own but do not fit together. */
/** Capabilities that reach past the container: the node's mounts, network, kernel or other processes. */
const POWERFUL_CAPABILITIES = ["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "DAC_READ_SEARCH", "BPF", "PERFMON", "SYS_BOOT", "MAC_ADMIN"];

/** The privileged settings of the Envoy pods, as [path, what] pairs. */
function privilegedSettings(proxy: Parameters<Rule>[0]["gateway"]["envoyProxy"]): [Path, string][] {
    const at = (...rest: Path): Path => ["gateway", "envoyProxy", ...rest];
    const sc = proxy.securityContext;
    const found: [Path, string][] = [];
    if (sc?.privileged === true) found.push([at("securityContext", "privileged"), "runs the container privileged, with every device and capability of the node"]);
    if (sc?.runAsUser === 0) found.push([at("securityContext", "runAsUser"), "runs the container as root"]);
    if (sc?.allowPrivilegeEscalation === true) found.push([at("securityContext", "allowPrivilegeEscalation"), "lets processes gain privileges (setuid)"]);
    if (sc?.procMount === "Unmasked") found.push([at("securityContext", "procMount"), "unmasks /proc"]);
    sc?.capabilities?.add?.forEach((c, i) => {
        const name = c.toUpperCase().replace(/^CAP_/, "");
        if (POWERFUL_CAPABILITIES.includes(name)) found.push([at("securityContext", "capabilities", "add", i), `adds ${name}, which reaches past the container`]);
    });
    if (proxy.pod.securityContext?.runAsUser === 0) found.push([at("pod", "securityContext", "runAsUser"), "runs the pod as root"]);
    proxy.pod.volumes.forEach((v, i) => {
        if (Object.hasOwn(v, "hostPath")) found.push([at("pod", "volumes", i), "mounts a path of the node (hostPath)"]);
    });
    return found;
}

export const envoyProxySettings: Rule = (config, ctx) => {
    const proxy = config.gateway.envoyProxy;
    if (!proxy.enabled) return;
    const at = (...rest: Path): Path => ["gateway", "envoyProxy", ...rest];

    // The Envoy pods face every client: a flaw in them must not reach the node.
    const privileged = privilegedSettings(proxy);
    if (!proxy.allowPrivileged) {
        for (const [path, what] of privileged) {
            ctx.add(path, `${what}, in pods that face every client, so a flaw in Envoy would reach the node; remove it, or set gateway.envoyProxy.allowPrivileged: true if it is meant`);
        }
    } else if (privileged.length === 0) {
        ctx.add(at("allowPrivileged"), "has nothing to allow: no setting of the Envoy pods is privileged; remove it");
    } else {
        ctx.warn(at("allowPrivileged"), `accepts privileged Envoy pods (${privileged.map(([p]) => formatPath(p)).join(", ")}), which face every client; keep them only while they are needed`);
    }

    if (proxy.hpa.enabled) {
        const min = proxy.hpa.minReplicas ?? proxy.replicas;
        if (proxy.hpa.maxReplicas === undefined) {
            ctx.add(at("hpa", "maxReplicas"), "is required when hpa.enabled is true; set the most replicas the autoscaler may run, e.g. 10");
        } else if (proxy.hpa.maxReplicas < min) {
            const source = proxy.hpa.minReplicas === undefined ? "replicas" : "hpa.minReplicas";
            ctx.add(at("hpa", "maxReplicas"), `is ${proxy.hpa.maxReplicas}, below ${source} (${min}); raise maxReplicas to at least ${min}`);
        }
    }

    const pdb = proxy.pdb;
    if (pdb.enabled) {
        if (pdb.minAvailable !== undefined && pdb.maxUnavailable !== undefined) {
            ctx.add(at("pdb"), "sets both minAvailable and maxUnavailable; keep one of them");
        }
        const floor = proxy.hpa.enabled ? (proxy.hpa.minReplicas ?? proxy.replicas) : proxy.replicas;
        if ((typeof pdb.minAvailable === "number" && pdb.minAvailable >= floor) || pdb.minAvailable === "100%") {
            ctx.add(
                at("pdb", "minAvailable"),
                `is ${pdb.minAvailable} with ${floor} replica(s), so no Envoy pod could ever be evicted and node drains would hang; lower it below ${floor} or use maxUnavailable: 1`,
            );
        }
        if (pdb.maxUnavailable === 0 || pdb.maxUnavailable === "0%") {
            ctx.add(at("pdb", "maxUnavailable"), `is ${pdb.maxUnavailable}, so no Envoy pod could ever be evicted and node drains would hang; use maxUnavailable: 1`);
        }
    }

    if (proxy.service.loadBalancerIP !== undefined && proxy.service.type !== "LoadBalancer") {
        ctx.add(at("service", "loadBalancerIP"), `only applies to service type LoadBalancer, not ${proxy.service.type}; remove it or set service.type: LoadBalancer`);
    }

    const { drainTimeout, minDrainDuration } = proxy.shutdown;
    if (durationMillis(minDrainDuration) > durationMillis(drainTimeout)) {
        ctx.add(at("shutdown", "minDrainDuration"), `(${minDrainDuration}) is longer than drainTimeout (${drainTimeout}); make it shorter, or raise drainTimeout`);
    }

    const volumes = new Map<string, number>();
    proxy.pod.volumes.forEach((v, i) => {
        const first = volumes.get(v.name);
        if (first !== undefined) ctx.add(at("pod", "volumes", i, "name"), `"${v.name}" is already the name of pod.volumes[${first}]; give each volume its own name`);
        else volumes.set(v.name, i);
    });
    proxy.volumeMounts.forEach((m, i) => {
        if (!volumes.has(m.name)) {
            ctx.add(at("volumeMounts", i, "name"), `no volume "${m.name}" in envoyProxy.pod.volumes; add it there or mount an existing one`);
        }
    });

    checkEnv(proxy.env, ["gateway", "envoyProxy", "env"], ctx);

    const bootstrap = proxy.bootstrap;
    if (bootstrap !== undefined) {
        const patches = (bootstrap.type ?? "Merge") === "JSONPatch";
        if (patches && (bootstrap.jsonPatches ?? []).length === 0) {
            ctx.add(at("bootstrap", "jsonPatches"), "is required with type JSONPatch; list the patches, or use type Merge with a value");
        }
        if (!patches && bootstrap.value === undefined) {
            ctx.add(at("bootstrap", "value"), `is required with type ${bootstrap.type ?? "Merge"}; set the bootstrap YAML`);
        }
    }
};

const TLS_ORDER = { "1.0": 1, "1.1": 2, "1.2": 3, "1.3": 4 } as const;

/** ClientTrafficPolicy settings that parse on their own but do not fit together. */
export const clientTrafficSettings: Rule = (config, ctx) => {
    const { clientTraffic, listeners, enabled } = config.gateway;
    if (!clientTraffic.enabled) return;
    const at = (...rest: Path): Path => ["gateway", "clientTraffic", ...rest];
    const tls = clientTraffic.tls;
    const tlsSet = Object.values(tls).some((v) => v !== undefined);

    if (tlsSet && enabled && !listeners.some((l) => l.protocol === "HTTPS")) {
        ctx.add(at("tls"), "applies to HTTPS listeners, and the Gateway has none; add an HTTPS listener or remove clientTraffic.tls");
    }
    const { minVersion, maxVersion } = tls;
    if (minVersion !== undefined && maxVersion !== undefined && minVersion !== "Auto" && maxVersion !== "Auto" && TLS_ORDER[minVersion] > TLS_ORDER[maxVersion]) {
        ctx.add(at("tls", "minVersion"), `(${minVersion}) is above maxVersion (${maxVersion}); lower minVersion or raise maxVersion`);
    }
    if (minVersion === undefined && maxVersion !== undefined && maxVersion !== "Auto" && TLS_ORDER[maxVersion] < TLS_ORDER["1.2"]) {
        ctx.add(at("tls", "maxVersion"), `(${maxVersion}) is below the default minimum version 1.2; set minVersion as well, or raise maxVersion`);
    }
    if (minVersion === "1.3" && tls.ciphers !== undefined) {
        ctx.add(at("tls", "ciphers"), "cannot be chosen with TLS 1.3 (its cipher suites are fixed); remove ciphers or lower minVersion");
    }
    if (clientTraffic.headers.requestID !== undefined && clientTraffic.headers.preserveXRequestID !== undefined) {
        ctx.add(at("headers", "preserveXRequestID"), "cannot be combined with headers.requestID, which replaces it; keep requestID (Preserve keeps the client's x-request-id)");
    }
};

/** extProc environment of the GatewayConfig; no settings for a GatewayConfig that is not created. */
export const gatewayConfigSettings: Rule = (config, ctx) => {
    const { gatewayConfig } = config.gateway;
    if (!gatewayConfig.enabled) {
        const unused: [string[], boolean][] = [
            [["extProc", "env"], gatewayConfig.extProc.env.length > 0],
            [["extProc", "resources"], Object.keys(gatewayConfig.extProc.resources).length > 0],
            [["forwardProxy"], gatewayConfig.forwardProxy !== undefined],
        ];
        for (const [path, set] of unused) {
            if (set) ctx.add(["gateway", "gatewayConfig", ...path], "does nothing while gatewayConfig.enabled is false (the program creates no GatewayConfig to carry it); set enabled: true, or remove it");
        }
        return;
    }
    checkEnv(gatewayConfig.extProc.env, ["gateway", "gatewayConfig", "extProc", "env"], ctx);
};

/** Env lists: one entry per name, and each with a value or exactly one source. */
function checkEnv(env: EnvVarConfig[], path: Path, ctx: RuleContext): void {
    const seen = new Map<string, number>();
    env.forEach((e, i) => {
        const first = seen.get(e.name);
        if (first !== undefined) ctx.add([...path, i, "name"], `"${e.name}" is already set at env[${first}]; set each variable once`);
        else seen.set(e.name, i);
        if (e.value !== undefined && e.valueFrom !== undefined) {
            ctx.add([...path, i], "sets both value and valueFrom; keep one of them");
        }
        if (e.valueFrom !== undefined) {
            const sources = Object.values(e.valueFrom).filter((v) => v !== undefined).length;
            if (sources !== 1) {
                ctx.add([...path, i, "valueFrom"], `names ${sources} sources; use exactly one of secretKeyRef, configMapKeyRef or fieldRef`);
            }
        }
    });
}
