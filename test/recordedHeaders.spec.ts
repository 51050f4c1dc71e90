import * as assert from "node:assert/strict";
import { accessLogFields, gatewayObservability } from "../components/manifests/observability";
import { ACCESS_LOG_FIELDS } from "../plan/observability";
import { spanRequestHeaderAttributes } from "../plan/controller";
import { parseConfig } from "../plan";
import { configProblems, evaluate } from "./harness";

// observability.accessLog.headers and observability.tracing.headers: request headers recorded in access-log
// lines and spans, through the one header policy, never a credential.

const RELEASE = "kubernetes:helm.sh/v3:Release";
type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const GATEWAY = { name: "ai-gateway", namespace: "ai-gateway" };
const grpcTracing = { endpoint: "http://otel-collector.monitoring:4317", protocol: "grpc" };
const obs = (observability: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ observability, ...rest });

describe("observability.accessLog.headers: request headers in every access-log line", () => {
    it("adds each header's value under its attribute, in JSON and in text", () => {
        for (const format of ["json", "text"] as const) {
            const c = parseConfig(obs({ accessLog: { format, headers: { "x-team": "team", "X-Client-Version": "client.version" } } }));
            const log = gatewayObservability(c.observability, GATEWAY, { userHeader: "x-user-id", auth: {} }).telemetry.accessLog!;
            const setting = log.settings![0].format!;
            if (format === "json") {
                assert.equal(setting.json?.team, "%REQ(x-team)%");
                assert.equal(setting.json?.["client.version"], "%REQ(X-Client-Version)%");
                assert.equal(setting.json?.total_tokens, "%DYNAMIC_METADATA(io.envoy.ai_gateway:llm_total_token)%");
            } else {
                assert.match(setting.text!, / client\.version=%REQ\(X-Client-Version\)% team=%REQ\(x-team\)%\n$/);
            }
        }
        const none = parseConfig(obs({ accessLog: {} }));
        const fields = gatewayObservability(none.observability, GATEWAY, { userHeader: "x-user-id", auth: {} }).telemetry.accessLog!.settings![0].format!.json!;
        assert.deepEqual(Object.keys(fields), Object.keys(accessLogFields({ userHeader: "x-user-id", auth: {} }, false)));
    });

    it("ACCESS_LOG_FIELDS names every field a line can have, so that a recorded header cannot take one", () => {
        const auth = { jwt: { claimToHeaders: [{ claim: "sub", header: "x-sub" }] } } as never;
        const all = Object.keys(accessLogFields({ userHeader: "x-user-id", auth }, true));
        assert.deepEqual(all.filter((f) => !(ACCESS_LOG_FIELDS as readonly string[]).includes(f)), []);
        assert.deepEqual(configProblems(obs({ accessLog: { headers: { "x-team": "user", "x-b": "trace_id" } } })), [
            'observability.accessLog.headers.x-team: records under "user", a field every access-log line has already; give it another name, e.g. header_user',
            'observability.accessLog.headers.x-b: records under "trace_id", a field every access-log line has already; give it another name, e.g. header_trace_id',
        ]);
    });

    it("refuses credential headers with the reason, and bad names, all at once", () => {
        const why = "which would be written in plain text into every access-log line or span that records it; record a header that names without proving, e.g. x-user-id";
        assert.deepEqual(configProblems(obs({ accessLog: { headers: { Authorization: "auth", cookie: "c", "x-api-key": "k", ":path": "p", "x-ok": "1bad", "x-a": "a", "X-A": "b", "x-c": "a" } } })), [
            `observability.accessLog.headers.Authorization: "Authorization" carries a credential, ${why}`,
            `observability.accessLog.headers.cookie: "cookie" carries a credential, ${why}`,
            `observability.accessLog.headers.x-api-key: "x-api-key" carries a credential, ${why}`,
            'observability.accessLog.headers[":path"]: ":path" is a pseudo-header, which Envoy derives from the request itself; use an ordinary header',
            "observability.accessLog.headers.x-ok: \"1bad\" is not an attribute name; use at most 64 letters, digits, '_' and '.', starting with a letter, e.g. team",
            'observability.accessLog.headers.X-A: is the header "x-a" again (header names ignore case); record it once',
            'observability.accessLog.headers.x-c: "a" is already the attribute of "x-a"; give each header an attribute of its own',
        ]);
        // The header the config itself makes the client API key is a credential too, whatever its name.
        assert.deepEqual(configProblems(obs({ accessLog: { headers: { "X-LLM-Key": "key" } } }, { auth: { apiKeys: { header: "x-llm-key", clients: { a: "a-key" } } }, apiKeys: { "a-key": "k" } })), [
            `observability.accessLog.headers.X-LLM-Key: "X-LLM-Key" carries a credential (it is auth.apiKeys.header), ${why}`,
        ]);
        const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`x-h${i}`, `h${i}`]));
        assert.deepEqual(configProblems(obs({ accessLog: { headers: many } })), ["observability.accessLog.headers: records 17 headers; record at most 16"]);
    });
});

