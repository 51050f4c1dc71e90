import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayStatus } from "./manifests/firstCall";
import type { GatewayConfig } from "../config";
import { gatewayCoreManifests, gatewayParentRefs } from "./manifests/gateway";
import type { GatewayObservability } from "./manifests/observability";
import type { ClientValidationContext, FilterPosition, ParentReference } from "../specs";
import type { GatewayNames } from "../plan/names";
import { createCustomResource, PlatformReadiness } from "./customResource";

export interface GatewayCoreArgs {
    config: GatewayConfig;
    /** The gateway core objects' names: the plan's. */
    names: GatewayNames;
    /** The GatewayClass controller name Envoy Gateway is installed with. */
    controllerName: string;
    /** Releases installing the CRDs; every custom resource waits for its own. */
    platform: PlatformReadiness;
    /** The AI Gateway controller: its pod webhook must exist before the first Envoy pod, or pods start without the extProc. */
    aiGatewayController: pulumi.Resource[];
    /** Telemetry, scrape annotations and extProc env from `ai-gateway:observability`, merged into the EnvoyProxy and GatewayConfig. */
    observability?: GatewayObservability;
    /** What the extProc env refers to (the OTLP headers Secret): the GatewayConfig waits for it. */
    extProcDependsOn?: pulumi.Resource[];
    /** An AWS identity for the Envoy pods (components/awsIdentity.ts): the EnvoyProxy pins its ServiceAccount. */
    envoyIdentity?: EnvoyIdentity;
    /** The client-certificate check of ai-gateway:auth.clientCertificates, for the ClientTrafficPolicy. */
    clientValidation?: ClientValidationContext;
    /** HTTP filter order of the EnvoyProxy: the guardrails' (plan/guardrails.ts). */
    filterOrder?: readonly FilterPosition[];
}

/** The ServiceAccount an identity is bound to, and what the Envoy pods need before they start. */
export interface EnvoyIdentity {
    serviceAccount: string;
    /** Where the Envoy pods run (platformValues.ts `envoyPodsNamespace`). */
    namespace: string;
    /** Annotations the ServiceAccount needs (IRSA's role ARN); set on it with a server-side apply patch. */
    annotations: Record<string, pulumi.Input<string>>;
    /** Credentials are injected when a pod is created: the Gateway, which starts the pods, waits for these. */
    ready: pulumi.Resource[];
}

/** The Gateway and what configures it: GatewayClass, EnvoyProxy, ClientTrafficPolicy, GatewayConfig. */
export class GatewayCore extends pulumi.ComponentResource {
    public readonly gatewayName: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;
    public readonly gatewayClassName: pulumi.Output<string>;
    /** Undefined when envoyProxy.enabled is false. */
    public readonly envoyProxyName: pulumi.Output<string | undefined>;
    /** The pinned ServiceAccount of the Envoy pods; undefined when Envoy Gateway names it. */
    public readonly serviceAccountName: pulumi.Output<string | undefined>;
    /** Undefined when gatewayConfig.enabled is false. */
    public readonly gatewayConfigName: pulumi.Output<string | undefined>;
    /** Where routes attach (the HTTPS listeners only when HTTP is redirected). */
    public readonly parentRefs: (ParentReference & { kind: "Gateway" })[];
    /** What objects in the gateway namespace wait for: its Namespace, when the program creates it. */
    public readonly namespaceReady: pulumi.Resource[];
    /** The Gateway, when the program creates it. */
    public readonly gateway: k8s.apiextensions.CustomResource | undefined;
    /** The Gateway's status as Envoy Gateway wrote it (with waitUntilProgrammed: once it is Programmed). */
    public readonly gatewayStatus: pulumi.Output<GatewayStatus | undefined>;

