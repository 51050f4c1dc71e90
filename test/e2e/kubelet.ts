/**
 * The kubelet's part for the pods the platform Helm releases create, in the end-to-end engine stage (stage 3), where
 * `pulumi up` installs the releases for real and no kubelet runs.
 *
 * kube-controller-manager's job, deployment and replica-set controllers turn the releases' Jobs and Deployments into
 * pods as in a cluster. This poller plays the kubelet for the pods whose image is one the test has built (Envoy
 * Gateway's and the AI Gateway controller's, at the pinned versions, RELEASE_IMAGES), from what the pod says:
 * - a Job's pod (gateway-helm's `certgen` pre-install hook) runs its command as a local process against the test API
 *   server, and the pod is marked Succeeded (or Failed, with the exit code) so the job controller completes the Job
 *   and Helm's hook wait returns;
 * - a Deployment's pod starts its container as a local process: the container's arguments and environment
 *   (`fieldRef`, `secretKeyRef` and `configMapKeyRef` read from the cluster, `$(NAME)` expanded), its Secret and
 *   ConfigMap volumes written into a folder per pod, paths under a mount rewritten to that folder; once the process
 *   listens, the pod is reported Running and Ready, so the Deployment becomes available and Helm's wait returns. A
 *   process that exits is restarted (as `restartPolicy: Always` does) a few times, then reported by `exited()`;
 *   a pod deleted (an uninstall) stops its process.
 * Every other pod (Redis, simulators, Envoy) stays Pending, as before.
 *
 * What differs from a kubelet, and why (the same as stage 2, test/e2e/controllers.ts):
 * - the binaries are the local-process builds (scripts/localProcessPatches.ts): their servers listen on loopback and
 *   they read `certs/` in their working directory, which is the pod's folder (a volume mounted at `/certs` is
 *   written to `<pod folder>/certs`);
 * - Envoy Gateway's configuration, as the release's `envoy-gateway-config` ConfigMap holds it, with one change: the
 *   extension server's address, which names the AI Gateway controller's Service (only a cluster's DNS resolves it),
 *   is checked to be that Service and port and replaced with the loopback port the AI Gateway controller's
 *   extension server gets here;
 * - the AI Gateway controller gets that port, a free webhook port and no leader election (it cannot find its
 *   namespace outside a pod) after the Deployment's own arguments (the last flag wins);
 * - no request leaves the machine (HTTP(S) proxies point at a closed loopback port).
 *
 * Every process started here is stopped by its process id, when its pod goes and in `stop()`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import type { Values } from "../../config/merge";
import { AI_GATEWAY, ENVOY_GATEWAY } from "../../config/versions";
import { type ControlPlane, freePort, stopProcess } from "./controlPlane";
import { type ControllerBinaries, expandVariables, localExtensionServer, waitForEnvoyGatewayPorts, waitForPort } from "./controllers";
import type { Kube, Obj } from "./kube";

/** The images of the releases' pods at the pinned versions (the charts' defaults), and the built tool that runs each. */
export const RELEASE_IMAGES: Record<string, keyof ControllerBinaries> = {
    [`docker.io/envoyproxy/gateway:${ENVOY_GATEWAY.version}`]: "envoyGateway",
    [`docker.io/envoyproxy/ai-gateway-controller:${AI_GATEWAY.version}`]: "aiGatewayController",
};

/** The image's entry point, as a container's `command[0]` names it. */
const ENTRY_POINTS: Record<keyof ControllerBinaries, string> = { envoyGateway: "envoy-gateway", aiGatewayController: "controller" };

/** Envoy Gateway's admin and topology-injector webhook ports: fixed (see test/e2e/controllers.ts). */
const ENVOY_GATEWAY_ADMIN_PORT = 19000;

/** How often a crashed Deployment process is started again before the kubelet gives up on it. */
const MAX_RESTARTS = 3;

export interface Container {
    name: string;
    image: string;
    command?: string[];
    args?: string[];
    env?: EnvVar[];
    volumeMounts?: { name: string; mountPath: string }[];
}

export interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: {
        fieldRef?: { fieldPath: string };
        secretKeyRef?: { name: string; key: string; optional?: boolean };
        configMapKeyRef?: { name: string; key: string; optional?: boolean };
    };
}

export interface Volume {
    name: string;
    secret?: { secretName: string };
    configMap?: { name: string };
    emptyDir?: Obj;
    projected?: Obj;
}

