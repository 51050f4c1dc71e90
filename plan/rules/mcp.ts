import { backendNames, MCP_GENERATED_PREFIX, MCP_PROXY_BACKEND, jwksBackendName } from "../names";
import { resolvedOAuth } from "../mcp";
import { AI_GATEWAY_ENDPOINTS, capturedEndpoints, isCatchAll } from "../passthrough";
import { clientAuthMechanisms } from "../identity";
import { suggestion } from "../../config/errors";
import { celProblem } from "../../config/policies/cel";
import { regexProblem } from "../../config/policies/regex";
import { isInClusterHost } from "../../config/schema";
import type { Rule } from "../../config/rules/types";
import { hostnamesIntersect } from "../../config/rules/hostnames";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The most backendRefs one MCPRoute accepts. */
const MAX_SERVERS = 256;

/** ai-gateway:mcp: server names, where each server runs, its credential over TLS, its tools, the path, OAuth and the selector. */
export const mcpSettings: Rule = (config, ctx) => {
    const mcp = config.mcp;
    if (mcp === undefined) return;
    const gateway = config.gateway;

    const names = Object.keys(mcp.servers);
    if (names.length === 0) ctx.add(["mcp", "servers"], "lists no server; add one, e.g. servers: {github: {hostname: api.githubcopilot.com, path: /mcp/readonly}}");
    if (names.length > MAX_SERVERS) ctx.add(["mcp", "servers"], `lists ${names.length} servers, more than the ${MAX_SERVERS} one MCPRoute accepts; remove some`);

    // Other Backends in the gateway namespace: the model backends', the in-cluster JWKS's and the MCP proxy's.
    const taken = new Map<string, string>(Object.keys(config.backends).map((b) => [backendNames(gateway.name, b, undefined).backend, `the Backend of backends.${b}`]));
    taken.set(jwksBackendName(gateway.name), "the Backend of the in-cluster JWKS");
    taken.set(MCP_PROXY_BACKEND, "the Backend of the AI Gateway's MCP proxy");

    for (const [name, server] of Object.entries(mcp.servers)) {
        const at = (...path: string[]) => ["mcp", "servers", name, ...path];
        if (!DNS_LABEL.test(name) || name.length > 63) {
            ctx.add(
                ["mcp", "servers", name],
                `"${name}" is not a DNS-1123 label; name the server with lower-case letters, digits and '-' (at most 63, starting and ending with a letter or digit): it names its Backend and clients see it in front of every tool (<server>__<tool>)`,
            );
        } else if (taken.has(name)) {
            ctx.add(["mcp", "servers", name], `"${name}" is already the name of ${taken.get(name)} in namespace ${gateway.namespace}; give the server another name`);
        } else if (name.startsWith(MCP_GENERATED_PREFIX)) {
            ctx.add(["mcp", "servers", name], `"${name}" starts with ${MCP_GENERATED_PREFIX}, which the AI Gateway controller names its own MCP objects with; give the server another name`);
        }

        if (server.hostname !== undefined && server.service !== undefined) {
            ctx.add(at("service"), "is set together with hostname; keep one of them: hostname for a server outside the cluster, service for one in it");
        } else if (server.hostname === undefined && server.service === undefined) {
            ctx.add(["mcp", "servers", name], "says nowhere where the server runs; set hostname (e.g. api.githubcopilot.com) or service ({name: <service>, namespace: <namespace>})");
        }

        // A credential over plain text outside the cluster is readable, and replayable, by anything on the path.
        const tls = server.tls ?? server.port === 443;
        const outside = server.service === undefined && server.hostname !== undefined && !isInClusterHost(server.hostname);
        if (server.auth !== undefined && !tls && outside) {
            ctx.add(
                server.tls === false ? at("tls") : at("port"),
                `sends the API key to ${server.hostname} without TLS, readable by anything on the way; use TLS (port 443, or tls: true)`,
            );
        }

        const tools = server.tools;
        if (tools !== undefined) {
            if (Object.values(tools).every((v) => v === undefined)) {
                ctx.add(at("tools"), "is empty and would select nothing; set include, includeRegex, exclude or excludeRegex, or remove tools to offer every tool");
            }
            if (tools.include !== undefined && tools.includeRegex !== undefined) ctx.add(at("tools", "includeRegex"), "is set together with include; keep one of them");
            if (tools.exclude !== undefined && tools.excludeRegex !== undefined) ctx.add(at("tools", "excludeRegex"), "is set together with exclude; keep one of them");
            for (const key of ["includeRegex", "excludeRegex"] as const) {
                tools[key]?.forEach((pattern, i) => {
                    const problem = regexProblem(pattern, "go");
                    if (problem !== undefined) ctx.add(["mcp", "servers", name, "tools", key, i], problem);
                });
            }
        }
    }

    // A host name no listener the route attaches to answers for leaves the MCP path unreachable on it.
    if (mcp.hostnames !== undefined) {
        const listeners = gateway.listeners.filter((l) => !gateway.redirectToHttps || l.protocol === "HTTPS");
        const served = (host: string) => listeners.some((l) => l.hostname === undefined || hostnamesIntersect(l.hostname, host));
        const unserved = mcp.hostnames.filter((h) => !served(h));
        const names = listeners.map((l) => l.hostname).join(", ");
        if (unserved.length === mcp.hostnames.length) {
            ctx.add(["mcp", "hostnames"], `matches no listener of the Gateway (${names}), so the MCP route would attach nowhere; use the listeners' host names, or remove hostnames`);
        } else if (unserved.length > 0) {
            ctx.warn(["mcp", "hostnames"], `${unserved.join(", ")} ${unserved.length === 1 ? "matches" : "match"} no listener of the Gateway (${names}) and so never ${unserved.length === 1 ? "reaches" : "reach"} the MCP route; remove ${unserved.length === 1 ? "it" : "them"}, or add a listener`);
        }
    }

    // The MCPRoute matches its path exactly: an AI Gateway endpoint or a passthrough's exact path would be taken away.
    if (AI_GATEWAY_ENDPOINTS.some((e) => e === mcp.path)) {
        ctx.add(["mcp", "path"], `"${mcp.path}" is an endpoint of the model routes, which the MCP route would take away; use a path of its own, e.g. /mcp`);
    }
    for (const [name, route] of Object.entries(config.passthrough)) {
        if (route.pathType === "Exact" && route.path === mcp.path) {
            ctx.add(["mcp", "path"], `"${mcp.path}" is already the path of passthrough.${name}; give one of them another path`);
        } else if (route.pathType === "PathPrefix" && !isCatchAll(route) && capturedEndpoints(route).length === 0) {
            const prefix = route.path.replace(/\/+$/, "");
            if (mcp.path === prefix || mcp.path.startsWith(`${prefix}/`)) {
                ctx.warn(["mcp", "path"], `"${mcp.path}" lies under passthrough.${name} (${route.path}), which no longer receives it: the MCP route's exact match wins; move one of them if the passthrough service should answer it`);
            }
        }
    }

    if (mcp.oauth !== undefined) {
        const oauth = resolvedOAuth(mcp.oauth, config.auth.jwt);
        if (oauth.issuer === undefined) {
            ctx.add(["mcp", "oauth", "issuer"], "is required: ai-gateway:auth.jwt is not set to take it from; set the authorization server's issuer, e.g. https://auth.example.com");
        }
        if (oauth.jwksUri === undefined) {
            ctx.add(["mcp", "oauth", "jwksUri"], "is required: ai-gateway:auth.jwt is not set to take it from; set the HTTPS URL of the token-signing keys, e.g. https://auth.example.com/.well-known/jwks.json");
        } else if (mcp.oauth.jwksUri === undefined && !oauth.jwksUri.startsWith("https://")) {
            ctx.add(
                ["mcp", "oauth", "jwksUri"],
                `is unset, and ai-gateway:auth.jwt.jwksUri "${oauth.jwksUri}" is plain HTTP, which the MCP route cannot fetch keys from; set mcp.oauth.jwksUri to an HTTPS URL`,
            );
        }
        // A SecurityPolicy on the MCP route takes the place of the Gateway's: what restricted callers there does not apply to the MCP path.
        const replaced = clientAuthMechanisms(config.auth).filter((m) => m !== "clientCertificates");
        if (config.auth.ipDeny !== undefined) replaced.push("ipDeny");
        if (replaced.length > 0) {
            ctx.warn(
                ["mcp", "oauth"],
                `takes the place of ai-gateway:auth on ${mcp.path}: ${replaced.map((m) => `auth.${m}`).join(", ")} ${replaced.length === 1 ? "does" : "do"} not apply there, only the OAuth access token does; remove mcp.oauth to keep ai-gateway:auth on the MCP path`,
            );
        }
    }

    // The MCP proxy reads the bearer token's claims without checking it: only a token Envoy verified may decide.
    const jwtVerified = mcp.oauth !== undefined || config.auth.jwt !== undefined;
    const checkCel = (path: (string | number)[], cel: string | undefined) => {
        const problem = cel === undefined ? undefined : celProblem(cel, { kind: "mcp", jwtVerified });
        if (problem !== undefined) ctx.add(path, problem);
    };

    const authorization = mcp.authorization;
    if (authorization !== undefined) {
        const at = (...path: (string | number)[]) => ["mcp", "authorization", ...path];
        if (authorization.defaultAction === "Deny" && authorization.rules.every((r) => r.action === "Deny")) {
            ctx.add(
                authorization.rules.length === 0 ? at() : at("rules"),
                `${authorization.rules.length === 0 ? "has no rules and denies by default" : "only denies, and so does defaultAction"}, so every MCP request would be refused; add a rule with action Allow, or set defaultAction: Allow`,
            );
        }
        authorization.rules.forEach((rule, i) => {
            for (const key of ["scopes", "claims"] as const) {
                if (rule[key] !== undefined && mcp.oauth === undefined) {
                    ctx.add(at("rules", i, key), "are read from the OAuth access token, which only mcp.oauth verifies on the MCP path; set mcp.oauth, or use cel on what the gateway verified");
                }
            }
            checkCel(at("rules", i, "cel"), rule.cel);
            rule.tools?.forEach((t, j) => {
                if (!Object.hasOwn(mcp.servers, t.server)) {
                    ctx.add(at("rules", i, "tools", j, "server"), `"${t.server}" is not a server of mcp.servers; ${suggestion(t.server, names)}`);
                    return;
                }
                const offered = mcp.servers[t.server].tools;
                if ((offered?.include !== undefined && !offered.include.includes(t.tool)) || offered?.exclude?.includes(t.tool)) {
                    ctx.warn(at("rules", i, "tools", j, "tool"), `"${t.tool}" is not among the tools mcp.servers.${t.server}.tools offers, so the rule never applies to it; offer the tool, or remove it from the rule`);
                }
            });
        });
    }

    const selector = mcp.backendSelector;
    if (selector !== undefined) {
        if (selector.rules.length === 0 && selector.defaultAction === "Deny") {
            ctx.add(["mcp", "backendSelector"], "has no rules and denies by default, so no session could use any server; add rules that allow servers, or remove backendSelector");
        } else if (selector.defaultAction === "Deny" && selector.rules.every((r) => r.action === "Deny")) {
            ctx.add(["mcp", "backendSelector", "rules"], "only deny, and so does defaultAction: no session could use any server; add a rule with action Allow, or set defaultAction: Allow");
        } else if (selector.defaultAction === "Allow" && selector.rules.every((r) => r.action === "Allow")) {
            ctx.warn(["mcp", "backendSelector"], "allows every server whatever its rules say (they only allow, and so does defaultAction); remove backendSelector, or add rules with action Deny");
        }
        selector.rules.forEach((rule, i) => checkCel(["mcp", "backendSelector", "rules", i, "cel"], rule.cel));
    }
};
