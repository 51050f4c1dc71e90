import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackendConfig } from "../config";
import { type ChartSource, releaseArgs } from "./manifests/helm";
import { inferencePoolChart } from "../config/charts";
import type { BackendPlan } from "../plan/platform";
import type { PoolRelease } from "../plan/chartValues";
import type { GatewayRef } from "./manifests/routes";
import type { PlatformReadiness } from "./customResource";

export interface InferencePoolBackendArgs {
    /** The backend's key in ai-gateway:backends. */
    key: string;
    config: BackendConfig;
    gateway: GatewayRef;
    /** The plan's pool of this backend: the name route rules reference. */
    pool: NonNullable<BackendPlan["pool"]>;
    /** The plan's `inferencepool` release of the pool, when the program installs it (not for an existing pool). */
    release?: PoolRelease;
    /** Release of the `inferencepool` chart (platform.inferenceExtension.version). */
    version: string;
    /** Where the chart comes from instead of its upstream registry (platform.inferenceExtension.chart). */
    chart?: ChartSource;
    platform: PlatformReadiness;
    /** What objects in the gateway namespace wait for (the namespace itself). */
    namespaceReady?: pulumi.Resource[];
}

/**
 * A backend served by an InferencePool: the pool and its Endpoint Picker from the `inferencepool` chart
 * (one release, named as the pool, in the gateway namespace), or an existing pool the routes just name.
 */
export class InferencePoolBackend extends pulumi.ComponentResource {
    /** Name of the InferencePool that route rules reference. */
    public readonly serviceBackendName: string;
    public readonly inferencePool = true;
    /** The chart's release (empty for an existing pool). Routes wait for it. */
    public readonly ready: pulumi.Resource[];
    public readonly release: k8s.helm.v3.Release | undefined;

    constructor(name: string, args: InferencePoolBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:models:InferencePoolBackend", name, {}, opts);
        if (args.config.inferencePool === undefined) throw new Error(`backend ${args.key} has no inferencePool`);
        this.serviceBackendName = args.pool.name;
        const release = args.release;
        this.release =
            release &&
            new k8s.helm.v3.Release(
                `${name}-release`,
                releaseArgs(inferencePoolChart(release.name), args.version, release.namespace, release.values, args.chart),
                {
                    parent: this,
                    // The CRD first, and the AI Gateway controller, which reconciles the pool's status.
                    dependsOn: [...(args.platform.inferenceExtension ?? []), ...args.platform.aiGateway, ...(args.namespaceReady ?? [])],
                },
            );
        this.ready = this.release ? [this.release] : [];
        this.registerOutputs({ serviceBackendName: this.serviceBackendName });
    }
}
