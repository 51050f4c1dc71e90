// A Pulumi program outside this repository that installs the packed library and uses it, evaluated under
// Pulumi's mocks. It prints what it registered as JSON for test/package/library.package.ts to check.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

interface Registered {
    type: string;
    name: string;
    provider: string | null;
    inputs: Record<string, unknown>;
}

const registered: Registered[] = [];
pulumi.runtime.setMocks(
    {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            registered.push({ type: args.type, name: args.name, provider: args.provider ? args.provider.split("::")[3] ?? null : null, inputs: args.inputs });
            // A Helm release reports the namespace it went to, as the provider does.
            const status = args.type === "kubernetes:helm.sh/v3:Release" ? { status: { name: args.inputs.name, namespace: args.inputs.namespace } } : {};
            return { id: args.custom === false ? undefined : `${args.name}-id`, state: { ...args.inputs, ...status } };
        },
        call: () => ({}),
    },
    "consumer",
    "dev",
    false,
);

async function settle(): Promise<void> {
    const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}

async function main(): Promise<void> {
    const library = await import("ai-gateway");
    await settle();
    const afterImport = registered.length;

    let deepImport = "allowed";
    try {
        require.resolve("ai-gateway/lib/components/stack");
    } catch (e) {
        deepImport = (e as { code?: string }).code ?? String(e);
    }

    let refused: string[] = [];
    try {
        new library.AiGateway("broken", { config: { models: { chat: { backends: [{ backend: "nowhere" }] } } } });
    } catch (e) {
        refused = e instanceof library.ConfigError ? e.problems.map((p) => `${p.path}: ${p.message}`) : [String(e)];
    }
    await settle();
    const afterRefusal = registered.length;

    const cluster = new k8s.Provider("cluster", { context: "kind-consumer" });
    const gateway = new library.AiGateway(
        "llm",
        {
            config: {
                backends: {
                    openai: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } },
                    local: { schema: "OpenAI", hostname: "vllm.models.svc.cluster.local", port: 8000 },
                },
                models: { chat: { backends: [{ backend: "openai", model: "gpt-4.1-mini" }, { backend: "local", model: "qwen", priority: 1 }] } },
                auth: { apiKeys: { clients: { "team-a": "team-a-key" } } },
                rateLimit: { global: { requests: [{ limit: 100, window: "1m" }] } },
                apiKeys: { openai: pulumi.secret("sk-consumer-known-value"), "team-a-key": Promise.resolve("ck-consumer-known-value") },
            },
        },
        { providers: [cluster] },
    );
    await settle();
    const schemaTitle = (require("ai-gateway/schema.json") as { title: string }).title;
    process.stdout.write(JSON.stringify({ afterImport, deepImport, refused, afterRefusal, models: gateway.models, schemaTitle, registered }));
}

main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
});
