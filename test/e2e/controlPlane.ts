/**
 * A real Kubernetes API server for the end-to-end tests: etcd (Debian's etcd-server) and kube-apiserver
 * (built from Go modules, tools/upstreamTools.ts), as local processes on loopback ports, with a
 * throwaway CA, serving certificate, admin client certificate and service-account key made by openssl.
 * Optionally kube-controller-manager with only the garbage collector and the namespace controller: what
 * deleting objects needs (foreground deletion, Namespaces), and nothing that would start pods (unless the caller
 * names more controllers, such as WORKLOAD_CONTROLLERS).
 * Every process started here is stopped by its process id in `stop()`, also when starting fails.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ControlPlane {
    /** `https://127.0.0.1:<port>` */
    url: string;
    ca: string;
    cert: string;
    key: string;
    /** A kubeconfig file for that server as the admin (for processes the tests start against it). */
    kubeconfig: string;
    /** Logs of etcd and the API server, for failure messages. */
    logs(): string;
    stop(): Promise<void>;
}

function openssl(args: string[], cwd: string): void {
    const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.error?.message ?? r.stderr}`);
}

/** CA, API server serving certificate (127.0.0.1), admin client certificate (system:masters), service-account keys. */
function makePki(dir: string): void {
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=e2e-ca", "-keyout", "ca.key", "-out", "ca.crt"], dir);
    const sign = (name: string, subject: string, ext: string) => {
        writeFileSync(join(dir, `${name}.ext`), ext);
        openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", `${name}.key`, "-out", `${name}.csr`], dir);
        openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", `${name}.ext`, "-out", `${name}.crt`], dir);
    };
    sign("server", "/CN=kube-apiserver", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
    sign("admin", "/O=system:masters/CN=e2e-admin", "extendedKeyUsage=clientAuth\n");
    openssl(["genrsa", "-out", "sa.key", "2048"], dir);
    openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
        });
    });
}

function get(url: string, tls: { ca: string; cert: string; key: string }): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = request(url, { ...tls, method: "GET", timeout: 5000 }, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.end();
    });
}

/** SIGTERM to the process by its id, SIGKILL after 5 s; resolves once it has exited. */
export function stopProcess(p: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (p.exitCode !== null || p.signalCode !== null || p.pid === undefined) return resolve();
        const force = setTimeout(() => process.kill(p.pid!, "SIGKILL"), 5000);
        p.once("exit", () => {
            clearTimeout(force);
            resolve();
        });
        process.kill(p.pid, "SIGTERM");
    });
}

function kubeconfigText(url: string, tls: { ca: string; cert: string; key: string }): string {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "e2e", cluster: { server: url, "certificate-authority-data": b64(tls.ca) } }],
        users: [{ name: "e2e-admin", user: { "client-certificate-data": b64(tls.cert), "client-key-data": b64(tls.key) } }],
        contexts: [{ name: "e2e", context: { cluster: "e2e", user: "e2e-admin" } }],
        "current-context": "e2e",
    });
}

/** The controllers deletion needs: the garbage collector finishes foreground deletes, the namespace controller empties and removes Namespaces. */
export const DELETION_CONTROLLERS = ["garbage-collector-controller", "namespace-controller"];

/**
 * The controllers that turn Jobs and Deployments into pods (for a test that plays the kubelet for some of them,
 * test/e2e/kubelet.ts); no scheduler runs, so every pod stays unbound.
 */
export const WORKLOAD_CONTROLLERS = ["job-controller", "deployment-controller", "replicaset-controller"];

export async function startControlPlane(apiserverBin: string, options: { etcdBin?: string; controllerManagerBin?: string; controllers?: string[] } = {}): Promise<ControlPlane> {
    const etcdBin = options.etcdBin ?? "etcd";
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-e2e-"));
    const started: ChildProcess[] = [];
    const stop = async () => {
        // The API server first: it would log etcd's absence.
        for (const p of [...started].reverse()) await stopProcess(p);
        rmSync(dir, { recursive: true, force: true });
    };
    const logs = () =>
        ["etcd", "apiserver", "controller-manager"]
            .map((n) => {
                try {
                    return `--- ${n} ---\n${readFileSync(join(dir, `${n}.log`), "utf8").split("\n").slice(-30).join("\n")}`;
                } catch {
                    return "";
                }
            })
            .join("\n");
    try {
        makePki(dir);
        const [etcdClient, etcdPeer, apiserver] = [await freePort(), await freePort(), await freePort()];
        const launch = (name: string, bin: string, args: string[]) => {
            const log = openSync(join(dir, `${name}.log`), "w");
            const p = spawn(bin, args, { stdio: ["ignore", log, log] });
            started.push(p);
            p.once("error", () => undefined);
            return p;
        };
        launch("etcd", etcdBin, [
            `--data-dir=${join(dir, "etcd-data")}`,
            `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        ]);
        const pki = (f: string) => join(dir, f);
        launch("apiserver", apiserverBin, [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${apiserver}`,
            `--tls-cert-file=${pki("server.crt")}`,
            `--tls-private-key-file=${pki("server.key")}`,
            `--client-ca-file=${pki("ca.crt")}`,
            "--service-account-issuer=https://kubernetes.default.svc",
            `--service-account-key-file=${pki("sa.pub")}`,
            `--service-account-signing-key-file=${pki("sa.key")}`,
            "--authorization-mode=RBAC",
            "--service-cluster-ip-range=10.96.0.0/16",
        ]);
        const tls = { ca: readFileSync(pki("ca.crt"), "utf8"), cert: readFileSync(pki("admin.crt"), "utf8"), key: readFileSync(pki("admin.key"), "utf8") };
        const url = `https://127.0.0.1:${apiserver}`;
        const deadline = Date.now() + 90_000;
        for (;;) {
            const exited = started.find((p) => p.exitCode !== null);
            if (exited) throw new Error(`${exited.spawnfile} exited with ${exited.exitCode}`);
            const ready = await get(`${url}/readyz`, tls).catch(() => undefined);
            if (ready?.status === 200 && ready.body === "ok") break;
            if (Date.now() > deadline) throw new Error("the API server was not ready within 90 s");
            await new Promise((r) => setTimeout(r, 500));
        }
        const kubeconfig = pki("kubeconfig");
        writeFileSync(kubeconfig, kubeconfigText(url, tls));
        if (options.controllerManagerBin) {
            // No serving port (--secure-port=0), no leader election: one process, nothing listens.
            launch("controller-manager", options.controllerManagerBin, [
                `--kubeconfig=${kubeconfig}`,
                `--controllers=${(options.controllers ?? DELETION_CONTROLLERS).join(",")}`,
                "--leader-elect=false",
                "--secure-port=0",
            ]);
        }
        return { url, ...tls, kubeconfig, logs, stop };
    } catch (e) {
        const message = `${(e as Error).message}\n${logs()}`;
        await stop();
        throw new Error(message);
    }
}
