/**
 * The Envoy Gateway and AI Gateway controllers as local processes against the end-to-end API server,
 * configured from the Helm values the program renders, as the charts would configure them in a cluster.
 *
 * What differs from a cluster, and why:
 * - the controllers are built for local processes (tools/localProcessPatches.ts): their servers listen on
 *   loopback, and Envoy Gateway reads its certificates from `certs/` in its working directory instead of a
 *   mounted `/certs`;
 * - the certificates are made by `envoy-gateway certgen`, as the chart's certgen Job makes them (Secrets in
 *   Envoy Gateway's namespace), and that `envoy-gateway` Secret is written into `certs/` as the chart mounts
 *   it; the AI Gateway controller's webhook serves the same certificate (nothing calls it: no pod is ever
 *   created here);
 * - the extension manager's address is the one thing changed in Envoy Gateway's configuration: the values
 *   name the AI Gateway controller's Service (`<service>.<namespace>.svc.cluster.local:1063`), which only a
 *   cluster's DNS resolves; the test checks that it is that Service and port, then points Envoy Gateway at
 *   the controller's extension server on a free loopback port. (A hosts entry would need root and a fixed
 *   port shared by every run on the machine.)
 * - no request leaves the machine: HTTP(S) proxy variables point at a closed loopback port, so a cloud
 *   token exchange (Azure, GCP credentials) fails at once instead of reaching the provider;
 * - leader election stays as configured for Envoy Gateway (a Lease in its namespace); the AI Gateway
 *   controller's is off, as it cannot find its namespace outside a pod.
 *
 * Every process is stopped by its process id in `stop()`, also when starting fails.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHARTS } from "../../config/charts";
import { mergeValues, type Values } from "../../config/merge";
import { serviceFqdn } from "../../config/names";
import { AI_GATEWAY, API_VERSIONS, CLUSTER_DOMAIN, ENVOY_GATEWAY } from "../../config/versions";
import type { BuiltTool } from "../../tools/upstreamTools";
import type { RenderedRelease } from "../upstream/translate";
import { type ControlPlane, freePort, stopProcess } from "./controlPlane";
import type { Kube, KubeObject } from "./kube";

export interface Controllers {
    /** Tails of both controllers' logs, for failure messages. */
    logs(): string;
    /** One controller's whole log so far. */
    log(name: "envoy-gateway" | "ai-gateway-controller"): string;
    /** The first controller found exited, if any. */
    exited(): string | undefined;
    /**
     * The AI Gateway controller's pod-mutating webhook (`https://127.0.0.1:<port>/mutate`) and the CA that signed
     * its certificate: the local gateway asks it how to run the external processor beside Envoy.
     */
    webhook: { port: number; ca: string };
    /** Where Envoy Gateway reads its configuration and certificates (`certs/`). */
    envoyGatewayDir: string;
    stop(): Promise<void>;
}

export interface ControllerBinaries {
    envoyGateway: BuiltTool;
    aiGatewayController: BuiltTool;
}

/**
 * What gateway-helm v1.8.3 merges under `config.envoyGateway` in its envoy-gateway-config ConfigMap
 * (`eg.default-envoy-gateway-config` with the chart's default images).
 */
const GATEWAY_HELM_BASE_CONFIG: Values = {
    provider: {
        type: "Kubernetes",
        kubernetes: {
            rateLimitDeployment: { container: { image: "docker.io/envoyproxy/ratelimit:1e50889b" } },
            shutdownManager: { image: `docker.io/envoyproxy/gateway:${ENVOY_GATEWAY.version}` },
        },
    },
};

function release(releases: RenderedRelease[], name: string): RenderedRelease {
    const found = releases.find((r) => r.name === name);
    if (!found) throw new Error(`the render has no Helm release "${name}" (releases: ${releases.map((r) => r.name).join(", ")})`);
    return found;
}

/**
 * Envoy Gateway's configuration file: `config.envoyGateway` of the release's values over the chart's base,
 * with the extension server at `extensionServer` (after checking the values name the AI Gateway controller).
 */
export function envoyGatewayConfig(values: Values, aiGatewayNamespace: string, extensionServer: { host: string; port: number }): Values {
    const config = mergeValues(GATEWAY_HELM_BASE_CONFIG, ((values.config as Values | undefined)?.envoyGateway as Values | undefined) ?? {});
    return { apiVersion: API_VERSIONS.envoyGateway, kind: "EnvoyGateway", ...localExtensionServer(config, aiGatewayNamespace, extensionServer) };
}

