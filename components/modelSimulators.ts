import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type SimulatedBackend, simulatorDeploymentSpec, simulatorLabels, simulatorServiceSpec } from "./manifests/simulator";

export interface ModelSimulatorsArgs {
    simulators: SimulatedBackend[];
    /** A namespace's name once another component has created it (the gateway's, Redis'); undefined when none does. */
    createdElsewhere: (namespace: string) => pulumi.Output<string> | undefined;
}

/** The model simulators of `backends.<b>.simulator`: their namespaces, Deployments and Services. */
export class ModelSimulators extends pulumi.ComponentResource {
    /** What a route to a simulated backend may wait for: the Services its host names resolve to. */
    public readonly services: k8s.core.v1.Service[];

    constructor(name: string, args: ModelSimulatorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:models:ModelSimulators", name, {}, opts);
        const child = { parent: this };

        const namespaces = new Map<string, pulumi.Output<string>>();
        for (const ns of [...new Set(args.simulators.map((s) => s.config.namespace))].sort()) {
            const elsewhere = ns === "default" ? pulumi.output(ns) : args.createdElsewhere(ns);
            namespaces.set(ns, elsewhere ?? new k8s.core.v1.Namespace(`${name}-namespace-${ns}`, { metadata: { name: ns } }, child).metadata.name);
        }

        this.services = args.simulators.map((sim) => {
            const metadata = { name: sim.name, namespace: namespaces.get(sim.config.namespace)!, labels: simulatorLabels(sim) };
            new k8s.apps.v1.Deployment(`${name}-${sim.name}`, { metadata, spec: simulatorDeploymentSpec(sim) }, child);
            return new k8s.core.v1.Service(`${name}-${sim.name}`, { metadata, spec: simulatorServiceSpec(sim) }, child);
        });
        this.registerOutputs({});
    }
}
