// OpenAI first, Anthropic when OpenAI fails; each client has an API key, and the gateway counts each client's
// budget by the name of its verified key (never by a header the client sets).
//   pulumi config set --secret openaiKey sk-...       pulumi config set --secret anthropicKey sk-ant-...
//   pulumi config set --secret teamAKey <a key for team-a's clients>
import * as pulumi from "@pulumi/pulumi";
import { AiGateway } from "ai-gateway";

const config = new pulumi.Config();

const gateway = new AiGateway("llm", {
    config: {
        backends: {
            openai: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } },
            anthropic: { schema: "Anthropic", hostname: "api.anthropic.com", auth: { type: "AnthropicAPIKey", secret: "anthropic" } },
        },
        models: {
            chat: {
                backends: [
                    { backend: "openai", model: "gpt-4.1-mini", priority: 0 },
                    { backend: "anthropic", model: "claude-3-5-haiku-latest", priority: 1 },
                ],
            },
        },
        // Each client's key names it; the gateway writes that name into x-user-id, which the budgets count by.
        auth: { apiKeys: { clients: { "team-a": "team-a-key" } } },
        rateLimit: { perUser: { requests: [{ limit: 600, window: "1h" }], tokens: [{ limit: 1_000_000, window: "1d" }] } },
        gateway: { envoyProxy: { service: { type: "ClusterIP" } } },
        apiKeys: {
            openai: config.requireSecret("openaiKey"),
            anthropic: config.requireSecret("anthropicKey"),
            "team-a-key": config.requireSecret("teamAKey"),
        },
    },
});

export const models = gateway.models;
export const firstCallCommand = gateway.firstCallCommand;
