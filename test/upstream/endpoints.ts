/**
 * The AI Gateway's own endpoint table, read from its source: the paths `cmd/extproc/mainlib/main.go`
 * registers (`server.Register(path.Join(flags.rootPrefix, endpointPrefixes.<API>, "<path>"), ...)`) at
 * rootPrefix `/` and the default endpoint prefixes of `internal/internalapi` (`ParseEndpointPrefixes`).
 */
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";

const MAIN = "cmd/extproc/mainlib/main.go";
const INTERNALAPI = "internal/internalapi/internalapi.go";

/** The paths the extProc of the AI Gateway source in `sourceDir` serves, in registration order. */
export function upstreamEndpoints(sourceDir: string): string[] {
    const api = readFileSync(join(sourceDir, INTERNALAPI), "utf8");
    const defaults = /func ParseEndpointPrefixes\([^)]*\)[^{]*\{\s*out := EndpointPrefixes\{([^}]*)\}/.exec(api);
    if (!defaults) throw new Error(`${INTERNALAPI}: no default endpoint prefixes in ParseEndpointPrefixes`);
    const prefixes = new Map([...defaults[1].matchAll(/(\w+):\s*"([^"]*)"/g)].map((m) => [m[1], m[2]]));

    const main = readFileSync(join(sourceDir, MAIN), "utf8");
    const registered = [...main.matchAll(/server\.Register\(path\.Join\(flags\.rootPrefix,\s*endpointPrefixes\.(\w+),\s*"([^"]+)"\)/g)];
    if (registered.length === 0) throw new Error(`${MAIN}: no server.Register(path.Join(...)) calls`);
    // Every Register call must be one this reading understands, so a new form fails here instead of going missing.
    const calls = main.match(/server\.Register\(/g)?.length ?? 0;
    if (calls !== registered.length) throw new Error(`${MAIN}: ${calls - registered.length} server.Register call(s) of a form this reader does not know`);
    return registered.map(([, api, path]) => {
        const prefix = prefixes.get(api);
        if (prefix === undefined) throw new Error(`${MAIN}: endpointPrefixes.${api} has no default in ${INTERNALAPI}`);
        return posix.join("/", prefix, path);
    });
}

/** Where our list and the source's table disagree, one line each (empty when they agree as sets). */
export function endpointListProblems(sourceDir: string, ours: readonly string[]): string[] {
    const theirs = upstreamEndpoints(sourceDir);
    return [
        ...theirs.filter((e) => !ours.includes(e)).map((e) => `${e}: served by the AI Gateway (${MAIN}) but missing from AI_GATEWAY_ENDPOINTS`),
        ...ours.filter((e) => !theirs.includes(e)).map((e) => `${e}: in AI_GATEWAY_ENDPOINTS but not served by the AI Gateway (${MAIN})`),
        ...ours.filter((e, i) => ours.indexOf(e) !== i).map((e) => `${e}: listed twice in AI_GATEWAY_ENDPOINTS`),
    ];
}
