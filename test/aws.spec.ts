import * as assert from "node:assert/strict";
import type { EnvoyProxySpec } from "../specs";
import { MOCK_AWS_ACCOUNT } from "../scripts/mocks";
import { catalog } from "./support/conformance";
import { customResources, evaluate, stackFileConfig, valueOf, type Evaluation } from "./harness";

// BedrockAccess under the recording mocks: what reaches AWS and Kubernetes for Bedrock backends.

const TYPE = {
    component: "ai-gateway:aws:BedrockAccess",
    provider: "pulumi:providers:aws",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    serviceAccountPatch: "kubernetes:core/v1:ServiceAccountPatch",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
};
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const ROLE_ARN = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/bedrock-access-role`;
const podIdentity = { region: "us-west-2", eksClusterName: "prod", podIdentity: true };
const irsa = { region: "us-west-2", irsa: { oidcProviderArn: OIDC_ARN } };
const GATEWAY_NAMESPACE_MODE = { envoyGateway: { values: { config: { envoyGateway: { provider: { kubernetes: { deploy: { type: "GatewayNamespace" } } } } } } } };

/** Both Bedrock schemas on the default credential chain: Converse for OpenAI clients, Messages for Anthropic clients. */
const bedrockConfig = (aws: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) => ({
    backends: {
        bedrock: { schema: "AWSBedrock", auth: { type: "AWSCredentials" } },
        claude: { schema: "AWSAnthropic", auth: { type: "AWSCredentials" } },
    },
    models: {
        chat: { backends: [{ backend: "bedrock", model: HAIKU }] },
        [HAIKU]: { backends: [{ backend: "claude" }] },
    },
    routing: { minBackendsPerModel: 1 },
    // Client authentication is not what these tests are about (something in front authenticates).
    auth: { none: true },
    ...(aws !== undefined && { aws }),
    ...extra,
});

const json = (v: unknown) => JSON.parse(v as string) as { Statement: Record<string, unknown>[] };
const awsResources = (e: Evaluation) => e.resources.filter((r) => r.type.startsWith("aws:") || r.type === TYPE.provider || r.type === TYPE.component);
const envoyServiceAccount = (e: Evaluation) => (e.object("EnvoyProxy", "ai-gateway").spec as EnvoyProxySpec).provider?.kubernetes?.envoyServiceAccount;

describe("BedrockAccess: EKS Pod Identity", () => {
    let e: Evaluation;
    before(async () => {
        e = await evaluate(bedrockConfig({ ...podIdentity, tags: { team: "platform" } }));
    });

    it("one component with a provider, the role, its invoke policy and the association", () => {
        assert.equal(e.get(TYPE.component, "bedrock-access").parent, "ai-gateway", "a child of the AiGateway component");
        assert.deepEqual(awsResources(e).map((r) => `${r.type} ${r.name} <- ${r.parent}`), [
            `${TYPE.component} bedrock-access <- ai-gateway`,
            `${TYPE.provider} bedrock-access-provider <- bedrock-access`,
            `${TYPE.role} bedrock-access-role <- bedrock-access`,
            `${TYPE.rolePolicy} bedrock-access-invoke <- bedrock-access`,
            `${TYPE.association} bedrock-access-pod-identity <- bedrock-access`,
        ]);
    });

    it("every AWS resource goes through the explicit provider for ai-gateway:aws.region, with the tags as default tags", () => {
        for (const r of awsResources(e).filter((r) => r.type.startsWith("aws:"))) assert.equal(r.provider, "bedrock-access-provider", r.name);
        const provider = e.get(TYPE.provider, "bedrock-access-provider").inputs;
        assert.equal(provider.region, "us-west-2");
        assert.deepEqual(JSON.parse(provider.defaultTags as string), { tags: { team: "platform" } });
    });

    it("trust: pods.eks.amazonaws.com may AssumeRole and TagSession, for this cluster and the Envoy pods' ServiceAccount only", () => {
        const role = e.get(TYPE.role, "bedrock-access-role").inputs;
        assert.deepEqual(json(role.assumeRolePolicy).Statement, [
            {
                Sid: "EksPodIdentityForEnvoyPods",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:RequestTag/eks-cluster-name": "prod",
                        "aws:RequestTag/kubernetes-namespace": "envoy-gateway-system",
                        "aws:RequestTag/kubernetes-service-account": "ai-gateway-envoy",
                    },
                },
            },
        ]);
        assert.equal(role.name, undefined, "Pulumi names the role unless aws.roleName is set");
    });

    it("permissions: InvokeModel and InvokeModelWithResponseStream on every model, attached to the role", () => {
        const policy = e.get(TYPE.rolePolicy, "bedrock-access-invoke");
        assert.equal(policy.inputs.role, "bedrock-access-role");
        assert.deepEqual(policy.dependsOn, ["bedrock-access-role"]);
        assert.deepEqual(json(policy.inputs.policy).Statement, [
            { Sid: "InvokeBedrockModels", Effect: "Allow", Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], Resource: "*" },
        ]);
    });

    it("the association names the ServiceAccount the EnvoyProxy pins, in the namespace the Envoy pods run in", () => {
        const association = e.get(TYPE.association, "bedrock-access-pod-identity").inputs;
        assert.deepEqual(association, { clusterName: "prod", namespace: "envoy-gateway-system", serviceAccount: "ai-gateway-envoy", roleArn: ROLE_ARN });
        assert.deepEqual(envoyServiceAccount(e), { name: association.serviceAccount });
        assert.equal(e.config.platform.envoyGateway.namespace, association.namespace);
        assert.deepEqual(e.all(TYPE.serviceAccountPatch), [], "Pod Identity needs no annotation");
    });

    it("the Gateway, which starts the Envoy pods, waits for the association and the permissions", () => {
        const deps = e.get(TYPE.gateway, "gateway-core-gateway").dependsOn;
        for (const name of ["bedrock-access-pod-identity", "bedrock-access-invoke", "bedrock-access-role"]) assert.ok(deps.includes(name), `${name} in ${deps.join(", ")}`);
    });

    it("BackendSecurityPolicy: AWSCredentials with the region and no credentials file, so the default chain finds Pod Identity", () => {
        for (const backend of ["bedrock", "claude"]) {
            assert.deepEqual(e.object("BackendSecurityPolicy", `ai-gateway-${backend}-credentials`).spec, {
                type: "AWSCredentials",
                targetRefs: [{ group: "aigateway.envoyproxy.io", kind: "AIServiceBackend", name: `ai-gateway-${backend}` }],
                awsCredentials: { region: "us-west-2" },
            });
        }
        assert.deepEqual(e.objects("Secret").filter((s) => s.metadata.name.includes("credentials")), []);
    });

    it("Bedrock backends: the region's runtime host on 443 with TLS; AWSAnthropic at bedrock-2023-05-31", () => {
        assert.deepEqual(e.object("Backend", "ai-gateway-bedrock").spec, { endpoints: [{ fqdn: { hostname: "bedrock-runtime.us-west-2.amazonaws.com", port: 443 } }] });
        assert.equal((e.object("BackendTLSPolicy", "ai-gateway-bedrock-tls").spec.validation as { hostname: string }).hostname, "bedrock-runtime.us-west-2.amazonaws.com");
        assert.deepEqual(e.object("AIServiceBackend", "ai-gateway-claude").spec.schema, { name: "AWSAnthropic", version: "bedrock-2023-05-31" });
        assert.deepEqual(e.object("AIServiceBackend", "ai-gateway-bedrock").spec.schema, { name: "AWSBedrock" });
    });

    it("the role's ARN is a stack output", async () => {
        assert.equal(await valueOf(e.outputs.bedrockRoleArn!), ROLE_ARN);
    });

    it("the render of a Bedrock configuration passes conformance", () => {
        const objects = customResources(e);
        assert.ok(objects.some((o) => o.kind === "BackendSecurityPolicy"));
        assert.deepEqual(objects.flatMap((o) => catalog().validate(o)), []);
    });
});

describe("BedrockAccess: the ServiceAccount and namespace agree by construction", () => {
    it("GatewayNamespace mode: the Envoy pods, and so the association, are in the Gateway's namespace", async () => {
        const e = await evaluate(bedrockConfig(podIdentity, { platform: GATEWAY_NAMESPACE_MODE, gateway: { namespace: "llm" } }));
        const association = e.get(TYPE.association, "bedrock-access-pod-identity").inputs;
        assert.equal(association.namespace, "llm");
        assert.deepEqual(envoyServiceAccount(e), { name: association.serviceAccount });
        const trust = json(e.get(TYPE.role, "bedrock-access-role").inputs.assumeRolePolicy).Statement[0].Condition as { StringEquals: Record<string, string> };
        assert.equal(trust.StringEquals["aws:RequestTag/kubernetes-namespace"], "llm");
    });

    it("a ServiceAccount pinned in envoyProxy.serviceAccountName is the one bound", async () => {
        const e = await evaluate(bedrockConfig(podIdentity, { gateway: { envoyProxy: { serviceAccountName: "ai-gateway-dataplane-aws" } } }));
        assert.equal(e.get(TYPE.association, "bedrock-access-pod-identity").inputs.serviceAccount, "ai-gateway-dataplane-aws");
        assert.deepEqual(envoyServiceAccount(e), { name: "ai-gateway-dataplane-aws" });
    });

    it("the default follows the Gateway's name", async () => {
        const e = await evaluate(bedrockConfig(podIdentity, { gateway: { name: "edge", className: "edge" } }));
        assert.equal(e.get(TYPE.association, "bedrock-access-pod-identity").inputs.serviceAccount, "edge-envoy");
        assert.deepEqual((e.object("EnvoyProxy", "edge").spec as EnvoyProxySpec).provider?.kubernetes?.envoyServiceAccount, { name: "edge-envoy" });
    });

    it("narrowed permissions and a fixed role name when configured", async () => {
        const arn = `arn:aws:bedrock:us-west-2::foundation-model/${HAIKU}`;
        const e = await evaluate(bedrockConfig({ ...podIdentity, modelArns: [arn], roleName: "ai-gateway-bedrock" }));
        assert.deepEqual(json(e.get(TYPE.rolePolicy, "bedrock-access-invoke").inputs.policy).Statement[0].Resource, [arn]);
        assert.equal(e.get(TYPE.role, "bedrock-access-role").inputs.name, "ai-gateway-bedrock");
        assert.equal(e.get(TYPE.association, "bedrock-access-pod-identity").inputs.roleArn, `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/ai-gateway-bedrock`);
    });
});

describe("BedrockAccess: IRSA", () => {
    const issuer = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

    it("the role trusts the cluster's OIDC provider for the Envoy pods' ServiceAccount; no association", async () => {
        const e = await evaluate(bedrockConfig(irsa));
        assert.deepEqual(json(e.get(TYPE.role, "bedrock-access-role").inputs.assumeRolePolicy).Statement, [
            {
                Sid: "IrsaForEnvoyPods",
                Effect: "Allow",
                Principal: { Federated: OIDC_ARN },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${issuer}:sub`]: "system:serviceaccount:envoy-gateway-system:ai-gateway-envoy", [`${issuer}:aud`]: "sts.amazonaws.com" } },
            },
        ]);
        assert.deepEqual(e.all(TYPE.association), []);
        for (const r of awsResources(e).filter((r) => r.type.startsWith("aws:"))) assert.equal(r.provider, "bedrock-access-provider", r.name);
    });

    it("the ServiceAccount the EnvoyProxy pins gets the role ARN annotation, before the Gateway starts its pods", async () => {
        const e = await evaluate(bedrockConfig(irsa));
        const patch = e.get(TYPE.serviceAccountPatch, "gateway-core-envoy-service-account");
        assert.deepEqual(patch.inputs, {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "ai-gateway-envoy", namespace: "envoy-gateway-system", annotations: { "eks.amazonaws.com/role-arn": ROLE_ARN } },
        });
        assert.deepEqual(envoyServiceAccount(e), { name: "ai-gateway-envoy" });
        assert.deepEqual(patch.dependsOn, ["bedrock-access-role", "envoy-gateway-crds", "envoy-gateway-release"], "Envoy Gateway's release creates its namespace");
        assert.ok(e.get(TYPE.gateway, "gateway-core-gateway").dependsOn.includes("gateway-core-envoy-service-account"));
    });

    it("GatewayNamespace mode: annotated in the Gateway's namespace, after the program creates it", async () => {
        const e = await evaluate(bedrockConfig(irsa, { platform: GATEWAY_NAMESPACE_MODE }));
        const patch = e.get(TYPE.serviceAccountPatch, "gateway-core-envoy-service-account");
        assert.equal((patch.inputs.metadata as { namespace: string }).namespace, "ai-gateway");
        assert.deepEqual(patch.dependsOn, ["bedrock-access-role", "gateway-core-namespace"]);
        const trust = json(e.get(TYPE.role, "bedrock-access-role").inputs.assumeRolePolicy).Statement[0].Condition as { StringEquals: Record<string, string> };
        assert.equal(trust.StringEquals[`${issuer}:sub`], "system:serviceaccount:ai-gateway:ai-gateway-envoy");
    });
});

