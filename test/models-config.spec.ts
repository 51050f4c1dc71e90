import * as assert from "node:assert/strict";
import { parseConfig } from "../plan";
import { packingProblems } from "../plan/rules/models";
import { configProblems } from "./harness";

// Validation of ai-gateway:backends, ai-gateway:models, ai-gateway:routing and ai-gateway:retry.
// Every rule is checked with its exact message: the path, what is wrong, and how to fix it.

const local = (name: string, namespace = "default") => ({ schema: "OpenAI", hostname: `${name}.${namespace}.svc.cluster.local`, port: 80 });
const qwen = { a: local("qwen-a"), b: local("qwen-b"), c: local("qwen-c") };
const model = (...backends: Record<string, unknown>[]) => ({ backends });

describe("config: backends", () => {
    it("a host name is required, except for AWS schemas", () => {
        assert.deepEqual(configProblems({ backends: { vllm: { schema: "OpenAI", port: 8000 } } }), [
            "backends.vllm.hostname: is required for schema OpenAI; set the provider's host name (e.g. api.openai.com) or, for an in-cluster model, <service>.<namespace>.svc.cluster.local",
        ]);
    });

    it("a URL where a host name belongs, and a port out of range, at once", () => {
        assert.deepEqual(configProblems({ backends: { vllm: { schema: "OpenAI", hostname: "http://vllm.models.svc:8000/v1", port: 0 } } }), [
            'backends.vllm.hostname: "http://vllm.models.svc:8000/v1" is a URL, a host name belongs here; use "vllm.models.svc" (and set port/prefix separately)',
            "backends.vllm.port: is out of range; use a port from 1 to 65535",
        ]);
    });

    it("an unknown schema gets a did-you-mean", () => {
        assert.deepEqual(configProblems({ backends: { b: { ...local("b"), schema: "AWSBedrok" } } }), ['backends.b.schema: "AWSBedrok" is not allowed; did you mean "AWSBedrock"?']);
    });

    it("cloud schemas need matching credentials", () => {
        assert.deepEqual(configProblems({ backends: { vertex: { schema: "GCPVertexAI", hostname: "us-central1-aiplatform.googleapis.com" } } }), [
            'backends.vertex.auth: is required for schema GCPVertexAI; add auth with type "GCPCredentials"',
        ]);
        assert.deepEqual(
            configProblems({
                backends: { azure: { schema: "AzureOpenAI", version: "2025-01-01-preview", hostname: "x.openai.azure.com", auth: { type: "APIKey", secret: "azure" } } },
                apiKeys: { azure: "k" },
            }),
            ['backends.azure.auth.type: "APIKey" cannot authenticate AzureOpenAI requests; use "AzureAPIKey" or "AzureCredentials"'],
        );
    });

    it("required Azure fields", () => {
        const problems = configProblems({
            backends: { azure: { schema: "AzureOpenAI", hostname: "x.openai.azure.com", auth: { type: "AzureCredentials", clientID: "" } } },
        });
        assert.deepEqual(problems, [
            "backends.azure.auth.clientID: is empty; set the Azure application (client) ID",
            "backends.azure.auth.tenantID: is required; set the Azure tenant (directory) ID",
        ]);
        assert.deepEqual(configProblems({ backends: { azure: { schema: "AzureOpenAI", hostname: "x.openai.azure.com", auth: { type: "AzureAPIKey", secret: "azure" } } }, apiKeys: { azure: "k" } }), [
            "backends.azure.version: is required for schema AzureOpenAI; set the Azure OpenAI API version, e.g. 2025-01-01-preview",
        ]);
    });

    it("required GCP fields", () => {
        assert.deepEqual(configProblems({ backends: { vertex: { schema: "GCPVertexAI", hostname: "us-central1-aiplatform.googleapis.com", auth: { type: "GCPCredentials" } } } }), [
            "backends.vertex.auth.projectName: is required; set the GCP project name",
            "backends.vertex.auth.region: is required; set the GCP region, e.g. us-central1",
        ]);
    });

    it("AWS: a region from the backend or ai-gateway:aws.region, in AWS spelling", () => {
        const bedrock = { schema: "AWSBedrock", auth: { type: "AWSCredentials" } };
        const withFile = { schema: "AWSBedrock", auth: { type: "AWSCredentials", credentialsSecret: "aws" } };
        assert.deepEqual(configProblems({ backends: { bedrock: withFile }, apiKeys: { aws: "[default]" } }), [
            "backends.bedrock.auth.region: is required: AWSBedrock requests are signed for a region and ai-gateway:aws.region is not set; set it, e.g. us-west-2",
        ]);
        assert.deepEqual(configProblems({ backends: { bedrock: { ...bedrock, auth: { type: "AWSCredentials", region: "US West 2" } } } }), [
            "backends.bedrock.auth.region: is not an AWS region; use e.g. us-west-2",
        ]);
        assert.doesNotThrow(() => parseConfig({ backends: { bedrock }, aws: { region: "eu-west-1" } }));
        assert.deepEqual(configProblems({ backends: { bedrock: { ...bedrock, auth: { type: "AWSCredentials", region: "us-east-1", profile: "prod" } } }, aws: { region: "us-east-1" } }), [
            "backends.bedrock.auth.profile: only applies to a credentials file; set auth.credentialsSecret or remove the profile",
        ]);
    });

    it("prefix and version only where the schema uses them", () => {
        assert.deepEqual(
            configProblems({
                backends: {
                    bedrock: { schema: "AWSBedrock", prefix: "/v1", auth: { type: "AWSCredentials", region: "us-east-1" } },
                    openai: { schema: "OpenAI", hostname: "api.openai.com", version: "2024-01-01" },
                },
                aws: { region: "us-east-1" },
            }),
            [
                "backends.bedrock.prefix: is not used by schema AWSBedrock, only by OpenAI and Anthropic; remove it",
                "backends.openai.version: is not used by schema OpenAI; remove it (set prefix for a different path)",
            ],
        );
    });

    it("namespace must agree with an in-cluster host name", () => {
        assert.deepEqual(configProblems({ backends: { vllm: { ...local("vllm", "models"), namespace: "kserve" } } }), [
            'backends.vllm.namespace: "kserve" disagrees with hostname "vllm.models.svc.cluster.local", a service in namespace "models"; correct one of them',
        ]);
        assert.doesNotThrow(() => parseConfig({ backends: { vllm: { ...local("vllm", "models"), namespace: "models" } } }));
    });
});

