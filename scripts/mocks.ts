import * as pulumi from "@pulumi/pulumi";
import { Result } from "@pulumi/pulumi/proto/resource_pb";
import { withoutPromiseLeakStacks } from "../components/promiseStacks";

/** One registered resource, as the engine would see it. */
export interface RecordedResource {
    type: string;
    name: string;
    custom: boolean;
    /** Inputs as sent; secrets stay wrapped (see `isSecretValue`). */
    inputs: Record<string, unknown>;
    /** Logical name of the parent resource, or null at the top. */
    parent: string | null;
    /** Type of the parent resource, or null at the top. */
    parentType: string | null;
    /** Logical names of the resources it waits for: `dependsOn` and those whose outputs it uses. */
    dependsOn: string[];
    /** Logical name of the explicit provider it was given, or null for the default provider. */
    provider: string | null;
    /** Earlier identities it answers to: `<type>::<name> under <parent URN or "the stack">` (own aliases only). */
    aliases: string[];
    /** Left in the cluster when Pulumi deletes it. */
    retainOnDelete?: boolean;
}

/** Result of the mocked RandomPassword; tests look for it to prove it never leaks. */
export const MOCK_PASSWORD = "mock-random-password-0123456789";

/** The address a Programmed Gateway reports in its status under the mocks (a documentation range, RFC 5737). */
export const MOCK_GATEWAY_ADDRESS = "203.0.113.10";

