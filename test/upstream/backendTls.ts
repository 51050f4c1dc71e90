/**
 * backends.<b>.tls with a private CA and a client certificate, in what egctl translates: each cluster that
 * reaches such a backend verifies it against the BackendTLSPolicy's CA (not the system's), presents the
 * client certificate where one is set and none elsewhere, and the CA given inline is the program's ConfigMap.
 */
import { backendNames } from "../../plan/names";
import { backendTlsSettings, backendUsesTls } from "../../config/schema";
import { asList, dig, str, xdsOf } from "./expectations";
import type { UpstreamTranslation } from "./translate";

export function backendTlsProblems(t: UpstreamTranslation): string[] {
    const { config } = t;
    const namespace = config.gateway.namespace;
    const out: string[] = [];
    const xds = xdsOf(t);
    for (const [key, backend] of Object.entries(config.backends)) {
        const settings = backendTlsSettings(backend);
        if (settings === undefined || !backendUsesTls(backend) || backend.inferencePool !== undefined) continue;
        const names = backendNames(config.gateway.name, key, backend.auth);
        const at = `${t.label}: backend ${key}`;
        const pem = settings.caCertificate?.pem;
        if (pem !== undefined) {
            const cm = t.emitted.find((o) => o.kind === "ConfigMap" && o.metadata.name === names.caConfigMap && o.metadata.namespace === namespace);
            if ((cm?.data as Record<string, string> | undefined)?.["ca.crt"] !== pem) out.push(`${at}: the program emits no ConfigMap ${names.caConfigMap} holding the PEM under ca.crt`);
        }
        // Every TLS transport socket of an endpoint of this Backend.
        let sockets = 0;
        for (const c of xds.clusters.values()) {
            for (const locality of asList(dig(c, "loadAssignment").endpoints)) {
                const owner = asList(dig(locality, "metadata", "filterMetadata", "envoy-gateway").resources)[0];
                if (owner?.kind !== "Backend" || owner.name !== names.backend) continue;
                for (const lb of asList(locality.lbEndpoints)) {
                    const match = str(dig(lb, "metadata", "filterMetadata", "envoy.transport_socket_match").name ?? "");
                    const socket = dig(asList(c.transportSocketMatches).find((m) => m.name === match), "transportSocket", "typedConfig");
                    const where = `${at}: cluster ${str(c.name)}`;
                    sockets++;
                    const common = dig(socket, "commonTlsContext");
                    const validation = str(dig(common, "combinedValidationContext", "validationContextSdsSecretConfig").name ?? "");
                    // Envoy Gateway names the trust of a BackendTLSPolicy `<policy>/<namespace>-ca`.
                    if (validation !== `${names.tlsPolicy}/${namespace}-ca`) out.push(`${where}: trusts "${validation}", expected the CA of BackendTLSPolicy ${names.tlsPolicy}`);
                    if (socket.sni !== backend.hostname) out.push(`${where}: sni is ${str(socket.sni)}, config says ${str(backend.hostname)}`);
                    const client = asList(common.tlsCertificateSdsSecretConfigs).map((s) => str(s.name));
                    const want = settings.clientCertificate === undefined ? [] : [`${namespace}/${settings.clientCertificate.secret}`];
                    if (JSON.stringify(client) !== JSON.stringify(want)) out.push(`${where}: presents client certificates [${client.join(", ")}], config says [${want.join(", ")}]`);
                }
            }
        }
        if (sockets === 0 && Object.values(config.models).some((m) => m.backends.some((b) => b.backend === key))) out.push(`${at}: no endpoint of Backend ${names.backend} in any cluster`);
    }
    return out;
}