describe("config: models", () => {
    it("weights are whole numbers from 0 to 1000000", () => {
        const problems = configProblems({ backends: qwen, models: { m: model({ backend: "a", weight: -1 }, { backend: "b", weight: 2_000_000 }) } });
        assert.deepEqual(problems, [
            "models.m.backends[0].weight: must not be negative; use 0 or more",
            "models.m.backends[1].weight: must be at most 1000000; scale the weights down",
        ]);
    });

    it("priorities that skip a level are an error, with the number to use", () => {
        assert.deepEqual(configProblems({ backends: qwen, models: { m: model({ backend: "a", priority: 0 }, { backend: "b", priority: 2 }) } }), [
            "models.m.backends[1].priority: is 2, but no backend of this model has priority 1; number priorities from 0 (primary) without gaps: use 1",
        ]);
        assert.deepEqual(configProblems({ backends: qwen, models: { m: model({ backend: "a", priority: 1 }, { backend: "b", priority: 1 }) } }), [
            "models.m.backends[0].priority: is 1, but no backend of this model has priority 0; number priorities from 0 (primary) without gaps: use 0",
        ]);
        assert.doesNotThrow(() => parseConfig({ backends: qwen, models: { m: model({ backend: "a" }, { backend: "b", priority: 1 }, { backend: "c", priority: 1 }) } }));
    });

    it("a priority level whose weights are all 0 gets no traffic", () => {
        assert.deepEqual(configProblems({ backends: qwen, models: { m: model({ backend: "a", weight: 0 }, { backend: "b", weight: 0 }, { backend: "c", priority: 1 }) } }), [
            "models.m.backends: every backend of priority 0 has weight 0, so that level never gets a request; give at least one of them a weight above 0",
        ]);
    });

    it("backendRequest is refused: Envoy Gateway would make it the whole request's timeout", () => {
        assert.deepEqual(configProblems({ backends: qwen, models: { m: { ...model({ backend: "a" }, { backend: "b" }), timeouts: { request: "10m", backendRequest: "2m" } } } }), [
            "models.m.timeouts.backendRequest: would end the whole request after 2m, not one attempt: Envoy Gateway puts it in place of timeouts.request on routes that retry through a traffic policy, as model routes do; remove it, and limit each attempt with ai-gateway:retry.perRetryTimeout",
        ]);
        assert.equal(parseConfig({ backends: qwen, models: { m: model({ backend: "a" }, { backend: "b" }) } }).models.m.timeouts.request, "120s");
    });

    it("a model name must be usable as a header value", () => {
        assert.deepEqual(configProblems({ backends: qwen, models: { " qwen": model({ backend: "a" }, { backend: "b" }), "qwen\u00e9": model({ backend: "a" }, { backend: "b" }) } }), [
            'models[" qwen"]: is not a usable model name: the gateway matches it as an HTTP header value; use printable ASCII (at most 4096 characters) without leading or trailing spaces',
            'models["qwen\u00e9"]: is not a usable model name: the gateway matches it as an HTTP header value; use printable ASCII (at most 4096 characters) without leading or trailing spaces',
        ]);
        // Ids with '/', ':', '.' and capitals are ordinary model names.
        assert.doesNotThrow(() =>
            parseConfig({ backends: qwen, models: { "Qwen/Qwen3-1.7B": model({ backend: "a" }, { backend: "b" }), "anthropic.claude-3-haiku-20240307-v1:0": model({ backend: "a" }, { backend: "b" }) } }),
        );
    });

    it("unknown backends, duplicates and too few backends, every problem at once", () => {
        const problems = configProblems({
            backends: { "qwen-primary": qwen.a, "qwen-secondary": qwen.b },
            models: {
                "virtual-qwen-model": model({ backend: "qwen-primary" }, { backend: "qwen-secundary" }, { backend: "qwen-primary" }),
                lonely: model({ backend: "qwen-primary", weight: -5 }),
            },
        });
        assert.deepEqual(problems, ["models.lonely.backends[0].weight: must not be negative; use 0 or more"]);
        const crossField = configProblems({
            backends: { "qwen-primary": qwen.a, "qwen-secondary": qwen.b },
            models: {
                "virtual-qwen-model": model({ backend: "qwen-primary" }, { backend: "qwen-secundary" }, { backend: "qwen-primary" }),
                lonely: model({ backend: "qwen-primary", priority: 1 }),
            },
        });
        assert.deepEqual(crossField, [
            'models.virtual-qwen-model.backends[1].backend: no backend "qwen-secundary"; did you mean "qwen-secondary"?',
            'models.virtual-qwen-model.backends[2].backend: backend "qwen-primary" is already listed at backends[0]; list each backend and model pair once (the same backend again needs another model)',
            "models.lonely.backends: has 1 backend(s), at least 2 are required to keep the model available; add backends or lower ai-gateway:routing.minBackendsPerModel",
            "models.lonely.backends[0].priority: is 1, but no backend of this model has priority 0; number priorities from 0 (primary) without gaps: use 0",
        ]);
    });

    it("5,000 models need no routing setting: a bucket of more than 15 models splits instead of being refused", () => {
        const many = Object.fromEntries([...Array(5000).keys()].map((i) => [`model-${i}`, model({ backend: "a" }, { backend: "b" })]));
        const config = parseConfig({ backends: qwen, models: many });
        assert.equal(config.routing.routeBuckets, 16);
        assert.deepEqual(config.warnings, []);
        const sixteen = Object.fromEntries([...Array(16).keys()].map((i) => [`model-${i}`, model({ backend: "a" }, { backend: "b" })]));
        assert.doesNotThrow(() => parseConfig({ backends: qwen, models: sixteen, routing: { routeBuckets: 1 } }));
    });

    it("more than 15 models under a prefix as deep as buckets split are refused, naming them and the fix", () => {
        // At 32 split bits this takes a deliberate search; at 2 bits, 70 names are enough to show the text.
        const names = [...Array(70).keys()].map((i) => `model-${i}`);
        const problems = packingProblems(names, 1, 2);
        assert.ok(problems.length >= 1);
        assert.match(
            problems[0],
            /^\d\d models \("model-\d+", "model-\d+", "model-\d+", "model-\d+", …\) fall in route bucket 0 and share the 2 bits of their name's SHA-256 that a bucket splits by, so their route cannot split into AIGatewayRoutes of at most 15 rules; rename \d+ of them \(another name hashes elsewhere\)$/,
        );
        // Models with a retry of their own: the group is named instead of a bucket.
        assert.match(packingProblems(names, 1, 2, "retry-81a194cc")[0], / fall in the route group retry-81a194cc \(the same retry\) and share the 2 bits /);
        assert.deepEqual(packingProblems(names, 1), [], "32 bits separate them");
        assert.deepEqual(configProblems({ routing: { routeBuckets: 2000 } }), ["routing.routeBuckets: must be at most 1024; use a power of two such as 16, 64 or 256"]);
    });
});

