import type { Rule } from "./types";

/**
 * Where no backend or passthrough route may send traffic: hosts that answer with credentials (cloud
 * metadata), the node itself (loopback), the cluster's control plane, and the namespaces of the cluster's
 * and the platform's own parts. A route there would let any client of the gateway reach them.
 */
const LINK_LOCAL_V4 = /^169\.254\.\d{1,3}\.\d{1,3}$/;
const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"]);
const KUBERNETES_API = /^kubernetes(\.default(\.svc(\.cluster\.local)?)?)?$/;

/** Why a host is no place for traffic from the gateway, or undefined when it is fine. */
export function forbiddenHost(host: string): string | undefined {
    const h = host.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
    if (LINK_LOCAL_V4.test(h) || /^fe[89ab][0-9a-f]?:/.test(h)) return "a link-local address, where cloud metadata services hand out the node's credentials";
    if (h === "fd00:ec2::254" || METADATA_HOSTS.has(h)) return "a cloud metadata service, which hands out the node's credentials";
    if (h === "localhost" || h.endsWith(".localhost") || LOOPBACK_V4.test(h) || h === "::1" || h === "0.0.0.0" || h === "::") return "the loopback address of the Envoy pod itself";
    if (KUBERNETES_API.test(h)) return "the Kubernetes API server";
    return undefined;
}

/** The namespace of an in-cluster Service host name (`<svc>.<ns>.svc[.cluster.local]`), if it is one. */
function serviceNamespace(host: string): string | undefined {
    return /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?\.?$/.exec(host.toLowerCase())?.[1];
}

export const forbiddenTargets: Rule = (config, ctx) => {
    const { envoyGateway, aiGateway, redis } = config.platform;
    const reserved = new Map<string, string>([
        ["kube-system", "the cluster's own components"],
        ["kube-public", "the cluster's public configuration"],
        ["kube-node-lease", "the nodes' heartbeats"],
        [envoyGateway.namespace, "Envoy Gateway (platform.envoyGateway.namespace)"],
        [aiGateway.namespace, "the AI Gateway controller (platform.aiGateway.namespace)"],
        [redis.namespace, "the rate-limit Redis (platform.redis.namespace)"],
    ]);

    for (const [name, backend] of Object.entries(config.backends)) {
        if (backend.hostname === undefined) continue;
        const why = forbiddenHost(backend.hostname);
        if (why) ctx.add(["backends", name, "hostname"], `"${backend.hostname}" is ${why}; a backend must not point there: use the model server's own host name`);
        const ns = serviceNamespace(backend.hostname);
        if (ns !== undefined && reserved.has(ns)) {
            ctx.add(["backends", name, "hostname"], `"${backend.hostname}" is a Service in namespace "${ns}", which holds ${reserved.get(ns)}; a backend must not point there: run the model server in a namespace of its own`);
        }
    }

    for (const [name, server] of Object.entries(config.mcp?.servers ?? {})) {
        const at = ["mcp", "servers", name];
        if (server.hostname !== undefined) {
            const why = forbiddenHost(server.hostname);
            if (why) ctx.add([...at, "hostname"], `"${server.hostname}" is ${why}; an MCP server must not point there: use the server's own host name`);
        }
        const ns = server.service ? (server.service.namespace ?? config.gateway.namespace) : server.hostname && serviceNamespace(server.hostname);
        if (ns && reserved.has(ns)) {
            const where = server.service ? [...at, "service", "namespace"] : [...at, "hostname"];
            ctx.add(where, `is a Service in namespace "${ns}", which holds ${reserved.get(ns)}; an MCP server must not point there: run it in a namespace of its own`);
        }
        if (server.service?.name === "kubernetes" && (server.service.namespace ?? config.gateway.namespace) === "default") {
            ctx.add([...at, "service", "name"], `"kubernetes" in namespace "default" is the Kubernetes API server; an MCP server must not point there`);
        }
    }

    for (const [name, route] of Object.entries(config.passthrough)) {
        const ns = route.service.namespace ?? config.gateway.namespace;
        const why = forbiddenHost(route.service.name) ?? (route.service.name === "kubernetes" && ns === "default" ? "the Kubernetes API server" : undefined);
        if (why) ctx.add(["passthrough", name, "service", "name"], `"${route.service.name}" is ${why}; a passthrough route must not lead there`);
        if (reserved.has(ns)) {
            ctx.add(
                ["passthrough", name, "service", "namespace"],
                `"${ns}" holds ${reserved.get(ns)}: a route (and a ReferenceGrant) into it would open it to every client of the gateway; serve the application from a namespace of its own`,
            );
        }
    }
};
