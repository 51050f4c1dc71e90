import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { chartArgs, releaseArgs } from "./manifests/helm";
import { CHARTS } from "../config/charts";
import { envoyGatewayCrdsValues, envoyGatewayValues } from "./manifests/platformValues";
import { REDIS_PASSWORD_KEY } from "./manifests/redis";

export interface EnvoyGatewayArgs {
    config: PlatformConfig["envoyGateway"];
    /** Namespace of the AI Gateway controller (the extension server's address is derived from it). */
    aiGatewayNamespace: string;
    /** Global rate limiting backed by Redis. */
    rateLimit?: { redisUrl: pulumi.Input<string>; password?: pulumi.Input<string>; failClosed?: boolean; timeout?: string };
    /** Some backend routes to an InferencePool: Envoy Gateway accepts pools, after their CRD (`crds`). */
    inferencePools?: { crds: pulumi.Resource[] };
}

/** Envoy Gateway, installed with the values the AI Gateway needs. */
export class EnvoyGateway extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /**
     * Gateway API and Envoy Gateway CRDs: gateway-crds-helm rendered and applied server-side, not a Helm release (its
     * release record would exceed the 1 MiB a Kubernetes Secret holds).
     */
    public readonly crds: k8s.helm.v4.Chart | undefined;
    public readonly release: k8s.helm.v3.Release | undefined;
    /** What custom resources of Envoy Gateway and Gateway API kinds wait for (empty when installed elsewhere). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: EnvoyGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:platform:EnvoyGateway", name, {}, opts);
        const { config, rateLimit } = args;
        this.namespace = pulumi.output(config.namespace);

        if (!config.install) {
            this.crds = undefined;
            this.release = undefined;
            this.ready = [];
            this.registerOutputs({ namespace: this.namespace });
            return;
        }

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: config.namespace } }, { parent: this });

        let authSecret: k8s.core.v1.Secret | undefined;
        if (rateLimit?.password !== undefined) {
            // The ratelimit pods read the password from their own namespace.
            authSecret = new k8s.core.v1.Secret(
                `${name}-redis-auth`,
                {
                    metadata: { name: "redis-auth", namespace: namespace.metadata.name },
                    type: "Opaque",
                    stringData: { [REDIS_PASSWORD_KEY]: rateLimit.password },
                },
                { parent: this },
            );
        }

        // Built here, not in the plan as the other charts' values are (plan/chartValues.ts): the rate-limit section
        // holds the Redis URL, an Output of the Redis the program installs (the release waits for it through these
        // values), and the user's values are merged over that section, so the merge waits for the URL too.
        const values = pulumi.output(rateLimit?.redisUrl).apply((redisUrl) =>
            envoyGatewayValues({
                aiGatewayNamespace: args.aiGatewayNamespace,
                rateLimit: redisUrl === undefined ? undefined : {
                    redisUrl,
                    auth: authSecret ? { secretName: "redis-auth", secretKey: REDIS_PASSWORD_KEY } : undefined,
                    failClosed: rateLimit?.failClosed,
                    timeout: rateLimit?.timeout,
                },
                inferencePools: args.inferencePools !== undefined,
                userValues: config.values,
            }),
        );

        // The CRDs first, from their own chart: gateway-helm keeps them in crds/, which Helm installs once and
        // never upgrades, so a version bump would leave the old CRDs under the new controller. Rendered and applied
        // server-side, as upstream installs this chart (`helm template … | kubectl apply --server-side`): Helm's
        // record of it as a release (chart and manifest, about 2 MiB) does not fit in the Secret Helm keeps it in.
        this.crds = new k8s.helm.v4.Chart(
            `${name}-crds`,
            chartArgs(CHARTS.envoyGatewayCrds, config.version, namespace.metadata.name, envoyGatewayCrdsValues(), config.chart),
            { parent: this, dependsOn: [namespace] },
        );

        // Waits for the controller Deployment; the chart's certgen hook runs first.
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            { ...releaseArgs(CHARTS.envoyGateway, config.version, namespace.metadata.name, values, config.chart), skipCrds: true },
            { parent: this, dependsOn: [namespace, this.crds, ...(authSecret ? [authSecret] : []), ...(args.inferencePools?.crds ?? [])] },
        );
        this.ready = [this.crds, this.release];
        this.registerOutputs({ namespace: this.namespace, crds: this.crds, release: this.release });
    }
}
