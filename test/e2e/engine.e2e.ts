/**
 * `npm run test:e2e`, stage 3: the dev stack deployed as a user deploys it, by the real Pulumi CLI (built from Go
 * modules) running the program through the Node.js language host beside it, with the Kubernetes provider, against
 * the real API server with the two controllers of stage 2 running. The README's commands, literally, in a copy of
 * the repository (`Pulumi.yaml` as shipped): `pulumi login file://…`, `pulumi stack init dev`, `pulumi config set`,
 * `pulumi up --yes`, the controllers' status checks on what the engine created, `pulumi preview
 * --expect-no-changes`, exactly the expected diff after one model changes, a provider key set with
 * `pulumi config set --secret` arriving in its Secret (and nowhere in plain text in the state),
 * `pulumi preview --policy-pack policy` on dev (clean; without its client authentication, exactly the guardrails' violations) and prod (none), and
 * `pulumi destroy --yes` leaving nothing of the program behind, its Helm releases included.
 *
 * The platform releases are installed for real, through the provider's Helm: the four charts (gateway-crds-helm,
 * gateway-helm, ai-gateway-crds-helm, ai-gateway-helm, and `inferencepool` for a stack that installs a pool) from
 * the chart folders tools/upstreamCharts.ts makes from the pinned sources (`platform.<release>.chart.path`); the
 * CRDs come from the CRD releases. The test plays the kubelet for the releases' pods (test/e2e/kubelet.ts): it runs
 * gateway-helm's certgen hook Job and starts both controllers as local processes from what the releases created,
 * and compares what the releases created with what the program meant (test/e2e/releases.ts).
 *
 * What the stack changes with `pulumi config set` for a cluster here: the local API server (kubeconfig and
 * context) and the chart folders. The program's own Deployments, Services and the Gateway carry
 * `pulumi.com/skipAwait` (their pods never run), added by the test's stack transform, test/e2e/stackTransform.js,
 * which says how.
 */
import { modelsTrafficPolicyName } from "../../plan/names";
import * as assert from "node:assert/strict";
import { routeGroups } from "../support/routeGroups";
import { rateLimitRuleSet } from "../../plan/rateLimit";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CHARTS } from "../../config/charts";
import { installedPools } from "../../plan/platform";
import { envoyGatewayCrdsValues } from "../../components/manifests/platformValues";
import { protectionSections } from "../../components/manifests/protection";
import { modelRoutes, modelTrafficPolicies } from "../../components/manifests/routes";
import { clientAuthManifests } from "../../components/manifests/security";
import { AI_GATEWAY, ENVOY_GATEWAY, UPSTREAM_TOOLS } from "../../config/versions";
import { parseConfig, type StackConfig } from "../../plan";
import { type PlatformChartFolders, preparePlatformCharts } from "../../tools/upstreamCharts";
import { readToolManifest } from "../../tools/upstreamTools";
import { configOfFile } from "../harness";
import { watchStuckFinalizers } from "./finalizers";
import { violations } from "../policyHarness";
import { isIntendedOverride } from "../upstream/expectations";
import { environmentObjects, type K8sObject, renderStack } from "../upstream/translate";
import { applicable, clusterServices, describeObject } from "./cluster";
import { type ControlPlane, DELETION_CONTROLLERS, freePort, startControlPlane, WORKLOAD_CONTROLLERS } from "./controlPlane";
import { type EngineResult, type EngineStep, type PulumiEnvironment, preparePulumi } from "./engine";
import { Kube, type KubeObject, type Obj } from "./kube";
import { type Kubelet, startKubelet } from "./kubelet";
import { aiGatewayCrdsReleaseProblems, aiGatewayReleaseProblems, envoyGatewayCrdsReleaseProblems, envoyGatewayReleaseProblems, helmRecords } from "./releases";
import { checkedObjects, type StatusContext, STATUS_TIMEOUT_MS, waitForStatuses } from "./status";

// Plain JavaScript (it runs before ts-node is registered in the program's process).
const { TEST_ANNOTATIONS } = require("./stackTransform.js") as { TEST_ANNOTATIONS: Record<string, Record<string, string>> };

