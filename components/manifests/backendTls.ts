import { type BackendConfig, backendTlsSettings } from "../../config/schema";
import type { BackendSpec, BackendTLSPolicyValidation } from "../../specs";

/**
 * `backends.<b>.tls` as a private CA and a client certificate: whom the BackendTLSPolicy trusts, and the
 * Backend's client certificate. No Pulumi here.
 */

/** The trust of a backend's BackendTLSPolicy: its private CA (a Secret, a ConfigMap, or the program's ConfigMap of a PEM), else the system CAs. */
export function tlsValidationTrust(config: Pick<BackendConfig, "tls">, pemConfigMap: string): Pick<BackendTLSPolicyValidation, "caCertificateRefs" | "wellKnownCACertificates"> {
    const ca = backendTlsSettings(config)?.caCertificate;
    if (ca === undefined) return { wellKnownCACertificates: "System" };
    if (ca.secret !== undefined) return { caCertificateRefs: [{ group: "", kind: "Secret", name: ca.secret }] };
    return { caCertificateRefs: [{ group: "", kind: "ConfigMap", name: ca.configMap ?? pemConfigMap }] };
}

/** The Backend's `tls` with the client certificate Envoy presents (mutual TLS), or nothing. */
export function backendTlsSection(config: Pick<BackendConfig, "tls">): Pick<BackendSpec, "tls"> {
    const client = backendTlsSettings(config)?.clientCertificate;
    return client === undefined ? {} : { tls: { clientCertificateRef: { group: "", kind: "Secret", name: client.secret } } };
}
