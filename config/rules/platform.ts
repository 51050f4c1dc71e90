import { quotasInUse } from "../../components/manifests/quota";
import { rateLimitInUse } from "../../components/manifests/rateLimit";
import type { Rule } from "./types";

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
