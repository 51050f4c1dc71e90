import { z } from "zod";

export const observabilitySchema = z.strictObject({
    tracing: z
        .strictObject({
            endpoint: z.string().regex(/^https?:\/\/\S+$/, "is not a URL; use e.g. https://otlp.example.com"),
            serviceName: z.string().min(1).default("ai-gateway"),
            protocol: z.enum(["grpc", "http/protobuf"]).default("http/protobuf"),
            /** Key in ai-gateway:apiKeys holding OTLP auth headers (`Authorization=Bearer ...`). */
            headersSecret: z.string().min(1).optional(),
        })
        .optional(),
    accessLog: z.strictObject({ format: z.enum(["json", "text"]).default("json") }).optional(),
    metrics: z.strictObject({ prometheus: z.boolean().default(true) }).optional(),
});

export type ObservabilityConfig = z.output<typeof observabilitySchema>;
