import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/stackConfig";
import { AIGatewayController } from "./aiGatewayController";
import { ClientSecurity } from "./clientSecurity";
import { BedrockAccess } from "./awsIdentity";
import { firstCallCommand, gatewayAddressCommand, gatewayUrl, virtualModelNames } from "./manifests/firstCall";
import { EnvoyGateway } from "./envoyGateway";
import { GatewayCore } from "./gatewayCore";
import { Guardrails } from "./guardrails";
import { GUARDRAIL_FILTER_ORDER } from "../plan/guardrails";
import { InferenceExtension } from "./inferenceExtension";
import { McpGateway } from "./mcpGateway";
import { buildModels } from "./models";
import { ModelSimulators } from "./modelSimulators";
import { simulatedBackends } from "./manifests/simulator";
import { needsObservabilityObjects, Observability } from "./observability";
import { PassthroughRoutes } from "./passthroughRoutes";
import { Redis } from "./redis";
import { accessLogContext, gatewayObservability } from "./manifests/observability";
import { protectionSections } from "./manifests/protection";
import { QUOTA_SERVICE_LABELS } from "./manifests/quotaService";
import { QuotaService } from "./quotaService";
import { existingRedisUrl } from "./manifests/redis";
import { clientCertificateValidation } from "./manifests/security";
import { clientAuthEnabled } from "../plan/identity";
import { buildPlan } from "../plan/plan";
import { MCP_COMPONENT } from "../plan/names";
import type { PlatformReadiness } from "./customResource";

/** Stack outputs: names and addresses only, never a secret. */
export interface StackOutputs {
    namespaces: { envoyGateway: string; aiGateway: string; redis?: string; gateway: string };
    gatewayName: string;
    /** How to find the address clients call. */
    gatewayAddressCommand: string;
    /** The URL clients call, from the Gateway's status (undefined behind a NodePort Service, or before an address). */
    url: pulumi.Output<string | undefined>;
    /** The model names clients send (pattern entries left out). */
    models: string[];
    /** Finds the address and calls one model; a credential the gateway wants is a shell variable to fill. */
    firstCallCommand?: string;
    redisUrl?: pulumi.Output<string>;
    /** The IAM role the Envoy pods call Bedrock with, when the program creates one. */
    bedrockRoleArn?: pulumi.Output<string>;
}

export interface BuildOptions {
    /** The component every top-level child belongs to; its providers reach them, and theirs every child below. */
    parent?: pulumi.Resource;
}

