import * as assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { freePort } from "./e2e/controlPlane";
import { extProcServices } from "./e2e/cluster";
import { BLOCK_MARKER, BLOCKED_ERROR, ProcessingRequest, ProcessingResponse, REDACT_MARKER, REDACTED, startGuard } from "./dataplane/guard";
import type { KubeObject } from "./e2e/kube";

/** The data-plane suite's guard (test/dataplane/guard.ts) on one ext_proc stream, as Envoy opens it. */
const Req = ProcessingRequest;
const Res = ProcessingResponse;
type Answer = Record<string, Record<string, unknown>>;

/** Sends messages on one ext_proc stream and collects the answers. */
async function exchange(port: number, messages: Record<string, unknown>[]): Promise<Answer[]> {
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
        const call = client.makeBidiStreamRequest(
            "/envoy.service.ext_proc.v3.ExternalProcessor/Process",
            (m: Record<string, unknown>) => Buffer.from(Req.encode(Req.fromObject(m)).finish()),
            (b: Buffer) => Res.toObject(Res.decode(b), { bytes: Buffer }) as Answer,
        );
        const answers: Answer[] = [];
        const done = new Promise<void>((resolve, reject) => {
            call.on("data", (a: Answer) => answers.push(a));
            call.on("end", resolve);
            call.on("error", reject);
        });
        for (const m of messages) call.write(m);
        call.end();
        await done;
        return answers;
    } finally {
        client.close();
    }
}

const body = (text: string) => ({ body: Buffer.from(text), end_of_stream: true });

describe("the data-plane guard (an ext_proc server in the test)", () => {
    it("continues headers, blocks the block marker with an OpenAI-shaped 400, redacts the redact marker with the new length", async () => {
        const port = await freePort();
        const guard = await startGuard("127.0.0.1", port);
        try {
            const [headers, blocked] = await exchange(port, [
                { request_headers: { headers: { headers: [{ key: ":path", raw_value: Buffer.from("/v1/chat/completions") }] } } },
                { request_body: body(`{"model":"m","messages":[{"role":"user","content":"${BLOCK_MARKER}"}]}`) },
            ]);
            assert.deepEqual(headers, { request_headers: {} });
            const immediate = blocked.immediate_response as { status: { code: number }; body: Buffer; headers: { set_headers: { header: { key: string; raw_value: Buffer } }[] } };
            assert.equal(immediate.status.code, 400);
            assert.deepEqual(JSON.parse(immediate.body.toString("utf8")), BLOCKED_ERROR);
            assert.deepEqual(immediate.headers.set_headers.map((h) => [h.header.key, h.header.raw_value.toString("utf8")]), [["content-type", "application/json"]]);

            const text = `{"messages":[{"content":"card ${REDACT_MARKER}"}]}`;
            const [redacted] = await exchange(port, [{ request_body: body(text) }]);
            const common = (redacted.request_body as { response: { body_mutation: { body: Buffer }; header_mutation: { set_headers: { header: { key: string; raw_value: Buffer } }[] } } }).response;
            const replaced = common.body_mutation.body.toString("utf8");
            assert.equal(replaced, `{"messages":[{"content":"card ${REDACTED}"}]}`);
            assert.deepEqual(common.header_mutation.set_headers.map((h) => [h.header.key, h.header.raw_value.toString("utf8")]), [["content-length", String(Buffer.byteLength(replaced))]]);

            const [untouched] = await exchange(port, [{ request_body: body('{"model":"m"}') }]);
            assert.deepEqual(untouched, { request_body: {} });
            assert.deepEqual(
                guard.seen.map((s) => s.phase),
                ["requestHeaders", "requestBody", "requestBody", "requestBody"],
            );
            assert.equal(guard.seen[0].headers?.[":path"], "/v1/chat/completions");
        } finally {
            await guard.stop();
        }
    });

    it("finds the Services of the stack's external processors that the cluster would have (test/e2e/cluster.ts)", () => {
        const policy = {
            apiVersion: "gateway.envoyproxy.io/v1alpha1",
            kind: "EnvoyExtensionPolicy",
            metadata: { name: "p", namespace: "ai-gateway" },
            spec: { extProc: [{ backendRefs: [{ group: "", kind: "Service", name: "guard", namespace: "guardrails", port: 9002 }] }, { backendRefs: [{ name: "local", port: 8000 }] }] },
        } as KubeObject;
        assert.deepEqual(
            extProcServices([policy]).map((s) => `${s.metadata.namespace}/${s.metadata.name}:${JSON.stringify((s.spec as { ports: { port: number }[] }).ports.map((p) => p.port))}`),
            ["ai-gateway/local:[8000]", "guardrails/guard:[9002]"],
        );
    });
});
