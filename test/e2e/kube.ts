/**
 * The few Kubernetes API calls the end-to-end tests make: discovery, server-side apply and get, over
 * HTTPS with the admin client certificate of the local control plane.
 */
import { request } from "node:https";
import type { ControlPlane } from "./controlPlane";

export type Obj = Record<string, unknown>;

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [k: string]: unknown };
    [k: string]: unknown;
}

interface ApiResource {
    plural: string;
    namespaced: boolean;
}

export class Kube {
    private resources = new Map<string, ApiResource>();

    constructor(private readonly cp: ControlPlane) {}

    call(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: Obj }> {
        return new Promise((resolve, reject) => {
            const payload = body === undefined ? undefined : JSON.stringify(body);
            const req = request(
                `${this.cp.url}${path}`,
                {
                    method,
                    ca: this.cp.ca,
                    cert: this.cp.cert,
                    key: this.cp.key,
                    timeout: 30_000,
                    headers: { accept: "application/json", ...(payload !== undefined && { "content-type": contentType, "content-length": Buffer.byteLength(payload) }) },
                },
                (res) => {
                    let text = "";
                    res.on("data", (c) => (text += c));
                    res.on("end", () => {
                        let parsed: Obj = {};
                        try {
                            parsed = JSON.parse(text) as Obj;
                        } catch {
                            parsed = { message: text };
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed });
                    });
                },
            );
            req.on("error", reject);
            req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timeout`)));
            if (payload !== undefined) req.write(payload);
            req.end();
        });
    }

    /** Reads the API server's discovery (again after CRDs are added). */
    async discover(): Promise<void> {
        this.resources.clear();
        const groups: string[] = ["v1"];
        const apis = await this.call("GET", "/apis");
        for (const g of (apis.body.groups as { versions: { groupVersion: string }[] }[]) ?? []) groups.push(...g.versions.map((v) => v.groupVersion));
        for (const gv of groups) {
            const list = await this.call("GET", gv === "v1" ? "/api/v1" : `/apis/${gv}`);
            for (const r of (list.body.resources as { name: string; kind: string; namespaced: boolean }[]) ?? []) {
                if (r.name.includes("/")) continue; // subresources
                this.resources.set(`${gv}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
            }
        }
    }

    /** The object's URL, or undefined when the API server does not serve its kind. */
    path(o: KubeObject): string | undefined {
        const r = this.resources.get(`${o.apiVersion}/${o.kind}`);
        if (!r) return undefined;
        const base = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
        const ns = r.namespaced ? `/namespaces/${o.metadata.namespace ?? "default"}` : "";
        return `${base}${ns}/${r.plural}/${encodeURIComponent(o.metadata.name)}`;
    }

    /** Server-side apply, as `kubectl apply --server-side --force-conflicts` does it. */
    apply(o: KubeObject): Promise<{ status: number; body: Obj }> {
        const path = this.path(o);
        if (!path) return Promise.resolve({ status: 404, body: { message: `the API server serves no ${o.apiVersion} ${o.kind}` } });
        return this.call("PATCH", `${path}?fieldManager=ai-gateway-e2e&force=true`, o, "application/apply-patch+yaml");
    }

    async get(o: KubeObject): Promise<Obj | undefined> {
        const path = this.path(o);
        if (!path) return undefined;
        const r = await this.call("GET", path);
        return r.status === 200 ? r.body : undefined;
    }
}

/**
 * Where the object the server stored lacks or changed what was sent: a pruned field (unknown to the
 * schema) or a value the server rewrote. Defaults the server added are fine.
 */
export function notStoredAsSent(sent: unknown, stored: unknown, path = ""): string[] {
    if (Array.isArray(sent)) {
        if (!Array.isArray(stored)) return [`${path}: sent a list, stored ${JSON.stringify(stored)}`];
        if (stored.length !== sent.length) return [`${path}: sent ${sent.length} items, stored ${stored.length}`];
        return sent.flatMap((v, i) => notStoredAsSent(v, stored[i], `${path}[${i}]`));
    }
    if (typeof sent === "object" && sent !== null) {
        if (typeof stored !== "object" || stored === null) return [`${path}: sent an object, stored ${JSON.stringify(stored)}`];
        return Object.entries(sent).flatMap(([k, v]) => {
            if (v === undefined || v === null) return [];
            if (!Object.hasOwn(stored, k)) return [`${path}.${k}: pruned (sent ${JSON.stringify(v).slice(0, 80)})`];
            return notStoredAsSent(v, (stored as Obj)[k], `${path}.${k}`);
        });
    }
    return sent === stored || String(sent) === String(stored) ? [] : [`${path}: sent ${JSON.stringify(sent)}, stored ${JSON.stringify(stored)}`];
}