/** Builds every component in dependency order, each with only its slice of the configuration. */
export function buildStack(config: StackConfig, options: BuildOptions = {}): StackOutputs {
    // Stacks deployed before the AiGateway component existed have these children at the top: the alias
    // keeps their URNs, and those of everything below them, so that `pulumi up` replaces nothing.
    const children: pulumi.ComponentResourceOptions | undefined = options.parent
        ? { parent: options.parent, aliases: [{ parent: pulumi.rootStackResource }] }
        : undefined;
    const { platform, rateLimit, apiKeys, traffic, observability } = config;
    // Every fact below is the plan's, computed once: the verified identity, what is in use, where the pods run.
    const plan = buildPlan(config);
    const { auth, gateway, quotas } = plan;

    let rateLimitBackend: { redisUrl: pulumi.Input<string>; password?: pulumi.Input<string>; failClosed: boolean; timeout?: string } | undefined;
    let redisBackend: { redisUrl: pulumi.Input<string>; password?: pulumi.Input<string> } | undefined;
    let redis: Redis | undefined;
    // Provider quotas are counted by the AI Gateway's quota service, in the same Redis as the budgets.
    // Rate limiting off, or on without a single budget, and no quota: no Redis, and Envoy Gateway gets no
    // rate-limit settings (its rate-limit service is deployed whenever they are set).
    if (plan.rateLimited || quotas) {
        if (platform.redis.install) {
            const quotaService = quotas ? { namespace: platform.aiGateway.namespace, labels: QUOTA_SERVICE_LABELS } : undefined;
            redis = new Redis("redis", { config: platform.redis, envoyGatewayNamespace: platform.envoyGateway.namespace, quotaService }, children);
            redisBackend = { redisUrl: redis.url, password: redis.password };
        } else {
            redisBackend = {
                redisUrl: existingRedisUrl(platform.redis),
                password: platform.redis.passwordSecret ? apiKeys.secret(platform.redis.passwordSecret) : undefined,
            };
        }
    }
    if (redisBackend && plan.rateLimited) {
        rateLimitBackend = { ...redisBackend, failClosed: rateLimit.failClosed, timeout: rateLimit.timeout };
    }

    // InferencePool backends: their CRD before both controllers, which look for it when they start.
    const inferenceExtension = plan.inferencePools ? new InferenceExtension("inference-extension", { config: platform.inferenceExtension }, children) : undefined;
    const inferencePools = inferenceExtension && { crds: inferenceExtension.ready };
    const envoyGateway = new EnvoyGateway("envoy-gateway", {
        config: platform.envoyGateway,
        aiGatewayNamespace: platform.aiGateway.namespace,
        rateLimit: rateLimitBackend,
        inferencePools,
    }, children);
    const aiGateway = new AIGatewayController("ai-gateway", {
        config: platform.aiGateway,
        values: plan.releaseValues.aiGateway,
        mcpSessionSeeds: plan.releaseValues.mcpSessionSeeds,
        envoyGatewayReady: envoyGateway.ready,
        inferencePools,
    }, children);
    if (quotas && redisBackend) {
        new QuotaService("quota-service", {
            namespace: platform.aiGateway.namespace,
            redisUrl: redisBackend.redisUrl,
            redisPassword: redisBackend.password,
            dependsOn: aiGateway.ready,
        }, children);
    }

    // Every custom resource below waits for these through createCustomResource.
    const ready: PlatformReadiness = {
        envoyGateway: envoyGateway.ready,
        aiGateway: [...envoyGateway.ready, ...aiGateway.ready],
        ...(inferenceExtension && { inferenceExtension: inferenceExtension.ready }),
    };

    // Observability comes before the gateway core, whose GatewayConfig refers to its OTLP headers Secret;
    // what it puts into the gateway namespace (the dashboard) waits for that namespace through this Output.
    const [gatewayNamespace, resolveGatewayNamespace] = pulumi.deferredOutput<string>();
    /** A namespace's name as an Output that resolves once a component has created it; undefined when none does. */
    const createdElsewhere = (namespace: string): pulumi.Output<string> | undefined => {
        if (namespace === gateway.namespace) return gatewayNamespace;
        if (namespace === platform.envoyGateway.namespace && envoyGateway.release) return envoyGateway.release.namespace;
        if (namespace === platform.aiGateway.namespace && aiGateway.controllerRelease) return aiGateway.controllerRelease.namespace;
        if (redis && namespace === platform.redis.namespace) return redis.namespace;
        return undefined;
    };
    const created = (namespace: string): pulumi.Output<string> => createdElsewhere(namespace) ?? pulumi.output(namespace);
    const gatewayRef = { name: gateway.name, namespace: gateway.namespace };
    // Envoy Gateway's namespace, or the gateway's when Envoy Gateway deploys the proxies there.
    const podNamespace = plan.envoyPodsNamespace;
    const observed = needsObservabilityObjects(observability)
        ? new Observability("observability", {
              config: observability,
              gateway: gatewayRef,
              otlpHeaders: observability.tracing?.headersSecret ? apiKeys.secret(observability.tracing.headersSecret) : undefined,
              envoyPodNamespace: { name: podNamespace, created: created(podNamespace) },
              dashboardNamespace: created(observability.dashboard?.namespace ?? gateway.namespace),
              perUserMetrics: plan.perUserMetrics,
              spendPrices: plan.dashboardPrices,
              platform: ready,
          }, children)
        : undefined;

    // AWS identity of the Envoy pods, for backends on the default credential chain: computed once, so the
    // EnvoyProxy, the Pod Identity association (or IRSA annotation) and the role's trust name the same ServiceAccount.
    const identity = plan.awsIdentity;
    const bedrock = identity && config.aws ? new BedrockAccess("bedrock-access", { config: config.aws, identity }, children) : undefined;

    const core = new GatewayCore("gateway-core", {
        config: gateway,
        names: plan.names.core,
        controllerName: plan.controllerName,
        platform: ready,
        aiGatewayController: aiGateway.ready,
        observability: gatewayObservability(observability, gatewayRef, accessLogContext(plan)),
        extProcDependsOn: observed?.otlpHeadersSecret ? [observed.otlpHeadersSecret] : [],
        clientValidation: auth.clientCertificates && clientCertificateValidation(gateway.name, auth.clientCertificates),
        ...(plan.guardrails.length > 0 && { filterOrder: GUARDRAIL_FILTER_ORDER }),
        envoyIdentity: identity && bedrock && {
            serviceAccount: identity.serviceAccount,
            namespace: identity.namespace,
            annotations: bedrock.serviceAccountAnnotations,
            ready: bedrock.ready,
        },
    }, children);

    // Client authentication first: routes wait for it, so none is ever served without it.
    const clientSecurity = clientAuthEnabled(auth)
        ? new ClientSecurity("client-security", {
              gateway: { name: gateway.name, namespace: gateway.namespace },
              auth,
              secret: (key) => apiKeys.secret(key),
              platform: ready,
              namespaceReady: core.namespaceReady,
          }, children)
        : undefined;
    const routesReady = [...core.namespaceReady, ...(clientSecurity?.ready ?? [])];

    const simulators = simulatedBackends(config.backends, config.models);
    if (simulators.length > 0) new ModelSimulators("model-simulators", { simulators, createdElsewhere }, children);
    // Routes live beside the Gateway, so their parentRefs need no namespace; model and passthrough routes
    // share these and the traffic protection sections.
    const routeGateway = { name: gateway.name, namespace: gateway.namespace, parentRefs: core.parentRefs.map(({ namespace: _same, ...ref }) => ref) };
    const protection = protectionSections(traffic);
    // Guardrails need the buffer filter on the listener (plan/guardrails.ts), so every model route buffers.
    const modelProtection = plan.guardrailRequestBuffer ? { ...protection, requestBuffer: plan.guardrailRequestBuffer } : protection;
    const models = buildModels(plan, routeGateway, modelProtection, ready, routesReady, children);
    if (plan.guardrails.length > 0) {
        new Guardrails("guardrails", {
            gateway: { name: gateway.name, namespace: gateway.namespace },
            guardrails: plan.guardrails,
            routeNames: models.routes.routeNames,
            routesReady: [models.routes],
            platform: ready,
        }, children);
    }
    if (Object.keys(config.passthrough).length > 0) {
        new PassthroughRoutes("passthrough-routes", {
            gateway: routeGateway,
            routes: config.passthrough,
            names: plan.names.passthrough,
            requestTimeout: traffic.timeouts?.request,
            protection,
            rateLimit,
            rules: plan.rateLimit.passthrough,
            platform: ready,
            namespaceReady: routesReady,
        }, children);
    }
    if (config.mcp !== undefined) {
        new McpGateway(MCP_COMPONENT, {
            config: config.mcp,
            gateway: routeGateway,
            oauth: plan.mcpOAuth,
            names: plan.names.mcp,
            secret: (key) => apiKeys.secret(key),
            platform: ready,
            namespaceReady: routesReady,
        }, children);
    }
    resolveGatewayNamespace(core.namespace);

    return {
        namespaces: {
            envoyGateway: platform.envoyGateway.namespace,
            aiGateway: platform.aiGateway.namespace,
            redis: redis ? platform.redis.namespace : undefined,
            gateway: gateway.namespace,
        },
        gatewayName: gateway.name,
        gatewayAddressCommand: gatewayAddressCommand(plan.names.core),
        url: core.gatewayStatus.apply((status) => gatewayUrl(gateway, status)),
        models: virtualModelNames(config.models),
        firstCallCommand: firstCallCommand({ gateway, names: plan.names.core, models: config.models, auth, envoyNamespace: podNamespace }),
        redisUrl: redis ? redis.url : redisBackend ? pulumi.output(redisBackend.redisUrl) : undefined,
        bedrockRoleArn: bedrock?.roleArn,
    };
}
