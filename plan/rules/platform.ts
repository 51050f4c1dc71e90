import { chartFolderProblem, PLATFORM_CHARTS } from "../../config/charts";
import { installedPools, quotasInUse } from "../platform";
import { rateLimitInUse } from "../rateLimit";
import type { ChartSource } from "../../config/schema/platform";
import type { Rule } from "../../config/rules/types";

/** An existing Redis must be reachable when rate limiting needs one. */
export const redisLocation: Rule = (config, ctx) => {
    const redis = config.platform.redis;
    const missing = !redis.install && redis.host === undefined && redis.url === undefined;
    if (missing && rateLimitInUse(config.rateLimit, config.models, config.passthrough)) {
        ctx.add(
            ["platform", "redis", "host"],
            "is required when platform.redis.install is false and a rate-limit budget is set; set the host name of your Redis (or host:port as platform.redis.url), or set rateLimit.enabled: false",
        );
    } else if (missing && quotasInUse(config.backends)) {
        ctx.add(
            ["platform", "redis", "host"],
            "is required when platform.redis.install is false and a backend sets quotas (the quota service counts in Redis); set the host name of your Redis (or host:port as platform.redis.url), or remove the quotas",
        );
    }
    if (redis.install && (redis.host !== undefined || redis.url !== undefined || redis.passwordSecret !== undefined)) {
        ctx.add(
            ["platform", "redis"],
            "host, url and passwordSecret describe an existing Redis, but install is true; remove them or set install: false",
        );
    }
    if (redis.host !== undefined && redis.url !== undefined) {
        ctx.add(["platform", "redis", "url"], "is set together with host; set either url (host:port) or host and port, not both");
    }
};

/** The MCP session seed: generated as a secret, so a seed in plain values or a rotation of nothing is flagged. */
export const mcpSessionSeed: Rule = (config, ctx) => {
    const ai = config.platform.aiGateway;
    if (!ai.install && ai.mcpSeedRotation > 0) {
        ctx.add(
            ["platform", "aiGateway", "mcpSeedRotation"],
            "is set, but platform.aiGateway.install is false, so the program installs no controller whose seed it could rotate; remove it, or rotate the seed of your own installation",
        );
    }
    const controller = ai.values.controller as { mcp?: { sessionEncryption?: { seed?: unknown; fallback?: { seed?: unknown } } } } | undefined;
    const encryption = controller?.mcp?.sessionEncryption;
    for (const [path, value] of [[["seed"], encryption?.seed], [["fallback", "seed"], encryption?.fallback?.seed]] as const) {
        if (value === undefined || value === null) continue;
        // Never echo it: it is a secret.
        ctx.warn(
            ["platform", "aiGateway", "values", "controller", "mcp", "sessionEncryption", ...path],
            "replaces the seed the program generates as a secret with one kept in plain text in the stack and the Helm release; remove it (rotate with platform.aiGateway.mcpSeedRotation)",
        );
    }
};

/**
 * `chart` of each platform release: a local folder must hold every chart of the release at its version; a source
 * for a release the program does not install does nothing.
 */
export const chartSources: Rule = (config, ctx) => {
    const { envoyGateway, aiGateway, inferenceExtension } = config.platform;
    const pools = installedPools(config.gateway, config.backends).length > 0;
    const releases: [string, { install: boolean; version: string; chart?: ChartSource }, boolean, readonly string[]][] = [
        ["envoyGateway", envoyGateway, envoyGateway.install, PLATFORM_CHARTS.envoyGateway],
        ["aiGateway", aiGateway, aiGateway.install, PLATFORM_CHARTS.aiGateway],
        ["inferenceExtension", inferenceExtension, pools, PLATFORM_CHARTS.inferenceExtension],
    ];
    for (const [key, release, used, charts] of releases) {
        if (release.chart === undefined) continue;
        if (!used) {
            const why = key === "inferenceExtension" ? "no backend has an inferencePool with a selector, so no inferencepool chart is installed" : `platform.${key}.install is false`;
            ctx.warn(["platform", key, "chart"], `has no effect: ${why}; remove it`);
            continue;
        }
        if (release.chart.path === undefined) continue;
        for (const chart of charts) {
            const problem = chartFolderProblem(release.chart.path, chart, release.version);
            if (problem) ctx.add(["platform", key, "chart", "path"], problem);
        }
    }
};