describe("config: retry", () => {
    const fallback = { backends: qwen, models: { m: model({ backend: "a" }, { backend: "b", priority: 1 }) } };

    it("status codes need the retriable-status-codes trigger; backOff must not shrink", () => {
        assert.deepEqual(configProblems({ retry: { retryOn: { triggers: ["connect-failure"] }, backOff: { baseInterval: "2s", maxInterval: "500ms" } } }), [
            "retry.retryOn.httpStatusCodes: only take effect with the trigger retriable-status-codes; add it to retry.retryOn.triggers, or remove the codes",
            "retry.backOff.maxInterval: 500ms is shorter than baseInterval 2s; raise it or lower retry.backOff.baseInterval",
        ]);
        assert.deepEqual(configProblems({ retry: { retryOn: { triggers: ["connect-faillure"] } } }), [
            'retry.retryOn.triggers[0]: "connect-faillure" is not allowed; did you mean "connect-failure"?',
        ]);
    });

    it("a model with a fallback priority needs retries that reach it", () => {
        assert.deepEqual(configProblems({ ...fallback, retry: { numAttemptsPerPriority: 0 } }), [
            'retry.numAttemptsPerPriority: is 0, so retries stay on priority 0 and "m" never falls back; set it to 1',
        ]);
        assert.deepEqual(configProblems({ ...fallback, retry: { numRetries: 1, numAttemptsPerPriority: 2 } }), [
            'retry.numRetries: is 1: with numAttemptsPerPriority 2 no attempt reaches priority 1, so "m" never falls back; set it to at least 2',
        ]);
        const two = { ...fallback, models: { ...fallback.models, n: fallback.models.m } };
        assert.deepEqual(configProblems({ ...two, retry: { numAttemptsPerPriority: 0 } }), [
            'retry.numAttemptsPerPriority: is 0, so retries stay on priority 0 and "m", "n" never fall back; set it to 1',
        ]);
        // Without fallback priorities, no retries at all is a valid choice.
        assert.doesNotThrow(() => parseConfig({ backends: qwen, models: { m: model({ backend: "a" }, { backend: "b" }) }, retry: { numRetries: 0, numAttemptsPerPriority: 0 } }));
    });
});

