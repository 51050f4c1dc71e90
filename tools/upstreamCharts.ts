/**
 * The platform's Helm charts from their upstream sources, filled in as each project's release fills them, in a
 * gitignored cache folder: a `platform.<release>.chart.path` for each release (one folder per chart, named as the
 * chart). `npm run test:e2e` installs the releases from them; an air-gapped installation can make them the same way.
 *
 * The sources hold release-time placeholders, which upstream's release replaces when it packages the charts:
 * - Envoy Gateway (`charts/` of github.com/envoyproxy/gateway at the pinned tag): `helm package --version <tag>
 *   --app-version <tag>`, after writing `values.yaml` from `values.tmpl.yaml` with `GatewayImage` =
 *   `docker.io/envoyproxy/gateway:<tag>` and `GatewayImagePullPolicy` = `IfNotPresent`;
 * - AI Gateway (`manifests/charts/` of github.com/envoyproxy/ai-gateway, or its release's source archive):
 *   `helm package --version <tag> --app-version <tag>` (the images default to the chart's appVersion);
 * - the Inference Extension's `inferencepool` (`config/charts/` of sigs.k8s.io/gateway-api-inference-extension):
 *   `--version <tag>`, the image tag being in its values already.
 * A placeholder other than the expected one fails the preparation (a new upstream release may package differently).
 *
 *   node -r ts-node/register/transpile-only tools/upstreamCharts.ts    # prints the three folders
 */
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AI_GATEWAY, ENVOY_GATEWAY, INFERENCE_EXTENSION, UPSTREAM_TOOLS } from "../config/versions";
import { moduleSource, type SourceSpec } from "./upstreamSources";
import { toolsDirectory } from "./upstreamTools";

export type PlatformChartFolders = Record<"envoyGateway" | "aiGateway" | "inferenceExtension", string>;

interface ChartFill {
    /** The chart's folder in its module. */
    from: string;
    /** Chart.yaml's `version` and `appVersion` in the source, which the release replaces with the tag. */
    placeholder: { version: string; appVersion: string };
    /** `values.yaml` written from `values.tmpl.yaml` with these `${name}` variables. */
    valuesTemplate?: Record<string, string>;
}

interface PlatformSource {
    source: SourceSpec;
    version: string;
    charts: Record<string, ChartFill>;
}

const EG_PLACEHOLDER = { version: "v0.0.0-latest", appVersion: "latest" };

export const PLATFORM_SOURCES: Record<keyof PlatformChartFolders, PlatformSource> = {
    envoyGateway: {
        source: { module: "github.com/envoyproxy/gateway", version: ENVOY_GATEWAY.version },
        version: ENVOY_GATEWAY.version,
        charts: {
            [ENVOY_GATEWAY.crdsChart]: { from: `charts/${ENVOY_GATEWAY.crdsChart}`, placeholder: EG_PLACEHOLDER },
            [ENVOY_GATEWAY.chart]: {
                from: `charts/${ENVOY_GATEWAY.chart}`,
                placeholder: EG_PLACEHOLDER,
                valuesTemplate: { GatewayImage: `docker.io/envoyproxy/gateway:${ENVOY_GATEWAY.version}`, GatewayImagePullPolicy: "IfNotPresent" },
            },
        },
    },
    aiGateway: {
        source: { module: UPSTREAM_TOOLS.aiGatewayController.module, version: AI_GATEWAY.version, archive: UPSTREAM_TOOLS.aiGatewayController.archive },
        version: AI_GATEWAY.version,
        charts: {
            [AI_GATEWAY.crdsChart]: { from: `manifests/charts/${AI_GATEWAY.crdsChart}`, placeholder: EG_PLACEHOLDER },
            [AI_GATEWAY.chart]: { from: `manifests/charts/${AI_GATEWAY.chart}`, placeholder: EG_PLACEHOLDER },
        },
    },
    inferenceExtension: {
        source: { module: "sigs.k8s.io/gateway-api-inference-extension", version: INFERENCE_EXTENSION.version },
        version: INFERENCE_EXTENSION.version,
        charts: { [INFERENCE_EXTENSION.chart]: { from: `config/charts/${INFERENCE_EXTENSION.chart}`, placeholder: { version: "0.0.0", appVersion: "0.0.0" } } },
    },
};

