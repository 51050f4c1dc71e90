import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformConfig } from "../config";
import { releaseArgs } from "./manifests/helm";
import { CHARTS } from "../config/charts";
import { MCP_SESSION_SECRET, MCP_SESSION_SEED_KEYS, type ReleaseValues } from "../plan/chartValues";
import type { Values } from "../config/merge";

export interface AIGatewayControllerArgs {
    config: PlatformConfig["aiGateway"];
    /** The chart's values, the plan's (plan/chartValues.ts). */
    values: Values;
    /** The generations of the MCP session seeds the values refer to, the plan's. */
    mcpSessionSeeds: ReleaseValues["mcpSessionSeeds"];
    /** Envoy Gateway must be ready first: the controller registers as its extension server. */
    envoyGatewayReady: pulumi.Resource[];
    /** Some backend routes to an InferencePool: the controller starts after their CRD (`crds`). */
    inferencePools?: { crds: pulumi.Resource[] };
}

/** Envoy AI Gateway: its CRDs, then its controller. */
export class AIGatewayController extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly crdsRelease: k8s.helm.v3.Release | undefined;
    public readonly controllerRelease: k8s.helm.v3.Release | undefined;
    /** What AI Gateway custom resources wait for (empty when installed elsewhere). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: AIGatewayControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        // The type token is older than the class name; it is part of every child's URN, so it stays.
        super("ai-gateway:platform:AIGateway", name, {}, opts);
        const { config } = args;
        this.namespace = pulumi.output(config.namespace);

        if (!config.install) {
            this.crdsRelease = undefined;
            this.controllerRelease = undefined;
            this.ready = [];
            this.registerOutputs({ namespace: this.namespace });
            return;
        }

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: config.namespace } }, { parent: this });

        // CRDs live in their own chart's templates, so upgrades update them (Helm never upgrades crds/).
        this.crdsRelease = new k8s.helm.v3.Release(`${name}-crds`, releaseArgs(CHARTS.aiGatewayCrds, config.version, namespace.metadata.name, undefined, config.chart), {
            parent: this,
            dependsOn: [namespace, ...args.envoyGatewayReady],
        });

        const seeds = mcpSessionSeeds(name, args.mcpSessionSeeds, this);
        const seedSecret = new k8s.core.v1.Secret(
            `${name}-mcp-session`,
            { metadata: { name: MCP_SESSION_SECRET, namespace: namespace.metadata.name }, type: "Opaque", stringData: seeds },
            { parent: this },
        );
        // Waits for deployment/ai-gateway-controller, whose pod webhook must exist before Envoy pods start.
        this.controllerRelease = new k8s.helm.v3.Release(`${name}-release`, releaseArgs(CHARTS.aiGateway, config.version, namespace.metadata.name, args.values, config.chart), {
            parent: this,
            dependsOn: [this.crdsRelease, seedSecret, ...(args.inferencePools?.crds ?? [])],
        });
        this.ready = [this.crdsRelease, this.controllerRelease];
        this.registerOutputs({ namespace: this.namespace, crdsRelease: this.crdsRelease, controllerRelease: this.controllerRelease });
    }
}

/**
 * The chart's own seed is public. One random seed per generation, named by it: raising the generation creates
 * the next seed and keeps the current one (same name, so the same resource) as the fallback; the one before
 * that is deleted.
 */
function mcpSessionSeeds(name: string, generations: ReleaseValues["mcpSessionSeeds"], parent: pulumi.Resource): Record<string, pulumi.Output<string>> {
    const seed = (g: number) => pulumi.secret(new random.RandomPassword(`${name}-mcp-session-seed-${g}`, { length: 48, special: false }, { parent }).result);
    return { [MCP_SESSION_SEED_KEYS.seed]: seed(generations.seed), ...(generations.fallback !== undefined && { [MCP_SESSION_SEED_KEYS.fallback]: seed(generations.fallback) }) };
}
