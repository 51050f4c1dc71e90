/**
 * Runs a command in new network and mount namespaces (tools/network.ts), passing on its exit code
 * and the signals that stop it:
 *
 *   node -r ts-node/register/transpile-only tools/privateNamespaces.ts -- mocha --config test/dataplane/mocharc.json
 */
import { spawn } from "node:child_process";
import { inPrivateNamespaces, stopNamespace } from "./network";

const argv = process.argv.slice(process.argv.indexOf("--") + 1);
if (!process.argv.includes("--") || argv.length === 0) {
    process.stderr.write("usage: privateNamespaces.ts -- COMMAND [ARGS...]\n");
    process.exit(2);
}
const { cmd, args, env } = inPrivateNamespaces(argv);
const child = spawn(cmd, args, { env, stdio: "inherit" });
child.once("error", (e) => {
    process.stderr.write(`${cmd}: ${e.message} (the local gateway needs unshare from util-linux, and root or user namespaces)\n`);
    process.exit(1);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.pid !== undefined && stopNamespace(child.pid));
child.once("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