describe("BedrockAccess: an existing role (aws.roleArn)", () => {
    const EXISTING = "arn:aws:iam::123456789012:role/platform/bedrock-envoy";

    it("Pod Identity: no role and no policy; the association binds the existing role", async () => {
        const e = await evaluate(bedrockConfig({ ...podIdentity, roleArn: EXISTING }));
        assert.deepEqual(awsResources(e).map((r) => `${r.type} ${r.name}`), [`${TYPE.component} bedrock-access`, `${TYPE.provider} bedrock-access-provider`, `${TYPE.association} bedrock-access-pod-identity`]);
        assert.equal(e.get(TYPE.association, "bedrock-access-pod-identity").inputs.roleArn, EXISTING);
        assert.ok(e.get(TYPE.gateway, "gateway-core-gateway").dependsOn.includes("bedrock-access-pod-identity"));
        assert.equal(await valueOf(e.outputs.bedrockRoleArn!), EXISTING);
    });

    it("IRSA: nothing on AWS at all; the ServiceAccount is annotated with the existing role", async () => {
        const e = await evaluate(bedrockConfig({ region: "us-west-2", irsa: {}, roleArn: EXISTING }));
        assert.deepEqual(awsResources(e).map((r) => `${r.type} ${r.name}`), [`${TYPE.component} bedrock-access`]);
        const patch = e.get(TYPE.serviceAccountPatch, "gateway-core-envoy-service-account");
        assert.deepEqual((patch.inputs.metadata as { annotations: Record<string, string> }).annotations, { "eks.amazonaws.com/role-arn": EXISTING });
    });
});

