// Qwen3 on vLLM pods (label app: vllm-qwen3, port 8000, in the gateway namespace) behind an InferencePool whose
// Endpoint Picker chooses a pod for each request. The model is priced at an internal charge-back rate, so spend
// budgets cap what each tenant and everyone together may use a day.
import { AiGateway } from "ai-gateway";

const gateway = new AiGateway("llm", {
    config: {
        backends: {
            "qwen-pool": {
                schema: "OpenAI",
                inferencePool: { selector: { app: "vllm-qwen3" }, targetPort: 8000, endpointPicker: { replicas: 1, modelServerType: "vllm" } },
                prices: { "Qwen/Qwen3-0.6B": { input: 0.05, output: 0.1 } },
            },
        },
        models: { qwen3: { backends: [{ backend: "qwen-pool", model: "Qwen/Qwen3-0.6B" }] } },
        routing: { minBackendsPerModel: 1 },
        // A proxy in front authenticates clients and sets x-tenant; budgets count all of a tenant's clients together.
        auth: { none: true },
        rateLimit: {
            global: { spend: [{ limit: 100, window: "1d" }] },
            tenants: { header: "x-tenant", budgets: { research: { spend: [{ limit: 20, window: "1d" }] }, product: { spend: [{ limit: 50, window: "1d" }] } } },
        },
        gateway: { envoyProxy: { service: { type: "ClusterIP" } } },
    },
});

export const models = gateway.models;
export const gatewayAddressCommand = gateway.gatewayAddressCommand;
