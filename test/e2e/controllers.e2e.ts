/**
 * `npm run test:e2e`, stage 2: the real Envoy Gateway and AI Gateway controllers (test/e2e/controllers.ts)
 * run against the real API server, configured from the Helm values the program renders; the program's
 * objects are applied and every object a controller owns must report the status conditions that say it
 * is in effect, and Envoy Gateway's xDS translation must have called the AI Gateway's extension server.
 * No kubelet runs, so no pod starts and no request goes through Envoy.
 */
import * as assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CHARTS } from "../../components/manifests/helm";
import { envoyPodsNamespace } from "../../components/manifests/platformValues";
import { readToolManifest } from "../../scripts/upstreamTools";
import { parseConfig } from "../../config";
import { configOfFile } from "../harness";
import { clusterInferencePools } from "../support/inferencePool";
import { type Condition, conditionProblems, isIntendedOverride, mergedInto } from "../upstream/expectations";
import { environmentObjects, exchangesToken, type K8sObject, renderStack, TEST_SECRET } from "../upstream/translate";
import { applicable, applyCrds, clusterServices, describeObject, distinctTestSecrets } from "./cluster";
import { type ControlPlane, startControlPlane } from "./controlPlane";
import { type Controllers, startControllers } from "./controllers";
import { Kube, type KubeObject, type Obj } from "./kube";

const ROOT = join(__dirname, "..", "..");
/** How long the controllers get to set every status (they take seconds; a slow shared machine, more). */
const STATUS_TIMEOUT_MS = 180_000;

type Where = "conditions" | "parents" | "ancestors";

/** What each kind's status must say, and where it says it. */
const EXPECTED: Record<string, { where: Where; required: string[] }> = {
    AIGatewayRoute: { where: "conditions", required: ["Accepted"] },
    AIServiceBackend: { where: "conditions", required: ["Accepted"] },
    BackendSecurityPolicy: { where: "conditions", required: ["Accepted"] },
    HTTPRoute: { where: "parents", required: ["Accepted", "ResolvedRefs"] },
    ClientTrafficPolicy: { where: "ancestors", required: ["Accepted"] },
    BackendTrafficPolicy: { where: "ancestors", required: ["Accepted"] },
    SecurityPolicy: { where: "ancestors", required: ["Accepted"] },
    // Set by the AI Gateway controller, per Gateway whose routes reference the pool (ResolvedRefs: its Endpoint Picker's Service exists).
    InferencePool: { where: "parents", required: ["Accepted", "ResolvedRefs"] },
};

const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const conditionsOf = (v: unknown): Condition[] => list((v as Obj | undefined)?.conditions) as unknown as Condition[];

/** Every unmet condition of one stored object, naming it (and its listener, parent or ancestor). */
function objectProblems(label: string, o: KubeObject, stored: Obj | undefined): string[] {
    const what = describeObject(o);
    if (!stored) return [`${label}: ${what}: not found`];
    const status = (stored.status ?? {}) as Obj;
    if (o.kind === "Gateway") {
        // Programmed needs a running Envoy (a kubelet): not expected here.
        const listeners = list(status.listeners);
        return [
            ...conditionProblems(label, what, conditionsOf(status), ["Accepted"]),
            ...(listeners.length === 0 ? [`${label}: ${what}: no listener in its status`] : []),
            ...listeners.flatMap((l) => conditionProblems(label, `${what} listener ${String(l.name)}`, conditionsOf(l), ["Accepted", "ResolvedRefs"])),
        ];
    }
    if (exchangesToken(o as unknown as K8sObject)) {
        // The controller exchanges these credentials for a token with the cloud's identity service at once: with
        // test credentials, and no request allowed off the machine, that fails. It must have tried (a condition
        // says so); the rest of its backend's chain is checked as usual.
        const conditions = conditionsOf(status);
        const tried = conditions.some((c) => (c.type === "Accepted" && c.status === "True") || (c.type === "NotAccepted" && c.reason === "ReconciliationFailed"));
        return tried ? [] : [`${label}: ${what}: no sign the controller tried the token exchange (conditions ${JSON.stringify(conditions)})`];
    }
    const { where, required } = EXPECTED[o.kind];
    if (where === "conditions") return conditionProblems(label, what, conditionsOf(status), required);
    const entries = list(status[where]);
    if (entries.length === 0) return [`${label}: ${what}: no ${where} in its status (attached to nothing)`];
    return entries.flatMap((e) => {
        const ref = (e.parentRef ?? e.ancestorRef ?? {}) as Obj;
        const at = `${where === "parents" ? "parent" : "ancestor"} ${String(ref.kind ?? "Gateway")} ${String(ref.name)}${ref.sectionName ? `/${String(ref.sectionName)}` : ""}`;
        const conditions = conditionsOf(e);
        return conditionProblems(label, `${what} ${at}`, conditions, mergedInto(conditions) ? [] : required);
    });
}

