import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import type { ChartRef } from "../../config/charts";

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
