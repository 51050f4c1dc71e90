import type { ClientAuthConfig, GatewayConfig, ListenerConfig, ModelConfig } from "../../config";
import { envoyServiceType } from "../../config/schema";
import type { GatewayNames } from "../../plan/names";

/**
 * What a platform engineer runs right after `pulumi up`: the virtual model names and a shell snippet that
 * finds the gateway's address and calls one model. A pure builder: names and commands only, and where the
 * gateway wants a client credential, a shell variable the user fills (never a value from the stack).
 */

/** Models a client asks for by name: exact names, not pattern entries, in a stable order. */
export function virtualModelNames(models: Record<string, ModelConfig>): string[] {
    return Object.keys(models)
        .filter((name) => models[name].match?.pattern === undefined)
        .sort();
}

/** Prints the address Envoy Gateway wrote into the Gateway's status (for a NodePort, a node's address). */
export function gatewayAddressCommand(names: Pick<GatewayNames, "gateway" | "namespace">): string {
    return `kubectl get gateway ${names.gateway} -n ${names.namespace} -o jsonpath='{.status.addresses[0].value}'`;
}

/** What Envoy Gateway writes into a Gateway's status that a client needs: its addresses. */
export interface GatewayStatus {
    addresses?: { type?: string; value: string }[];
}

/**
 * The URL clients call, from the Gateway's status once it is Programmed: the HTTPS listener's when there is
 * one, by its host name when it has one (the listener matches on it), else by the first address. Undefined
 * when it cannot be known: no Gateway, no address yet, or a NodePort Service (its port is the node port,
 * which only the Service knows; firstCallCommand looks it up).
 */
export function gatewayUrl(gateway: GatewayConfig, status: GatewayStatus | undefined): string | undefined {
    const listener = clientListener(gateway.listeners);
    const address = status?.addresses?.[0]?.value;
    if (!gateway.enabled || !listener || address === undefined || envoyServiceType(gateway) === "NodePort") return undefined;
    const scheme = schemeOf(listener);
    const host = requestHost(listener) ?? (address.includes(":") ? `[${address}]` : address);
    const port = listener.port === (scheme === "https" ? 443 : 80) ? "" : `:${listener.port}`;
    return `${scheme}://${host}${port}`;
}

export interface FirstCallInput {
    gateway: GatewayConfig;
    /** The gateway core objects' names: the plan's. */
    names: GatewayNames;
    models: Record<string, ModelConfig>;
    auth: ClientAuthConfig;
    /** Where Envoy Gateway runs the gateway's Envoy Service. */
    envoyNamespace: string;
}

/** HTTPS when the gateway has it (HTTP may only redirect), otherwise the first HTTP listener. */
function clientListener(listeners: ListenerConfig[]): ListenerConfig | undefined {
    return listeners.find((l) => l.protocol === "HTTPS") ?? listeners[0];
}

function schemeOf(listener: ListenerConfig): "https" | "http" {
    return listener.protocol === "HTTPS" ? "https" : "http";
}

/** A name the listener answers: its hostname, with a wildcard's `*` filled in. */
function requestHost(listener: ListenerConfig): string | undefined {
    return listener.hostname?.replace(/^\*\./, "llm.");
}

function shellQuote(v: string): string {
    return `'${v.replace(/'/g, `'\\''`)}'`;
}

/**
 * The snippet, or undefined when there is nothing to call: no Gateway created, no listener, or no model a
 * client can name exactly (only patterns, or every model needs extra headers).
 */
export function firstCallCommand(input: FirstCallInput): string | undefined {
    const { gateway, names, models, auth, envoyNamespace } = input;
    const listener = clientListener(gateway.listeners);
    const model = virtualModelNames(models).find((m) => models[m].match?.headers === undefined);
    if (!gateway.enabled || !listener || model === undefined) return undefined;

    const serviceType = envoyServiceType(gateway);
    const lines: string[] = [];
    lines.push(`ADDRESS=$(${gatewayAddressCommand(names)})`);
    let port = String(listener.port);
    if (serviceType === "NodePort") {
        lines.push(
            `PORT=$(kubectl get svc -n ${envoyNamespace} -l gateway.envoyproxy.io/owning-gateway-name=${names.gateway},gateway.envoyproxy.io/owning-gateway-namespace=${names.namespace} -o jsonpath='{.items[0].spec.ports[?(@.port==${listener.port})].nodePort}')`,
        );
        port = "$PORT";
    } else if (serviceType === "ClusterIP") {
        lines.push("# A ClusterIP Service: run this from inside the cluster.");
    }
    const scheme = schemeOf(listener);
    const host = requestHost(listener);
    const args: string[] = [];
    let origin = `${scheme}://$ADDRESS:${port}`;
    if (host) {
        // The listener matches on the host name (and TLS on SNI): send it, connecting to the gateway's address
        // (--connect-to, not --resolve: a cloud load balancer's address may be a DNS name).
        args.push(`--connect-to "${host}:${port}:$ADDRESS:${port}"`);
        origin = `${scheme}://${host}:${port}`;
    }
    if (auth.jwt) {
        lines.push("# TOKEN: a JWT from your identity provider.");
        args.push(`-H "Authorization: Bearer $TOKEN"`);
    } else if (auth.apiKeys) {
        lines.push("# API_KEY: one of the client keys in ai-gateway:apiKeys.");
        // A header name may hold characters the shell expands inside double quotes ($, `, !).
        const header = /^[A-Za-z0-9-]+$/.test(auth.apiKeys.header) ? `"${auth.apiKeys.header}: ` : `${shellQuote(`${auth.apiKeys.header}: `)}"`;
        args.push(`-H ${header}$API_KEY"`);
    }
    if (auth.clientCertificates) {
        lines.push("# CLIENT_CERT, CLIENT_KEY: a client certificate issued by the CA of auth.clientCertificates, and its key.");
        args.push(`--cert "$CLIENT_CERT" --key "$CLIENT_KEY"`);
    }
    if (auth.oidc) lines.push("# auth.oidc: without a login session the gateway answers with a redirect to the login page; log in with a browser first.");
    if (auth.extAuth) lines.push("# auth.extAuth: the authorization service decides; send what it checks.");
    const body = JSON.stringify({ model, messages: [{ role: "user", content: "Say hello" }] });
    lines.push(["curl -s", ...args, `"${origin}/v1/chat/completions"`, "-H 'content-type: application/json'", `-d ${shellQuote(body)}`].join(" "));
    return lines.join("\n");
}
