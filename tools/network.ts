/**
 * The private network and file view every process of the local gateway runs in: a network namespace of its
 * own (only a loopback interface, which also carries the addresses the stand-in backends listen on) and a
 * mount namespace in which `/etc` is a copy-on-write overlay, so that the gateway's hosts file, the CA bundle
 * Envoy trusts and the external processor's socket folder exist for these processes only. Nothing outside
 * the namespaces changes: the overlay's writable layer is a temporary folder, and both namespaces end with
 * the last process in them.
 *
 * `npm run local` and `npm run test:dataplane` start their processes through `unshare --net --mount --pid`
 * (`inPrivateNamespaces`; `npm run test:dataplane` through tools/privateNamespaces.ts); `preparePrivateNetwork`
 * then sets the namespaces up from inside.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Set by `inPrivateNamespaces` to the namespaces it was started from (`<net> <mnt>`). */
const STARTED_FROM = "AI_GATEWAY_STARTED_FROM_NAMESPACES";

function namespaces(): string {
    return `${readlinkSync("/proc/self/ns/net")} ${readlinkSync("/proc/self/ns/mnt")}`;
}

/**
 * The command line and environment that run `argv` in new network, mount and process-id namespaces. `argv` is
 * process 1 of its namespace: when it ends, or `unshare` is killed (`--kill-child`), the kernel ends every process
 * left in it, so nothing the gateway started can outlive it. `unshare` does not pass signals on: send them to
 * the process `namespaceInit` finds.
 */
export function inPrivateNamespaces(argv: string[]): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
    return { cmd: "unshare", args: ["--net", "--mount", "--pid", "--fork", "--mount-proc", "--kill-child", "--", ...argv], env: { ...process.env, [STARTED_FROM]: namespaces() } };
}

/** The process `unshare --fork` started (process 1 of the new namespace), by its id outside. */
export function namespaceInit(unsharePid: number): number | undefined {
    try {
        const first = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, "utf8").trim().split(/\s+/)[0];
        return first ? Number(first) : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Stops what runs through `inPrivateNamespaces`: SIGTERM to its first process (which stops the gateway's
 * processes by id), then, if that has not ended within `graceMs`, SIGKILL to `unshare`, which ends the namespace
 * and everything in it.
 */
export function stopNamespace(unsharePid: number, graceMs = 60_000): void {
    const init = namespaceInit(unsharePid);
    if (init !== undefined) process.kill(init, "SIGTERM");
    setTimeout(() => {
        try {
            process.kill(unsharePid, "SIGKILL");
        } catch {
            // already gone
        }
    }, init === undefined ? 0 : graceMs).unref();
}

/** True when this process runs in network and mount namespaces other than those `inPrivateNamespaces` was called in. */
export function inPrivateNetwork(): boolean {
    const from = process.env[STARTED_FROM]?.split(" ");
    if (from?.length !== 2) return false;
    const [net, mnt] = namespaces().split(" ");
    return net !== from[0] && mnt !== from[1];
}

function sh(cmd: string, args: string[]): void {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.error?.message ?? r.stderr.trim()}`);
}

export interface PrivateNetwork {
    /** Adds an address to the loopback interface (the stand-in of a backend host listens there). */
    addAddress(ip: string): void;
    /**
     * Replaces the hosts file the processes see: each name at its address, and at the further addresses of `more`
     * (several lines of one name: a resolver that reads the file, as Envoy's does, returns every address of it).
     */
    writeHosts(entries: Map<string, string>, more?: ReadonlyMap<string, readonly string[]>): void;
    /** Appends a CA certificate to the bundle Envoy trusts for `wellKnownCACertificates: System`. */
    trustCa(pem: string): void;
}

/** The system CA bundle Envoy Gateway points Envoy at (Debian's path). */
export const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

let prepared: PrivateNetwork | undefined;

/**
 * Brings the namespace's loopback up and overlays `/etc` (once per process). Refuses to run in the machine's
 * own network namespace: the gateway would listen on every interface and rewrite the machine's hosts file.
 */
export function preparePrivateNetwork(): PrivateNetwork {
    if (prepared) return prepared;
    if (!inPrivateNetwork()) {
        throw new Error("the local gateway runs only in a private network namespace: start it with `npm run local` or `npm run test:dataplane` (they run it through `unshare --net --mount`)");
    }
    sh("ip", ["link", "set", "lo", "up"]);
    // The overlay's layers live as long as this process (and the mount namespace with it), not one gateway:
    // with its upper layer gone, every later write to /etc would fail.
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-namespace-etc-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const upper = join(dir, "upper");
    const work = join(dir, "work");
    mkdirSync(upper, { recursive: true });
    mkdirSync(work, { recursive: true });
    sh("mount", ["--make-rprivate", "/"]);
    sh("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=/etc,upperdir=${upper},workdir=${work}`, "/etc"]);
    const added = new Set<string>();
    let trusted = "";
    prepared = {
        addAddress(ip) {
            if (added.has(ip)) return;
            sh("ip", ["addr", "add", `${ip}/32`, "dev", "lo"]);
            added.add(ip);
        },
        writeHosts(entries, more) {
            // Each name also as an absolute name (trailing dot), as Envoy Gateway writes the xDS server's.
            const pairs = [...entries].sort(([a], [b]) => a.localeCompare(b)).flatMap(([host, ip]) => [ip, ...(more?.get(host) ?? [])].map((address) => [host, address] as const));
            const lines = ["127.0.0.1 localhost", ...pairs.map(([host, ip]) => `${ip} ${host}${host.endsWith(".") ? "" : ` ${host}.`}`)];
            writeFileSync("/etc/hosts", `${lines.join("\n")}\n`);
        },
        trustCa(pem) {
            if (trusted.includes(pem)) return;
            trusted += pem;
            // Only the test CA: nothing this gateway reaches is a real provider.
            mkdirSync("/etc/ssl/certs", { recursive: true });
            writeFileSync(SYSTEM_CA_BUNDLE, trusted);
        },
    };
    return prepared;
}
