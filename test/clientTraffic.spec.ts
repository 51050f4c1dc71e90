import * as assert from "node:assert/strict";
import { parseConfig } from "../plan";
import { clientTrafficPolicyManifest } from "./support/gatewayBuilders";
import { configProblems } from "./harness";

const ct = (clientTraffic: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ gateway: { clientTraffic }, ...rest });
const policy = (raw: Record<string, unknown>) => clientTrafficPolicyManifest(parseConfig(raw).gateway).spec;

describe("gateway.clientTraffic: client IP, proxy protocol, keepalive, connection limits", () => {
    it("xForwardedFor and customHeader become clientIPDetection; proxyProtocol its own section, never the deprecated flag", () => {
        assert.deepEqual(policy(ct({ clientIP: { xForwardedFor: { trustedHops: 1 } } })).clientIPDetection, { xForwardedFor: { numTrustedHops: 1 } });
        assert.deepEqual(policy(ct({ clientIP: { xForwardedFor: { trustedCIDRs: ["10.0.0.0/8", "2001:db8::/32"] } } })).clientIPDetection, {
            xForwardedFor: { trustedCIDRs: ["10.0.0.0/8", "2001:db8::/32"] },
        });
        assert.deepEqual(policy(ct({ clientIP: { customHeader: { name: "X-Real-IP" } } })).clientIPDetection, { customHeader: { name: "X-Real-IP", failClosed: false } });
        const pp = policy(ct({ proxyProtocol: true }));
        assert.deepEqual([pp.proxyProtocol, pp.enableProxyProtocol], [{}, undefined]);
        assert.deepEqual(policy(ct({ proxyProtocol: { optional: true } })).proxyProtocol, { optional: true });
        assert.equal(policy(ct({ proxyProtocol: false })).proxyProtocol, undefined);
        const plain = policy({});
        assert.deepEqual([plain.clientIPDetection, plain.proxyProtocol, plain.tcpKeepalive, plain.connection], [undefined, undefined, undefined, { bufferLimit: "50Mi" }]);
    });

    it("tcpKeepalive {} takes defaults for minutes-long streams; connectionLimit keeps only what is set", () => {
        assert.deepEqual(policy(ct({ tcpKeepalive: {} })).tcpKeepalive, { idleTime: "60s", interval: "15s", probes: 4 });
        assert.deepEqual(policy(ct({ tcpKeepalive: { idleTime: "5m", probes: 2 } })).tcpKeepalive, { idleTime: "5m", interval: "15s", probes: 2 });
        assert.deepEqual(policy(ct({ connectionLimit: { value: 10000, closeDelay: "1s", maxConnectionDuration: "1h" } })).connection, {
            bufferLimit: "50Mi",
            connectionLimit: { value: 10000, closeDelay: "1s", maxConnectionDuration: "1h" },
        });
    });

    it("refuses every mistake at once, each with its fix, and never a header the one header check refuses", () => {
        const problems = configProblems(
            ct({
                clientIP: { xForwardedFor: { trustedHops: 0, trustedCIDRs: ["10.0.0.0"] }, customHeader: { name: "authorization" } },
                proxyProtocol: "yes",
                tcpKeepalive: { idleTime: "500ms", interval: "90000h", probes: 33 },
                connectionLimit: { closeDelay: "1s" },
            }),
        );
        assert.deepEqual(problems, [
            "gateway.clientTraffic.clientIP.xForwardedFor.trustedHops: must be at least 1; use 1 or more",
            'gateway.clientTraffic.clientIP.xForwardedFor.trustedCIDRs[0]: "10.0.0.0" is not a CIDR range (no prefix length); use e.g. 10.0.0.0/32 for one address',
            "gateway.clientTraffic.clientIP.xForwardedFor: sets both; set exactly one of trustedHops (e.g. 1) or trustedCIDRs (e.g. [10.0.0.0/8])",
            'gateway.clientTraffic.clientIP.customHeader.name: "authorization" carries a credential, not an address; name the header your load balancer writes the client\'s address into, e.g. x-real-ip',
            "gateway.clientTraffic.clientIP: sets both; set exactly one of xForwardedFor or customHeader",
            "gateway.clientTraffic.proxyProtocol: must be true, false or {optional: true}; use true behind a load balancer that sends the PROXY protocol",
            "gateway.clientTraffic.tcpKeepalive.idleTime: 500ms is outside 1s to 24h; use e.g. 60s",
            "gateway.clientTraffic.tcpKeepalive.interval: 90000h is outside 1s to 24h; use e.g. 15s",
            "gateway.clientTraffic.tcpKeepalive.probes: must be at most 32; lower it",
            "gateway.clientTraffic.connectionLimit.closeDelay: delays closing connections over value, and there is no value; set value, or remove closeDelay",
        ]);
        assert.deepEqual(configProblems(ct({ clientIP: { xForwardedFor: {} } })), [
            "gateway.clientTraffic.clientIP.xForwardedFor: says nothing; set exactly one of trustedHops (e.g. 1) or trustedCIDRs (e.g. [10.0.0.0/8])",
        ]);
        assert.deepEqual(configProblems(ct({ clientIP: { customHeader: { name: "x-forwarded-for" } } })), [
            'gateway.clientTraffic.clientIP.customHeader.name: "x-forwarded-for" is a list of addresses, which customHeader reads as one; use clientIP.xForwardedFor instead',
        ]);
        assert.deepEqual(configProblems(ct({ clientIP: { customHeader: { name: "x_real_ip" } } })), [
            'gateway.clientTraffic.clientIP.customHeader.name: "x_real_ip" holds characters Envoy Gateway\'s client-IP detection refuses; use letters, digits and \'-\', e.g. x-real-ip',
        ]);
        assert.deepEqual(configProblems(ct({ clientIP: {} })), ["gateway.clientTraffic.clientIP: says nothing; set exactly one of xForwardedFor or customHeader"]);
        assert.deepEqual(configProblems(ct({ connectionLimit: {} })), [
            "gateway.clientTraffic.connectionLimit: sets no limit; set value, maxConnectionDuration, maxRequestsPerConnection or maxStreamDuration, or remove the key",
        ]);
        assert.deepEqual(configProblems(ct({ enabled: false, proxyProtocol: true, tcpKeepalive: {} })), [
            "gateway.clientTraffic.proxyProtocol: does nothing while clientTraffic.enabled is false (the program creates no ClientTrafficPolicy to carry it); set enabled: true, or remove it",
            "gateway.clientTraffic.tcpKeepalive: does nothing while clientTraffic.enabled is false (the program creates no ClientTrafficPolicy to carry it); set enabled: true, or remove it",
        ]);
    });

    it("ipAllow on a LoadBalancer without a client-IP setting warns that it may see the balancer's address", () => {
        const auth = { auth: { ipAllow: ["203.0.113.0/24"] } };
        const lb = parseConfig({ ...auth, gateway: { envoyProxy: { service: { externalTrafficPolicy: "Local" } } } }).warnings;
        assert.ok(lb.some((w) => w.startsWith("auth.ipAllow: is matched against the address of whatever connects to Envoy: behind an L7 load balancer")), lb.join("\n"));
        for (const known of [{ clientIP: { xForwardedFor: { trustedHops: 1 } } }, { proxyProtocol: true }]) {
            const w = parseConfig({ ...auth, gateway: { clientTraffic: known } }).warnings;
            assert.deepEqual(w.filter((x) => x.startsWith("auth.ipAllow")), []);
        }
        const internal = parseConfig({ ...auth, gateway: { envoyProxy: { service: { type: "ClusterIP" } } } }).warnings;
        assert.deepEqual(internal.filter((x) => x.startsWith("auth.ipAllow")), []);
    });

    it("a maxStreamDuration shorter than a model's request timeout warns, naming the model", () => {
        const models = {
            routing: { minBackendsPerModel: 1 },
            backends: { a: { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80 } },
            models: { short: { backends: [{ backend: "a" }], timeouts: { request: "60s" } }, long: { backends: [{ backend: "a" }], timeouts: { request: "15m" } } },
        };
        const w = parseConfig({ ...ct({ connectionLimit: { maxStreamDuration: "10m" } }), ...models }).warnings;
        assert.deepEqual(w.filter((x) => x.includes("maxStreamDuration")), [
            "gateway.clientTraffic.connectionLimit.maxStreamDuration: (10m) is shorter than the request timeout of model long, so their streamed answers are reset before they may finish; raise it above the longest timeouts.request, or remove it",
        ]);
        assert.deepEqual(parseConfig({ ...ct({ connectionLimit: { maxStreamDuration: "20m" } }), ...models }).warnings.filter((x) => x.includes("maxStreamDuration")), []);
    });
});
