/**
 * `npm run local`: a stack's whole gateway on this machine (test/dataplane/localGateway.ts), no cluster, no
 * Docker, reachable at http://127.0.0.1:<port>.
 *
 *   npm run local -- --stack dev
 *   npm run local -- --config-file path/to/Pulumi.mine.yaml [--port 8080]
 *
 * The gateway's processes run in a private network and mount namespace (`unshare --net --mount`, which needs
 * root or user namespaces); this process stays outside, listens on 127.0.0.1 and passes each connection to
 * Envoy through a Unix socket in a folder both sides see. Ctrl-C or SIGTERM stops every process by its id.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { inPrivateNamespaces, stopNamespace } from "../tools/network";
import { readToolManifest } from "../tools/upstreamTools";

const ROOT = resolve(__dirname, "..");
const USAGE = "usage: npm run local -- (--stack NAME | --config-file FILE) [--port PORT]";

interface Ready {
    models: string[];
    listeners: { name: string; protocol: string }[];
    /** With `auth.apiKeys`: the header and the key of the first client (a test value the local gateway made). */
    clientKey?: { header: string; client: string; key: string };
}

function pipeTo(target: () => Socket) {
    return (client: Socket) => {
        const upstream = target();
        client.pipe(upstream).pipe(client);
        const close = () => {
            client.destroy();
            upstream.destroy();
        };
        client.on("error", close);
        upstream.on("error", close);
    };
}

/** Inside the namespaces: start the gateway, bridge the socket to Envoy, write what the outside prints. */
async function inside(dir: string, file: string): Promise<void> {
    // Imported here: the outside process needs none of it.
    const { startLocalGateway } = await import("../test/dataplane/localGateway");
    // The render evaluates the program under the recording mocks, as `npm run render` and the tests do.
    const { mocks, project } = await import("../test/setup");
    await mocks.install(project, "local");
    const tools = readToolManifest("dataplane");
    const gateway = await startLocalGateway(file, tools, { progress: (line) => process.stderr.write(`local gateway: ${line}\n`) });
    let stopping = false;
    const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        await gateway.stop();
        process.exit(code);
    };
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void stop(0));
    // The outside process gone (killed without a chance to stop this one): stop too.
    const parent = process.ppid;
    setInterval(() => {
        if (process.ppid !== parent) void stop(1);
    }, 1000).unref();
    const port = Number(new URL(gateway.url).port);
    const bridge = createServer(pipeTo(() => connect(port, "127.0.0.1")));
    await new Promise<void>((r) => bridge.listen(join(dir, "gateway.sock"), () => r()));
    const first = gateway.clientKeys && Object.entries(gateway.clientKeys.keys)[0];
    const clientKey = first && { header: gateway.clientKeys!.header, client: first[0], key: first[1] };
    const ready: Ready = { models: gateway.models, listeners: gateway.listeners, clientKey };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
}

async function outside(args: { file: string; port: number }): Promise<void> {
    // Fail before anything starts when the tools are not built.
    readToolManifest("dataplane");
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-local-bridge-"));
    const namespaced = inPrivateNamespaces([process.execPath, "-r", "ts-node/register/transpile-only", __filename, "--inside", dir, "--config-file", args.file]);
    const child: ChildProcess = spawn(namespaced.cmd, namespaced.args, {
        cwd: ROOT,
        env: namespaced.env,
        stdio: ["ignore", "pipe", "inherit"],
        // Its own process group: Ctrl-C reaches this process, which stops the gateway in order.
        detached: true,
    });
    let server: Server | undefined;
    let stopped = false;
    const stop = (code: number) => {
        if (stopped) return;
        stopped = true;
        server?.close();
        const done = () => {
            rmSync(dir, { recursive: true, force: true });
            process.exit(code);
        };
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return done();
        child.once("exit", done);
        stopNamespace(child.pid);
    };
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => stop(0));
    // `npm run local` starts this process through a shell, which dies of a SIGTERM sent to npm without passing
    // it on: the parent gone, stop as for a signal.
    const parent = process.ppid;
    setInterval(() => {
        if (process.ppid !== parent) stop(0);
    }, 1000).unref();
    child.once("exit", (code, signal) => {
        if (!stopped) {
            process.stderr.write(`local gateway: stopped (${code ?? signal})\n`);
            stopped = true;
            rmSync(dir, { recursive: true, force: true });
            process.exit(1);
        }
    });
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8");
        const line = out.split("\n")[0];
        if (!out.includes("\n") || server) return;
        const ready = JSON.parse(line) as Ready;
        const socket = join(dir, "gateway.sock");
        if (!existsSync(socket)) throw new Error(`no ${socket}`);
        server = createServer(pipeTo(() => connect(socket)));
        server.listen(args.port, "127.0.0.1", () => {
            const { port } = server!.address() as { port: number };
            const url = `http://127.0.0.1:${port}`;
            const model = ready.models[0];
            const key = ready.clientKey;
            process.stdout.write(
                [
                    "",
                    `The gateway of ${args.file} answers at ${url}`,
                    `Models: ${ready.models.join(", ")}`,
                    ...(key ? [`Client ${key.client} calls with ${key.header}: ${key.key} (a key this local gateway made; your stack's own secrets are never read)`] : []),
                    "",
                    "First call:",
                    `  curl -sS ${url}/v1/chat/completions${key ? ` -H '${key.header}: ${key.key}'` : ""} -H 'content-type: application/json' \\`,
                    `    -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello"}]}'`,
                    "",
                    "Backends are stand-ins (upstream's testupstream) at the backends' own host names. Ctrl-C stops everything.",
                    "",
                ].join("\n"),
            );
        });
    });
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: { stack: { type: "string" }, "config-file": { type: "string" }, port: { type: "string" }, inside: { type: "string" }, help: { type: "boolean" } },
        strict: true,
    });
    if (values.help) {
        process.stdout.write(`${USAGE}\n`);
        return;
    }
    if ((values.stack === undefined) === (values["config-file"] === undefined)) throw new Error(`give exactly one of --stack or --config-file\n${USAGE}`);
    const file = values.stack !== undefined ? join(ROOT, `Pulumi.${values.stack}.yaml`) : resolve(values["config-file"] as string);
    if (!existsSync(file)) throw new Error(`${file}: no such stack file`);
    readFileSync(file);
    if (values.inside) return inside(values.inside, file);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: a port number from 0 to 65535 (0: any free port)`);
    return outside({ file, port });
}

main().catch((e: Error) => {
    process.stderr.write(`local gateway: ${e.message}\n`);
    process.exit(1);
});