/**
 * An Envoy Gateway configuration with its extension server at `extensionServer`, after checking that it names the
 * AI Gateway controller's Service (which only a cluster's DNS resolves).
 */
export function localExtensionServer(config: Values, aiGatewayNamespace: string, extensionServer: { host: string; port: number }): Values {
    const fqdn = ((config.extensionManager as Values | undefined)?.service as Values | undefined)?.fqdn as { hostname?: string; port?: number } | undefined;
    const expected = { hostname: serviceFqdn(AI_GATEWAY.controllerService, aiGatewayNamespace, CLUSTER_DOMAIN), port: AI_GATEWAY.extensionServerPort };
    if (fqdn?.hostname !== expected.hostname || fqdn.port !== expected.port) {
        throw new Error(`config.envoyGateway.extensionManager.service.fqdn is ${JSON.stringify(fqdn)}, not the AI Gateway controller's Service ${JSON.stringify(expected)}`);
    }
    return mergeValues(config, { extensionManager: { service: { fqdn: { hostname: extensionServer.host, port: extensionServer.port } } } });
}

/** Leaf paths of a values tree (`controller.logLevel`), for values the test must pass on as flags. */
export function leafPaths(v: unknown, prefix = ""): string[] {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return [prefix];
    return Object.entries(v).flatMap(([k, x]) => leafPaths(x, prefix ? `${prefix}.${k}` : k));
}

/** Reads one key of a Secret the program creates, as the kubelet reads a `secretKeyRef`. */
export type SecretValue = (name: string, key: string) => string | undefined;

/** A Secret lookup over rendered objects (their `stringData`, or `data` decoded). */
export function secretsOf(objects: readonly KubeObject[]): SecretValue {
    return (name, key) => {
        const secret = objects.find((o) => o.kind === "Secret" && o.metadata.name === name);
        const plain = (secret?.stringData as Record<string, string> | undefined)?.[key];
        const encoded = (secret?.data as Record<string, string> | undefined)?.[key];
        return plain ?? (encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString("utf8"));
    };
}

/** `$(NAME)` in a container's argument or variable is its variable NAME, as Kubernetes expands it (an unknown one stays as written). */
export function expandVariables(value: string, env: Readonly<Record<string, string>>): string {
    return value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
}

/**
 * The controller container's environment from `controller.extraEnvVars`, a `secretKeyRef` read as the kubelet
 * reads it; the flags expand `$(NAME)` from it, as Kubernetes expands a container's arguments.
 */
export function aiGatewayControllerEnv(values: Values, secretValue: SecretValue): Record<string, string> {
    const entries = (((values.controller as Values | undefined)?.extraEnvVars ?? []) as { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]);
    const env: Record<string, string> = {};
    for (const e of entries) {
        const ref = e.valueFrom?.secretKeyRef;
        const value = ref ? secretValue(ref.name, ref.key) : e.value;
        if (value === undefined) throw new Error(`controller.extraEnvVars ${e.name}: ${ref ? `Secret ${ref.name} has no key ${ref.key} among the rendered objects` : "has no value"}`);
        env[e.name] = value;
    }
    return env;
}

/** ai-gateway-helm values the program sets, and the controller flag the chart's Deployment passes each as. */
export const AI_GATEWAY_CONTROLLER_FLAGS: Readonly<Record<string, string>> = {
    "envoyGateway.namespace": "envoyGatewayNamespace",
    "controller.metricsRequestHeaderAttributes": "metricsRequestHeaderAttributes",
    "controller.quotaRateLimitServiceAddr": "quotaRateLimitServiceAddr",
    "controller.mcp.sessionEncryption.seed": "mcpSessionEncryptionSeed",
    "controller.mcp.sessionEncryption.fallback.seed": "mcpFallbackSessionEncryptionSeed",
    "controller.logLevel": "logLevel",
    "controller.logFormat": "logFormat",
    "controller.spanRequestHeaderAttributes": "spanRequestHeaderAttributes",
    "controller.quotaRateLimitFailureModeDeny": "quotaRateLimitFailureModeDeny",
};

/** ai-gateway-helm values that shape the pod or objects beside it (replicas, resources, the disruption budget), not the process. */
const POD_LEVEL_VALUES = ["controller.replicaCount", "controller.resources.", "controller.podDisruptionBudget."];

