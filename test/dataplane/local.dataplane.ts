/**
 * `npm run local` as a user runs it: through npm, on a stack file the suite has never seen, answering the first
 * call it prints, and stopped by a SIGTERM sent to npm itself (not to the process that runs the gateway) with no
 * process of it left behind.
 */
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump, load } from "js-yaml";
import { preparePrivateNetwork } from "../../tools/network";
import { freePort } from "../e2e/controlPlane";
import { call } from "./client";

const ROOT = join(__dirname, "..", "..");

/** Every process below `pid`, read from /proc (the suite's own process-id namespace holds the gateway's too). */
function descendants(pid: number): number[] {
    const parents = new Map<number, number>();
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            // The parent is the 4th field of stat, after the command in parentheses (which may hold spaces).
            const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
            parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
        } catch {
            // ended meanwhile
        }
    }
    const found: number[] = [];
    const visit = (p: number) => {
        for (const [child, parent] of parents) {
            if (parent !== p) continue;
            found.push(child);
            visit(child);
        }
    };
    visit(pid);
    return found;
}

/** Whether a process runs (a zombie waiting for its parent does not). */
function alive(pid: number): boolean {
    try {
        return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
    } catch {
        return false;
    }
}

describe("data plane (npm run local): the command a user runs", function () {
    let npm: ChildProcess | undefined;
    let started: number[] = [];
    const dir = mkdtempSync(join(tmpdir(), "dataplane-local-"));

    before(() => {
        // The suite's own network namespace: its loopback, where npm run local listens.
        preparePrivateNetwork();
    });

    after(async () => {
        // Whatever the test left, by process id: npm's process group (npm, its shell, the command) is asked to stop,
        // which stops the gateway's processes; any still there after 30 s are killed.
        if (npm?.pid !== undefined) {
            try {
                process.kill(-npm.pid, "SIGTERM");
            } catch {
                // the group has ended
            }
        }
        const deadline = Date.now() + 30_000;
        while (started.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
        for (const pid of started.filter(alive)) process.kill(pid, "SIGKILL");
        rmSync(dir, { recursive: true, force: true });
    });

    it("npm run local -- --config-file F: prints the address, the models and a first call with a client's key that answers 200; a SIGTERM to npm stops every process it started", async () => {
        // A stack file the suite has not seen: the dev stack under another name, in another folder, its models and
        // backends in a file it includes (ai-gateway:include), as a large stack keeps them.
        const file = join(dir, "Pulumi.mine.yaml");
        const dev = load(readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
        const { "ai-gateway:models": models, "ai-gateway:backends": backends, ...rest } = dev.config;
        writeFileSync(join(dir, "mine.models.yaml"), dump({ config: { "ai-gateway:models": models, "ai-gateway:backends": backends } }));
        writeFileSync(file, dump({ ...dev, config: { ...rest, "ai-gateway:include": ["mine.models.yaml"] } }));
        const port = await freePort();
        // A process group of its own, so that the test can stop all of it if it fails midway.
        npm = spawn("npm", ["run", "-s", "local", "--", "--config-file", file, "--port", String(port)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
        let out = "";
        let err = "";
        npm.stdout!.on("data", (c: Buffer) => (out += c.toString("utf8")));
        npm.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")));
        const ready = await new Promise<boolean>((resolve) => {
            const timer = setInterval(() => out.includes("Ctrl-C stops everything") && (clearInterval(timer), resolve(true)), 200);
            npm!.once("exit", () => (clearInterval(timer), resolve(false)));
            setTimeout(() => (clearInterval(timer), resolve(false)), 400_000).unref();
        });
        started = descendants(npm.pid!);
        assert.ok(ready, `npm run local: not ready\nstdout:\n${out}\nstderr:\n${err.slice(-4000)}`);

        assert.match(out, new RegExp(`answers at http://127\\.0\\.0\\.1:${port}\\n`), `npm run local: the address\n${out}`);
        assert.match(out, /Models: qwen-with-fallback, virtual-qwen-model\n/, `npm run local: the models\n${out}`);
        const curl = /curl -sS (\S+) -H 'x-api-key: ([^']+)' -H 'content-type: application\/json' \\\n\s+-d '([^']+)'/.exec(out);
        assert.ok(curl, `npm run local: no first call with a client key in\n${out}`);
        const reply = await call(curl[1], "", { body: curl[3], headers: { "x-api-key": curl[2] } });
        assert.equal(reply.status, 200, `npm run local: the printed first call answered ${reply.status} ${reply.body.slice(0, 300)}`);

        started = descendants(npm.pid!);
        const names = started.map((p) => {
            try {
                return readFileSync(`/proc/${p}/comm`, "utf8").trim();
            } catch {
                return "";
            }
        });
        for (const name of ["envoy", "extproc", "ratelimit", "redis-server"]) assert.ok(names.includes(name), `npm run local: no ${name} among ${names.join(", ")}`);

        const exited = new Promise<void>((resolve) => npm!.once("exit", () => resolve()));
        process.kill(npm.pid!, "SIGTERM");
        await exited;
        const deadline = Date.now() + 60_000;
        let left = started.filter(alive);
        while (left.length > 0 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 500));
            left = started.filter(alive);
        }
        assert.deepEqual(
            left.map((p) => `${p} ${names[started.indexOf(p)]}`),
            [],
            "npm run local: processes left 60 s after SIGTERM to npm",
        );
    });
});
