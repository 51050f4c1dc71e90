import { z } from "zod";
import { k8sName } from "./primitives";
import { caSourceSchema } from "./security";

/**
 * `backends.<b>.tls`: `true`/`false`, or the TLS settings towards a backend with a private CA or mutual
 * TLS. The CA becomes the BackendTLSPolicy's `caCertificateRefs` (instead of the system CAs), the client
 * certificate the Backend's `tls.clientCertificateRef`.
 */

export const backendTlsSettingsSchema = z.strictObject({
    caCertificate: caSourceSchema({ issues: "the backend's certificate", caOnly: false, storedIn: "<gateway>-<backend>-ca" })
        .optional()
        .describe("the private CA that issued the backend's certificate, verified for `hostname` instead of the system CAs: exactly one of `configMap`, `secret` or `pem`"),
    clientCertificate: z
        .strictObject({
            secret: k8sName.describe("a `kubernetes.io/tls` Secret in the gateway namespace (`tls.crt`, `tls.key`): the certificate Envoy presents to the backend"),
        })
        .optional()
        .describe("mutual TLS: the client certificate Envoy presents to the backend"),
});

export const backendTlsSchema = z.union([z.boolean(), backendTlsSettingsSchema], {
    error: "must be true, false or {caCertificate, clientCertificate}; use true for TLS verified against the system CAs",
});

export type BackendTlsConfig = z.output<typeof backendTlsSchema>;
export type BackendTlsSettings = z.output<typeof backendTlsSettingsSchema>;

/** Whether a backend is reached over TLS: its `tls` (an object says yes), else port 443. */
export function backendUsesTls(backend: { tls?: BackendTlsConfig; port: number }): boolean {
    return typeof backend.tls === "object" ? true : (backend.tls ?? backend.port === 443);
}

/** The TLS settings object of a backend, if it has one. */
export function backendTlsSettings(backend: { tls?: BackendTlsConfig }): BackendTlsSettings | undefined {
    return typeof backend.tls === "object" ? backend.tls : undefined;
}