export interface Pod {
    metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string; ownerReferences?: { kind: string; name: string }[] };
    spec: { containers: Container[]; volumes?: Volume[] };
    status?: { phase?: string };
}

/** Reads one key of a Secret (`data`, decoded) or ConfigMap in a namespace, as the kubelet reads a reference. */
export type KeyReader = (kind: "Secret" | "ConfigMap", namespace: string, name: string, key: string) => Promise<string | undefined>;

/**
 * A container's environment as the kubelet makes it: values with `$(NAME)` of earlier variables expanded, the pod's
 * namespace and name from `fieldRef`, keys of Secrets and ConfigMaps. Anything else is an error (the test would run
 * the process differently from the cluster).
 */
export async function containerEnv(pod: Pod, container: Container, read: KeyReader): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) {
        const from = e.valueFrom;
        let value: string | undefined;
        if (!from) value = expandVariables(e.value ?? "", env);
        else if (from.fieldRef) {
            const fields: Record<string, string> = { "metadata.namespace": pod.metadata.namespace, "metadata.name": pod.metadata.name };
            value = fields[from.fieldRef.fieldPath];
            if (value === undefined) throw new Error(`env ${e.name}: fieldRef ${from.fieldRef.fieldPath} is not one the test's kubelet fills`);
        } else if (from.secretKeyRef || from.configMapKeyRef) {
            const [kind, ref] = from.secretKeyRef ? (["Secret", from.secretKeyRef] as const) : (["ConfigMap", from.configMapKeyRef!] as const);
            value = await read(kind, pod.metadata.namespace, ref.name, ref.key);
            if (value === undefined && !ref.optional) throw new Error(`env ${e.name}: ${kind} ${pod.metadata.namespace}/${ref.name} has no key ${ref.key}`);
        } else throw new Error(`env ${e.name}: a valueFrom the test's kubelet does not fill (${JSON.stringify(from)})`);
        if (value !== undefined) env[e.name] = value;
    }
    return env;
}

/**
 * The command line of a container run as a local process: `bin`, then the command after the image's entry point (or
 * none) and the arguments, `$(NAME)` expanded from its environment, each path under a mounted volume moved into the
 * pod's folder (`--config-path=/config/x.yaml` → `--config-path=<folder>/config/x.yaml`).
 */
export function containerArgv(container: Container, entryPoint: string, env: Record<string, string>, podDir: string): string[] {
    const command = container.command ?? [];
    if (command.length > 0 && command[0] !== entryPoint) throw new Error(`container ${container.name}: command ${JSON.stringify(command)} does not start with the image's entry point ${entryPoint}`);
    const mounts = (container.volumeMounts ?? []).map((m) => m.mountPath.replace(/\/+$/, "")).filter((m) => m !== "");
    const moved = (arg: string) => mounts.reduce((a, m) => a.replace(new RegExp(`(^|=)${m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=/|$)`), `$1${podDir}${m}`), arg);
    return [...command.slice(1), ...(container.args ?? [])].map((a) => moved(expandVariables(a, env)));
}

/** Writes the container's Secret and ConfigMap volumes into `<podDir><mountPath>/<key>` (empty folders for the rest). */
async function writeVolumes(kube: Kube, pod: Pod, container: Container, podDir: string): Promise<void> {
    for (const mount of container.volumeMounts ?? []) {
        const volume = (pod.spec.volumes ?? []).find((v) => v.name === mount.name);
        const into = join(podDir, mount.mountPath);
        mkdirSync(into, { recursive: true });
        if (!volume || volume.projected) continue; // the service account token: the process uses the kubeconfig
        const source = volume.secret ? { kind: "secrets", name: volume.secret.secretName, decode: true } : volume.configMap ? { kind: "configmaps", name: volume.configMap.name, decode: false } : undefined;
        if (!source) continue;
        const r = await kube.call("GET", `/api/v1/namespaces/${pod.metadata.namespace}/${source.kind}/${source.name}`);
        if (r.status !== 200) throw new Error(`volume ${mount.name}: ${source.kind} ${pod.metadata.namespace}/${source.name}: ${r.status} ${String(r.body.message)}`);
        for (const [key, value] of Object.entries((r.body.data ?? {}) as Record<string, string>)) {
            writeFileSync(join(into, key), source.decode ? Buffer.from(value, "base64") : value);
        }
    }
}