/** A top-level scalar key of a Chart.yaml set to `value`, after checking it holds `expected` (quoted or not). */
export function fillChartKey(text: string, key: string, expected: string, value: string, where: string): string {
    const line = new RegExp(`^${key}:[ \\t]*(.*?)[ \\t]*$`, "m");
    const m = line.exec(text);
    const found = m?.[1].replace(/^(["'])(.*)\1$/, "$2");
    if (found !== expected) throw new Error(`${where}: ${key} is ${found === undefined ? "missing" : JSON.stringify(found)}, not the placeholder ${JSON.stringify(expected)}; update tools/upstreamCharts.ts for this release`);
    return text.replace(line, `${key}: "${value}"`);
}

/** `values.tmpl.yaml` with each `${name}` replaced; a variable left over fails. */
export function fillValuesTemplate(text: string, variables: Record<string, string>, where: string): string {
    const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => variables[name] ?? whole);
    const left = [...out.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
    if (left.length > 0) throw new Error(`${where}: ${[...new Set(left)].join(", ")} not filled; update tools/upstreamCharts.ts for this release`);
    return out;
}

/** One release's chart folder, filled; made once per release (written beside and renamed into place). */
function prepare(key: keyof PlatformChartFolders, spec: PlatformSource, cacheDir: string): string {
    const target = join(cacheDir, "charts", `${key}-${spec.version}`);
    const stamp = `${target}.stamp`;
    const identity = JSON.stringify(spec);
    if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, "utf8") === identity) return target;
    const { dir } = moduleSource(spec.source, cacheDir);
    const staging = `${target}.preparing-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
        for (const [name, fill] of Object.entries(spec.charts)) {
            const into = join(staging, name);
            cpSync(join(dir, fill.from), into, { recursive: true });
            const chartYaml = join(into, "Chart.yaml");
            let text = readFileSync(chartYaml, "utf8");
            text = fillChartKey(text, "version", fill.placeholder.version, spec.version, `${fill.from}/Chart.yaml`);
            text = fillChartKey(text, "appVersion", fill.placeholder.appVersion, spec.version, `${fill.from}/Chart.yaml`);
            writeFileSync(chartYaml, text);
            if (fill.valuesTemplate) {
                const template = join(into, "values.tmpl.yaml");
                writeFileSync(join(into, "values.yaml"), fillValuesTemplate(readFileSync(template, "utf8"), fill.valuesTemplate, `${fill.from}/values.tmpl.yaml`));
                rmSync(template);
            }
        }
        rmSync(target, { recursive: true, force: true });
        renameSync(staging, target);
    } finally {
        rmSync(staging, { recursive: true, force: true });
    }
    writeFileSync(stamp, identity);
    return target;
}

/** The three chart folders (`platform.<release>.chart.path`), made from the pinned sources if missing. */
export function preparePlatformCharts(cacheDir = toolsDirectory()): PlatformChartFolders {
    return {
        envoyGateway: prepare("envoyGateway", PLATFORM_SOURCES.envoyGateway, cacheDir),
        aiGateway: prepare("aiGateway", PLATFORM_SOURCES.aiGateway, cacheDir),
        inferenceExtension: prepare("inferenceExtension", PLATFORM_SOURCES.inferenceExtension, cacheDir),
    };
}

if (require.main === module) {
    try {
        for (const [key, dir] of Object.entries(preparePlatformCharts())) console.log(`platform.${key}.chart.path: ${dir}`);
    } catch (e) {
        process.stderr.write(`upstream charts: ${(e as Error).message}\n`);
        process.exit(1);
    }
}
