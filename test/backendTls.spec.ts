import * as assert from "node:assert/strict";
import { backendNames } from "../plan/names";
import { join } from "node:path";
import { parseConfig } from "../plan";
import { backendObjects } from "../components/manifests/backends";
import { configOfFile, configProblems } from "./harness";

/** A real CA certificate (the client-auth fixture's). */
const CA_PEM = (configOfFile(join(__dirname, "fixtures", "client-auth-breadth.yaml")).auth as { clientCertificates: { ca: { pem: string } } }).clientCertificates.ca.pem;
/** A private key as someone might paste it by mistake: it must never appear in an error. */
const KEY_MATERIAL = "MC4CAQAwBQYDK2VwBCIEIKnownBackendKeyMaterial0123456789abcdef";
const KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_MATERIAL}\n-----END PRIVATE KEY-----\n`;

const backend = (tls: unknown, extra: Record<string, unknown> = {}) => ({ schema: "OpenAI", hostname: "vllm.internal.example.com", port: 8443, tls, ...extra });
const objects = (b: Record<string, unknown>) => {
    const c = parseConfig({ routing: { minBackendsPerModel: 1 }, backends: { b }, models: { m: { backends: [{ backend: "b" }] } }, auth: { none: true } });
    return backendObjects({ key: "b", config: c.backends.b, gateway: { name: c.gateway.name, namespace: c.gateway.namespace }, names: backendNames(c.gateway.name, "b", c.backends.b.auth) });
};

describe("backends.<b>.tls: a private CA and a client certificate towards the backend", () => {
    it("a PEM becomes a ConfigMap the BackendTLSPolicy trusts instead of the system CAs; a Secret or ConfigMap is referenced as it is", () => {
        const pem = objects(backend({ caCertificate: { pem: CA_PEM } }));
        assert.deepEqual(pem.caConfigMap, { name: "ai-gateway-b-ca", namespace: "ai-gateway", data: { "ca.crt": CA_PEM } });
        assert.deepEqual(pem.tlsPolicy?.spec.validation, { hostname: "vllm.internal.example.com", caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "ai-gateway-b-ca" }] });
        assert.equal(pem.endpoint.tls, true);
        assert.deepEqual(objects(backend({ caCertificate: { secret: "vllm-ca" } })).tlsPolicy?.spec.validation.caCertificateRefs, [{ group: "", kind: "Secret", name: "vllm-ca" }]);
        const cm = objects(backend({ caCertificate: { configMap: "vllm-ca" } }));
        assert.deepEqual([cm.tlsPolicy?.spec.validation.caCertificateRefs, cm.caConfigMap], [[{ group: "", kind: "ConfigMap", name: "vllm-ca" }], undefined]);
        assert.deepEqual(objects(backend(true)).tlsPolicy?.spec.validation, { hostname: "vllm.internal.example.com", wellKnownCACertificates: "System" });
        assert.equal(objects(backend(true)).backend.spec.tls, undefined);
    });

    it("a client certificate goes on the Backend, where Envoy Gateway merges it with the BackendTLSPolicy's validation", () => {
        const o = objects(backend({ clientCertificate: { secret: "gateway-client" } }));
        assert.deepEqual(o.backend.spec.tls, { clientCertificateRef: { group: "", kind: "Secret", name: "gateway-client" } });
        assert.deepEqual(o.tlsPolicy?.spec.validation, { hostname: "vllm.internal.example.com", wellKnownCACertificates: "System" });
    });

    it("refuses a pasted private key without echoing it, and every other mistake at once", () => {
        const problems = configProblems({
            routing: { minBackendsPerModel: 1 },
            auth: { none: true },
            backends: {
                key: backend({ caCertificate: { pem: CA_PEM + KEY } }),
                junk: backend({ caCertificate: { pem: "not a certificate" } }),
                two: backend({ caCertificate: { secret: "a", configMap: "b" } }),
                none: backend({ caCertificate: {} }),
                bad: backend({ clientCertificate: { secret: "Not_A_Name" } }),
                word: backend("yes"),
            },
            models: { m: { backends: [{ backend: "key" }] } },
        });
        assert.deepEqual(problems, [
            "backends.key.tls.caCertificate.pem: holds a private key; remove it at once (and rotate it): only CA certificates belong here, never a key",
            "backends.junk.tls.caCertificate.pem: holds no PEM certificate; paste the CA certificate(s), from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----",
            "backends.two.tls.caCertificate: sets configMap and secret; set exactly one of configMap, secret (their key ca.crt) or pem",
            "backends.none.tls.caCertificate: names no CA; set exactly one of configMap, secret (their key ca.crt) or pem",
            "backends.bad.tls.clientCertificate.secret: is not a valid Kubernetes name; use lower-case letters, digits, '-' and '.'",
            "backends.word.tls: must be true, false or {caCertificate, clientCertificate}; use true for TLS verified against the system CAs",
        ]);
        assert.ok(!problems.join("\n").includes(KEY_MATERIAL), "the key material must not appear in any message");
    });
});