const ROOT = join(__dirname, "..", "..");
const DEV = join(ROOT, "Pulumi.dev.yaml");
const STACK = "dev";

/** prod's `ai-gateway:aws` as the test sets it: an existing role through IRSA (the AWS provider plugin is not built here). */
const PROD_AWS = { region: "us-west-2", roleArn: "arn:aws:iam::123456789012:role/ai-gateway-e2e", irsa: {} };

/** The one model the test changes, and how: its fallback backend (its route) and its request budget (a traffic policy). */
const CHANGED_MODEL = "qwen-with-fallback";

/** The dev stack's client keys, which the README has a user set before the first `pulumi up`. */
const DEV_CLIENT_KEYS = ["alice-key", "bob-key"];

/** A client key set with `pulumi config set --secret`: the client, the apiKeys entry, the value. */
const CLIENT = { id: "e2e-client", key: "e2e-client-key", value: "e2e-engine-secret-7f3a9c" };

const b64 = (v: string) => Buffer.from(v).toString("base64");
const describeStep = (s: EngineStep) => `${s.op} ${s.kind ?? s.type} ${s.namespace ? `${s.namespace}/` : ""}${s.name ?? s.urn}`;

function assertOk(r: EngineResult, what: string, logs: () => string): void {
    assert.ok(r.ok, `${what} exited ${r.exitCode}:\n${r.output.split("\n").slice(-80).join("\n")}\n${logs()}`);
}

/** Every Kubernetes object in the selected stack's state (its outputs: kind and name as the cluster has them). */
type StateResource = { urn: string; type: string; parent?: string; inputs?: { name?: string; values?: Obj }; outputs?: Obj };

const stateResources = (pulumi: PulumiEnvironment): StateResource[] => (JSON.parse(pulumi.cli(["stack", "export"])) as { deployment: { resources?: StateResource[] } }).deployment.resources ?? [];

const HELM_CHART = "kubernetes:helm.sh/v4:Chart";

/**
 * Every Kubernetes object in the selected stack's state (its outputs: kind and name as the cluster has them): the
 * program's own (`of: "program"`, what a render lists), or those of the charts it renders (`of: "charts"`).
 */
function stateObjects(pulumi: PulumiEnvironment, of: "program" | "charts" = "program"): KubeObject[] {
    const resources = stateResources(pulumi);
    const charts = new Set(resources.filter((r) => r.type === HELM_CHART).map((r) => r.urn));
    return resources
        .filter((r) => r.type.startsWith("kubernetes:") && typeof r.outputs?.kind === "string" && charts.has(r.parent ?? "") === (of === "charts"))
        .map((r) => {
            const o = r.outputs as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
            return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(o.metadata.namespace && { namespace: o.metadata.namespace }) } };
        });
}

/** The model routes and their traffic policies as the program's builders make them for a configuration: `<kind> <namespace>/<name>` → spec. */
function modelObjects(config: StackConfig): Map<string, string> {
    const gateway = { name: config.gateway.name, namespace: config.gateway.namespace };
    const routes = modelRoutes({ gateway, models: config.models, groups: routeGroups(config.models, config.routing.routeBuckets, config.retry, undefined, gateway.name), serviceBackend: (b) => b });
    const policies = modelTrafficPolicies({ gateway, sharedPolicy: modelsTrafficPolicyName(gateway.name), models: config.models, routes, retry: config.retry, rateLimit: config.rateLimit, rules: rateLimitRuleSet(config.rateLimit, config.models), protection: protectionSections(config.traffic) });
    const all = [...routes.map((r) => r.route), ...(policies.shared ? [policies.shared] : []), ...policies.routes.map((r) => r.policy)];
    return new Map(all.map((m) => [`${m.kind} ${m.metadata.namespace}/${m.metadata.name}`, JSON.stringify(m.spec)]));
}

/** The values the program gave each Helm release (its inputs in the state), by release name. */
function releaseValues(pulumi: PulumiEnvironment): Map<string, Obj> {
    return new Map(stateResources(pulumi).filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => [String(r.inputs?.name), r.inputs?.values ?? {}]));
}