/**
 * The AI Gateway controller's flags from ai-gateway-helm values, as the chart's Deployment passes them. A value
 * the test does not pass on fails it: the controller would run differently from the installed one.
 */
export function aiGatewayControllerFlags(values: Values, env: Record<string, string> = {}): string[] {
    const flagOf = AI_GATEWAY_CONTROLLER_FLAGS;
    const flags: string[] = [];
    const unknown: string[] = [];
    // Pod annotations restart the chart's pods when they change; a process started here is new anyway. The
    // environment is the process's own (aiGatewayControllerEnv).
    const passed = (p: string) =>
        p !== "" && !p.startsWith("controller.podAnnotations.") && p !== "controller.extraEnvVars" && !POD_LEVEL_VALUES.some((v) => (v.endsWith(".") ? p.startsWith(v) : p === v));
    for (const path of leafPaths(values).filter(passed)) {
        const value = path.split(".").reduce<unknown>((o, k) => (o as Values)[k], values);
        if (Object.hasOwn(flagOf, path)) flags.push(`--${flagOf[path]}=${expandVariables(String(value), env)}`);
        else unknown.push(path);
    }
    if (unknown.length > 0) throw new Error(`ai-gateway-helm values the end-to-end test does not pass to the controller: ${unknown.join(", ")}`);
    return flags;
}

