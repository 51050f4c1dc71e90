/**
 * `npm run test:e2e`, stage 2: the AI Gateway controller (v1.1.0) rolls the Envoy pods when the extProc it injects
 * into them would change. It hashes what feeds the injected container (its own extProc flags and the Gateway's
 * GatewayConfig `spec.extProc`: internal/controller/extproc_builder.go, `extProcContainerHash`) and writes the hash
 * as the annotation `aigateway.envoyproxy.io/extproc-config-hash` on the pod template of the Envoy Deployment Envoy
 * Gateway created (internal/controller/gateway.go, `annotateGatewayPods`), so Kubernetes rolls the pods.
 *
 * The controller writes it only once the Deployment's controller has observed its generation (it waits while a
 * rollout is in progress), so this stage runs kube-controller-manager's deployment controller, and no replica-set
 * controller: ReplicaSets are made for each pod template, and no pod is ever created (no webhook call, no kubelet).
 *
 * The dev stack with `gateway.gatewayConfig.extProc.resources` set is deployed; then a model is added (the route
 * and the filter configuration change, the extProc settings do not), then the extProc's CPU request changes.
 */
import * as assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { envoyPodsNamespace } from "../../plan/platform";
import { describeObject } from "./cluster";
import type { Obj } from "./kube";
import { applyAll, type Stage2Cluster, stage2Objects, startStage2 } from "./stage2";
import { envoyInfraSelector, STATUS_TIMEOUT_MS } from "./status";

const ROOT = join(__dirname, "..", "..");
const HASH_ANNOTATION = "aigateway.envoyproxy.io/extproc-config-hash";
const UUID_ANNOTATION = "aigateway.envoyproxy.io/uuid";
/** The key of the filter configuration in the Secret the controller writes for each Gateway. */
const FILTER_CONFIG_KEY = "filter-config.yaml";
/** How long one change gets to reach the Deployment. */
const CHANGE_TIMEOUT_MS = 120_000;

const asObj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
/** The Deployment's controller alone: it observes generations and makes ReplicaSets; nothing makes pods. */
const DEPLOYMENT_CONTROLLER = ["deployment-controller"];

type StackConfig = Record<string, Obj>;

/** The dev stack file with a change applied to its `config`, written as Pulumi.dev.yaml into `dir`. */
function devVariant(dir: string, name: string, change: (config: StackConfig) => void): string {
    const doc = parse(readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: StackConfig };
    change(doc.config);
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "Pulumi.dev.yaml");
    writeFileSync(file, stringify(doc));
    return file;
}

const withExtProcCpu = (cpu: string) => (config: StackConfig) => {
    config["ai-gateway:gateway"].gatewayConfig = { extProc: { resources: { requests: { cpu, memory: "128Mi" }, limits: { memory: "512Mi" } } } };
};
const withExtraModel = (config: StackConfig) => {
    asObj(config["ai-gateway:models"])["extra-model"] = {
        backends: [
            { backend: "qwen-secondary", model: "qwen2.5:0.5b" },
            { backend: "qwen-tertiary", model: "qwen2.5:0.5b" },
        ],
    };
};

interface Template {
    /** The Deployment's name. */
    deployment: string;
    hash?: string;
    uuid?: string;
}