/** The platform releases and what each must have created from its values. */
const RELEASE_CHECKS: Record<string, (values: Obj, created: KubeObject[]) => string[]> = {
    [CHARTS.envoyGateway.releaseName]: envoyGatewayReleaseProblems,
    [CHARTS.aiGatewayCrds.releaseName]: (v, c) => aiGatewayCrdsReleaseProblems(v, c.filter((o) => o.kind === "CustomResourceDefinition")),
    [CHARTS.aiGateway.releaseName]: aiGatewayReleaseProblems,
};

/** The policy violations of a preview, as `<policy>: <message>`, sorted. */
const reported = (r: EngineResult) => r.policyViolations.map((v) => `${v.policyName}: ${v.message}`).sort();

describe("e2e stage 3 (dev stack): the README's pulumi commands, through the language host, with the real engine", function () {
    this.timeout(STATUS_TIMEOUT_MS + 900_000);
    let cp: ControlPlane | undefined;
    let kubelet: Kubelet | undefined;
    let pulumi: PulumiEnvironment | undefined;
    let kube: Kube;
    let status: StatusContext;
    let languageHost = "";
    /** The program's objects after the first `up`, and after the last. */
    let created: KubeObject[] = [];
    let deployed: KubeObject[] = [];
    const logs = () => kubelet?.logs() ?? "";
    /**
     * `pulumi config set` for the local cluster, as a user points a stack at a cluster, and the platform releases'
     * charts from the folders made from the pinned sources (the Inference Extension's only where the stack installs
     * a pool: the program warns about a chart it does not install).
     */
    const pointAtLocalCluster = (p: PulumiEnvironment, stackFile: string) => {
        p.cli(["config", "set", "kubernetes:kubeconfig", cp!.kubeconfig]);
        p.cli(["config", "set", "kubernetes:context", "e2e"]);
        const charts: PlatformChartFolders = preparePlatformCharts();
        const releases: (keyof PlatformChartFolders)[] = ["envoyGateway", "aiGateway"];
        const config = parseConfig(configOfFile(stackFile));
        if (installedPools(config.gateway, config.backends).length > 0) releases.push("inferenceExtension");
        for (const release of releases) p.cli(["config", "set", "--path", `ai-gateway:platform.${release}.chart.path`, charts[release]]);
    };

    before(async () => {
        const tools = readToolManifest("e2e");
        languageHost = tools.languageHost.bin;
        const rendered = await renderStack(DEV);
        const eg = rendered.releases.find((r) => r.name === CHARTS.envoyGateway.releaseName);
        const config = parseConfig(configOfFile(DEV));
        status = {
            controllers: undefined,
            envoyGatewayValues: eg ? { namespace: eg.namespace, values: eg.values } : { namespace: "", values: {} },
            intended: (problem) => isIntendedOverride(config, problem),
        };
        // Jobs and Deployments make pods; the test plays the kubelet for the releases' pods (the controllers).
        cp = await startControlPlane(tools.kubeApiserver.bin, { controllerManagerBin: tools.kubeControllerManager.bin, controllers: [...DELETION_CONTROLLERS, ...WORKLOAD_CONTROLLERS] });
        kube = new Kube(cp);
        await kube.discover();
        const ai = rendered.releases.find((r) => r.name === CHARTS.aiGateway.releaseName);
        assert.ok(ai, "the dev stack installs the AI Gateway");
        kubelet = await startKubelet(cp, kube, tools, { aiGatewayNamespace: ai.namespace });
        status.controllers = kubelet;
        for (const o of applicable([...(environmentObjects(rendered.objects) as KubeObject[]), ...clusterServices(rendered.objects as KubeObject[])])) {
            const r = await kube.apply(o);
            if (r.status >= 300) throw new Error(`${describeObject(o)}: ${r.status} ${String(r.body.message)}`);
        }
        // pulumi login file://<folder of the run>, and the plugins; then, as the README: stack init and config set.
        pulumi = await preparePulumi(tools, `http://127.0.0.1:${await freePort()}`);
        pulumi.cli(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
        // The README's next step: a key for each of the dev stack's clients, replacing its placeholders.
        for (const key of DEV_CLIENT_KEYS) pulumi.cli(["config", "set", "--secret", "--path", `apiKeys.${key}`, `e2e value of ${key}`]);
        pointAtLocalCluster(pulumi, DEV);
    });

    after(async () => {
        await pulumi?.stop();
        await kubelet?.stop();
        await cp?.stop();
    });

    it(`the CLI is ${UPSTREAM_TOOLS.pulumi.version}, the release of @pulumi/pulumi in package-lock.json, and the project is the repository's, Pulumi.yaml as shipped`, () => {
        const installed = (JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> }).packages["node_modules/@pulumi/pulumi"].version;
        assert.equal(pulumi?.cli(["version"]).trim(), `v${installed}`);
        assert.equal(readFileSync(join(pulumi!.workDir, "Pulumi.yaml"), "utf8"), readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"));
        assert.equal(readFileSync(join(pulumi!.workDir, "tsconfig.json"), "utf8"), readFileSync(join(ROOT, "tsconfig.json"), "utf8"));
    });

    it(`the engine runs the program through pulumi-language-nodejs ${UPSTREAM_TOOLS.languageHost.version} beside the CLI, and has exactly the two resource plugins the test installed`, () => {
        console.log(`\nstage 3: the language host is ${languageHost}`);
        const version = spawnSync(languageHost, ["-version"], { encoding: "utf8" });
        assert.equal(version.stdout.trim(), UPSTREAM_TOOLS.languageHost.version);
        const plugins = JSON.parse(pulumi!.cli(["plugin", "ls", "--json"])) as { name: string; kind: string; version: string }[];
        assert.deepEqual(plugins.map((p) => `${p.kind} ${p.name} ${p.version}`).sort(), [`resource kubernetes ${UPSTREAM_TOOLS.kubernetesProvider.installedAs}`, "resource random 4.21.2"]);
        // `pulumi about` asks the language host for the program's dependencies: the CLI's log names the binary it ran.
        const about = spawnSync(join(dirname(languageHost), "pulumi"), ["about", "--json", "--non-interactive", "--logtostderr", "-v=6"], { cwd: pulumi!.workDir, env: pulumi!.env, encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
        assert.equal(about.status, 0, about.stderr.split("\n").slice(-40).join("\n"));
        // One JSON object a line (`msg` holds the text), or plain text.
        const messages = about.stderr.split("\n").map((l) => {
            try {
                return String((JSON.parse(l) as { msg?: unknown }).msg ?? "");
            } catch {
                return l;
            }
        });
        const found = messages.flatMap((m) => /^.*GetPluginPath\(language, nodejs, .*found (?:on \$PATH|next to current executable) (\S+)$/.exec(m.trim())?.[1] ?? []);
        assert.ok(found.length > 0, "the CLI's log names no language host it found");
        for (const path of found) assert.equal(realpathSync(path), realpathSync(languageHost));
        const info = JSON.parse(about.stdout) as { runtime?: { language?: string }; dependencies?: { name: string; version: string }[] };
        assert.equal(info.runtime?.language, "nodejs");
        const sdk = (JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> }).packages["node_modules/@pulumi/pulumi"].version;
        assert.ok(info.dependencies?.some((d) => d.name === "@pulumi/pulumi" && d.version === sdk), `the language host reports the program's dependencies: ${JSON.stringify(info.dependencies)}`);
    });

    it("pulumi up --yes creates every object the render of the same stack has, annotates only what the test stack names, and the controllers accept every object", async () => {
        const r = await pulumi!.run("up");
        assertOk(r, "pulumi up --yes", logs);
        // The CRD chart and release added kinds.
        await kube.discover();
        created = stateObjects(pulumi!);
        const rendered = (await renderStack(join(pulumi!.workDir, `Pulumi.${STACK}.yaml`))).objects as KubeObject[];
        assert.deepEqual(created.map(describeObject).sort(), rendered.map((o: K8sObject) => describeObject(o as KubeObject)).sort());
        for (const o of created) assert.ok(await kube.get(o), `${describeObject(o)}: in the state, not in the cluster`);
        // Only the types the test stack names are annotated, the Redis Deployment among them.
        assert.deepEqual(r.annotated.filter((s) => !Object.hasOwn(TEST_ANNOTATIONS, s.split(" ")[0])), []);
        assert.ok(r.annotated.includes("kubernetes:apps/v1:Deployment redis-deployment"), r.annotated.join("\n"));
        const problems = await waitForStatuses("dev stack (engine)", kube, checkedObjects(created), status);
        assert.deepEqual(problems, [], `${problems.join("\n")}\n${logs()}`);
    });

    it("pulumi up installed the four platform charts from the chart folders (three Helm releases, gateway-crds-helm rendered and applied); what they created is what the program meant; the controllers run from it", async () => {
        await kube.discover();
        const records = await helmRecords(kube);
        const expected = [
            [CHARTS.envoyGateway, ENVOY_GATEWAY],
            [CHARTS.aiGatewayCrds, AI_GATEWAY],
            [CHARTS.aiGateway, AI_GATEWAY],
        ] as const;
        assert.deepEqual(
            records.map((r) => `${r.name} ${r.chart.name} ${r.chart.version} ${r.status}`).sort(),
            expected.map(([chart, platform]) => `${chart.releaseName} ${chart.name} ${platform.version} deployed`).sort(),
        );
        // What each release created, as the cluster holds it, against the values the program gave it (the state's inputs).
        const values = releaseValues(pulumi!);
        const problems: string[] = [];
        for (const record of records) {
            const created: KubeObject[] = [];
            for (const o of record.manifest) {
                const stored = await kube.get({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? record.namespace } });
                if (stored) created.push(stored as KubeObject);
                else problems.push(`${record.name}: ${describeObject(o)} is in the release's manifest, not in the cluster`);
            }
            assert.ok(values.has(record.name), `no Release ${record.name} in the state`);
            problems.push(...RELEASE_CHECKS[record.name](values.get(record.name)!, created));
        }
        // gateway-crds-helm: the CRDs the chart rendered, applied as the program's own objects (children of the chart).
        const chartCrds: KubeObject[] = [];
        for (const o of stateObjects(pulumi!, "charts")) {
            const stored = await kube.get(o);
            if (stored) chartCrds.push(stored as KubeObject);
            else problems.push(`${CHARTS.envoyGatewayCrds.releaseName}: ${describeObject(o)} is in the state, not in the cluster`);
        }
        // A component's inputs are not in the state: the values are the program's builder's (the chart gets no user values).
        problems.push(...envoyGatewayCrdsReleaseProblems(envoyGatewayCrdsValues(), chartCrds.filter((o) => o.kind === "CustomResourceDefinition")));
        assert.deepEqual(problems, []);
        // Every CRD in the cluster came from the CRD chart or the CRD release (the test applied none).
        const crds = (await kube.call("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")).body.items as KubeObject[];
        const fromChart = new Set(chartCrds.map((c) => c.metadata.name));
        assert.ok(crds.length > 20, `${crds.length} CRDs`);
        assert.deepEqual(crds.filter((c) => !fromChart.has(c.metadata.name) && (c.metadata.annotations as Obj | undefined)?.["meta.helm.sh/release-name"] !== CHARTS.aiGatewayCrds.releaseName).map((c) => c.metadata.name), []);
        // gateway-helm's certgen hook ran (the Job completed) and both controllers run from the releases' pods.
        const jobs = (await kube.call("GET", `/apis/batch/v1/namespaces/${ENVOY_GATEWAY.namespace}/jobs`)).body.items as { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
        assert.deepEqual(jobs.map((j) => `${j.metadata.name.replace(/^.*-(certgen)$/, "<release>-$1")} ${j.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True") ? "Complete" : "not complete"}`), ["<release>-certgen Complete"]);
        assert.ok(kubelet!.actions().some((a) => / certgen\b/.test(a)) && kubelet!.log("envoy-gateway-certgen") !== "", kubelet!.actions().join("\n"));
        assert.deepEqual(kubelet!.running().map((r) => r.split(" ")[0]).sort(), ["aiGatewayController", "envoyGateway"], kubelet!.actions().join("\n"));
    });

    it("a second run changes nothing (pulumi preview --expect-no-changes)", async () => {
        const r = await pulumi!.run("preview", ["--expect-no-changes"]);
        assertOk(r, "pulumi preview --expect-no-changes", logs);
        assert.deepEqual(r.steps.filter((s) => s.op !== "same").map(describeStep), []);
    });

    it("the models and backends moved into a file that ai-gateway:include names change nothing (pulumi preview --expect-no-changes), and a missing file stops the preview naming it", async () => {
        const stackFile = join(pulumi!.workDir, `Pulumi.${STACK}.yaml`);
        const included = join(pulumi!.workDir, "models.included.yaml");
        const shipped = readFileSync(stackFile, "utf8");
        const raw = configOfFile(stackFile);
        try {
            // JSON is YAML: the file in the stack file's format, with the two keys the stack file no longer has.
            writeFileSync(included, `config: ${JSON.stringify({ "ai-gateway:models": raw.models, "ai-gateway:backends": raw.backends })}\n`);
            for (const key of ["models", "backends"]) pulumi!.cli(["config", "rm", `ai-gateway:${key}`]);
            pulumi!.cli(["config", "set", "--path", "ai-gateway:include[0]", "models.included.yaml"]);
            const same = await pulumi!.run("preview", ["--expect-no-changes"]);
            assertOk(same, "pulumi preview --expect-no-changes (models included)", logs);
            assert.deepEqual(same.steps.filter((s) => s.op !== "same").map(describeStep), []);

            pulumi!.cli(["config", "set", "--path", "ai-gateway:include[0]", "models.missing.yaml"]);
            const missing = await pulumi!.run("preview", []);
            assert.ok(!missing.ok, "a missing included file fails the preview");
            assert.match(missing.output, /ai-gateway:include\[0\]: models\.missing\.yaml: no such file \(looked for [^)]*\/models\.missing\.yaml\)/);
        } finally {
            writeFileSync(stackFile, shipped);
            rmSync(included, { force: true });
        }
    });

    it("pulumi preview --policy-pack policy passes the dev stack, and without its client authentication (pulumi config rm ai-gateway:auth) reports exactly the guardrails' violations", async () => {
        const stackFile = join(pulumi!.workDir, `Pulumi.${STACK}.yaml`);
        assert.deepEqual(await violations(configOfFile(stackFile)), [], "the dev stack as shipped breaks no guardrail");
        const clean = await pulumi!.run("preview", ["--policy-pack", "policy"]);
        assertOk(clean, "pulumi preview --policy-pack policy (dev)", logs);
        assert.deepEqual(clean.policyViolations, []);

        const shipped = readFileSync(stackFile, "utf8");
        pulumi!.cli(["config", "rm", "ai-gateway:auth"]);
        const expected = (await violations(configOfFile(stackFile))).sort();
        assert.ok(expected.length > 0, "the dev stack without client authentication breaks some guardrail");
        const r = await pulumi!.run("preview", ["--policy-pack", "policy"]);
        writeFileSync(stackFile, shipped);
        // Every guardrail is mandatory: the preview fails, and says why.
        assert.ok(!r.ok, "a mandatory violation fails the preview");
        assert.deepEqual(r.policyViolations.map((v) => v.enforcementLevel), expected.map(() => "mandatory"));
        const got = reported(r);
        assert.equal(got.length, expected.length, got.join("\n"));
        expected.forEach((e, i) => {
            const [name, message] = [e.slice(0, e.indexOf(": ")), e.slice(e.indexOf(": ") + 2)];
            assert.ok(got[i].startsWith(`${name}: `) && got[i].includes(message), `expected ${e}\ngot ${got[i]}`);
        });
    });

    it(`changing one model (${CHANGED_MODEL}) updates exactly the AIGatewayRoute and BackendTrafficPolicy the program's builders change`, async () => {
        const before = parseConfig(configOfFile(join(pulumi!.workDir, `Pulumi.${STACK}.yaml`)));
        const backends = before.models[CHANGED_MODEL].backends;
        const other = Object.keys(before.backends).find((b) => !backends.some((x) => x.backend === b));
        assert.ok(other, "a backend the model does not use yet");
        pulumi!.cli(["config", "set", "--path", `ai-gateway:models.${CHANGED_MODEL}.backends[1].backend`, other]);
        pulumi!.cli(["config", "set", "--path", `ai-gateway:models.${CHANGED_MODEL}.rateLimit.requests[0].limit`, "5"]);
        const after = parseConfig(configOfFile(join(pulumi!.workDir, `Pulumi.${STACK}.yaml`)));
        assert.equal(after.models[CHANGED_MODEL].rateLimit?.requests?.[0].limit, 5);

        // What should change, from the program's own builders (names and specs), not from the test: the model's
        // route (its backends) and a traffic policy (its request budget).
        const [was, is] = [modelObjects(before), modelObjects(after)];
        const expected = [...new Set([...was.keys(), ...is.keys()])].filter((k) => was.get(k) !== is.get(k)).map((k) => `${!was.has(k) ? "create" : !is.has(k) ? "delete" : "update"} ${k}`);
        const route = modelRoutes({ gateway: after.gateway, models: after.models, groups: routeGroups(after.models, after.routing.routeBuckets, after.retry, undefined, after.gateway.name), serviceBackend: (b) => b }).find((x) => x.bucket.models.includes(CHANGED_MODEL));
        assert.ok(route && expected.includes(`update AIGatewayRoute ${after.gateway.namespace}/${route.route.metadata.name}`), expected.join("\n"));
        assert.equal(expected.filter((e) => e.startsWith("update BackendTrafficPolicy ")).length, 1, expected.join("\n"));
        assert.equal(expected.length, 2, expected.join("\n"));

        const r = await pulumi!.run("preview");
        assertOk(r, "pulumi preview", logs);
        assert.deepEqual(r.steps.filter((s) => s.op !== "same").map(describeStep).sort(), expected.sort());
    });

    it("a client key set with pulumi config set --secret --path 'apiKeys.<name>' arrives in its Secret and is in plain text neither in the stack file nor in the state", async () => {
        pulumi!.cli(["config", "set", "--path", `ai-gateway:auth.apiKeys.clients.${CLIENT.id}`, CLIENT.key]);
        pulumi!.cli(["config", "set", "--secret", "--path", `ai-gateway:apiKeys.${CLIENT.key}`, CLIENT.value]);
        const stackFile = readFileSync(join(pulumi!.workDir, `Pulumi.${STACK}.yaml`), "utf8");
        assert.ok(!stackFile.includes(CLIENT.value), "the stack file holds the key in plain text");
        assert.equal(JSON.parse(pulumi!.cli(["config", "get", "--path", `ai-gateway:apiKeys.${CLIENT.key}`, "--json"])).value, CLIENT.value);

        const r = await pulumi!.run("up");
        assertOk(r, "pulumi up --yes", logs);
        assert.ok(!r.output.includes(CLIENT.value), "pulumi up printed the client key");
        // The key's value is encrypted in the file: the names are what the program's naming reads.
        const raw = configOfFile(join(pulumi!.workDir, `Pulumi.${STACK}.yaml`));
        const config = parseConfig({ ...raw, apiKeys: Object.fromEntries(Object.keys(raw.apiKeys as object).map((k) => [k, `name only: ${k}`])) });
        const secret = clientAuthManifests(config.gateway, config.auth).apiKeySecret;
        assert.ok(secret, "the configuration has a client key Secret");
        const stored = await kube.get({ apiVersion: "v1", kind: "Secret", metadata: { name: secret.name, namespace: secret.namespace } });
        assert.equal((stored?.data as Record<string, string> | undefined)?.[CLIENT.id], b64(CLIENT.value));

        const state = pulumi!.cli(["stack", "export"]);
        const stateFile = readdirSync(pulumi!.stateDir, { recursive: true, encoding: "utf8" })
            .filter((f) => f.endsWith(".json"))
            .map((f) => readFileSync(join(pulumi!.stateDir, f), "utf8"))
            .join("\n");
        for (const [where, text] of [["pulumi stack export", state], ["the state files", stateFile]]) {
            assert.ok(!text.includes(CLIENT.value) && !text.includes(b64(CLIENT.value)), `${where} holds the client key in plain text`);
        }
        assert.ok(stateFile.includes("e2e-client"), "the state files hold the program's objects");

        // The controllers accept the stack as it is now (the SecurityPolicy of the client keys among it).
        deployed = stateObjects(pulumi!);
        assert.ok(deployed.some((o) => o.kind === "SecurityPolicy"), "a SecurityPolicy for the client keys");
        const problems = await waitForStatuses("dev stack with client keys (engine)", kube, checkedObjects(deployed), status);
        assert.deepEqual(problems, [], `${problems.join("\n")}\n${logs()}`);
    });

    it("pulumi destroy --yes leaves no object of the program: none of its objects, nothing of those kinds in its namespaces", async () => {
        const objects = [...new Map([...created, ...deployed].map((o) => [describeObject(o), o])).values()];
        assert.ok(objects.length > 10, `${objects.length} objects`);
        // AI Gateway v1.1.0 may leave an object in Terminating (envoyproxy/ai-gateway#2565): restart its controller
        // then, as docs/troubleshooting.md tells users to, and say so.
        const watchdog = watchStuckFinalizers(kube, objects, kubelet!);
        let r: Awaited<ReturnType<PulumiEnvironment["run"]>>;
        try {
            r = await pulumi!.run("destroy");
        } finally {
            await watchdog.stop();
        }
        for (const line of watchdog.restarts()) console.log(`      note: restarted the AI Gateway controller: ${line}`);
        assertOk(r, "pulumi destroy --yes", logs);
        const left: string[] = [];
        for (const o of objects) if (await kube.get(o)) left.push(describeObject(o));
        // The kinds the program creates, listed in every namespace it used (objects controllers made from them too).
        const namespaces = [...new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => n !== undefined))];
        const kinds = [...new Map(objects.filter((o) => o.metadata.namespace).map((o) => [`${o.apiVersion}/${o.kind}`, o])).values()];
        for (const ns of namespaces) {
            for (const kind of kinds) {
                const path = kube.path({ ...kind, metadata: { name: "x", namespace: ns } })?.replace(/\/x$/, "");
                assert.ok(path, `${kind.apiVersion} ${kind.kind}: not served`);
                const list = await kube.call("GET", path);
                for (const item of (list.body.items as { metadata: { name: string } }[] | undefined) ?? []) left.push(`${kind.kind} ${ns}/${item.metadata.name}`);
            }
        }
        assert.deepEqual(left, []);
        assert.deepEqual(stateObjects(pulumi!), []);
        assert.deepEqual(stateObjects(pulumi!, "charts"), []);
        // The releases are uninstalled, and their pods' processes stopped with the pods.
        assert.deepEqual((await helmRecords(kube)).map((r) => `${r.namespace}/${r.name}`), []);
        for (let i = 0; i < 20 && kubelet!.running().length > 0; i++) await new Promise((r) => setTimeout(r, 500));
        assert.deepEqual(kubelet!.running(), [], kubelet!.actions().join("\n"));
    });

    it("pulumi preview --policy-pack policy passes the prod stack, its placeholder keys replaced with pulumi config set --secret as the README says", async () => {
        const prodFile = join(pulumi!.workDir, "Pulumi.prod.yaml");
        const placeholders = Object.keys((configOfFile(prodFile).apiKeys ?? {}) as Record<string, unknown>);
        assert.ok(placeholders.length > 0, "Pulumi.prod.yaml has placeholder keys");
        pulumi!.cli(["stack", "init", "prod", "--secrets-provider", "passphrase"]);
        try {
            // Its metrics per user need the AI Gateway the program installs: the releases come from local chart folders.
            pointAtLocalCluster(pulumi!, prodFile);
            // No AWS provider plugin here: the Envoy pods' AWS identity is an existing role (IRSA), which creates no AWS resource.
            pulumi!.cli(["config", "set", "ai-gateway:aws", JSON.stringify(PROD_AWS)]);
            for (const name of placeholders) pulumi!.cli(["config", "set", "--secret", "--path", `ai-gateway:apiKeys.${name}`, `e2e-prod-${name}-value`]);
            assert.deepEqual(await violations(configOfFile(prodFile)), [], "the guardrails pass prod as the test has it");
            const r = await pulumi!.run("preview", ["--policy-pack", "policy"]);
            assertOk(r, "pulumi preview --policy-pack policy (prod)", logs);
            assert.deepEqual(reported(r), []);
            assert.ok(r.steps.some((s) => s.kind === "Gateway"), "the preview covers the program");
        } finally {
            pulumi!.cli(["stack", "select", STACK]);
        }
    });
});
