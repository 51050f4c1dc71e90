import { z } from "zod";
import { dnsLabel, hostname, k8sName, port, positiveInt, quantity, resourceRequirements, stringMap } from "./primitives";

export const listenerSchema = z.strictObject({
    name: k8sName,
    protocol: z.enum(["HTTP", "HTTPS"]),
    port: port,
    hostname: hostname.optional(),
    tls: z
        .strictObject({
            certificateRefs: z
                .array(z.strictObject({ name: k8sName, namespace: dnsLabel.optional() }))
                .min(1, "is empty; name at least one TLS Secret, e.g. [{name: ai-gateway-tls}]"),
        })
        .optional(),
    allowedRoutes: z
        .strictObject({ namespaces: z.strictObject({ from: z.enum(["Same", "All"]) }) })
        .optional(),
});

export const envoyProxySchema = z.strictObject({
    replicas: positiveInt.default(1),
    resources: resourceRequirements.default({}),
    service: z
        .strictObject({
            type: z.enum(["ClusterIP", "LoadBalancer", "NodePort"]).default("LoadBalancer"),
            annotations: stringMap.default({}),
        })
        .prefault({}),
});

export const clientTrafficSchema = z.strictObject({
    /** Large prompts need more than Envoy's 32 KiB default. */
    bufferLimit: quantity.default("50Mi"),
});

export const gatewaySchema = z.strictObject({
    name: dnsLabel.default("ai-gateway"),
    namespace: dnsLabel.default("ai-gateway"),
    className: k8sName.default("ai-gateway"),
    listeners: z
        .array(listenerSchema)
        .min(1, "is empty; add at least one listener, e.g. {name: http, protocol: HTTP, port: 80}")
        .default([{ name: "http", protocol: "HTTP", port: 80 }]),
    envoyProxy: envoyProxySchema.prefault({}),
    clientTraffic: clientTrafficSchema.prefault({}),
});

export type GatewayConfig = z.output<typeof gatewaySchema>;
export type ListenerConfig = z.output<typeof listenerSchema>;