describe("e2e stage 2 (dev stack with extProc settings): the AI Gateway controller rolls the Envoy pods when the extProc settings change, and only then", function () {
    this.timeout(STATUS_TIMEOUT_MS + 4 * CHANGE_TIMEOUT_MS + 180_000);
    let dir = "";
    const files = { base: "", unrelated: "", extProc: "" };
    let stage: Stage2Cluster | undefined;
    let namespace = "";
    let gateway = { name: "", namespace: "" };
    let firstHash = "";

    const logs = () => `${stage?.controllers.logs() ?? ""}\n${stage?.cp.logs() ?? ""}`;
    const deploymentsPath = () => `/apis/apps/v1/namespaces/${namespace}/deployments?labelSelector=${envoyInfraSelector({ apiVersion: "", kind: "Gateway", metadata: gateway })}`;

    /** The annotations of the pod template of the Gateway's one Envoy Deployment (undefined until there is one). */
    async function template(): Promise<Template | undefined> {
        const r = await stage!.kube.call("GET", deploymentsPath());
        const items = (r.body.items ?? []) as Obj[];
        if (items.length !== 1) return undefined;
        const annotations = asObj(asObj(asObj(asObj(items[0].spec).template).metadata).annotations) as Record<string, string>;
        return { deployment: String(asObj(items[0].metadata).name), hash: annotations[HASH_ANNOTATION], uuid: annotations[UUID_ANNOTATION] };
    }

    /** The filter configuration the controller last wrote for the Gateway (its legacy Secret `<gateway>-<namespace>`). */
    async function filterConfig(): Promise<{ uuid?: string; text: string } | undefined> {
        const r = await stage!.kube.call("GET", `/api/v1/namespaces/${namespace}/secrets/${gateway.name}-${gateway.namespace}`);
        const encoded = asObj(r.body.data)[FILTER_CONFIG_KEY];
        if (r.status !== 200 || typeof encoded !== "string") return undefined;
        const text = Buffer.from(encoded, "base64").toString("utf8");
        return { uuid: asObj(parse(text)).uuid as string | undefined, text };
    }

    /** Polls `ready` every second until it returns a value or `ms` pass; then fails with `what` and the logs. */
    async function waitFor<T>(what: string, ms: number, ready: () => Promise<T | undefined>): Promise<T> {
        const deadline = Date.now() + ms;
        for (;;) {
            const value = await ready();
            if (value !== undefined) return value;
            const exited = stage?.controllers.exited();
            if (exited || Date.now() > deadline) assert.fail(`${exited ?? `after ${Math.round(ms / 1000)} s`}: ${what}\n${logs()}`);
            await new Promise((r) => setTimeout(r, 1000));
        }
    }

    async function applyVariant(file: string): Promise<void> {
        const { emitted } = await stage2Objects(file);
        const refused = await applyAll(stage!.kube, emitted);
        assert.deepEqual(refused, [], `refused:\n${refused.join("\n")}`);
    }

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), "ai-gateway-e2e-rollout-"));
        files.base = devVariant(dir, "base", withExtProcCpu("100m"));
        files.unrelated = devVariant(dir, "unrelated", (c) => (withExtProcCpu("100m")(c), withExtraModel(c)));
        files.extProc = devVariant(dir, "extproc", (c) => (withExtProcCpu("200m")(c), withExtraModel(c)));
        stage = await startStage2(files.base, { controllerManager: DEPLOYMENT_CONTROLLER });
        const gw = stage.objects.find((o) => o.kind === "Gateway");
        assert.ok(gw, "the dev stack has no Gateway");
        gateway = { name: gw.metadata.name, namespace: gw.metadata.namespace ?? "default" };
        namespace = envoyPodsNamespace(stage.envoyGatewayValues, gateway.namespace);
        assert.ok(
            stage.objects.some((o) => o.kind === "GatewayConfig"),
            `the stack emits no GatewayConfig: ${stage.objects.map(describeObject).join(", ")}`,
        );
    });

    after(async () => {
        await stage?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("the Envoy Deployment Envoy Gateway created gets the extProc hash on its pod template", async () => {
        const t = await waitFor(`no ${HASH_ANNOTATION} on the pod template of the Envoy Deployment of Gateway ${gateway.namespace}/${gateway.name} in ${namespace}`, STATUS_TIMEOUT_MS, async () => {
            const found = await template();
            return found?.hash ? found : undefined;
        });
        assert.match(t.hash ?? "", /^[0-9a-f]{64}$/, `${HASH_ANNOTATION} is not a SHA-256: ${String(t.hash)}`);
        firstHash = t.hash ?? "";
    });

    it("a change outside the extProc settings (a model added: the route and the filter configuration change) leaves the hash as it was", async () => {
        assert.ok(firstHash, "no hash from the first test");
        const before = await stage2Objects(files.base);
        const after = await stage2Objects(files.unrelated);
        const gatewayConfigOf = (objects: typeof before.emitted) => JSON.stringify(objects.filter((o) => o.kind === "GatewayConfig"));
        assert.equal(gatewayConfigOf(after.emitted), gatewayConfigOf(before.emitted), "the unrelated change touched the GatewayConfig");
        await applyVariant(files.unrelated);
        // The Gateway reconcile that wrote the filter configuration with the new model also wrote its UUID into the
        // pod template: once both show the same UUID, the template is that reconcile's.
        const t = await waitFor("the filter configuration never named extra-model with the Envoy Deployment's template written by the same reconcile", CHANGE_TIMEOUT_MS, async () => {
            const [config, found] = [await filterConfig(), await template()];
            return config?.text.includes("extra-model") && config.uuid && found?.uuid === config.uuid ? found : undefined;
        });
        assert.equal(t.hash, firstHash, `${HASH_ANNOTATION} changed on an unrelated change: the Envoy pods would restart for nothing`);
    });

    it("changing the extProc's resources changes the hash, and the Deployment rolls to a new pod template (a new ReplicaSet); changing them back restores the first hash", async () => {
        assert.ok(firstHash, "no hash from the first test");
        await applyVariant(files.extProc);
        const t = await waitFor(`${HASH_ANNOTATION} never changed after the extProc's CPU request changed`, CHANGE_TIMEOUT_MS, async () => {
            const found = await template();
            return found?.hash && found.hash !== firstHash ? found : undefined;
        });
        assert.match(t.hash ?? "", /^[0-9a-f]{64}$/);
        // The Deployment's ReplicaSets, one per pod template it had: the new one is the rollout to the new extProc.
        const replicaSetHashes = async () => {
            const r = await stage!.kube.call("GET", `/apis/apps/v1/namespaces/${namespace}/replicasets`);
            return ((r.body.items ?? []) as Obj[])
                .filter((rs) => ((asObj(rs.metadata).ownerReferences ?? []) as Obj[]).some((o) => o.kind === "Deployment" && o.name === t.deployment))
                .map((rs) => (asObj(asObj(asObj(asObj(rs.spec).template).metadata).annotations) as Record<string, string>)[HASH_ANNOTATION]);
        };
        await waitFor(`the deployment controller made no ReplicaSet of ${namespace}/${t.deployment} with the new pod template (${HASH_ANNOTATION}: ${String(t.hash)})`, CHANGE_TIMEOUT_MS, async () => {
            const found = await replicaSetHashes();
            return found.includes(t.hash!) ? found : undefined;
        });
        await applyVariant(files.unrelated);
        await waitFor(`${HASH_ANNOTATION} did not return to ${firstHash} with the first extProc settings`, CHANGE_TIMEOUT_MS, async () => {
            const found = await template();
            return found?.hash === firstHash ? found : undefined;
        });
    });
});
