/**
 * One engine operation (`up`, `preview`, `destroy`) of the program in index.ts, run by the real Pulumi CLI
 * through the Node SDK's Automation API, in a process of its own (test/e2e/engine.ts starts one per
 * operation): the test's process has Pulumi's mocks installed and its module cache holds index.ts already.
 *
 * The program is index.ts itself, required inside an inline program: for an inline program the SDK serves
 * Pulumi's LanguageRuntime on a loopback port and runs the CLI with `--client=127.0.0.1:<port>`, so no
 * `pulumi-language-nodejs` binary is needed (the Go module proxy does not serve its module).
 *
 * The one thing added to the program is a stack transform putting two of the Kubernetes provider's documented
 * annotations on some objects (TEST_ANNOTATIONS): `pulumi.com/skipAwait` where a kubelet is needed, and
 * `pulumi.com/patchForce` where the AI Gateway controller built from an older release takes over fields.
 *
 *   node -r ts-node/register/transpile-only test/e2e/engineRun.ts <request.json> <result.json>
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type EngineEvent, LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";

const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };

/**
 * The annotations the test stack adds, by resource type:
 * - skipAwait on what a cluster without a kubelet never makes ready: Deployments (no pod starts), Services (no
 *   endpoints) and Gateways (`pulumi.com/waitFor: condition=Programmed` waits for a running Envoy);
 * - patchForce on AIGatewayRoutes: the AI Gateway controller here is v1.0.0 (the module proxy refuses v1.1.0),
 *   and when it adds its finalizer it writes the whole object back through its v1.0.0 types, which drop the
 *   v1.1.0 rule `name`: that rewrite makes it a manager of `.spec.rules`, and the provider's next server-side
 *   apply of the route conflicts with it. The v1.1.0 controller writes the rules back unchanged.
 */
export const TEST_ANNOTATIONS: Record<string, Record<string, string>> = {
    "kubernetes:apps/v1:Deployment": SKIP_AWAIT,
    "kubernetes:core/v1:Service": SKIP_AWAIT,
    "kubernetes:gateway.networking.k8s.io/v1:Gateway": SKIP_AWAIT,
    "kubernetes:aigateway.envoyproxy.io/v1beta1:AIGatewayRoute": { "pulumi.com/patchForce": "true" },
};

export interface EngineRequest {
    op: "up" | "preview" | "destroy";
    /** Folder with Pulumi.yaml and Pulumi.<stack>.yaml. */
    workDir: string;
    stack: string;
    /** Folder holding `bin/pulumi`. */
    pulumiRoot: string;
    expectNoChanges?: boolean;
}

/** One resource step of the operation. */
export interface EngineStep {
    op: string;
    urn: string;
    type: string;
    /** Kubernetes objects: kind, namespace and name from the step's inputs. */
    kind?: string;
    namespace?: string;
    name?: string;
    diffs: string[];
}

export interface EngineResult {
    ok: boolean;
    error?: string;
    summary?: Record<string, number>;
    steps: EngineStep[];
    /** Resources the stack transform annotated (`<type> <name>`). */
    annotated: string[];
    outputs?: Record<string, unknown>;
}

const ROOT = join(__dirname, "..", "..");

function stepOf(event: EngineEvent): EngineStep | undefined {
    const m = event.resourcePreEvent?.metadata;
    if (!m) return undefined;
    const inputs = (m.new ?? m.old)?.inputs as { kind?: string; metadata?: { name?: string; namespace?: string } } | undefined;
    return {
        op: m.op,
        urn: m.urn,
        type: m.type,
        ...(m.type.startsWith("kubernetes:") && { kind: inputs?.kind, namespace: inputs?.metadata?.namespace, name: inputs?.metadata?.name }),
        diffs: m.diffs ?? [],
    };
}

async function run(request: EngineRequest): Promise<EngineResult> {
    const steps: EngineStep[] = [];
    const annotated: string[] = [];
    const program = async () => {
        pulumi.runtime.registerResourceTransform((args) => {
            if (!Object.hasOwn(TEST_ANNOTATIONS, args.type)) return undefined;
            annotated.push(`${args.type} ${args.name}`);
            const metadata = (args.props.metadata ?? {}) as { annotations?: Record<string, string> };
            return { props: { ...args.props, metadata: { ...metadata, annotations: { ...metadata.annotations, ...TEST_ANNOTATIONS[args.type] } } }, opts: args.opts };
        });
        return require(join(ROOT, "index.ts")) as Record<string, unknown>;
    };
    const pulumiCommand = await PulumiCommand.get({ root: request.pulumiRoot });
    const stack = await LocalWorkspace.selectStack({ stackName: request.stack, projectName: "ai-gateway", program }, { workDir: request.workDir, pulumiCommand });
    const onEvent = (e: EngineEvent) => {
        const step = stepOf(e);
        if (step) steps.push(step);
    };
    try {
        if (request.op === "up") {
            const r = await stack.up({ onEvent, color: "never" });
            return { ok: true, summary: r.summary.resourceChanges as Record<string, number>, steps, annotated, outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value])) };
        }
        if (request.op === "preview") {
            const r = await stack.preview({ onEvent, color: "never", expectNoChanges: request.expectNoChanges });
            return { ok: true, summary: r.changeSummary as Record<string, number>, steps, annotated };
        }
        const r = await stack.destroy({ onEvent, color: "never" });
        return { ok: true, summary: r.summary.resourceChanges as Record<string, number>, steps, annotated };
    } catch (e) {
        return { ok: false, error: (e as Error).message, steps, annotated };
    }
}

if (require.main === module) {
    const [requestFile, resultFile] = process.argv.slice(2);
    run(JSON.parse(readFileSync(requestFile, "utf8")) as EngineRequest)
        .catch((e: Error): EngineResult => ({ ok: false, error: e.stack ?? e.message, steps: [], annotated: [] }))
        .then((result) => {
            writeFileSync(resultFile, JSON.stringify(result, null, 2));
            process.exit(0);
        });
}