describe("config: apiKeys for backends", () => {
    it("every credential a backend names must be set, with the command that sets it", () => {
        const problems = configProblems({
            backends: {
                anthropic: { schema: "Anthropic", hostname: "api.anthropic.com", auth: { type: "AnthropicAPIKey", secret: "anthropic" } },
                bedrock: { schema: "AWSBedrock", auth: { type: "AWSCredentials", region: "us-east-1", credentialsSecret: "aws" } },
                vertex: { schema: "GCPVertexAI", hostname: "us-central1-aiplatform.googleapis.com", auth: { type: "GCPCredentials", projectName: "p", region: "us-central1", secret: "gcp" } },
            },
        });
        assert.deepEqual(problems, [
            `backends.anthropic.auth.secret: names secret "anthropic", which is not in ai-gateway:apiKeys; run: pulumi config set --secret --path 'apiKeys.anthropic' <value>`,
            `backends.bedrock.auth.credentialsSecret: names secret "aws", which is not in ai-gateway:apiKeys; run: pulumi config set --secret --path 'apiKeys.aws' <value>`,
            `backends.vertex.auth.secret: names secret "gcp", which is not in ai-gateway:apiKeys; run: pulumi config set --secret --path 'apiKeys.gcp' <value>`,
        ]);
    });
});
