/**
 * The system programs a test suite runs, checked before anything starts: each missing one is named with
 * the command that installs it, all at once.
 *
 *   node -r ts-node/register/transpile-only tools/prerequisites.ts e2e
 */
import { spawnSync } from "node:child_process";

export interface Prerequisite {
    command: string;
    /** What the suite does with it. */
    why: string;
    install: string;
}

export const GO: Prerequisite = {
    command: "go",
    why: "builds the pinned upstream tools and fetches the pinned CRDs",
    install: "Go 1.22 or newer: `apt-get install golang-go` (Debian/Ubuntu), `brew install go` (macOS), or https://go.dev/doc/install",
};
const OPENSSL: Prerequisite = { command: "openssl", why: "makes the test certificates", install: "`apt-get install openssl` (Debian/Ubuntu), `brew install openssl` (macOS)" };
const ETCD: Prerequisite = { command: "etcd", why: "stores the local API server's objects", install: "`apt-get install etcd-server` (Debian/Ubuntu), `brew install etcd` (macOS)" };

export const SUITE_PREREQUISITES = {
    unit: [GO],
    upstream: [GO, OPENSSL],
    e2e: [GO, ETCD, OPENSSL],
} as const satisfies Record<string, readonly Prerequisite[]>;
export type Suite = keyof typeof SUITE_PREREQUISITES;

/** Whether a program is on PATH: it starts (any exit status), rather than failing with ENOENT. */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
    const r = spawnSync(command, ["--version"], { env, stdio: "ignore", timeout: 10_000 });
    return (r.error as NodeJS.ErrnoException | undefined)?.code !== "ENOENT";
}

/** One line per missing program of the suite: what it is for and how to install it. */
export function missingPrerequisites(suite: Suite, env: NodeJS.ProcessEnv = process.env): string[] {
    return SUITE_PREREQUISITES[suite].filter((p) => !onPath(p.command, env)).map((p) => `${p.command} (${p.why}) is not on PATH; install ${p.install}`);
}

if (require.main === module) {
    const suite = process.argv[2] as Suite;
    if (!Object.hasOwn(SUITE_PREREQUISITES, suite)) {
        process.stderr.write(`unknown suite "${suite}"; use one of ${Object.keys(SUITE_PREREQUISITES).join(", ")}\n`);
        process.exit(2);
    }
    const missing = missingPrerequisites(suite);
    if (missing.length > 0) {
        process.stderr.write(`npm run test:${suite} cannot start:\n${missing.map((m) => `  - ${m}\n`).join("")}`);
        process.exit(1);
    }
}
