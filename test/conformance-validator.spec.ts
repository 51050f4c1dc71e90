import * as assert from "node:assert/strict";
import { CrdCatalog, type ManifestObject, crdDirectory, validateManifest } from "./support/conformance";

const NS = "ai-gateway";

function aiServiceBackend(spec: Record<string, unknown>): ManifestObject {
    return {
        apiVersion: "aigateway.envoyproxy.io/v1beta1",
        kind: "AIServiceBackend",
        metadata: { name: "openai", namespace: NS },
        spec,
    };
}

const validBackendRef = { name: "x", kind: "Backend", group: "gateway.envoyproxy.io" };

function clientTrafficPolicy(bufferLimit: unknown): ManifestObject {
    return {
        apiVersion: "gateway.envoyproxy.io/v1alpha1",
        kind: "ClientTrafficPolicy",
        metadata: { name: "buffers", namespace: NS },
        spec: {
            targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "eg" }],
            connection: { bufferLimit },
        },
    };
}

/** Asserts that some problem contains every fragment, showing all problems on failure. */
function assertProblem(problems: string[], ...fragments: string[]): void {
    assert.ok(
        problems.some((p) => fragments.every((f) => p.includes(f))),
        `expected a problem containing ${JSON.stringify(fragments)}, got:\n${problems.join("\n")}`,
    );
}