/** AWS account of mocked ARNs (the one AWS documentation uses): what the cloud assigns on `pulumi up`. */
export const MOCK_AWS_ACCOUNT = "123456789012";

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): unknown;
    getDependenciesList(): string[];
    /** `<provider URN>::<provider id>`, or empty for the default provider. */
    getProvider(): string;
    getAliasesList(): AliasMessage[];
    getRetainondelete(): boolean | undefined;
    getImportid(): string;
}
/** The structured alias the SDK sends (a URN, or a spec whose unset fields mean "as now"). */
interface AliasMessage {
    getUrn(): string;
    getSpec(): { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}
/** The parts of the SDK's mock monitor (`@pulumi/pulumi/runtime/mocks`) a registration goes through. */
interface MockMonitor {
    registerResource(req: RegisterRequest, callback: (err: unknown, resp?: RegisterResponse) => void): void;
    newUrn(parent: string, type: string, name: string): string;
    /** What `registerResourceOutputs` and resource reads look up. */
    resources: Map<string, { urn: string; id: string | null; state: unknown }>;
}
/** The answer to a registration, as the SDK reads it (`runtime/resource.js`). */
interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    /** The SDK only calls `toJavaScript()` on it (`deserializeProperties`). */
    getObject(): { toJavaScript(): Record<string, unknown> };
    getPropertydependenciesMap(): undefined;
    getResult(): Result;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
/** The resource's own type in a URN `urn:pulumi:<stack>::<project>::<parent types $>...<type>::<name>`. */
const typeOf = (urn: string) => {
    const types = urn.slice(0, urn.lastIndexOf("::"));
    return types.slice(Math.max(types.lastIndexOf("::"), types.lastIndexOf("$")) + (types.lastIndexOf("$") > types.lastIndexOf("::") ? 1 : 2));
};

/** The logical name in a provider reference `<urn>::<id>`. */
function providerName(ref: string): string | null {
    return ref ? nameOf(ref.slice(0, ref.lastIndexOf("::"))) : null;
}

/**
 * Pulumi mocks that keep every registered resource with its parent and dependencies (the mock API
 * alone sees neither), and answer like the providers would for the outputs the program reads.
 */
export class RecordingMocks implements pulumi.runtime.Mocks {
    public readonly resources: RecordedResource[] = [];

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "kubernetes:helm.sh/v3:Release") {
            state.status = { name: args.inputs.name, namespace: args.inputs.namespace, status: "deployed", version: args.inputs.version };
        } else if (args.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway") {
            // What the provider reads back once Envoy Gateway has programmed the Gateway.
            state.status = { addresses: [{ type: "IPAddress", value: MOCK_GATEWAY_ADDRESS }] };
        } else if (args.type === "random:index/randomPassword:RandomPassword") {
            state.result = MOCK_PASSWORD;
        } else if (args.type === "aws:iam/role:Role") {
            // AWS names the role (Pulumi appends a random suffix to the logical name) and assigns its ARN.
            state.name = args.inputs.name ?? args.name;
            state.arn = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/${String(state.name)}`;
        }
        return { id: args.custom ? `${args.name}-id` : undefined, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        throw new Error(`no mock for provider function ${args.token}`);
    }

    reset(): void {
        this.resources.length = 0;
    }

    /** Installs these mocks for the process and records every registration. */
    async install(project: string, stack: string): Promise<void> {
        await pulumi.runtime.setMocks(this, project, stack, false);
        const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
        monitor.registerResource = (req, callback) => void this.register(monitor, req, callback);
    }

    /**
     * What the SDK's mock monitor does for a registration, step for step (the same awaits, so resources register
     * in the same order), except that the state goes back as the JavaScript the SDK would decode from a protobuf
     * Struct instead of through one: that round trip of every spec was about a tenth of a large render's time. The
     * request's inputs are decoded once, for `newResource` and the record alike.
     */
    private async register(monitor: MockMonitor, req: RegisterRequest, callback: (err: unknown, resp?: RegisterResponse) => void): Promise<void> {
        try {
            const entry = this.record(req);
            const result = await this.newResource({
                type: entry.type,
                name: entry.name,
                inputs: entry.inputs,
                provider: req.getProvider(),
                custom: entry.custom,
                id: req.getImportid(),
            });
            const urn = monitor.newUrn(req.getParent(), entry.type, entry.name);
            const state = await pulumi.runtime.serializeProperties("", result.state);
            monitor.resources.set(urn, { urn, id: result.id ?? null, state });
            callback(null, {
                getUrn: () => urn,
                getId: () => result.id || "",
                getObject: () => ({ toJavaScript: () => state }),
                getPropertydependenciesMap: () => undefined,
                getResult: () => Result.SUCCESS,
            });
        } catch (err) {
            callback(err);
        }
    }

    private record(req: RegisterRequest): RecordedResource {
        const entry: RecordedResource = {
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent() ? nameOf(req.getParent()) : null,
            parentType: req.getParent() ? typeOf(req.getParent()) : null,
            dependsOn: req.getDependenciesList().map(nameOf).sort(),
            provider: providerName(req.getProvider()),
            aliases: req.getAliasesList().map(describeAlias),
            inputs: pulumi.runtime.deserializeProperties(req.getObject() as Parameters<typeof pulumi.runtime.deserializeProperties>[0]),
            ...(req.getRetainondelete() && { retainOnDelete: true }),
        };
        this.resources.push(entry);
        return entry;
    }
}

function describeAlias(alias: AliasMessage): string {
    const spec = alias.getSpec();
    if (!spec) return alias.getUrn();
    const parent = spec.getNoparent() ? "the stack" : spec.getParenturn() || "the same parent";
    return `${spec.getType() || "same type"}::${spec.getName() || "same name"} under ${parent}`;
}

/** Waits until every resource the program constructed has been registered. */
export async function settle(): Promise<void> {
    const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}

/** Whether a recorded input value is a secret (the wire form of `pulumi.secret`). */
export function isSecretValue(v: unknown): boolean {
    return pulumi.runtime.isRpcSecret(v);
}

/** Whether a recorded value has a secret anywhere inside: what `redactSecrets` would hide. */
export function holdsSecret(v: unknown): boolean {
    if (isSecretValue(v)) return true;
    if (Array.isArray(v)) return v.some(holdsSecret);
    return typeof v === "object" && v !== null && Object.values(v).some(holdsSecret);
}

/**
 * A copy of a recorded value with every secret replaced by `replacement` where it stands: a secret
 * object keeps its keys (`stringData: {apiKey: "[secret]"}`), only the leaves are hidden.
 */
export function redactSecrets(v: unknown, replacement = "[secret]"): unknown {
    if (isSecretValue(v)) return hideLeaves((v as { value: unknown }).value, replacement);
    if (Array.isArray(v)) return v.map((x) => redactSecrets(x, replacement));
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactSecrets(x, replacement)]));
    }
    return v;
}

function hideLeaves(v: unknown, replacement: string): unknown {
    if (Array.isArray(v)) return v.map((x) => hideLeaves(x, replacement));
    if (typeof v === "object" && v !== null && !isSecretValue(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hideLeaves(x, replacement)]));
    }
    return replacement;
}

/**
 * Pulumi takes a full stack trace for every resource it constructs, and ts-node's source-map hook
 * maps every frame of it: about two thirds of an evaluation's time. Offline runs drop the hook
 * (stack traces then point into the transpiled JavaScript); AI_GATEWAY_SOURCE_MAPS=1 keeps it.
 */
export function withoutSourceMappedStacks(): void {
    if (process.env.AI_GATEWAY_SOURCE_MAPS !== "1") Reflect.deleteProperty(Error, "prepareStackTrace");
}

/**
 * Stack traces an offline render takes and never shows, about a sixth of a large render's time:
 * - the one the SDK records on every promise it makes (`debuggablePromise`), for a leak report a render never
 *   prints; a render's errors are messages;
 * - the whole stack the SDK takes for every resource (`Resource.callsites`: unlimited frames, each parsed and
 *   turned into a URL) to send the resource's source position, which the recording mocks do not keep.
 * AI_GATEWAY_SOURCE_MAPS=1, the debugging setting, keeps both. Render only: a test's failure keeps its stack.
 * test/startup.spec.ts fails if the SDK stops taking either, so the saving cannot go quietly.
 */
export function withoutUnusedStackTraces(): void {
    if (process.env.AI_GATEWAY_SOURCE_MAPS === "1") return;
    Error.stackTraceLimit = 0;
    (pulumi.Resource as unknown as { callsites(): unknown[] }).callsites = () => [];
}

/**
 * The same two stack traces, dropped for a whole test run while every error keeps its stack (Error.stackTraceLimit
 * is left alone, so a failing test still says where): the SDK's per-promise stack as the program drops it
 * (components/promiseStacks.ts), and a resource's source position is not looked up. About a quarter of the suite's
 * time. Decided at each call, so AI_GATEWAY_SOURCE_MAPS=1 keeps both, also when set later (test/startup.spec.ts sets
 * it to check both are taken).
 */
export function withoutPerPromiseStacks(): void {
    withoutPromiseLeakStacks();
    const resource = pulumi.Resource as unknown as { callsites(): unknown[] };
    const callsites = resource.callsites;
    resource.callsites = () => (process.env.AI_GATEWAY_SOURCE_MAPS === "1" ? callsites.call(resource) : []);
}
