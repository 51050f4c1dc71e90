/**
 * The HTTP client of the data-plane suite: requests to the local gateway as an application sends them, and
 * the headers that tell upstream's fake LLM server (`testupstream`) what to answer.
 */
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";

export interface Reply {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
    json(): Record<string, unknown>;
}

/**
 * One request. `host`: the name an HTTPS listener serves (sent as SNI and Host; the listener's certificate is the
 * test's own, so it is not verified).
 */
export function call(url: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: unknown; host?: string } = {}): Promise<Reply> {
    const payload = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
        const target = new URL(path, url);
        const send = target.protocol === "https:" ? httpsRequest : request;
        const req = send(
            target,
            {
                method: options.method ?? (payload === undefined ? "GET" : "POST"),
                ...(options.host !== undefined && { servername: options.host, rejectUnauthorized: false }),
                headers: {
                    ...(options.host !== undefined && { host: options.host }),
                    ...(payload !== undefined && { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
                    ...options.headers,
                },
                timeout: 60_000,
            },
            (res) => {
                let body = "";
                res.setEncoding("utf8");
                res.on("data", (c: string) => (body += c));
                res.on("end", () =>
                    resolve({
                        status: res.statusCode ?? 0,
                        headers: res.headers,
                        body,
                        json() {
                            try {
                                return JSON.parse(body) as Record<string, unknown>;
                            } catch {
                                throw new Error(`not JSON (${res.statusCode}): ${body.slice(0, 300)}`);
                            }
                        },
                    }),
                );
            },
        );
        req.on("error", reject);
        req.on("timeout", () => req.destroy(new Error(`${path}: no answer in 60 s`)));
        req.end(payload);
    });
}

/** An OpenAI chat completion request. */
export const chat = (model: string, content = "Hello") => ({ model, messages: [{ role: "user", content }] });

/** Headers that make testupstream answer a chat completion reporting this token usage (`cached`: of the prompt's). */
export function usageHeaders(usage: { prompt: number; completion: number; cached?: number }): Record<string, string> {
    const body = {
        id: "chatcmpl-test",
        object: "chat.completion",
        created: 1,
        model: "stand-in",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: {
            prompt_tokens: usage.prompt,
            completion_tokens: usage.completion,
            total_tokens: usage.prompt + usage.completion,
            ...(usage.cached !== undefined && { prompt_tokens_details: { cached_tokens: usage.cached } }),
        },
    };
    return { "x-response-body": Buffer.from(JSON.stringify(body)).toString("base64") };
}

/**
 * Waits, when fewer than 20 seconds of the current minute are left, for the next minute: budgets count per
 * window of the clock (a minute's budget starts afresh at :00), and a scenario must not straddle two windows.
 */
export async function awayFromWindowEdge(): Promise<void> {
    const second = new Date().getSeconds();
    if (second >= 40) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
}

/**
 * Envoy charges a response's tokens and cost to the rate-limit service when the response has ended
 * (`apply_on_stream_done`), after the client has its last byte: on a busy machine the next request can get there
 * first. A moment's wait between the requests of a token or spend budget scenario.
 */
export const tokensCounted = () => new Promise((r) => setTimeout(r, 500));

/** Runs `n` calls, `parallel` at a time. */
export async function many<T>(n: number, parallel: number, one: (i: number) => Promise<T>): Promise<T[]> {
    const out: T[] = new Array(n);
    let next = 0;
    await Promise.all(
        Array.from({ length: Math.min(parallel, n) }, async () => {
            while (next < n) {
                const i = next++;
                out[i] = await one(i);
            }
        }),
    );
    return out;
}

/**
 * A TCP relay from a port of the kernel's choosing to `url`'s, for clients built on `fetch`: fetch refuses a list of
 * "bad ports" (10080 among them, where Envoy Gateway puts a listener of port 80), so an SDK on fetch cannot call the
 * local gateway directly.
 */
export async function fetchableUrl(url: string): Promise<{ url: string; close(): Promise<void> }> {
    const target = new URL(url);
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
        const upstream = connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
            sockets.add(s);
            s.on("close", () => sockets.delete(s));
            s.on("error", () => undefined);
        }
        client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return {
        url: `${target.protocol}//127.0.0.1:${port}`,
        close: () =>
            new Promise<void>((resolve) => {
                for (const s of sockets) s.destroy();
                server.close(() => resolve());
            }),
    };
}