    constructor(name: string, args: GatewayCoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ai-gateway:gateway:GatewayCore", name, {}, opts);
        const { platform, envoyIdentity: identity } = args;
        // The EnvoyProxy pins the very ServiceAccount the identity is bound to: one value for both.
        const config = identity ? { ...args.config, envoyProxy: { ...args.config.envoyProxy, serviceAccountName: identity.serviceAccount } } : args.config;
        const m = gatewayCoreManifests(config, args.names, args.controllerName, args.observability, args.clientValidation, args.filterOrder);
        this.parentRefs = gatewayParentRefs(config, args.names);
        const child = (dependsOn: pulumi.Resource[]) => ({ parent: this, platform, dependsOn });

        // An existing Gateway (enabled: false) lives in a namespace that exists already.
        const namespace =
            config.enabled && config.namespace !== "default"
                ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: config.namespace } }, { parent: this })
                : undefined;
        const inNamespace = namespace ? [namespace] : [];
        this.namespaceReady = inNamespace;

        const gatewayClass = m.gatewayClass && createCustomResource(`${name}-class`, m.gatewayClass, child([]));
        const tracingBackend = m.tracingBackend && createCustomResource(`${name}-tracing-backend`, m.tracingBackend, child(inNamespace));
        const envoyProxy = m.envoyProxy && createCustomResource(`${name}-envoy-proxy`, m.envoyProxy, child(tracingBackend ? [...inNamespace, tracingBackend] : inNamespace));
        const gatewayConfig = m.gatewayConfig && createCustomResource(`${name}-config`, m.gatewayConfig, child([...inNamespace, ...(args.extProcDependsOn ?? [])]));
        // The Gateway comes last: its Envoy pods start as soon as it exists, and must find their class,
        // their EnvoyProxy settings, their GatewayConfig and the AI Gateway webhook already in place.
        const before = [gatewayClass, envoyProxy, gatewayConfig].filter((r): r is k8s.apiextensions.CustomResource => r !== undefined);
        const identityReady = identity ? [...identity.ready, ...this.envoyServiceAccount(name, identity, config.namespace, inNamespace, platform)] : [];
        this.gateway =
            m.gateway && createCustomResource(`${name}-gateway`, m.gateway, { ...child([...inNamespace, ...before, ...args.aiGatewayController, ...identityReady]), readStatus: true });
        if (m.clientTrafficPolicy) createCustomResource(`${name}-client-traffic`, m.clientTrafficPolicy, child(inNamespace));
        if (m.httpsRedirect) createCustomResource(`${name}-https-redirect`, m.httpsRedirect, child(this.gateway ? [...inNamespace, this.gateway] : inNamespace));

        // Without the objects, their names are the configuration's own (gatewayLevelNames).
        this.gatewayName = this.gateway ? this.gateway.metadata.name : pulumi.output(config.name);
        // Outputs a CustomResource reads back are not declared on its class.
        this.gatewayStatus = this.gateway ? (this.gateway as unknown as { status: pulumi.Output<GatewayStatus | undefined> }).status : pulumi.output(undefined);
        this.namespace = namespace ? namespace.metadata.name : pulumi.output(config.namespace);
        this.gatewayClassName = gatewayClass ? gatewayClass.metadata.name : pulumi.output(config.className);
        this.envoyProxyName = envoyProxy ? envoyProxy.metadata.name : pulumi.output(undefined);
        this.serviceAccountName = pulumi.output(config.envoyProxy.enabled ? config.envoyProxy.serviceAccountName : undefined);
        this.gatewayConfigName = gatewayConfig ? gatewayConfig.metadata.name : pulumi.output(undefined);

        this.registerOutputs({
            gatewayName: this.gatewayName,
            namespace: this.namespace,
            gatewayClassName: this.gatewayClassName,
            envoyProxyName: this.envoyProxyName,
            serviceAccountName: this.serviceAccountName,
            gatewayConfigName: this.gatewayConfigName,
        });
    }

    /**
     * The annotations IRSA needs, as a server-side apply patch of only these fields. Envoy Gateway owns the
     * ServiceAccount: it creates it, or applies its own fields onto it when the patch created it first; the
     * annotations survive, and removing the patch takes away only them.
     */
    private envoyServiceAccount(name: string, identity: EnvoyIdentity, gatewayNamespace: string, inNamespace: pulumi.Resource[], platform: PlatformReadiness): pulumi.Resource[] {
        if (Object.keys(identity.annotations).length === 0) return [];
        // In Envoy Gateway's namespace (its release creates it), or the Gateway's in GatewayNamespace mode.
        const namespaceReady = identity.namespace === gatewayNamespace ? inNamespace : platform.envoyGateway;
        const patch = new k8s.core.v1.ServiceAccountPatch(
            `${name}-envoy-service-account`,
            { metadata: { name: identity.serviceAccount, namespace: identity.namespace, annotations: identity.annotations } },
            { parent: this, dependsOn: namespaceReady },
        );
        return [patch];
    }
}
