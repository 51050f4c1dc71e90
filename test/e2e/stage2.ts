/**
 * Stage 2's cluster for one stack file: a fresh API server with the pinned CRDs, the Envoy Gateway and AI Gateway
 * controllers configured from the rendered Helm values (test/e2e/controllers.ts), and the program's objects applied
 * beside what a cluster holds for them (listener certificates, passthrough targets, the inferencepool chart's
 * objects). Optionally kube-controller-manager with the controllers a check needs (the deployment controller for the
 * Envoy Deployment's rollouts), never one that creates pods.
 *
 * Everything started is stopped by process id in `stop()`, and at once when starting fails.
 */
import { CHARTS } from "../../config/charts";
import { parseConfig } from "../../plan";
import { readToolManifest } from "../../tools/upstreamTools";
import { configOfFile } from "../harness";
import { clusterInferencePools } from "../support/inferencePool";
import { isIntendedOverride } from "../upstream/expectations";
import { environmentObjects, renderStack, TEST_SECRET } from "../upstream/translate";
import { applicable, applyCrds, clusterServices, describeObject, distinctTestSecrets } from "./cluster";
import { type ControlPlane, startControlPlane } from "./controlPlane";
import { type Controllers, secretsOf, startControllers } from "./controllers";
import { Kube, type KubeObject, type Obj } from "./kube";

export interface Stage2Cluster {
    cp: ControlPlane;
    kube: Kube;
    controllers: Controllers;
    /** Everything applied: the program's objects and the cluster's own. */
    objects: KubeObject[];
    /** `describeObject` of each object the program emits. */
    emittedNames: Set<string>;
    /** Envoy Gateway's release namespace and values. */
    envoyGatewayValues: { namespace: string; values: Obj };
    /** Overridden conditions the configuration means (see isIntendedOverride). */
    intended: (problem: string) => boolean;
    stop(): Promise<void>;
}

/** The program's objects of a stack file as stage 2 applies them (each secret key its own test value). */
export async function stage2Objects(file: string): Promise<{ emitted: KubeObject[]; rendered: Awaited<ReturnType<typeof renderStack>> }> {
    const rendered = await renderStack(file);
    return { emitted: distinctTestSecrets(rendered.objects as KubeObject[], TEST_SECRET), rendered };
}

/** Applies objects in order; what the API server refuses, one line each. */
export async function applyAll(kube: Kube, objects: readonly KubeObject[]): Promise<string[]> {
    const refused: string[] = [];
    for (const o of objects) {
        const r = await kube.apply(o);
        if (r.status >= 300) refused.push(`${describeObject(o)}: ${r.status} ${String(r.body.message)}`);
    }
    return refused;
}

export async function startStage2(file: string, options: { controllerManager?: string[] } = {}): Promise<Stage2Cluster> {
    const tools = readToolManifest("e2e");
    const { emitted, rendered } = await stage2Objects(file);
    const releases = rendered.releases;
    const config = parseConfig(configOfFile(file));
    // What the cluster holds beside the program's objects: listener certificates, passthrough targets,
    // and what the inferencepool chart creates (no registry here to install it from).
    const pools = clusterInferencePools(config, releases) as KubeObject[];
    const objects = applicable([...emitted, ...(environmentObjects(rendered.objects) as KubeObject[]), ...clusterServices(emitted), ...pools]);
    const eg = releases.find((r) => r.name === CHARTS.envoyGateway.releaseName);
    let cp: ControlPlane | undefined;
    let controllers: Controllers | undefined;
    const stop = async () => {
        await controllers?.stop();
        await cp?.stop();
    };
    try {
        cp = await startControlPlane(
            tools.kubeApiserver.bin,
            options.controllerManager ? { controllerManagerBin: tools.kubeControllerManager.bin, controllers: options.controllerManager } : {},
        );
        const kube = new Kube(cp);
        await kube.discover();
        const crdProblems = await applyCrds(kube);
        if (crdProblems.length > 0) throw new Error(crdProblems.join("\n"));
        controllers = await startControllers(cp, kube, tools, releases, secretsOf(objects));
        const refused = await applyAll(kube, objects);
        if (refused.length > 0) throw new Error(`refused:\n${refused.join("\n")}`);
        return {
            cp,
            kube,
            controllers,
            objects,
            emittedNames: new Set(emitted.map(describeObject)),
            envoyGatewayValues: eg ? { namespace: eg.namespace, values: eg.values } : { namespace: "", values: {} },
            intended: (problem) => isIntendedOverride(config, problem),
            stop,
        };
    } catch (e) {
        await stop();
        throw e;
    }
}
