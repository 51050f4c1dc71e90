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
import { API_VERSIONS } from "../../config/versions";
import { parseConfig } from "../../plan";
import { MCP_GENERATED_PREFIX, MCP_PROXY_BACKEND } from "../../plan/names";
import { configOfFile } from "../harness";
import { describeObject } from "./cluster";
import type { Controllers } from "./controllers";
import type { Kube, KubeObject, Obj } from "./kube";
import { type Stage2Cluster, startStage2 } from "./stage2";
import { checkedObjects, STATUS_KINDS, STATUS_TIMEOUT_MS, waitForStatuses } from "./status";

const ROOT = join(__dirname, "..", "..");
const asObj = (v: unknown): Obj => (typeof v === "object" && v !== null ? (v as Obj) : {});

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
/** Cases whose MCPRoutes were checked against the shared MCP proxy Backend. */
const mcpProxyChecked = new Set<string>();
/** Whether a stack file configures MCP servers (the AI Gateway controller then creates its MCP proxy's Backend). */
const hasMcp = (file: string): boolean => parseConfig(configOfFile(file)).mcp !== undefined;

for (const { stack, file } of cases) {
    describe(`e2e stage 2 (${stack}): the Envoy Gateway and AI Gateway controllers accept every object`, function () {
        this.timeout(STATUS_TIMEOUT_MS + 180_000);
        let stage: Stage2Cluster | undefined;
        let kube: Kube;
        let controllers: Controllers | undefined;
        let objects: KubeObject[] = [];
        let emittedNames = new Set<string>();
        let envoyGatewayValues: { namespace: string; values: Obj } = { namespace: "", values: {} };
        /** Overridden conditions the configuration means (see isIntendedOverride). */
        let intended: (problem: string) => boolean = () => false;

        before(async () => {
            stage = await startStage2(file);
            ({ kube, controllers, objects, emittedNames, envoyGatewayValues, intended } = stage);
        });

        after(async () => {
            await stage?.stop();
        });

        it("every Gateway, AI Gateway resource, route (generated and passthrough) and policy reports Accepted (and ResolvedRefs), nothing Conflicted; each Gateway has its Envoy Deployment and Service and the extension server's ext_proc filter", async () => {
            const checked = checkedObjects(objects);
            for (const kind of ["Gateway", "AIGatewayRoute"]) assert.ok(checked.some((o) => o.kind === kind), `${stack}: no ${kind}: the test would check nothing of that kind`);
            for (const o of checked) checkedKinds.add(o.kind === "HTTPRoute" && emittedNames.has(describeObject(o)) ? "HTTPRoute the program emits" : o.kind);
            const problems = await waitForStatuses(stack, kube, checked, { controllers, envoyGatewayValues, intended });
            assert.deepEqual(problems, [], `after ${Math.round(STATUS_TIMEOUT_MS / 1000)} s at most:\n${problems.join("\n")}\n${controllers?.logs() ?? ""}`);
        });

        it("rule names survive the controller: each AIGatewayRoute keeps them after its finalizer is added, and its HTTPRoute carries them", async () => {
            const problems: string[] = [];
            const routes = objects.filter((o) => o.kind === "AIGatewayRoute");
            assert.ok(routes.length > 0, `${stack}: no AIGatewayRoute`);
            for (const route of routes) {
                const sent = ((asObj(route.spec).rules ?? []) as Obj[]).map((r) => r.name);
                const stored = await kube.get(route);
                const kept = ((asObj(stored?.spec).rules ?? []) as Obj[]).map((r) => r.name);
                if (JSON.stringify(kept) !== JSON.stringify(sent)) problems.push(`${describeObject(route)}: stored rule names ${JSON.stringify(kept)}, sent ${JSON.stringify(sent)}`);
                if (!(asObj(stored?.metadata).finalizers as string[] | undefined)?.length) problems.push(`${describeObject(route)}: the controller added no finalizer (it has not reconciled it)`);
                const generated = await kube.get({ ...route, apiVersion: API_VERSIONS.gatewayApi, kind: "HTTPRoute" });
                const names = ((asObj(generated?.spec).rules ?? []) as Obj[]).map((r) => r.name);
                if (JSON.stringify(names) !== JSON.stringify([...sent, "route-not-found"])) problems.push(`${describeObject(route)}: its HTTPRoute's rule names are ${JSON.stringify(names)}`);
            }
            assert.deepEqual(problems, [], controllers?.logs() ?? "");
        });

        if (hasMcp(file)) {
            it(`each MCPRoute's main HTTPRoute goes to the AI Gateway's shared MCP proxy Backend ${MCP_PROXY_BACKEND}, which the controller created in the route's namespace (no object of the program's has that name)`, async () => {
                const routes = objects.filter((o) => o.kind === "MCPRoute");
                assert.ok(routes.length > 0, `${stack}: no MCPRoute`);
                const problems: string[] = [];
                for (const route of routes) {
                    const namespace = route.metadata.namespace ?? "default";
                    const backend = await kube.get({ apiVersion: API_VERSIONS.envoyGateway, kind: "Backend", metadata: { name: MCP_PROXY_BACKEND, namespace } });
                    if (!backend) problems.push(`${describeObject(route)}: no Backend ${namespace}/${MCP_PROXY_BACKEND}`);
                    else if (asObj(asObj(backend.metadata).labels)["app.kubernetes.io/managed-by"] !== "envoy-ai-gateway") problems.push(`${describeObject(route)}: Backend ${namespace}/${MCP_PROXY_BACKEND} is not the controller's: ${JSON.stringify(asObj(backend.metadata).labels)}`);
                    const main = await kube.get({ apiVersion: API_VERSIONS.gatewayApi, kind: "HTTPRoute", metadata: { name: `${MCP_GENERATED_PREFIX}main-${route.metadata.name}`, namespace } });
                    const refs = ((asObj(main?.spec).rules ?? []) as Obj[]).flatMap((r) => (r.backendRefs ?? []) as Obj[]).map((b) => `${String(b.kind)}/${String(b.name)}`);
                    if (refs.length === 0 || refs.some((r) => r !== `Backend/${MCP_PROXY_BACKEND}`)) problems.push(`${describeObject(route)}: its main HTTPRoute goes to ${JSON.stringify(refs)}, not only to Backend/${MCP_PROXY_BACKEND}`);
                }
                assert.ok(!emittedNames.has(`Backend ${routes[0].metadata.namespace ?? "default"}/${MCP_PROXY_BACKEND}`), `${stack}: the program emits a Backend named ${MCP_PROXY_BACKEND}`);
                mcpProxyChecked.add(stack);
                assert.deepEqual(problems, [], controllers?.logs() ?? "");
            });
        }
    });
}

describe("e2e stage 2: coverage", () => {
    it("the stacks and fixtures together check every kind the controllers report status on", () => {
        const expected = ["Gateway", "HTTPRoute the program emits", ...STATUS_KINDS].sort();
        assert.deepEqual(expected.filter((k) => !checkedKinds.has(k)), [], `checked: ${[...checkedKinds].sort().join(", ")}`);
        assert.ok(mcpProxyChecked.size > 0, "no case checked the MCP proxy's shared Backend");
    });
});
