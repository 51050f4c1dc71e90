import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { INFERENCE_EXTENSION } from "../config/versions";

/**
 * The Gateway API Inference Extension CRDs (InferencePool), applied from the release's `manifests.yaml`
 * before Envoy Gateway and the AI Gateway controller: Envoy Gateway fails to start when its extension
 * manager names a kind without a CRD, and the controller looks for the CRD only when it starts.
 */
export class InferenceExtension extends pulumi.ComponentResource {
    /** What Envoy Gateway, the AI Gateway controller and the pools wait for (empty when the CRDs are on the cluster already). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: { config: PlatformConfig["inferenceExtension"] }, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:platform:InferenceExtension", name, {}, opts);
        this.ready = args.config.install
            ? [
                  new k8s.yaml.v2.ConfigFile(
                      `${name}-crds`,
                      { file: INFERENCE_EXTENSION.crdsManifest(args.config.version) },
                      // Kept when the last pool goes: deleting a CRD deletes every object of its kind in the
                      // cluster, pools the program does not manage among them.
                      { parent: this, retainOnDelete: true },
                  ),
              ]
            : [];
        this.registerOutputs({});
    }
}