/** The HTTPRoute the AI Gateway controller generates for an AIGatewayRoute (same name and namespace). */
const generatedRoute = (route: KubeObject): KubeObject => ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: route.metadata.name, namespace: route.metadata.namespace } });

async function envoyInfraProblems(label: string, kube: Kube, gateway: KubeObject, namespace: string): Promise<string[]> {
    // Envoy Gateway's own labels (the program's metrics Service carries the owning-gateway ones too).
    const selector = encodeURIComponent(`app.kubernetes.io/name=envoy,app.kubernetes.io/managed-by=envoy-gateway,gateway.envoyproxy.io/owning-gateway-name=${gateway.metadata.name},gateway.envoyproxy.io/owning-gateway-namespace=${gateway.metadata.namespace ?? "default"}`);
    const out: string[] = [];
    for (const [kind, path] of [
        ["Deployment", `/apis/apps/v1/namespaces/${namespace}/deployments`],
        ["Service", `/api/v1/namespaces/${namespace}/services`],
    ]) {
        const r = await kube.call("GET", `${path}?labelSelector=${selector}`);
        if (list(r.body.items).length !== 1) out.push(`${label}: ${describeObject(gateway)}: ${list(r.body.items).length} Envoy ${kind}s in ${namespace}, expected 1 (status ${r.status})`);
    }
    return out;
}

const fixtures = join(ROOT, "test", "upstream", "fixtures");
const cases = [
    ...["dev", "prod"].map((s) => ({ stack: `${s} stack`, file: join(ROOT, `Pulumi.${s}.yaml`) })),
    // The upstream corpus switches every configuration feature on (passthrough routes among them).
    ...readdirSync(fixtures)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => ({ stack: `fixture ${f}`, file: join(fixtures, f) })),
];

/** Kinds some case checked ("HTTPRoute the program emits" for the program's own HTTPRoutes). */
const checkedKinds = new Set<string>();

/**
 * Statuses come from Envoy Gateway's Gateway API translation, before its xDS translation calls the extension
 * server: that call is proven by the AI Gateway controller's log, where it inserts its ext_proc filter into a
 * listener of the Gateway (Envoy Gateway names xDS listeners `<namespace>/<gateway>/<listener>`).
 */
function extensionProblems(label: string, aiGatewayLog: string, gateway: KubeObject): string[] {
    const inserted = aiGatewayLog
        .split("\n")
        .some((l) => l.includes("inserting AI Gateway extproc filter into listener") && l.includes(`"listener": "${gateway.metadata.namespace ?? "default"}/${gateway.metadata.name}/`));
    return inserted ? [] : [`${label}: ${describeObject(gateway)}: Envoy Gateway never had the AI Gateway's extension server insert its ext_proc filter into a listener`];
}

/**
 * Routes to InferencePools reach the extension server only through Envoy Gateway's extension manager
 * (`backendResources`): proven by the AI Gateway controller's log, where it adds each pool's Endpoint Picker
 * ext_proc filter to the xDS.
 */
function inferencePoolExtensionProblems(label: string, aiGatewayLog: string, pools: KubeObject[]): string[] {
    const lines = aiGatewayLog.split("\n").filter((l) => l.includes("adding inference pool ext proc filter"));
    return pools
        .filter((p) => !lines.some((l) => l.includes(`"pool": "${p.metadata.name}"`)))
        .map((p) => `${label}: ${describeObject(p)}: the AI Gateway's extension server never added its Endpoint Picker's ext_proc filter`);
}

