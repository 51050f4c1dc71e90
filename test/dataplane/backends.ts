/**
 * What answers for each backend host of a stack on the local gateway: upstream's fake LLM server
 * (`testupstream` from AI Gateway v1.1.0, answering in each provider's schema with token usage), one process
 * per host, behind a small front at the host's address and port. The front serves HTTPS with a test CA when
 * the backend is reached over TLS, counts the requests it receives and, when a test asks, answers with a
 * status of its own (a backend that fails) or refuses connections (a backend that is down).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { join } from "node:path";
import { freePort, stopProcess } from "../e2e/controlPlane";
import { waitForPort } from "../e2e/controllers";

export interface BackendHost {
    host: string;
    /** The key of its control (the host by default): `<host>#<n>` for each endpoint of a host with several (StartOptions.endpoints). */
    key?: string;
    ip: string;
    port: number;
    tls: boolean;
    /** Answer every request with this JSON (a JSON Web Key Set, say) instead of a fake LLM server. */
    json?: unknown;
    /**
     * A plain HTTP application (a passthrough route's Service): answers every request 200 with
     * `{"service": <host>, "path": <path>}` instead of a fake LLM server, and counts what it receives.
     */
    service?: boolean;
}

export interface BackendControl {
    readonly host: string;
    /** Requests the front received since the last reset. */
    readonly requests: number;
    /** Paths of those requests, in order. */
    readonly paths: string[];
    /** Their headers, in order. */
    readonly headers: IncomingHttpHeaders[];
    /** Answer every request with this status (no body from the backend), or undefined to pass requests on. */
    failWith(status: number | undefined): void;
    /** Answer every request with this handler (a server of another protocol, MCP say), or undefined to pass requests on. */
    serve(handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined): void;
    reset(): void;
}

export interface TestCa {
    cert: string;
    /** Key and certificate for a host name, signed by the CA. */
    issue(host: string): { key: string; cert: string };
}

function openssl(args: string[], cwd: string): void {
    const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.error?.message ?? r.stderr}`);
}

/** A throwaway CA (openssl) that only the local gateway's Envoy trusts. */
export function testCa(dir: string): TestCa {
    mkdirSync(dir, { recursive: true });
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=local-gateway-test-ca", "-keyout", "ca.key", "-out", "ca.crt"], dir);
    let serial = 0;
    return {
        cert: readFileSync(join(dir, "ca.crt"), "utf8"),
        issue(host) {
            const name = `host-${++serial}`;
            writeFileSync(join(dir, `${name}.ext`), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
            openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${host}`, "-keyout", `${name}.key`, "-out", `${name}.csr`], dir);
            openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", `${name}.ext`, "-out", `${name}.crt`], dir);
            return { key: readFileSync(join(dir, `${name}.key`), "utf8"), cert: readFileSync(join(dir, `${name}.crt`), "utf8") };
        },
    };
}

export interface StandIns {
    controls: Map<string, BackendControl>;
    logs(): string;
    stop(): Promise<void>;
}

/** Starts a testupstream and a front for every host; stops what it started if one fails. */
export async function startBackends(hosts: BackendHost[], testupstream: string, dir: string, ca: TestCa): Promise<StandIns> {
    const processes: { host: string; process: ChildProcess; log: string }[] = [];
    const servers: Server[] = [];
    const controls = new Map<string, BackendControl>();
    const logs = () => processes.map(({ host, log }) => `--- testupstream ${host} ---\n${readFileSync(log, "utf8").split("\n").slice(-15).join("\n")}`).join("\n");
    const stop = async () => {
        await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
        for (const { process: p } of processes) await stopProcess(p);
    };
    try {
        for (const backend of hosts) {
            if (backend.json !== undefined) {
                const body = JSON.stringify(backend.json);
                const server = createHttpsServer(ca.issue(backend.host), (req, res) => {
                    req.resume();
                    res.writeHead(200, { "content-type": "application/json" }).end(body);
                });
                await new Promise<void>((resolve, reject) => {
                    server.once("error", reject);
                    server.listen(backend.port, backend.ip, () => resolve());
                });
                servers.push(server);
                continue;
            }
            let port = 0;
            if (!backend.service) {
                port = await freePort();
                const log = join(dir, `testupstream-${backend.key ?? backend.host}.log`);
                const out = openSync(log, "w");
                const p = spawn(testupstream, [], { env: { PATH: process.env.PATH ?? "", LISTENER_PORT: String(port), TESTUPSTREAM_ID: backend.host }, stdio: ["ignore", out, out] });
                p.once("error", () => undefined);
                processes.push({ host: backend.key ?? backend.host, process: p, log });
                await waitForPort(port, 30_000, () => (p.exitCode !== null ? `testupstream for ${backend.host} exited with ${p.exitCode}` : undefined));
            }

            let failing: number | undefined;
            let serving: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
            const paths: string[] = [];
            const headers: IncomingHttpHeaders[] = [];
            const handler = (req: IncomingMessage, res: ServerResponse) => {
                paths.push(req.url ?? "");
                headers.push(req.headers);
                if (failing !== undefined) {
                    req.resume();
                    res.writeHead(failing, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `stand-in ${backend.host} fails on purpose`, type: "test" } }));
                    return;
                }
                if (serving !== undefined) {
                    serving(req, res);
                    return;
                }
                if (backend.service) {
                    req.resume();
                    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ service: backend.host, path: req.url }));
                    return;
                }
                const forward = request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (upstream) => {
                    res.writeHead(upstream.statusCode ?? 502, upstream.headers);
                    upstream.pipe(res);
                });
                forward.on("error", (e) => res.writeHead(502).end(String(e)));
                req.pipe(forward);
            };
            const server = backend.tls ? createHttpsServer(ca.issue(backend.host), handler) : createHttpServer(handler);
            await new Promise<void>((resolve, reject) => {
                server.once("error", reject);
                server.listen(backend.port, backend.ip, () => resolve());
            });
            servers.push(server);
            controls.set(backend.key ?? backend.host, {
                host: backend.host,
                get requests() {
                    return paths.length;
                },
                get paths() {
                    return [...paths];
                },
                get headers() {
                    return [...headers];
                },
                failWith(status) {
                    failing = status;
                },
                serve(handler) {
                    serving = handler;
                },
                reset() {
                    paths.length = 0;
                    headers.length = 0;
                    failing = undefined;
                },
            });
        }
        return { controls, logs, stop };
    } catch (e) {
        await stop();
        throw e;
    }
}
