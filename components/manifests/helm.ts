import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { AI_GATEWAY, ENVOY_GATEWAY, INFERENCE_EXTENSION } from "./versions";

/** One Helm chart to install: its name, the upstream repository it is published in, and the release name. */
export interface ChartRef {
    /** The chart's name (its folder's name in a local `chart.path`). */
    name: string;
    /** Where upstream publishes it: an OCI registry path. */
    repository: string;
    releaseName: string;
}

export const CHARTS = {
    envoyGatewayCrds: { name: ENVOY_GATEWAY.crdsChart, repository: ENVOY_GATEWAY.repository, releaseName: "envoy-gateway-crds" },
    envoyGateway: { name: ENVOY_GATEWAY.chart, repository: ENVOY_GATEWAY.repository, releaseName: "envoy-gateway" },
    aiGatewayCrds: { name: AI_GATEWAY.crdsChart, repository: AI_GATEWAY.repository, releaseName: "ai-gateway-crds" },
    aiGateway: { name: AI_GATEWAY.chart, repository: AI_GATEWAY.repository, releaseName: "ai-gateway" },
} as const satisfies Record<string, ChartRef>;

/** The charts each `platform.<key>.chart` covers, by chart name. */
export const PLATFORM_CHARTS = {
    envoyGateway: [ENVOY_GATEWAY.crdsChart, ENVOY_GATEWAY.chart],
    aiGateway: [AI_GATEWAY.crdsChart, AI_GATEWAY.chart],
    inferenceExtension: [INFERENCE_EXTENSION.chart],
} as const;

/** The `inferencepool` chart for one pool: the release is named as the pool, which the chart names after it. */
export function inferencePoolChart(pool: string): ChartRef {
    return { name: INFERENCE_EXTENSION.chart, repository: INFERENCE_EXTENSION.repository, releaseName: pool };
}

/** Where a release's chart comes from instead of its upstream repository (`platform.<key>.chart`). */
export interface ChartSource {
    /** An OCI registry path or a Helm repository URL holding the chart under its upstream name. */
    repository?: string;
    /** A folder holding the chart's folder, named as the chart. */
    path?: string;
}

/**
 * The Release's `chart` (and `repositoryOpts` for a Helm repository URL): the upstream OCI location by default;
 * `<repository>/<chart>` for an OCI registry, the chart's name in the repository for an http(s) one, or the chart's
 * folder in `path` (as written: a relative path is the project folder's, where the provider runs).
 */
export function chartLocation(chart: ChartRef, source?: ChartSource): Pick<k8s.helm.v3.ReleaseArgs & k8s.helm.v4.ChartArgs, "chart" | "repositoryOpts"> {
    if (source?.path !== undefined) return { chart: join(source.path, chart.name) };
    const repository = source?.repository ?? chart.repository;
    if (repository.startsWith("oci://")) return { chart: `${repository}/${chart.name}` };
    return { chart: chart.name, repositoryOpts: { repo: repository } };
}

/** A Chart.yaml larger than this is not a chart's metadata. */
const MAX_CHART_YAML_BYTES = 256 * 1024;

/** The first bytes of a file, at most `limit` (undefined when it is no readable file). */
function readBounded(path: string, limit: number): string | undefined {
    try {
        if (!statSync(path).isFile()) return undefined;
        const fd = openSync(path, "r");
        try {
            const buffer = Buffer.alloc(limit + 1);
            const n = readSync(fd, buffer, 0, buffer.length, 0);
            return n > limit ? undefined : buffer.subarray(0, n).toString("utf8");
        } finally {
            closeSync(fd);
        }
    } catch {
        return undefined;
    }
}

const bareVersion = (v: string) => v.replace(/^v/, "");

/**
 * What is wrong with one chart folder of a `chart.path`: it must hold `<chart>/Chart.yaml` naming that chart at the
 * release's version (Helm installs a local chart whatever version it says, so a folder left at an upstream
 * placeholder such as v0.0.0-latest, or of another release, would install silently).
 */
export function chartFolderProblem(folder: string, chart: string, version: string): string | undefined {
    const file = join(resolve(folder), chart, "Chart.yaml");
    const text = readBounded(file, MAX_CHART_YAML_BYTES);
    if (text === undefined) return `has no chart ${chart}: ${file} is missing or not a chart's Chart.yaml; put the ${chart} chart folder there (see docs/deploy-and-e2e.md)`;
    let meta: { name?: unknown; version?: unknown };
    try {
        meta = (parse(text, { maxAliasCount: 100 }) ?? {}) as typeof meta;
    } catch (e) {
        return `${file} is not YAML (${(e as Error).message.split("\n")[0]}); use the chart's own Chart.yaml`;
    }
    if (meta.name !== chart) return `${file} names chart ${JSON.stringify(meta.name)}, not ${chart}; put the ${chart} chart folder there`;
    if (typeof meta.version !== "string" && typeof meta.version !== "number") return `${file} has no version; use the chart as released, with version ${version}`;
    if (bareVersion(String(meta.version)) !== bareVersion(version)) {
        return `${file} is version ${String(meta.version)}, but the release pins ${version}; fill the chart's version as its release does (docs/deploy-and-e2e.md), or set the release's version to the chart's`;
    }
    return undefined;
}

/** Seconds a release may take to become ready (image pulls on a fresh node, certgen hook). */
export const RELEASE_TIMEOUT_SECONDS = 600;

/**
 * Arguments of a chart rendered by the provider and applied object by object (no Helm release), for a chart too
 * large for Helm's release record; each object is awaited. A release's arguments start from the same.
 */
export function chartArgs(chart: ChartRef, version: string, namespace: pulumi.Input<string>, values?: pulumi.Input<{ [key: string]: unknown }>, source?: ChartSource): k8s.helm.v4.ChartArgs & k8s.helm.v3.ReleaseArgs {
    return {
        name: chart.releaseName,
        ...chartLocation(chart, source),
        version,
        namespace,
        ...(values !== undefined ? { values } : {}),
    };
}

/**
 * Arguments of a platform Helm release. Every release waits for its resources to be ready
 * (`skipAwait: false`): later resources depend on it, so "installed" must mean "serving".
 */
export function releaseArgs(
    chart: ChartRef,
    version: string,
    namespace: pulumi.Input<string>,
    values?: pulumi.Input<{ [key: string]: unknown }>,
    source?: ChartSource,
): k8s.helm.v3.ReleaseArgs {
    return { ...chartArgs(chart, version, namespace, values, source), skipAwait: false, timeout: RELEASE_TIMEOUT_SECONDS };
}
