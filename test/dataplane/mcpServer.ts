/**
 * A tiny MCP server (Streamable HTTP transport, JSON responses) for the data-plane suite: `initialize` opens a
 * session, `tools/list` lists the tools it is given, `tools/call` echoes its arguments. It records the methods it
 * was asked, so a test can tell that a request reached it. And the client side: one JSON-RPC exchange with an MCP
 * endpoint, whose answer may be JSON or an SSE stream.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { call, type Reply } from "./client";

interface JsonRpc {
    jsonrpc: "2.0";
    id?: number | string;
    method: string;
    params?: Record<string, unknown>;
}

export interface McpServer {
    handler(req: IncomingMessage, res: ServerResponse): void;
    /** The methods it was asked, in order. */
    readonly methods: string[];
}

export function mcpServer(name: string, tools: string[]): McpServer {
    const methods: string[] = [];
    const sessions = new Set<string>();
    const handler = (req: IncomingMessage, res: ServerResponse) => {
        let text = "";
        req.setEncoding("utf8");
        req.on("data", (c: string) => (text += c));
        req.on("end", () => {
            if (req.method !== "POST") {
                res.writeHead(405).end();
                return;
            }
            let msg: JsonRpc;
            try {
                msg = JSON.parse(text) as JsonRpc;
            } catch {
                res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32700, message: "parse error" } }));
                return;
            }
            methods.push(msg.method);
            const reply = (result: unknown, headers: Record<string, string> = {}) =>
                res.writeHead(200, { "content-type": "application/json", ...headers }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
            if (msg.id === undefined) {
                res.writeHead(202).end();
                return;
            }
            if (msg.method === "initialize") {
                const session = randomUUID();
                sessions.add(session);
                reply({ protocolVersion: String(msg.params?.protocolVersion ?? "2025-06-18"), capabilities: { tools: { listChanged: false } }, serverInfo: { name, version: "1.0.0" } }, { "mcp-session-id": session });
                return;
            }
            const session = req.headers["mcp-session-id"];
            if (typeof session !== "string" || !sessions.has(session)) {
                res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: -32001, message: "unknown session" } }));
                return;
            }
            if (msg.method === "tools/list") {
                reply({ tools: tools.map((t) => ({ name: t, description: `the ${t} tool of ${name}`, inputSchema: { type: "object", properties: { text: { type: "string" } } } })) });
            } else if (msg.method === "tools/call") {
                reply({ content: [{ type: "text", text: JSON.stringify(msg.params?.arguments ?? {}) }] });
            } else if (msg.method === "ping") {
                reply({});
            } else {
                res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: `no method ${msg.method}` } }));
            }
        });
    };
    return { handler, methods };
}

/** The JSON-RPC message of an MCP answer: the body itself, or the last `data:` event of an SSE stream. */
export function mcpMessage(r: Reply): Record<string, unknown> {
    if (String(r.headers["content-type"]).includes("text/event-stream")) {
        const data = r.body
            .split(/\r?\n/)
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trim())
            .filter((l) => l !== "");
        if (data.length === 0) throw new Error(`no data event in ${r.body.slice(0, 300)}`);
        return JSON.parse(data[data.length - 1]) as Record<string, unknown>;
    }
    return r.json();
}

/** One MCP client session through the gateway: initialize, then the requests a test makes. */
export async function mcpSession(url: string, path: string, headers: Record<string, string>): Promise<{ request(method: string, params?: Record<string, unknown>): Promise<{ reply: Reply; message: Record<string, unknown> }> }> {
    let id = 0;
    const base = { ...headers, accept: "application/json, text/event-stream" };
    const init = await call(url, path, {
        headers: base,
        body: { jsonrpc: "2.0", id: ++id, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "dataplane-test", version: "1.0.0" } } },
    });
    if (init.status !== 200) throw new Error(`initialize: ${init.status} ${init.body.slice(0, 300)}`);
    const session = init.headers["mcp-session-id"];
    if (typeof session !== "string") throw new Error(`initialize: no mcp-session-id header (headers: ${Object.keys(init.headers).join(", ")})`);
    const withSession = { ...base, "mcp-session-id": session };
    const notified = await call(url, path, { headers: withSession, body: { jsonrpc: "2.0", method: "notifications/initialized" } });
    if (notified.status >= 300) throw new Error(`notifications/initialized: ${notified.status} ${notified.body.slice(0, 300)}`);
    return {
        async request(method, params) {
            const reply = await call(url, path, { headers: withSession, body: { jsonrpc: "2.0", id: ++id, method, ...(params && { params }) } });
            return { reply, message: reply.status === 200 ? mcpMessage(reply) : {} };
        },
    };
}
