import * as pulumi from "@pulumi/pulumi";

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
}
/** The structured alias the SDK sends (a URN, or a spec whose unset fields mean "as now"). */
interface AliasMessage {
    getUrn(): string;
    getSpec(): { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}
interface Monitor {
    registerResource(req: RegisterRequest, callback: (err: unknown, resp: unknown) => void): void;
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
    /** The entry of the registration under way, which takes the inputs `newResource` is given. */
    private registering?: { type: string; name: string; inputs?: Record<string, unknown> };

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        if (this.registering?.type === args.type && this.registering.name === args.name) this.registering.inputs = args.inputs;
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
        const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
            const entry = this.record(req);
            // The mock monitor deserializes the inputs and hands them to `newResource` before its first await:
            // the entry takes them from there instead of decoding the request a second time.
            this.registering = entry;
            try {
                register(req, callback);
            } finally {
                this.registering = undefined;
            }
            entry.inputs ??= pulumi.runtime.deserializeProperties(req.getObject() as Parameters<typeof pulumi.runtime.deserializeProperties>[0]);
        };
    }

    private record(req: RegisterRequest): Omit<RecordedResource, "inputs"> & { inputs?: Record<string, unknown> } {
        const entry: Omit<RecordedResource, "inputs"> & { inputs?: Record<string, unknown> } = {
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent() ? nameOf(req.getParent()) : null,
            parentType: req.getParent() ? typeOf(req.getParent()) : null,
            dependsOn: req.getDependenciesList().map(nameOf).sort(),
            provider: providerName(req.getProvider()),
            aliases: req.getAliasesList().map(describeAlias),
        };
        this.resources.push(entry as RecordedResource);
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
