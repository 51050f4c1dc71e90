import { forbiddenHost, hostOf, reservedNamespace, serviceOfHost } from "../policies/targets";
import type { Rule, RuleContext } from "./types";

type Path = (string | number)[];

/**
 * Every field that names where the gateway, Envoy or the AI Gateway connects (config/policies/targets.ts):
 * none may lead to a cloud metadata service, the node itself, the Kubernetes API server, or a Service in the
 * cluster's or the platform's own namespaces. A Gateway may not run in one of those namespaces either.
 */
export const forbiddenTargets: Rule = (config, ctx) => {
    const { envoyGateway, aiGateway, redis } = config.platform;
    const platform = new Map<string, string>([
        [envoyGateway.namespace, "Envoy Gateway (platform.envoyGateway.namespace)"],
        [aiGateway.namespace, "the AI Gateway controller (platform.aiGateway.namespace)"],
        [redis.namespace, "the rate-limit Redis (platform.redis.namespace)"],
        ["kube-system", "the cluster's own components"],
        ["kube-public", "the cluster's public configuration"],
        ["kube-node-lease", "the nodes' heartbeats"],
    ]);
    const gatewayNs = config.gateway.namespace;

    /** A host, IP address or in-cluster Service name (`what` says whose), checked at `path`. */
    const host = (path: Path, value: string | undefined, what: string, shown = value) => {
        if (value === undefined) return;
        const h = hostOf(value);
        if (h === undefined) return;
        const why = forbiddenHost(h);
        if (why !== undefined) {
            ctx.add(path, `"${shown}" is ${why}; ${what} must not point there: use the real service's own host name`);
            return;
        }
        const svc = serviceOfHost(h);
        if (svc !== undefined) service(path, svc.service, svc.namespace, what, `"${shown}" is a Service in namespace "${svc.namespace}", which`);
    };
    /** A Service by name and namespace. */
    const service = (path: Path, name: string, namespace: string, what: string, subject = `is a Service in namespace "${namespace}", which`) => {
        if (name === "kubernetes" && namespace === "default") {
            ctx.add(path, `"kubernetes" in namespace "default" is the Kubernetes API server; ${what} must not point there`);
            return;
        }
        const holds = reservedNamespace(namespace, platform);
        if (holds !== undefined) ctx.add(path, `${subject} holds ${holds}; ${what} must not point there: run it in a namespace of its own`);
    };
    /** A URL: only its host is checked (the URL is shown only when it holds no credentials, which the schema refuses). */
    const url = (path: Path, value: string | undefined, what: string) => host(path, value, what);

    for (const [name, backend] of Object.entries(config.backends)) {
        host(["backends", name, "hostname"], backend.simulator === undefined ? backend.hostname : undefined, "a backend");
        const exchange = backend.auth !== undefined && "oidcExchange" in backend.auth ? backend.auth.oidcExchange : undefined;
        if (exchange !== undefined) {
            url(["backends", name, "auth", "oidcExchange", "issuer"], exchange.issuer, "the OpenID provider the AI Gateway controller logs in at");
            url(["backends", name, "auth", "oidcExchange", "tokenEndpoint"], exchange.tokenEndpoint, "the OpenID provider the AI Gateway controller logs in at");
        }
    }

    const mcp = config.mcp;
    for (const [name, server] of Object.entries(mcp?.servers ?? {})) {
        const at = ["mcp", "servers", name];
        host([...at, "hostname"], server.hostname, "an MCP server");
        if (server.service !== undefined) service([...at, "service", server.service.namespace === undefined ? "name" : "namespace"], server.service.name, server.service.namespace ?? gatewayNs, "an MCP server");
    }
    url(["mcp", "oauth", "jwksUri"], mcp?.oauth?.jwksUri, "the JWKS Envoy fetches");

    /** Services the gateway reaches by name, with a ReferenceGrant when they are in another namespace. */
    const referencedServices: { at: Path; svc: { name: string; namespace?: string }; what: string; grant: string; fix: string }[] = [
        ...Object.entries(config.passthrough).map(([name, route]) => ({
            at: ["passthrough", name, "service"],
            svc: route.service,
            what: "a passthrough route",
            grant: "a route (and a ReferenceGrant) into it would open it to every client of the gateway",
            fix: "serve the application from a namespace of its own",
        })),
        ...Object.entries(config.guardrails).map(([name, guard]) => ({
            at: ["guardrails", name, "service"],
            svc: guard.service,
            what: "a guardrail",
            grant: "a guard there (and a ReferenceGrant into it) would send every prompt into the platform's own namespace",
            fix: "run the guard in a namespace of its own",
        })),
    ];
    for (const { at, svc, what, grant, fix } of referencedServices) {
        const ns = svc.namespace ?? gatewayNs;
        const why = forbiddenHost(svc.name);
        if (why !== undefined) ctx.add([...at, "name"], `"${svc.name}" is ${why}; ${what} must not lead there`);
        else if (svc.name === "kubernetes" && ns === "default") ctx.add([...at, "name"], `"kubernetes" in namespace "default" is the Kubernetes API server; ${what} must not lead there`);
        const holds = reservedNamespace(ns, platform);
        if (holds !== undefined) ctx.add([...at, svc.namespace === undefined ? "name" : "namespace"], `"${ns}" holds ${holds}: ${grant}; ${fix}`);
    }

    host(["gateway", "gatewayConfig", "forwardProxy", "address"], config.gateway.gatewayConfig.forwardProxy?.address, "the forward proxy");

    const { jwt, oidc, extAuth } = config.auth;
    url(["auth", "jwt", "jwksUri"], jwt?.jwksUri, "the JWKS Envoy fetches");
    url(["auth", "oidc", "issuer"], oidc?.issuer, "the OpenID provider Envoy logs browsers in at");
    url(["auth", "oidc", "tokenEndpoint"], oidc?.tokenEndpoint, "the OpenID provider Envoy logs browsers in at");
    url(["auth", "oidc", "accessToken", "jwksUri"], oidc?.accessToken?.jwksUri, "the JWKS Envoy fetches");
    url(["auth", "extAuth", "url"], extAuth?.url, "the authorization service");

    const tracing = config.observability.tracing;
    url(["observability", "tracing", "endpoint"], tracing?.endpoint, "the OTLP collector");
    host(["observability", "tracing", "envoy", "host"], tracing?.envoy?.host, "the OTLP collector");
    if (!redis.install) host(["platform", "redis", "url"], redis.url, "the rate-limit Redis");

    gatewayPlacement(config.gateway.enabled ? gatewayNs : undefined, ctx);
};

/** A Gateway in a kube-* namespace would share it with the cluster's own components. */
function gatewayPlacement(namespace: string | undefined, ctx: RuleContext): void {
    if (namespace === undefined || !namespace.startsWith("kube-")) return;
    ctx.add(["gateway", "namespace"], `"${namespace}" is one of the cluster's own (kube-*) namespaces, where the gateway's pods, Secrets and policies would sit beside the cluster's components; use a namespace of its own, e.g. ai-gateway`);
}