for (const { stack, file } of cases) {
    describe(`e2e stage 2 (${stack}): the Envoy Gateway and AI Gateway controllers accept every object`, function () {
        this.timeout(STATUS_TIMEOUT_MS + 180_000);
        let cp: ControlPlane | undefined;
        let controllers: Controllers | undefined;
        let kube: Kube;
        let objects: KubeObject[] = [];
        let emittedNames = new Set<string>();
        let envoyGatewayValues: { namespace: string; values: Obj } = { namespace: "", values: {} };
        /** Overridden conditions the configuration means (see isIntendedOverride). */
        let intended: (problem: string) => boolean = () => false;

        before(async () => {
            const tools = readToolManifest("e2e");
            const rendered = await renderStack(file);
            const config = parseConfig(configOfFile(file));
            intended = (problem) => isIntendedOverride(config, problem);
            const emitted = distinctTestSecrets(rendered.objects as KubeObject[], TEST_SECRET);
            emittedNames = new Set(emitted.map(describeObject));
            // What the cluster holds beside the program's objects: listener certificates, passthrough targets,
            // and what the inferencepool chart creates (no registry here to install it from).
            const pools = clusterInferencePools(config, rendered.releases) as KubeObject[];
            objects = applicable([...emitted, ...(environmentObjects(rendered.objects) as KubeObject[]), ...clusterServices(emitted), ...pools]);
            const eg = rendered.releases.find((r) => r.name === CHARTS.envoyGateway.releaseName);
            if (eg) envoyGatewayValues = { namespace: eg.namespace, values: eg.values };
            cp = await startControlPlane(tools.kubeApiserver.bin);
            kube = new Kube(cp);
            await kube.discover();
            const crdProblems = await applyCrds(kube);
            if (crdProblems.length > 0) throw new Error(crdProblems.join("\n"));
            controllers = await startControllers(cp, kube, tools, rendered.releases);
            const refused: string[] = [];
            for (const o of objects) {
                const r = await kube.apply(o);
                if (r.status >= 300) refused.push(`${describeObject(o)}: ${r.status} ${String(r.body.message)}`);
            }
            if (refused.length > 0) throw new Error(`refused:\n${refused.join("\n")}`);
        });

        after(async () => {
            await controllers?.stop();
            await cp?.stop();
        });

        it("every Gateway, AI Gateway resource, route (generated and passthrough) and policy reports Accepted (and ResolvedRefs), nothing Conflicted; each Gateway has its Envoy Deployment and Service and the extension server's ext_proc filter", async () => {
            const checked = [
                ...objects.filter((o) => o.kind === "Gateway" || Object.hasOwn(EXPECTED, o.kind)),
                ...objects.filter((o) => o.kind === "AIGatewayRoute").map(generatedRoute),
            ];
            for (const kind of ["Gateway", "AIGatewayRoute"]) assert.ok(checked.some((o) => o.kind === kind), `${stack}: no ${kind}: the test would check nothing of that kind`);
            for (const o of checked) checkedKinds.add(o.kind === "HTTPRoute" && emittedNames.has(describeObject(o)) ? "HTTPRoute the program emits" : o.kind);
            const deadline = Date.now() + STATUS_TIMEOUT_MS;
            let problems: string[] = [];
            for (;;) {
                problems = [];
                for (const o of checked) problems.push(...objectProblems(stack, o, await kube.get(o)).filter((p) => !intended(p)));
                for (const gw of checked.filter((o) => o.kind === "Gateway")) {
                    problems.push(...(await envoyInfraProblems(stack, kube, gw, envoyPodsNamespace(envoyGatewayValues, gw.metadata.namespace ?? "default"))));
                    problems.push(...extensionProblems(stack, controllers?.log("ai-gateway-controller") ?? "", gw));
                }
                problems.push(...inferencePoolExtensionProblems(stack, controllers?.log("ai-gateway-controller") ?? "", checked.filter((o) => o.kind === "InferencePool")));
                const exited = controllers?.exited();
                if (exited) problems.push(exited);
                if (problems.length === 0 || exited || Date.now() > deadline) break;
                await new Promise((r) => setTimeout(r, 2000));
            }
            assert.deepEqual(problems, [], `after ${Math.round(STATUS_TIMEOUT_MS / 1000)} s at most:\n${problems.join("\n")}\n${controllers?.logs() ?? ""}`);
        });
    });
}

describe("e2e stage 2: coverage", () => {
    it("the stacks and fixtures together check every kind the controllers report status on", () => {
        const expected = ["Gateway", "HTTPRoute the program emits", ...Object.keys(EXPECTED)].sort();
        assert.deepEqual(expected.filter((k) => !checkedKinds.has(k)), [], `checked: ${[...checkedKinds].sort().join(", ")}`);
    });
});
