/**
 * rateLimit.local in the xDS egctl translates: every route of a model carries Envoy's local token bucket
 * with the configured size and refill interval, and no route has one when it is not set.
 */
import { MODEL_HEADER } from "../../config/aiMetadata";
import { LOCAL_WINDOWS } from "../../config/schema";
import { asList, dig, str, xdsOf } from "./expectations";
import type { UpstreamTranslation } from "./translate";

const SECONDS: Record<string, string> = { Second: "1s", Minute: "60s", Hour: "3600s" };

export function localRateLimitProblems(t: UpstreamTranslation): string[] {
    const { rateLimit, gateway } = t.config;
    const local = rateLimit.enabled ? rateLimit.local : undefined;
    const out: string[] = [];
    const modelRoutes = xdsOf(t).routes.filter(
        (r) => r.gateway === `${gateway.namespace}/${gateway.name}` && asList(dig(r.route, "match").headers).some((h) => str(h.name).toLowerCase() === MODEL_HEADER),
    );
    for (const r of modelRoutes) {
        const at = `${t.label}: xDS route ${str(r.route.name)}`;
        const bucket = dig(r.route, "typedPerFilterConfig", "envoy.filters.http.local_ratelimit", "tokenBucket");
        if (local === undefined) {
            if (Object.keys(bucket).length > 0) out.push(`${at}: a local token bucket ${JSON.stringify(bucket)}, config sets no rateLimit.local`);
            continue;
        }
        const want = { fillInterval: SECONDS[LOCAL_WINDOWS[local.window]], maxTokens: local.requests, tokensPerFill: local.requests };
        if (bucket.fillInterval !== want.fillInterval || bucket.maxTokens !== want.maxTokens || bucket.tokensPerFill !== want.tokensPerFill) {
            out.push(`${at}: local token bucket is ${JSON.stringify(bucket)}, config says ${JSON.stringify(want)}`);
        }
    }
    if (local !== undefined && modelRoutes.length === 0) out.push(`${t.label}: no xDS route of a model, where rateLimit.local belongs`);
    return out;
}
