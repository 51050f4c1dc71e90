/**
 * The custom resources the program emits for a configuration, computed with the pure builders alone
 * (no Pulumi): what components/stack.ts wires, minus the resources. Property tests run thousands of
 * configurations through it; test/properties.spec.ts checks it against the real program so it
 * cannot drift.
 */
import type { StackConfig } from "../../config";
import { backendObjects } from "../../components/manifests/backends";
import { gatewayCoreManifests, gatewayParentRefs } from "../../components/manifests/gateway";
import { accessLogContext, gatewayObservability } from "../../components/manifests/observability";
import { passthroughManifests } from "../../components/manifests/passthrough";
import { protectionSections } from "../../components/manifests/protection";
import { buildPlan } from "../../plan/plan";
import { modelRoutes, modelTrafficPolicies } from "../../components/manifests/routes";
import { errorResponseOverrides } from "../../components/manifests/errors";
import { clientAuthManifests, clientCertificateValidation } from "../../components/manifests/security";
import { clientAuthEnabled } from "../../plan/identity";
import type { CustomResourceKind } from "../../specs";
import type { Manifest } from "../../specs/manifest";

type AnyManifest = Manifest<CustomResourceKind>;

export function plannedCustomResources(config: StackConfig): AnyManifest[] {
    const out: (AnyManifest | undefined)[] = [];
    const { traffic, observability, rateLimit } = config;
    const plan = buildPlan(config);
    const { auth, gateway } = plan;
    const gatewayRef = { name: gateway.name, namespace: gateway.namespace };

    const identity = plan.awsIdentity;
    const core = identity ? { ...gateway, envoyProxy: { ...gateway.envoyProxy, serviceAccountName: identity.serviceAccount } } : gateway;
    const m = gatewayCoreManifests(
        core,
        plan.names.core,
        plan.controllerName,
        gatewayObservability(observability, gatewayRef, accessLogContext(plan)),
        auth.clientCertificates && clientCertificateValidation(gateway.name, auth.clientCertificates),
    );
    out.push(m.gatewayClass, m.tracingBackend, m.envoyProxy, m.gatewayConfig, m.gateway, m.clientTrafficPolicy, m.httpsRedirect);

    if (clientAuthEnabled(auth)) {
        const s = clientAuthManifests(gatewayRef, auth);
        out.push(s.jwksBackend, s.extAuthBackend, s.securityPolicy);
    }

    const parentRefs = gatewayParentRefs(config.gateway, plan.names.core).map(({ namespace: _same, ...ref }) => ref);
    const routeGateway = { ...gatewayRef, parentRefs };
    const serviceBackends: Record<string, string> = {};
    for (const [key, backend] of Object.entries(config.backends)) {
        const b = backendObjects({ key, config: backend, gateway: routeGateway, awsRegion: config.aws?.region, names: plan.backends.get(key)!.names });
        out.push(b.backend, b.serviceBackend, b.tlsPolicy, b.securityPolicy, b.quotaPolicy);
        serviceBackends[key] = b.serviceBackend.metadata.name;
    }
    const routes = modelRoutes({
        gateway: routeGateway,
        models: config.models,
        groups: plan.routes,
        serviceBackend: (key) => serviceBackends[key],
    });
    out.push(...routes.map((r) => r.route));
    const policies = modelTrafficPolicies({
        gateway: routeGateway,
        sharedPolicy: plan.names.modelsTrafficPolicy,
        models: config.models,
        routes,
        retry: config.retry,
        rateLimit,
        rules: plan.rateLimit.rules,
        protection: protectionSections(traffic),
        errors: errorResponseOverrides(config.gateway.errors.format),
    });
    out.push(...policies.routes.map((r) => r.policy), ...policies.rules.map((r) => r.policy), policies.shared);

    for (const [name, route] of Object.entries(config.passthrough)) {
        const p = passthroughManifests({
            names: plan.names.passthrough.get(name)!,
            config: route,
            gateway: routeGateway,
            requestTimeout: traffic.timeouts?.request,
            protection: protectionSections(traffic),
            rateLimit,
            rules: plan.rateLimit.passthrough.get(name),
        });
        out.push(p.referenceGrant, p.route, p.trafficPolicy);
    }
    return out.filter((x): x is AnyManifest => x !== undefined);
}