interface Running {
    pod: Pod;
    tool: keyof ControllerBinaries;
    name: string;
    /** A Job's pod: run once, to its end. */
    job?: boolean;
    process?: ChildProcess;
    restarts: number;
    /** Set when the kubelet gave up on it. */
    failed?: string;
    stopping?: boolean;
}

export interface Kubelet {
    /** Tails of the processes' logs and of what the kubelet did, for failure messages. */
    logs(): string;
    /** Every log of processes of that name so far, oldest first. */
    log(name: string): string;
    /** What the kubelet did (one line an action). */
    actions(): string[];
    /** The first process the kubelet gave up on, if any. */
    exited(): string | undefined;
    /** `<tool> <namespace>/<pod>` of each process running now. */
    running(): string[];
    /**
     * Restarts a controller's process as `kubectl rollout restart` would (its pod's process is stopped and started
     * again, as a restart policy does); false when none of that tool runs.
     */
    restart(tool: keyof ControllerBinaries, why: string): boolean;
    stop(): Promise<void>;
}

/** Process names in logs: the certgen job, and the two controllers (the names stage 2 uses). */
function processName(tool: keyof ControllerBinaries, job: boolean, argv: string[]): string {
    if (tool === "envoyGateway") return job ? `envoy-gateway-${argv[0] ?? "job"}` : "envoy-gateway";
    return "ai-gateway-controller";
}