describe("observability.tracing.headers: request headers on every span", () => {
    it("tags Envoy's spans and sets the controller's spanRequestHeaderAttributes for the extProc's, keeping the session id", async () => {
        const raw = obs({ tracing: { ...grpcTracing, headers: { "x-team": "team.id", "x-client": "client.name" } } });
        const c = parseConfig(raw);
        const tracing = gatewayObservability(c.observability, GATEWAY, { userHeader: "x-user-id", auth: {} }).telemetry.tracing!;
        assert.deepEqual(tracing.tags, { "client.name": "%REQ(x-client)%", "team.id": "%REQ(x-team)%" });
        const e = await evaluate(raw);
        const values = e.get(RELEASE, "ai-gateway-release").inputs.values as Values;
        assert.equal(values.controller.spanRequestHeaderAttributes, "agent-session-id:session.id,x-client:client.name,x-team:team.id");
        // A header of the user's that records the session id, or takes its attribute, replaces the default.
        assert.equal(spanRequestHeaderAttributes({ "Agent-Session-Id": "sid" }), "agent-session-id:sid");
        assert.equal(spanRequestHeaderAttributes({ "x-session": "session.id" }), "x-session:session.id");
        // Without headers: no tags, and the controller keeps its default.
        const plain = await evaluate(obs({ tracing: grpcTracing }));
        assert.equal(((plain.get(RELEASE, "ai-gateway-release").inputs.values as Values).controller ?? {}).spanRequestHeaderAttributes, undefined);
    });

    it("without an installed controller: Envoy's spans only (a warning), or nothing at all (an error)", () => {
        const headers = { "x-team": "team.id" };
        assert.deepEqual(parseConfig(obs({ tracing: { ...grpcTracing, headers } }, { platform: { aiGateway: { install: false } } })).warnings, [
            'observability.tracing.headers: reach Envoy\'s spans only: the extProc\'s spans get them through the AI Gateway controller, which the program does not install (platform.aiGateway.install is false); set controller.spanRequestHeaderAttributes: "agent-session-id:session.id,x-team:team.id" on your installation',
        ]);
        assert.deepEqual(configProblems(obs({ tracing: { endpoint: "https://otlp.example.com", envoy: { enabled: false }, headers } }, { platform: { aiGateway: { install: false } } })), [
            'observability.tracing.headers: would record nothing: Envoy sends no spans of its own, and the extProc\'s spans get them through the AI Gateway controller, which the program does not install (platform.aiGateway.install is false); set controller.spanRequestHeaderAttributes: "agent-session-id:session.id,x-team:team.id" on your installation, and remove them here',
        ]);
        assert.deepEqual(configProblems(obs({ tracing: { ...grpcTracing, headers: { authorization: "auth" } } })).length, 1);
    });

    it("an untyped controller value over it wins, with a warning", () => {
        const c = parseConfig(obs({ tracing: { ...grpcTracing, headers: { "x-team": "team.id" } } }, { platform: { aiGateway: { values: { controller: { spanRequestHeaderAttributes: "" } } } } }));
        assert.deepEqual(c.warnings, [
            "platform.aiGateway.values.controller.spanRequestHeaderAttributes: overrides observability.tracing.headers, which sets the same chart value; the value here wins: remove one of them",
        ]);
    });
});