describe("conformance validator", () => {
    it("accepts a valid AIServiceBackend", () => {
        assert.deepEqual(validateManifest(aiServiceBackend({ schema: { name: "OpenAI" }, backendRef: validBackendRef })), []);
    });

    it("rejects a misspelt field and names its path and object", () => {
        const problems = validateManifest(
            aiServiceBackend({ schema: { name: "OpenAI", nmae: "OpenAI" }, backendRef: validBackendRef }),
        );
        assert.equal(problems.length, 1, problems.join("\n"));
        assertProblem(problems, "AIServiceBackend ai-gateway/openai:", "spec.schema.nmae", "unknown field");
    });

    it("rejects an enum violation", () => {
        const problems = validateManifest(aiServiceBackend({ schema: { name: "OpenAi" }, backendRef: validBackendRef }));
        assertProblem(problems, "spec.schema.name: must be one of", '"OpenAI"');
    });

    it("rejects a missing required field", () => {
        const problems = validateManifest(aiServiceBackend({ schema: { name: "OpenAI" } }));
        assertProblem(problems, "spec.backendRef: required field missing");
    });

    it("reports minimum violations with an indexed JSON path", () => {
        const problems = validateManifest({
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: { name: "route", namespace: NS },
            spec: {
                parentRefs: [{ name: "eg" }],
                rules: [{ backendRefs: [{ name: "a", port: 80 }, { name: "b", port: 80, weight: -1 }] }],
            },
        });
        assertProblem(problems, "HTTPRoute ai-gateway/route: spec.rules[0].backendRefs[1].weight: must be >= 0");
    });

    it("accepts both forms of an int-or-string field and rejects other types", () => {
        assert.deepEqual(validateManifest(clientTrafficPolicy("50Mi")), []);
        assert.deepEqual(validateManifest(clientTrafficPolicy(1048576)), []);
        assertProblem(validateManifest(clientTrafficPolicy(true)), "spec.connection.bufferLimit");
    });

    it("rejects an unknown apiVersion and a version that is not served", () => {
        const unknown = { ...aiServiceBackend({ schema: { name: "OpenAI" }, backendRef: validBackendRef }) };
        unknown.apiVersion = "aigateway.envoyproxy.io/v1";
        assertProblem(validateManifest(unknown), "aigateway.envoyproxy.io/v1", "no served CRD");

        const tls: ManifestObject = {
            apiVersion: "gateway.networking.k8s.io/v1alpha2",
            kind: "BackendTLSPolicy",
            metadata: { name: "tls", namespace: NS },
            spec: {},
        };
        assertProblem(validateManifest(tls), "no served CRD", "BackendTLSPolicy");
    });

    it("knows which kinds are served", () => {
        const catalog = new CrdCatalog();
        assert.equal(catalog.hasKind("aigateway.envoyproxy.io/v1beta1", "AIGatewayRoute"), true);
        assert.equal(catalog.hasKind("aigateway.envoyproxy.io/v1alpha1", "QuotaPolicy"), true);
        assert.equal(catalog.hasKind("gateway.networking.k8s.io/v1", "BackendTLSPolicy"), true);
        assert.equal(catalog.hasKind("gateway.networking.k8s.io/v1alpha2", "BackendTLSPolicy"), false);
        assert.equal(catalog.hasKind("v1", "Service"), false);
    });

    it("validates a Gateway with listeners", () => {
        const gateway: ManifestObject = {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: { name: "eg", namespace: NS },
            spec: {
                gatewayClassName: "eg",
                listeners: [
                    { name: "http", protocol: "HTTP", port: 80 },
                    { name: "https", protocol: "HTTPS", port: 443, hostname: "api.example.com", tls: { certificateRefs: [{ name: "cert" }] } },
                ],
            },
        };
        assert.deepEqual(validateManifest(gateway), []);

        const badPort = structuredClone(gateway);
        (badPort.spec as { listeners: { port: number }[] }).listeners[0].port = 70000;
        assertProblem(validateManifest(badPort), "spec.listeners[0].port: must be <= 65535");
    });

    it("checks metadata: name format and namespace against the CRD scope", () => {
        const gatewayClass: ManifestObject = {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "GatewayClass",
            metadata: { name: "eg" },
            spec: { controllerName: "gateway.envoyproxy.io/gatewayclass-controller" },
        };
        assert.deepEqual(validateManifest(gatewayClass), []);
        assertProblem(
            validateManifest({ ...gatewayClass, metadata: { name: "eg", namespace: NS } }),
            "metadata.namespace: must not be set on a cluster-scoped kind",
        );

        const backend = aiServiceBackend({ schema: { name: "OpenAI" }, backendRef: validBackendRef });
        assertProblem(validateManifest({ ...backend, metadata: { name: "openai" } }), "metadata.namespace: required");
        assertProblem(validateManifest({ ...backend, metadata: { name: "Not_Valid", namespace: NS } }), "metadata.name: must match pattern");
        assertProblem(validateManifest({ ...backend, metadata: { namespace: NS } }), "metadata.name: required field missing");
        assertProblem(
            validateManifest({ ...backend, metadata: { name: "openai", namespace: NS, lables: { a: "b" } } }),
            "metadata.lables: unknown field",
        );
    });

    it("evaluates CEL rules and reports the CRD's message", () => {
        const problems = validateManifest(aiServiceBackend({ schema: { name: "OpenAI" }, backendRef: { name: "x" } }));
        assertProblem(problems, "spec.backendRef: BackendRef must be a Backend resource of Envoy Gateway");
    });

    it("ignores undefined properties, as serialisation drops them", () => {
        const backend = aiServiceBackend({ schema: { name: "OpenAI" }, backendRef: validBackendRef, headerMutation: undefined });
        assert.deepEqual(validateManifest(backend), []);
    });

    it("throws (rather than skipping) when the CRD directory is missing", () => {
        const saved = process.env.AI_GATEWAY_CRD_DIR;
        process.env.AI_GATEWAY_CRD_DIR = "/nonexistent";
        try {
            assert.throws(() => crdDirectory(), /CRD directory not found: \/nonexistent/);
            assert.throws(() => new CrdCatalog(), /CRD directory not found/);
        } finally {
            if (saved === undefined) delete process.env.AI_GATEWAY_CRD_DIR;
            else process.env.AI_GATEWAY_CRD_DIR = saved;
        }
    });
});