describe("BedrockAccess: nothing on AWS unless a backend needs it", () => {
    const nothingAws = (e: Evaluation) => {
        assert.deepEqual(awsResources(e).map((r) => r.name), []);
        assert.deepEqual(e.all(TYPE.serviceAccountPatch), []);
        assert.equal(envoyServiceAccount(e), undefined, "Envoy Gateway keeps naming the ServiceAccount");
        assert.equal(e.outputs.bedrockRoleArn, undefined);
    };

    it("no AWS backend, even with podIdentity on", async () => {
        nothingAws(await evaluate({ aws: podIdentity }));
        nothingAws(await evaluate({}));
    });

    it("AWS backends with a credentials file (clusters outside EKS): the file, no role", async () => {
        const e = await evaluate({
            backends: { bedrock: { schema: "AWSBedrock", auth: { type: "AWSCredentials", region: "eu-west-1", credentialsSecret: "aws", profile: "bedrock" } } },
            models: { chat: { backends: [{ backend: "bedrock", model: HAIKU }] } },
            routing: { minBackendsPerModel: 1 },
            apiKeys: { aws: "[bedrock]\naws_access_key_id = x\naws_secret_access_key = y" },
            aws: podIdentity,
            auth: { none: true },
        });
        nothingAws(e);
        assert.deepEqual(e.object("BackendSecurityPolicy", "ai-gateway-bedrock-credentials").spec.awsCredentials, {
            region: "eu-west-1",
            credentialsFile: { secretRef: { name: "ai-gateway-bedrock-credentials", namespace: "ai-gateway" }, profile: "bedrock" },
        });
        assert.equal(e.objects("Secret").filter((s) => s.metadata.name === "ai-gateway-bedrock-credentials").length, 1);
    });

    it("ai-gateway:aws without podIdentity or irsa: the pods' credentials come from elsewhere", async () => {
        nothingAws(await evaluate(bedrockConfig({ region: "us-west-2" })));
    });
});