export async function startKubelet(cp: ControlPlane, kube: Kube, bins: ControllerBinaries, options: { aiGatewayNamespace: string }): Promise<Kubelet> {
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-e2e-kubelet-"));
    const noEgress = `http://127.0.0.1:${await freePort()}`;
    const [extensionPort, webhookPort] = [await freePort(), await freePort()];
    const handled = new Map<string, Running>();
    const jobs = new Set<ChildProcess>();
    const done: string[] = [];
    const logFiles: { name: string; file: string }[] = [];
    let stopping = false;
    let sequence = 0;
    const act = (line: string) => done.push(`${new Date().toISOString()} ${line}`);
    const read: KeyReader = async (kind, namespace, name, key) => {
        const r = await kube.call("GET", `/api/v1/namespaces/${namespace}/${kind === "Secret" ? "secrets" : "configmaps"}/${name}`);
        const value = r.status === 200 ? ((r.body.data ?? {}) as Record<string, string>)[key] : undefined;
        return value === undefined ? undefined : kind === "Secret" ? Buffer.from(value, "base64").toString("utf8") : value;
    };
    const log = (name: string) =>
        logFiles
            .filter((l) => l.name === name)
            .map((l) => {
                try {
                    return readFileSync(l.file, "utf8");
                } catch {
                    return "";
                }
            })
            .join("");
    const logs = () =>
        [...new Set(logFiles.map((l) => l.name))].map((n) => `--- ${n} ---\n${log(n).split("\n").slice(-40).join("\n")}`).join("\n") + `\n--- kubelet ---\n${done.slice(-20).join("\n")}`;

    const setStatus = async (pod: Pod, status: Obj) => {
        const r = await kube.call("PATCH", `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, { status }, "application/merge-patch+json");
        if (r.status >= 300) act(`status of pod ${pod.metadata.namespace}/${pod.metadata.name}: ${r.status} ${String(r.body.message)}`);
    };
    const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const conditions = (ready: boolean, reason?: string) =>
        ["PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready", "PodScheduled"].map((type) => ({
            type,
            status: ready || type === "PodScheduled" || type === "Initialized" ? "True" : "False",
            lastTransitionTime: now(),
            ...(!ready && reason && (type === "Ready" || type === "ContainersReady") && { reason }),
        }));
    const terminated = (pod: Pod, container: Container, code: number, started: string) =>
        setStatus(pod, {
            phase: code === 0 ? "Succeeded" : "Failed",
            startTime: started,
            conditions: conditions(false, "PodCompleted"),
            containerStatuses: [{ name: container.name, image: container.image, imageID: "", ready: false, started: false, restartCount: 0, state: { terminated: { exitCode: code, reason: code === 0 ? "Completed" : "Error", startedAt: started, finishedAt: now() } } }],
        });
    const launch = (name: string, bin: string, argv: string[], cwd: string, env: Record<string, string>): ChildProcess => {
        const file = join(dir, `${name}-${++sequence}.log`);
        logFiles.push({ name, file });
        const out = openSync(file, "w");
        const p = spawn(bin, argv, { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, KUBECONFIG: cp.kubeconfig, HTTP_PROXY: noEgress, HTTPS_PROXY: noEgress, ...env }, stdio: ["ignore", out, out] });
        p.once("error", () => undefined);
        return p;
    };

    /** The process of a Job's pod, run to its end; the pod's phase follows its exit code. */
    const runJob = async (pod: Pod, container: Container, tool: keyof ControllerBinaries) => {
        const started = now();
        const podDir = join(dir, `${pod.metadata.namespace}-${pod.metadata.name}`);
        mkdirSync(podDir, { recursive: true });
        let code: number;
        try {
            await writeVolumes(kube, pod, container, podDir);
            const env = await containerEnv(pod, container, read);
            const argv = containerArgv(container, ENTRY_POINTS[tool], env, podDir);
            const name = processName(tool, true, argv);
            act(`job pod ${pod.metadata.namespace}/${pod.metadata.name}: ${bins[tool].bin} ${argv.join(" ")}`);
            const p = launch(name, bins[tool].bin, argv, podDir, env);
            jobs.add(p);
            code = await new Promise<number>((resolve) => {
                p.once("exit", (c) => resolve(c ?? 1));
                p.once("error", () => resolve(127));
            });
            jobs.delete(p);
        } catch (e) {
            act(`job pod ${pod.metadata.namespace}/${pod.metadata.name}: ${(e as Error).message}`);
            code = 1;
        }
        act(`job pod ${pod.metadata.namespace}/${pod.metadata.name}: exited ${code}`);
        if (!stopping) await terminated(pod, container, code, started);
    };

    /** Starts (or restarts) a Deployment pod's process and reports the pod Ready once it listens. */
    const runServer = async (r: Running) => {
        const { pod } = r;
        const container = pod.spec.containers.find((c) => RELEASE_IMAGES[c.image])!;
        const podDir = join(dir, `${pod.metadata.namespace}-${pod.metadata.name}`);
        mkdirSync(podDir, { recursive: true });
        await writeVolumes(kube, pod, container, podDir);
        const env = await containerEnv(pod, container, read);
        let argv = containerArgv(container, ENTRY_POINTS[r.tool], env, podDir);
        let ready: () => Promise<void>;
        if (r.tool === "envoyGateway") {
            // Its fixed ports: another run on the machine may hold them for a while.
            await waitForEnvoyGatewayPorts();
            if (stopping || r.stopping) return;
            const configArg = argv.find((a) => a.startsWith("--config-path="));
            if (!configArg) throw new Error("envoy-gateway: no --config-path argument");
            const path = configArg.slice("--config-path=".length);
            const local = localExtensionServer(parse(readFileSync(path, "utf8")) as Values, options.aiGatewayNamespace, { host: "127.0.0.1", port: extensionPort });
            const localPath = join(dirname(path), "local-envoy-gateway.yaml");
            writeFileSync(localPath, JSON.stringify(local, null, 2));
            argv = argv.map((a) => (a === configArg ? `--config-path=${localPath}` : a));
            ready = () => waitForPort(ENVOY_GATEWAY_ADMIN_PORT, 120_000, () => exitedMessage(r));
        } else {
            argv = [...argv, `--port=127.0.0.1:${extensionPort}`, `--webhookPort=${webhookPort}`, "--enableLeaderElection=false"];
            env.DISABLE_PPROF = "true";
            ready = () => waitForPort(extensionPort, 120_000, () => exitedMessage(r));
        }
        act(`pod ${pod.metadata.namespace}/${pod.metadata.name}: ${bins[r.tool].bin} ${argv.join(" ")}`);
        const started = now();
        r.process = launch(r.name, bins[r.tool].bin, argv, podDir, env);
        r.process.once("exit", (code, signal) => {
            if (r.stopping || stopping) return;
            act(`pod ${pod.metadata.namespace}/${pod.metadata.name}: ${r.name} exited ${code ?? signal}`);
            void setStatus(pod, { phase: "Running", conditions: conditions(false, "ContainersNotReady") });
            if (r.restarts >= MAX_RESTARTS) {
                r.failed = `${r.name} (pod ${pod.metadata.namespace}/${pod.metadata.name}) exited with ${code ?? signal} after ${r.restarts} restarts`;
                return;
            }
            r.restarts++;
            setTimeout(() => void start(r), 1000 * r.restarts);
        });
        await ready();
        await setStatus(pod, {
            phase: "Running",
            startTime: started,
            conditions: conditions(true),
            containerStatuses: [{ name: container.name, image: container.image, imageID: "", ready: true, started: true, restartCount: r.restarts, state: { running: { startedAt: started } } }],
        });
        act(`pod ${pod.metadata.namespace}/${pod.metadata.name}: Ready`);
    };
    const exitedMessage = (r: Running) => (r.process && (r.process.exitCode !== null || r.process.signalCode !== null) ? `${r.name} exited with ${r.process.exitCode ?? r.process.signalCode}` : undefined);
    const start = async (r: Running) => {
        if (stopping || r.stopping) return;
        try {
            await runServer(r);
        } catch (e) {
            if (!r.stopping && !stopping) {
                act(`pod ${r.pod.metadata.namespace}/${r.pod.metadata.name}: ${(e as Error).message}`);
                if (!exitedMessage(r)) r.failed = `${r.name} (pod ${r.pod.metadata.namespace}/${r.pod.metadata.name}): ${(e as Error).message}`;
            }
        }
    };
    const stopRunning = async (r: Running, why: string) => {
        r.stopping = true;
        if (r.process) await stopProcess(r.process);
        act(`pod ${r.pod.metadata.namespace}/${r.pod.metadata.name}: ${r.name} stopped (${why})`);
    };

    const poll = async () => {
        const r = await kube.call("GET", "/api/v1/pods");
        if (r.status !== 200) {
            act(`list pods: ${r.status} ${String(r.body.message)}`);
            return;
        }
        const pods = (r.body.items ?? []) as Pod[];
        const present = new Set(pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.uid));
        for (const [uid, running] of handled) {
            if (!present.has(uid) && !running.job && !running.stopping) await stopRunning(running, "its pod was deleted");
        }
        for (const pod of pods) {
            if (handled.has(pod.metadata.uid) || pod.metadata.deletionTimestamp || (pod.status?.phase ?? "Pending") !== "Pending") continue;
            const container = pod.spec.containers.find((c) => Object.hasOwn(RELEASE_IMAGES, c.image));
            if (!container) continue;
            const tool = RELEASE_IMAGES[container.image];
            const owner = pod.metadata.ownerReferences?.[0]?.kind;
            if (owner === "Job") {
                handled.set(pod.metadata.uid, { pod, tool, name: "job", job: true, restarts: 0 });
                void runJob(pod, container, tool);
            } else if (owner === "ReplicaSet") {
                const name = processName(tool, false, []);
                // One process of a controller at a time: its ports are fixed here (a rollout replaces the pod).
                for (const other of handled.values()) if (other.tool === tool && !other.job && !other.stopping) await stopRunning(other, `replaced by pod ${pod.metadata.name}`);
                const running: Running = { pod, tool, name, restarts: 0 };
                handled.set(pod.metadata.uid, running);
                void start(running);
            }
        }
    };
    const loop = (async () => {
        while (!stopping) {
            try {
                await poll();
            } catch (e) {
                act(`poll: ${(e as Error).message}`);
            }
            await new Promise((r) => setTimeout(r, 500));
        }
    })();

    return {
        logs,
        log,
        actions: () => [...done],
        exited: () => [...handled.values()].find((r) => r.failed && !r.stopping)?.failed,
        running: () => [...handled.values()].filter((r) => !r.stopping && r.process && r.process.exitCode === null && r.process.signalCode === null).map((r) => `${r.tool} ${r.pod.metadata.namespace}/${r.pod.metadata.name}`),
        restart: (tool, why) => {
            const r = [...handled.values()].find((x) => x.tool === tool && !x.job && !x.stopping && x.process && x.process.exitCode === null && x.process.signalCode === null);
            if (!r) return false;
            act(`pod ${r.pod.metadata.namespace}/${r.pod.metadata.name}: ${r.name} restarted (${why})`);
            r.process!.kill("SIGTERM");
            return true;
        },
        stop: async () => {
            stopping = true;
            await loop;
            for (const r of handled.values()) if (r.process) await stopProcess(r.process);
            for (const p of jobs) await stopProcess(p);
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
