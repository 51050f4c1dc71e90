import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CustomResourceKind } from "../specs/index";
import { KINDS, type Manifest } from "../specs/manifest";

/**
 * The releases a custom resource must wait for, per CRD source. Empty when that part of the
 * platform is already on the cluster (`install: false`).
 */
export interface PlatformReadiness {
    envoyGateway: pulumi.Resource[];
    aiGateway: pulumi.Resource[];
    /** The Inference Extension CRDs, when the program applies them (InferencePool backends). */
    inferenceExtension?: pulumi.Resource[];
}

export interface CustomResourceOptions extends Omit<pulumi.CustomResourceOptions, "dependsOn"> {
    /** Waits for the release that installs the kind's CRD (and its controller), always. */
    platform: PlatformReadiness;
    dependsOn?: pulumi.Resource[];
    /** Reads the object's `status` back as an output (what the controller wrote, once the provider's wait ends). */
    readStatus?: boolean;
}

/**
 * Creates a typed custom resource that depends on the release installing its CRD, so no caller can
 * forget the wait: `pulumi up` would otherwise race the CRDs on a fresh cluster.
 */
export function createCustomResource<K extends CustomResourceKind>(
    name: string,
    object: Manifest<K>,
    opts: CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    const { platform, dependsOn = [], readStatus = false, ...rest } = opts;
    const source = KINDS[object.kind].crds;
    const crds = source === "external" ? [] : platform[source];
    return new k8s.apiextensions.CustomResource(
        name,
        // An output is read back only when it is named among the inputs; an undefined value sends nothing.
        { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, spec: object.spec, ...(readStatus && { status: undefined }) },
        { ...rest, dependsOn: [...crds, ...dependsOn] },
    );
}
