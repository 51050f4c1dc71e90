/**
 * ai-gateway:guardrails in the xDS egctl translates: on every listener of the Gateway an ext_proc filter per
 * guardrail, in the guardrails' order, each before the buffer filter (the EnvoyProxy's filter order; the AI Gateway
 * controller's extension server, which the offline translation does not run, then puts its own processor right
 * after the buffer filter, behind the guards: docs/guardrails.md), with the guardrail's timeout, failure mode and
 * body modes; and every xDS route of the model routes' generated HTTPRoutes (their route-not-found rule too, which
 * a request matches first) enables each of them.
 */
import { guardrailsPolicyName } from "../../components/manifests/guardrails";
import { durationMillis } from "../../config/schema";
import { buildPlan } from "../../plan/plan";
import { asList, asObj, connectionManagers, dig, str, xdsOf } from "./expectations";
import type { UpstreamTranslation } from "./translate";

const EXT_PROC = "envoy.filters.http.ext_proc";
const BUFFER = "envoy.filters.http.buffer";

/** A duration as protobuf's JSON form writes it: whole seconds bare, else 3 fractional digits (`5s`, `0.300s`). */
const protoDuration = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(3)}s`);

export function guardrailProblems(t: UpstreamTranslation): string[] {
    const guardrails = buildPlan(t.config).guardrails;
    const { name, namespace } = t.config.gateway;
    const out: string[] = [];
    const xds = xdsOf(t);
    const prefix = `${EXT_PROC}/envoyextensionpolicy/${namespace}/${guardrailsPolicyName(name)}/`;
    const guardFilters = guardrails.map((_, i) => `${prefix}extproc/${i}`);
    for (const { listener, hcm } of connectionManagers(xds, namespace, name)) {
        const filters = asList(hcm.httpFilters);
        const names = filters.map((f) => str(f.name));
        const ours = names.filter((n) => n.startsWith(prefix));
        if (JSON.stringify(ours) !== JSON.stringify(guardFilters)) {
            out.push(`${t.label}: listener ${listener}: guardrail filters ${JSON.stringify(ours)}, expected ${JSON.stringify(guardFilters)}`);
            continue;
        }
        if (guardrails.length === 0) continue;
        const buffer = names.indexOf(BUFFER);
        if (buffer < 0) out.push(`${t.label}: listener ${listener}: no ${BUFFER} filter, so the AI Gateway's processor would go in front of the guards (http filters: ${names.join(", ")})`);
        const lastGuard = Math.max(...guardFilters.map((g) => names.indexOf(g)));
        if (buffer >= 0 && lastGuard > buffer) out.push(`${t.label}: listener ${listener}: a guardrail filter comes after ${BUFFER} (http filters: ${names.join(", ")})`);
        guardrails.forEach((g, i) => {
            const config = asObj(filters.find((f) => f.name === guardFilters[i])?.typedConfig);
            const mode = asObj(config.processingMode);
            // Envoy's modes as the config dump spells them (NONE, the zero value, is left out).
            const request = g.phases.includes("request");
            const response = g.phases.includes("response");
            const want = {
                failureModeAllow: g.failOpen,
                messageTimeout: protoDuration(durationMillis(g.timeout)),
                requestHeaderMode: request ? "SEND" : "SKIP",
                requestBodyMode: request ? "BUFFERED" : undefined,
                responseHeaderMode: response ? "SEND" : "SKIP",
                responseBodyMode: response ? "BUFFERED" : undefined,
            };
            const got = {
                failureModeAllow: config.failureModeAllow === true,
                messageTimeout: config.messageTimeout,
                requestHeaderMode: mode.requestHeaderMode,
                requestBodyMode: mode.requestBodyMode,
                responseHeaderMode: mode.responseHeaderMode,
                responseBodyMode: mode.responseBodyMode,
            };
            if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${t.label}: listener ${listener}: guardrail ${g.name}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
        });
    }
    if (guardrails.length === 0) return out;
    const generated = new Set(t.emitted.filter((o) => o.kind === "AIGatewayRoute").map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
    const aiRoutes = xds.routes.filter((r) => {
        const owner = asList(dig(r.route, "metadata", "filterMetadata", "envoy-gateway").resources).find((x) => x.kind === "HTTPRoute");
        return owner !== undefined && generated.has(`${str(owner.namespace)}/${str(owner.name)}`);
    });
    if (aiRoutes.length === 0) out.push(`${t.label}: no xDS route of a model route's generated HTTPRoute`);
    for (const r of aiRoutes) {
        const perFilter = Object.keys(asObj(r.route.typedPerFilterConfig));
        for (const f of guardFilters) if (!perFilter.includes(f)) out.push(`${t.label}: xDS route ${str(r.route.name)}: ${f} is not enabled`);
    }
    return out;
}