describe("BedrockAccess: prod stack", () => {
    it("Claude on Bedrock is gpt-4o-mini's last fallback, through Pod Identity, allowed that one model", async () => {
        const e = await evaluate(stackFileConfig("prod"));
        const rule = e.objects("AIGatewayRoute").flatMap((r) => r.spec.rules as { name: string; backendRefs: { name: string; priority: number; modelNameOverride?: string }[] }[]).find((r) => r.name === "gpt-4o-mini")!;
        assert.deepEqual(rule.backendRefs.at(-1), { name: "ai-gateway-bedrock", modelNameOverride: HAIKU, priority: 2 });
        assert.deepEqual(e.object("AIServiceBackend", "ai-gateway-bedrock").spec.schema, { name: "AWSBedrock" }, "OpenAI-schema clients reach it at /v1/chat/completions");
        const association = e.get(TYPE.association, "bedrock-access-pod-identity").inputs;
        assert.deepEqual([association.namespace, association.serviceAccount], ["envoy-gateway-system", "ai-gateway-envoy"]);
        assert.deepEqual(envoyServiceAccount(e), { name: "ai-gateway-envoy" });
        assert.deepEqual(json(e.get(TYPE.rolePolicy, "bedrock-access-invoke").inputs.policy).Statement[0].Resource, [`arn:aws:bedrock:us-west-2::foundation-model/${HAIKU}`]);
    });
});
