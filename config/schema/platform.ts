import { z } from "zod";
import { AI_GATEWAY, ENVOY_GATEWAY, REDIS } from "../../components/build/versions";
import { chartVersion, dnsLabel, helmValues, hostname, port, resourceRequirements } from "./primitives";

function helmRelease(version: string, namespace: string) {
    return z.strictObject({
        /** false: already on the cluster; only custom resources are created. */
        install: z.boolean().default(true),
        version: chartVersion.default(version),
        namespace: dnsLabel.default(namespace),
        /** Extra Helm values merged last (user wins). */
        values: helmValues.default({}),
    });
}

export const redisSchema = z.strictObject({
    install: z.boolean().default(true),
    namespace: dnsLabel.default(REDIS.namespace),
    image: z
        .string()
        .regex(/^(.+\/)?redis:8(\.\d+)*(-[a-z0-9.]+)?$/, "must be an official Redis 8 image; use redis:8.2-alpine or a newer 8.x tag")
        .default(REDIS.image),
    resources: resourceRequirements.default({
        requests: { cpu: "100m", memory: "128Mi" },
        limits: { cpu: "1", memory: "512Mi" },
    }),
    /** Where an existing Redis lives when `install: false` (host name; port below). */
    host: hostname.optional(),
    port: port.default(REDIS.port),
    /** Key in ai-gateway:apiKeys holding the password of an existing Redis (`install: false`). */
    passwordSecret: z.string().min(1).optional(),
});

export const platformSchema = z.strictObject({
    envoyGateway: helmRelease(ENVOY_GATEWAY.version, ENVOY_GATEWAY.namespace).prefault({}),
    aiGateway: helmRelease(AI_GATEWAY.version, AI_GATEWAY.namespace).prefault({}),
    redis: redisSchema.prefault({}),
});

export type PlatformConfig = z.output<typeof platformSchema>;
export type RedisConfig = z.output<typeof redisSchema>;
