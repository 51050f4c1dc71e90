/**
 * The pinned CustomResourceDefinitions the test suites validate against, taken from the upstream releases the
 * program installs (config/versions.ts, UPSTREAM_CRDS) into a gitignored cache on first use:
 *
 * - Envoy Gateway and Gateway API: the `gateway-crds-helm` chart of the `github.com/envoyproxy/gateway` module,
 *   its templates rendered with the values the program installs that chart with;
 * - Envoy AI Gateway: the `ai-gateway-crds-helm` chart's templates, from its module or, where the module proxy
 *   refuses the version, the release's source archive (tools/upstreamSources.ts);
 * - the InferencePool: `config/crd/bases` of `sigs.k8s.io/gateway-api-inference-extension`.
 *
 *   npm run crds                      # fetch what is missing, print where the CRDs are
 *   AI_GATEWAY_CRD_DIR=/some/dir      # use these CRDs instead (nothing is fetched)
 *   AI_GATEWAY_CRD_CACHE=/some/dir    # cache elsewhere (default: .cache/crds)
 *
 * Needs Go (for `go mod download`); when nothing can provide the CRDs, one error says what to install.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { envoyGatewayCrdsValues } from "../components/manifests/platformValues";
import { UPSTREAM_CRDS } from "../config/versions";
import { GO } from "./prerequisites";
import { goEnv, moduleSource } from "./upstreamSources";
import { toolsDirectory } from "./upstreamTools";

type Values = { [key: string]: unknown };

/** What to install when Go is missing, and how the CRDs can be given instead. */
export const GO_MISSING = `the test suites take the pinned CRDs from Go modules, and \`go\` is not on PATH: install ${GO.install}; or point AI_GATEWAY_CRD_DIR at a folder of the CRDs`;

export function crdCacheDirectory(): string {
    return resolve(process.env.AI_GATEWAY_CRD_CACHE || join(__dirname, "..", ".cache", "crds"));
}

/** Stamps the cache with the pins, so a version bump fetches again. */
function pinsStamp(): string {
    return JSON.stringify({ crds: UPSTREAM_CRDS, values: envoyGatewayCrdsValues() });
}

// --- Helm template directives -------------------------------------------------------------------------------
// The CRD charts hold YAML wrapped in `{{- if <condition> }} ... {{- end }}`. This evaluates exactly the
// subset of Go templates they use (if/else/end; and, or, not, eq; .Values paths; string and boolean literals),
// with Go's whitespace trimming, and refuses any other action rather than guessing.

type Token = { text: string } | { action: string; trimLeft: boolean; trimRight: boolean };

function tokenize(template: string): Token[] {
    const tokens: Token[] = [];
    const re = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
    let at = 0;
    for (let m = re.exec(template); m; m = re.exec(template)) {
        tokens.push({ text: template.slice(at, m.index) });
        tokens.push({ action: m[2].trim(), trimLeft: m[1] !== undefined, trimRight: m[3] !== undefined });
        at = m.index + m[0].length;
    }
    tokens.push({ text: template.slice(at) });
    // Trim markers eat the whitespace beside them, as text/template does.
    for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (!("action" in t)) continue;
        const before = tokens[i - 1];
        const after = tokens[i + 1];
        if (t.trimLeft && before && "text" in before) before.text = before.text.replace(/\s+$/, "");
        if (t.trimRight && after && "text" in after) after.text = after.text.replace(/^\s+/, "");
    }
    return tokens;
}

/** Go template truth: false, 0, nil and empty strings, maps and lists are false. */
function truthy(v: unknown): boolean {
    if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
    if (Array.isArray(v)) return v.length > 0;
    if (typeof v === "object") return Object.keys(v).length > 0;
    return true;
}

function evaluateExpression(expression: string, values: Values): unknown {
    const words = expression.match(/"(?:[^"\\]|\\.)*"|[()]|[^\s()]+/g) ?? [];
    let i = 0;
    const operand = (): unknown => {
        const w = words[i++];
        if (w === undefined) throw new Error(`template condition "${expression}" ends early`);
        if (w === "(") {
            const v = call();
            if (words[i++] !== ")") throw new Error(`template condition "${expression}": unbalanced parentheses`);
            return v;
        }
        if (w.startsWith('"')) return JSON.parse(w) as string;
        if (w === "true" || w === "false") return w === "true";
        if (w.startsWith(".Values")) {
            let v: unknown = values;
            for (const key of w.split(".").slice(2)) v = typeof v === "object" && v !== null ? (v as Values)[key] : undefined;
            return v;
        }
        throw new Error(`template condition "${expression}": "${w}" is not supported`);
    };
    const call = (): unknown => {
        const w = words[i];
        if (w === "and" || w === "or" || w === "eq" || w === "not") {
            i++;
            const args: unknown[] = [];
            while (i < words.length && words[i] !== ")") args.push(operand());
            if (w === "not") return args.length === 1 ? !truthy(args[0]) : fail(w);
            if (args.length < 2) return fail(w);
            if (w === "eq") return args.slice(1).some((a) => a === args[0]);
            // and/or return the deciding argument, as Go's do.
            for (const a of args.slice(0, -1)) if (truthy(a) === (w === "or")) return a;
            return args[args.length - 1];
        }
        return operand();
    };
    const fail = (w: string): never => {
        throw new Error(`template condition "${expression}": wrong number of arguments to ${w}`);
    };
    const v = call();
    if (i !== words.length) throw new Error(`template condition "${expression}": unexpected "${words[i]}"`);
    return v;
}