/** Resolves once something accepts connections on host:port (127.0.0.1 by default), or rejects after `ms`. */
export async function waitForPort(port: number, ms: number, alive: () => string | undefined, host = "127.0.0.1"): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
        const open = await new Promise<boolean>((resolve) => {
            const socket = connect(port, host);
            socket.once("connect", () => {
                socket.destroy();
                resolve(true);
            });
            socket.once("error", () => resolve(false));
        });
        if (open) return;
        const exited = alive();
        if (exited) throw new Error(exited);
        if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${ms / 1000} s`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

/**
 * Envoy Gateway's admin server and topology-injector webhook keep fixed loopback ports (19000 from its
 * configuration's default, 9443 from its source): a run waits (10 minutes at most) while another process holds one,
 * then says so plainly.
 */
const ENVOY_GATEWAY_FIXED_PORTS = [19000, 9443];

function assertPortFree(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", (e) => reject(new Error(`127.0.0.1:${port} is in use (${(e as Error).message}); Envoy Gateway needs it here: is another end-to-end run going on?`)));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
    });
}

/** How long a run waits for another run on the machine to release those ports. */
const PORT_FREE_WAIT_MS = 600_000;

async function waitForPortFree(port: number, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
        try {
            return await assertPortFree(port);
        } catch (e) {
            if (Date.now() > deadline) throw e;
            await new Promise((r) => setTimeout(r, 2000));
        }
    }
}

/** Waits until Envoy Gateway's fixed ports are free (another end-to-end run may hold them), then says so plainly if not. */
export async function waitForEnvoyGatewayPorts(): Promise<void> {
    for (const port of ENVOY_GATEWAY_FIXED_PORTS) await waitForPortFree(port, PORT_FREE_WAIT_MS);
}

async function applyOrThrow(kube: Kube, o: KubeObject): Promise<void> {
    const r = await kube.apply(o);
    if (r.status >= 300) throw new Error(`${o.kind} ${o.metadata.name}: ${r.status} ${String(r.body.message)}`);
}

export async function startControllers(cp: ControlPlane, kube: Kube, bins: ControllerBinaries, releases: RenderedRelease[], secretValue: SecretValue): Promise<Controllers> {
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-e2e-controllers-"));
    const started: { name: string; process: ChildProcess }[] = [];
    const logFile = (name: string) => join(dir, `${name}.log`);
    const log = (name: string) => {
        try {
            return readFileSync(logFile(name), "utf8");
        } catch {
            return "";
        }
    };
    const logs = () => started.map(({ name }) => `--- ${name} ---\n${log(name).split("\n").slice(-40).join("\n")}`).join("\n");
    const exited = () => {
        const gone = started.find(({ process: p }) => p.exitCode !== null || p.signalCode !== null);
        return gone && `${gone.name} exited with ${gone.process.exitCode ?? gone.process.signalCode}`;
    };
    const stop = async () => {
        for (const { process: p } of [...started].reverse()) await stopProcess(p);
        rmSync(dir, { recursive: true, force: true });
    };
    // Every HTTP(S) request off the machine (a cloud token exchange) goes to a loopback port nobody listens on
    // and fails at once; Go never proxies requests to loopback, so the API server is reached directly.
    const noEgress = `http://127.0.0.1:${await freePort()}`;
    const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? "", HOME: dir, KUBECONFIG: cp.kubeconfig, HTTP_PROXY: noEgress, HTTPS_PROXY: noEgress, ...extra });
    const launch = (name: string, bin: string, args: string[], cwd: string, extraEnv: Record<string, string>) => {
        const out = openSync(logFile(name), "w");
        const p = spawn(bin, args, { cwd, env: env(extraEnv), stdio: ["ignore", out, out] });
        started.push({ name, process: p });
        p.once("error", () => undefined);
    };

    try {
        const eg = release(releases, CHARTS.envoyGateway.releaseName);
        const ai = release(releases, CHARTS.aiGateway.releaseName);
        for (const ns of [eg.namespace, ai.namespace]) await applyOrThrow(kube, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });

        // The chart's certgen Job: the control-plane certificates as Secrets in Envoy Gateway's namespace.
        // No topology-injector webhook configuration exists to patch (no pod is ever created here).
        const certgen = spawnSync(bins.envoyGateway.bin, ["certgen", "--disable-topology-injector"], {
            cwd: dir,
            env: env({ ENVOY_GATEWAY_NAMESPACE: eg.namespace }),
            encoding: "utf8",
            timeout: 60_000,
        });
        if (certgen.status !== 0) throw new Error(`envoy-gateway certgen exited ${certgen.status ?? certgen.signal}: ${certgen.error?.message ?? ""}${certgen.stderr}${certgen.stdout}`);
        const secret = await kube.get({ apiVersion: "v1", kind: "Secret", metadata: { name: "envoy-gateway", namespace: eg.namespace } });
        const data = (secret?.data ?? {}) as Record<string, string>;
        const egDir = join(dir, "envoy-gateway");
        const certs = join(egDir, "certs");
        mkdirSync(certs, { recursive: true });
        for (const file of ["ca.crt", "tls.crt", "tls.key"]) {
            if (!data[file]) throw new Error(`certgen made no ${file} in Secret ${eg.namespace}/envoy-gateway`);
            writeFileSync(join(certs, file), Buffer.from(data[file], "base64"));
        }

        // The AI Gateway controller refuses to start unless its chart's webhook configuration exists.
        await applyOrThrow(kube, {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "MutatingWebhookConfiguration",
            metadata: { name: `envoy-ai-gateway-gateway-pod-mutator.${ai.namespace}` },
            webhooks: [
                {
                    name: serviceFqdn(AI_GATEWAY.controllerService, ai.namespace, CLUSTER_DOMAIN),
                    clientConfig: { service: { name: AI_GATEWAY.controllerService, namespace: ai.namespace, port: 9443, path: "/mutate" } },
                    rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
                    sideEffects: "None",
                    admissionReviewVersions: ["v1"],
                    timeoutSeconds: 10,
                    failurePolicy: "Fail",
                },
            ],
        });

        const [extensionPort, webhookPort] = [await freePort(), await freePort()];
        const containerEnv = aiGatewayControllerEnv(ai.values, secretValue);
        launch(
            "ai-gateway-controller",
            bins.aiGatewayController.bin,
            [
                ...aiGatewayControllerFlags(ai.values, containerEnv),
                `--port=127.0.0.1:${extensionPort}`,
                `--webhookPort=${webhookPort}`,
                `--tlsCertDir=${certs}`,
                "--enableLeaderElection=false",
            ],
            dir,
            { ...containerEnv, POD_NAMESPACE: ai.namespace, DISABLE_PPROF: "true" },
        );
        await waitForPort(extensionPort, 60_000, exited);

        await waitForEnvoyGatewayPorts();
        const config = envoyGatewayConfig(eg.values, ai.namespace, { host: "127.0.0.1", port: extensionPort });
        const configPath = join(egDir, "envoy-gateway.yaml");
        writeFileSync(configPath, JSON.stringify(config, null, 2));
        launch("envoy-gateway", bins.envoyGateway.bin, ["server", `--config-path=${configPath}`], egDir, { ENVOY_GATEWAY_NAMESPACE: eg.namespace });
        return { logs, log, exited, stop, webhook: { port: webhookPort, ca: readFileSync(join(certs, "ca.crt"), "utf8") }, envoyGatewayDir: egDir };
    } catch (e) {
        const message = `${(e as Error).message}\n${logs()}`;
        await stop();
        throw new Error(message);
    }
}
