import type * as k8s from "@pulumi/kubernetes";
import type { BackendConfig, ModelConfig } from "../../config";
import { durationMillis } from "../../config/schema/primitives";
import { dnsLabel } from "../../config/names";
import { SIMULATOR } from "../../config/versions";

type DeploymentSpec = k8s.types.input.apps.v1.DeploymentSpec;
type ServiceSpec = k8s.types.input.core.v1.ServiceSpec;

export type SimulatorConfig = NonNullable<BackendConfig["simulator"]>;

/** A backend the program runs a simulator for, and the model names the gateway sends it. */
export interface SimulatedBackend {
    backend: string;
    /** Name of its Deployment and Service (the host name's first label). */
    name: string;
    config: SimulatorConfig;
    /** Sorted; the simulator answers 404 to any other model name. */
    servedModels: string[];
}

/**
 * Model names the gateway sends a backend: each entry's `model`, else the model's own name. A pattern
 * model without `model` passes whatever name the client sent, which no list can hold (config rules warn).
 */
export function namesSentTo(backend: string, models: Record<string, ModelConfig>): string[] {
    const names = new Set<string>();
    for (const [name, model] of Object.entries(models)) {
        for (const entry of model.backends.filter((b) => b.backend === backend)) {
            if (entry.model !== undefined) names.add(entry.model);
            else if (model.match?.pattern === undefined) names.add(name);
        }
    }
    return [...names].sort();
}

/** Every backend with a simulator, by name. */
export function simulatedBackends(backends: Record<string, BackendConfig>, models: Record<string, ModelConfig>): SimulatedBackend[] {
    return Object.keys(backends)
        .sort()
        .flatMap((backend) => {
            const config = backends[backend].simulator;
            return config ? [{ backend, name: dnsLabel(backend), config, servedModels: namesSentTo(backend, models) }] : [];
        });
}

export function simulatorLabels(sim: SimulatedBackend): Record<string, string> {
    return { "app.kubernetes.io/name": "llm-d-inference-sim", "app.kubernetes.io/instance": sim.name, "app.kubernetes.io/component": "model-simulator" };
}

/** The simulator's command line: the model names it answers, its mode and latencies. */
export function simulatorArgs(sim: SimulatedBackend): string[] {
    // Without a model routed to it, it still needs a name to serve: the backend's.
    const [model, ...more] = sim.servedModels.length > 0 ? sim.servedModels : [sim.backend];
    const { mode, timeToFirstToken, interTokenLatency } = sim.config;
    return [
        "--port", String(SIMULATOR.port),
        "--model", model,
        ...(more.length > 0 ? ["--served-model-name", model, ...more] : []),
        "--mode", mode,
        ...(timeToFirstToken !== undefined ? ["--time-to-first-token", String(durationMillis(timeToFirstToken))] : []),
        ...(interTokenLatency !== undefined ? ["--inter-token-latency", String(durationMillis(interTokenLatency))] : []),
    ];
}

/** Non-root (the image's user 65532), read-only root file system but /tmp, small requests: it runs no real model. */
export function simulatorDeploymentSpec(sim: SimulatedBackend): DeploymentSpec {
    const labels = simulatorLabels(sim);
    const probe = (path: string) => ({ httpGet: { path, port: "http" }, periodSeconds: 5 });
    return {
        replicas: sim.config.replicas,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "simulator",
                        image: sim.config.image ?? SIMULATOR.image,
                        args: simulatorArgs(sim),
                        ports: [{ name: "http", containerPort: SIMULATOR.port, protocol: "TCP" }],
                        readinessProbe: probe("/ready"),
                        livenessProbe: probe("/health"),
                        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "256Mi" } },
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        // The only writable place, for whatever the simulator may cache.
                        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                    },
                ],
                volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
            },
        },
    };
}

export function simulatorServiceSpec(sim: SimulatedBackend): ServiceSpec {
    return { selector: simulatorLabels(sim), ports: [{ name: "http", port: SIMULATOR.port, targetPort: "http", protocol: "TCP" }] };
}