/** Renders a chart template of the supported subset with the given values. */
export function renderTemplate(template: string, values: Values): string {
    const out: string[] = [];
    // Each open `if`: whether its branch taken so far is emitting, and whether the enclosing one is.
    const stack: { emitting: boolean; taken: boolean; outer: boolean }[] = [];
    const emitting = () => stack.every((s) => s.emitting);
    for (const t of tokenize(template)) {
        if ("text" in t) {
            if (emitting()) out.push(t.text);
            continue;
        }
        const ifMatch = /^if\s+(.+)$/s.exec(t.action);
        if (ifMatch) {
            const outer = emitting();
            const value = outer && truthy(evaluateExpression(ifMatch[1], values));
            stack.push({ emitting: value, taken: value, outer });
        } else if (t.action === "else") {
            const top = stack[stack.length - 1];
            if (!top) throw new Error("template: else without if");
            top.emitting = top.outer && !top.taken;
            top.taken = true;
        } else if (t.action === "end") {
            if (!stack.pop()) throw new Error("template: end without if");
        } else if (/^\/\*[\s\S]*\*\/$/.test(t.action)) {
            continue;
        } else {
            throw new Error(`template action "{{ ${t.action} }}" is not supported`);
        }
    }
    if (stack.length > 0) throw new Error("template: if without end");
    return out.join("");
}

// --- Fetching ---------------------------------------------------------------------------------------------

function haveGo(): boolean {
    const r = spawnSync("go", ["version"], { env: goEnv(), encoding: "utf8" });
    return !r.error && r.status === 0;
}

function yamlFiles(dir: string): string[] {
    if (!existsSync(dir)) throw new Error(`${dir}: not found in the module`);
    return readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f) && statSync(join(dir, f)).isFile())
        .sort();
}

/** Writes every CRD into `staging/<group>/`; returns how many files were written. */
function fetchInto(staging: string): string[] {
    const written: string[] = [];
    const write = (group: string, file: string, text: string) => {
        mkdirSync(join(staging, group), { recursive: true });
        writeFileSync(join(staging, group, file), text);
        written.push(`${group}/${file}`);
    };
    const sources = toolsDirectory();
    const charts: { group: string; spec: (typeof UPSTREAM_CRDS)["envoyGateway"] | (typeof UPSTREAM_CRDS)["aiGateway"]; values: Values }[] = [
        { group: "envoy-gateway", spec: UPSTREAM_CRDS.envoyGateway, values: envoyGatewayCrdsValues() },
        { group: "ai-gateway", spec: UPSTREAM_CRDS.aiGateway, values: {} },
    ];
    for (const { group, spec, values } of charts) {
        const source = moduleSource(spec, sources);
        for (const folder of spec.templates) {
            for (const file of yamlFiles(join(source.dir, folder))) {
                const rendered = renderTemplate(readFileSync(join(source.dir, folder, file), "utf8"), values);
                if (rendered.trim() !== "") write(group, file, rendered.replace(/^\s*\n/, ""));
            }
        }
    }
    const pool = UPSTREAM_CRDS.inferenceExtension;
    const source = moduleSource(pool, sources);
    for (const file of pool.files) write("inference-extension", file.replace(/^.*\//, ""), readFileSync(join(source.dir, file), "utf8"));
    return written;
}

/**
 * The folder of the pinned CRDs: AI_GATEWAY_CRD_DIR when set, else the cache, filled first when it is empty or
 * holds other versions. Throws one message naming what to install when nothing can provide them.
 */
export function pinnedCrdDirectory(log: (line: string) => void = () => undefined): string {
    const given = process.env.AI_GATEWAY_CRD_DIR;
    if (given) {
        if (!existsSync(given) || !statSync(given).isDirectory()) throw new Error(`CRD directory not found: ${given} (AI_GATEWAY_CRD_DIR); unset it to fetch the pinned CRDs`);
        return given;
    }
    const cache = crdCacheDirectory();
    const target = join(cache, "pinned");
    const stampPath = join(cache, "pinned.stamp");
    const stamp = pinsStamp();
    if (existsSync(target) && existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp) return target;
    if (!haveGo()) throw new Error(GO_MISSING);
    const started = Date.now();
    const staging = join(cache, `.fetching-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
        const written = fetchInto(staging);
        rmSync(target, { recursive: true, force: true });
        renameSync(staging, target);
        writeFileSync(stampPath, stamp);
        log(`pinned CRDs: ${written.length} files in ${target} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        return target;
    } finally {
        rmSync(staging, { recursive: true, force: true });
    }
}

if (require.main === module) {
    try {
        const dir = pinnedCrdDirectory((line) => console.log(line));
        console.log(`pinned CRDs: ${dir}`);
    } catch (e) {
        process.stderr.write(`pinned CRDs: ${(e as Error).message}\n`);
        process.exit(1);
    }
}
