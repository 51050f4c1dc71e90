import * as assert from "node:assert/strict";
import { bedrockInvokePolicy, irsaTrustPolicy, oidcIssuerOf, podIdentityTrustPolicy } from "../components/manifests/aws";
import { arnCovers, envoyAwsIdentity, envoyServiceAccountName, requiredModelArns } from "../plan/aws";
import { envoyPodsNamespace } from "../plan/platform";
import { parseConfig } from "../plan";
import { configProblems } from "./harness";

// ai-gateway:aws validation and the pure builders behind BedrockAccess. No Pulumi here.

const OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const HAIKU_ARN = `arn:aws:bedrock:us-west-2::foundation-model/${HAIKU}`;

/** A backend on the default credential chain (Pod Identity / IRSA) and one model routed to it. */
const bedrockStack = (aws: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) => ({
    backends: { bedrock: { schema: "AWSBedrock", auth: { type: "AWSCredentials" } } },
    models: { chat: { backends: [{ backend: "bedrock", model: HAIKU }] } },
    routing: { minBackendsPerModel: 1 },
    // Client authentication is not what these tests are about (something in front authenticates).
    auth: { none: true },
    ...(aws !== undefined && { aws }),
    ...extra,
});
const podIdentity = { region: "us-west-2", eksClusterName: "prod", podIdentity: true };

describe("config: ai-gateway:aws", () => {
    it("accepts Pod Identity, IRSA, and a region alone (credentials from elsewhere)", () => {
        assert.doesNotThrow(() => parseConfig(bedrockStack(podIdentity)));
        assert.doesNotThrow(() => parseConfig(bedrockStack({ region: "us-west-2", irsa: { oidcProviderArn: OIDC_ARN } })));
        assert.doesNotThrow(() => parseConfig(bedrockStack({ region: "us-west-2" })));
    });

    it("defaults: podIdentity off, no IRSA, every model, generated role name, no tags", () => {
        assert.deepEqual(parseConfig({ aws: { region: "eu-central-1" } }).aws, { region: "eu-central-1", podIdentity: false, tags: {} });
    });

    it("region in AWS spelling", () => {
        assert.deepEqual(configProblems({ aws: { region: "US West 2" } }), ["aws.region: is not an AWS region; use e.g. us-west-2"]);
        assert.deepEqual(configProblems({ aws: {} }), ["aws.region: is required; set it to a string"]);
        for (const region of ["us-west-2", "eu-central-1", "ap-southeast-1", "us-gov-west-1", "cn-north-1"]) {
            assert.doesNotThrow(() => parseConfig({ aws: { region } }), region);
        }
    });

    it("eksClusterName is required with podIdentity", () => {
        assert.deepEqual(configProblems(bedrockStack({ region: "us-west-2", podIdentity: true })), [
            "aws.eksClusterName: is required with podIdentity: true: the Pod Identity association is made in that cluster; set it to your EKS cluster's name",
        ]);
        assert.deepEqual(configProblems({ aws: { region: "us-west-2", eksClusterName: "my cluster" } }), [
            "aws.eksClusterName: is not an EKS cluster name; use letters, digits, '-' and '_' (at most 100), as `aws eks list-clusters` shows it",
        ]);
    });

    it("podIdentity and irsa exclude each other", () => {
        assert.deepEqual(configProblems(bedrockStack({ ...podIdentity, irsa: { oidcProviderArn: OIDC_ARN } })), [
            "aws.irsa: cannot be used together with podIdentity: true, the Envoy pods get one identity; remove irsa, or set podIdentity: false",
        ]);
    });

    it("irsa needs the ARN of the cluster's IAM OIDC provider", () => {
        assert.deepEqual(configProblems({ aws: { region: "us-west-2", irsa: {} } }), [
            "aws.irsa.oidcProviderArn: is required; set the ARN of the cluster's IAM OIDC provider, e.g. arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE",
        ]);
        assert.deepEqual(configProblems({ aws: { region: "us-west-2", irsa: { oidcProviderArn: "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE" } } }), [
            "aws.irsa.oidcProviderArn: is not an IAM OIDC provider ARN; use e.g. arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE (aws eks describe-cluster --query cluster.identity.oidc.issuer gives the part after oidc-provider/)",
        ]);
    });

    it("an identity no backend uses is warned: nothing on AWS would be created", () => {
        const msg = "does nothing: no backend signs with the AWS default credential chain (auth.type AWSCredentials without credentialsSecret or oidcExchange), so no IAM role or binding is created; add such a backend, or remove it";
        assert.deepEqual(parseConfig({ aws: podIdentity }).warnings, [`aws.podIdentity: ${msg}`]);
        assert.deepEqual(parseConfig({ aws: { region: "us-west-2", irsa: { oidcProviderArn: OIDC_ARN } } }).warnings, [`aws.irsa: ${msg}`]);
        assert.deepEqual(parseConfig({ aws: { region: "us-west-2" } }).warnings, [], "a region alone asks for no identity");
        assert.deepEqual(parseConfig(bedrockStack(podIdentity)).warnings.filter((w) => w.startsWith("aws.")), []);
    });

    it("roleArn: an existing role, whose trust and permissions the program leaves alone", () => {
        const existing = "arn:aws:iam::123456789012:role/bedrock-envoy";
        assert.equal(parseConfig(bedrockStack({ ...podIdentity, roleArn: existing, tags: { team: "ai" } })).aws?.roleArn, existing);
        assert.doesNotThrow(() => parseConfig(bedrockStack({ region: "us-west-2", irsa: {}, roleArn: "arn:aws:iam::123456789012:role/a/b/c" })));
        const fix = "does nothing with aws.roleArn: the program creates no role and leaves the existing one's trust and permissions as they are; remove it, or remove roleArn to let the program create the role";
        assert.deepEqual(
            configProblems(
                bedrockStack({ region: "us-west-2", irsa: { oidcProviderArn: OIDC_ARN }, roleArn: existing, roleName: "x", modelArns: [HAIKU_ARN], tags: { team: "ai" } }),
            ),
            [`aws.roleName: ${fix}`, `aws.modelArns: ${fix}`, `aws.irsa.oidcProviderArn: ${fix}`, `aws.tags: ${fix}`],
        );
        assert.deepEqual(configProblems(bedrockStack({ ...podIdentity, roleArn: "bedrock-envoy" })), [
            "aws.roleArn: is not an IAM role ARN; use e.g. arn:aws:iam::123456789012:role/bedrock-access",
        ]);
    });

    it("roleName, modelArns and tags in the shapes IAM accepts", () => {
        assert.deepEqual(configProblems({ aws: { region: "us-west-2", roleName: "bedrock role" } }), [
            "aws.roleName: is not an IAM role name; use at most 64 letters, digits and + = , . @ _ -",
        ]);
        assert.deepEqual(configProblems({ aws: { region: "us-west-2", modelArns: ["*"] } }), [
            "aws.modelArns[0]: is not a Bedrock ARN; use e.g. arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0 (leave modelArns unset to allow every model)",
        ]);
        assert.deepEqual(configProblems({ aws: { region: "us-west-2", modelArns: [] } }), [
            "aws.modelArns: is empty; list the model ARNs the gateway may invoke, or remove the key to allow every model",
        ]);
        assert.deepEqual(configProblems({ aws: { region: "us-west-2", tags: { team: "x".repeat(257) } } }), ["aws.tags.team: is longer than 256 characters; shorten the tag value"]);
    });
});

describe("config: AWS backends need an identity or a credentials file", () => {
    it("a default-chain backend without ai-gateway:aws: one message, naming both ways out", () => {
        assert.deepEqual(configProblems(bedrockStack(undefined)), [
            "backends.bedrock.auth: uses the AWS default credential chain (no credentialsSecret or oidcExchange), but ai-gateway:aws is not set, so the Envoy pods get no AWS credentials; on EKS set ai-gateway:aws {region, eksClusterName, podIdentity: true}, elsewhere set auth.credentialsSecret to a credentials file in ai-gateway:apiKeys, or auth.oidcExchange",
        ]);
    });

    it("a credentials-file backend needs no ai-gateway:aws, only a region", () => {
        const file = { schema: "AWSAnthropic", auth: { type: "AWSCredentials", credentialsSecret: "aws" } };
        assert.deepEqual(configProblems({ backends: { claude: file }, apiKeys: { aws: "[default]" } }), [
            "backends.claude.auth.region: is required: AWSAnthropic requests are signed for a region and ai-gateway:aws.region is not set; set it, e.g. us-west-2",
        ]);
        assert.doesNotThrow(() => parseConfig({ backends: { claude: { ...file, auth: { ...file.auth, region: "us-east-1" } } }, apiKeys: { aws: "[default]" } }));
    });

    it("the Envoy pods' ServiceAccount can only be pinned through the EnvoyProxy the Gateway uses", () => {
        assert.deepEqual(configProblems(bedrockStack(podIdentity, { gateway: { envoyProxy: { enabled: false } } })), [
            "gateway.envoyProxy.enabled: is false, but aws.podIdentity binds an IAM role to the Envoy pods' ServiceAccount, which only the EnvoyProxy can pin; set enabled: true, or give the backends auth.credentialsSecret instead",
        ]);
        assert.deepEqual(configProblems(bedrockStack({ region: "us-west-2", irsa: { oidcProviderArn: OIDC_ARN } }, { gateway: { infrastructure: { enabled: false } } })), [
            "gateway.infrastructure.enabled: is false, so the Gateway ignores the EnvoyProxy that pins the Envoy pods' ServiceAccount aws.irsa binds an IAM role to; set it to true",
        ]);
    });

    it("no identity needed (no default-chain backend): the EnvoyProxy may be off", () => {
        assert.doesNotThrow(() => parseConfig({ aws: podIdentity, gateway: { envoyProxy: { enabled: false } } }));
    });
});

describe("config: aws.modelArns covers the models routed to Bedrock", () => {
    const narrowed = (modelArns: string[], model = HAIKU) =>
        configProblems({ ...bedrockStack({ ...podIdentity, modelArns }), models: { chat: { backends: [{ backend: "bedrock", model }] } } });

    it("a foundation model missing from the list is refused with the ARN to add", () => {
        assert.deepEqual(narrowed(["arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0"]), [
            `aws.modelArns: does not cover model "${HAIKU}" (models.chat.backends[0], backend bedrock), so the Envoy pods' role may not invoke it; add ${HAIKU_ARN}, or remove modelArns to allow every model`,
        ]);
    });

    it("exact ARNs and IAM wildcards cover it; the region counts", () => {
        assert.doesNotThrow(() => parseConfig({ ...bedrockStack({ ...podIdentity, modelArns: [HAIKU_ARN] }) }));
        assert.doesNotThrow(() => parseConfig({ ...bedrockStack({ ...podIdentity, modelArns: ["arn:aws:bedrock:*::foundation-model/anthropic.*"] }) }));
        assert.equal(narrowed([`arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`]).length, 1, "another region's model is not this one");
    });

    it("an inference profile needs the profile and its foundation model", () => {
        const profile = "us.anthropic.claude-3-5-haiku-20241022-v1:0";
        assert.deepEqual(narrowed(["arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.*"], profile), [
            `aws.modelArns: does not cover model "${profile}" (models.chat.backends[0], backend bedrock), so the Envoy pods' role may not invoke it; add arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0, or remove modelArns to allow every model`,
        ]);
        const both = ["arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.*", "arn:aws:bedrock:*::foundation-model/anthropic.*"];
        assert.doesNotThrow(() => parseConfig({ ...bedrockStack({ ...podIdentity, modelArns: both }), models: { chat: { backends: [{ backend: "bedrock", model: profile }] } } }));
    });

    it("models of credentials-file backends are not the role's business", () => {
        const file = { schema: "AWSBedrock", auth: { type: "AWSCredentials", credentialsSecret: "aws" } };
        assert.doesNotThrow(() =>
            parseConfig({ ...bedrockStack({ ...podIdentity, modelArns: ["arn:aws:bedrock:us-west-2::foundation-model/none"] }), backends: { bedrock: file }, apiKeys: { aws: "[default]" } }),
        );
    });
});

describe("aws builders: the Envoy pods' identity", () => {
    const config = (raw: Record<string, unknown>) => parseConfig(raw);
    /** The identity with the ServiceAccount name the plan gives it. */
    const identityOf = (c: ReturnType<typeof config>) => envoyAwsIdentity(c, envoyServiceAccountName(c.gateway));

    it("pins <gateway>-envoy unless envoyProxy.serviceAccountName names one", () => {
        assert.equal(envoyServiceAccountName(config({ gateway: { name: "edge" } }).gateway), "edge-envoy");
        assert.equal(envoyServiceAccountName(config({ gateway: { envoyProxy: { serviceAccountName: "ai-gateway-dataplane-aws" } } }).gateway), "ai-gateway-dataplane-aws");
    });

    it("the Envoy pods run in Envoy Gateway's namespace, or the Gateway's in GatewayNamespace mode", () => {
        const eg = (values: Record<string, unknown>) => ({ namespace: "envoy-gateway-system", values });
        assert.equal(envoyPodsNamespace(eg({}), "ai-gateway"), "envoy-gateway-system");
        assert.equal(envoyPodsNamespace(eg({ config: { envoyGateway: { provider: { kubernetes: { deploy: { type: "ControllerNamespace" } } } } } }), "ai-gateway"), "envoy-gateway-system");
        assert.equal(envoyPodsNamespace(eg({ config: { envoyGateway: { provider: { type: "Kubernetes", kubernetes: { deploy: { type: "GatewayNamespace" } } } } } }), "ai-gateway"), "ai-gateway");
    });

    it("an identity only when ai-gateway:aws asks for one and a backend signs with the default chain", () => {
        assert.equal(identityOf(config(bedrockStack({ region: "us-west-2" }))), undefined, "neither podIdentity nor irsa");
        assert.equal(identityOf(config({ aws: podIdentity })), undefined, "no AWS backend");
        const file = { schema: "AWSBedrock", auth: { type: "AWSCredentials", credentialsSecret: "aws" } };
        assert.equal(identityOf(config({ aws: podIdentity, backends: { bedrock: file }, apiKeys: { aws: "x" } })), undefined, "credentials file only");
        assert.deepEqual(identityOf(config(bedrockStack(podIdentity))), {
            mechanism: "podIdentity",
            serviceAccount: "ai-gateway-envoy",
            namespace: "envoy-gateway-system",
            backends: ["bedrock"],
        });
        assert.equal(identityOf(config(bedrockStack({ region: "us-west-2", irsa: { oidcProviderArn: OIDC_ARN } })))?.mechanism, "irsa");
    });
});

describe("aws builders: IAM documents", () => {
    const identity = { namespace: "envoy-gateway-system", serviceAccount: "ai-gateway-envoy" };

    it("Pod Identity trust: pods.eks.amazonaws.com may AssumeRole and TagSession, for this cluster, namespace and ServiceAccount only", () => {
        assert.deepEqual(podIdentityTrustPolicy("prod", identity), {
            Version: "2012-10-17",
            Statement: [
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
            ],
        });
    });

    it("IRSA trust: web identity from the cluster's OIDC provider, for this ServiceAccount and STS", () => {
        const issuer = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
        assert.equal(oidcIssuerOf(OIDC_ARN), issuer);
        assert.deepEqual(irsaTrustPolicy(OIDC_ARN, identity), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "IrsaForEnvoyPods",
                    Effect: "Allow",
                    Principal: { Federated: OIDC_ARN },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            [`${issuer}:sub`]: "system:serviceaccount:envoy-gateway-system:ai-gateway-envoy",
                            [`${issuer}:aud`]: "sts.amazonaws.com",
                        },
                    },
                },
            ],
        });
    });

    it("permissions: InvokeModel and InvokeModelWithResponseStream, on every model or only the configured ARNs", () => {
        const actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];
        assert.deepEqual(bedrockInvokePolicy(undefined), { Version: "2012-10-17", Statement: [{ Sid: "InvokeBedrockModels", Effect: "Allow", Action: actions, Resource: "*" }] });
        assert.deepEqual(bedrockInvokePolicy([HAIKU_ARN, HAIKU_ARN, "arn:aws:bedrock:*::foundation-model/amazon.*"]).Statement[0].Resource, [HAIKU_ARN, "arn:aws:bedrock:*::foundation-model/amazon.*"]);
    });

    it("the ARNs a model id needs: foundation model, inference profile plus its model, an ARN as is; partitions follow the region", () => {
        assert.deepEqual(requiredModelArns(HAIKU, "us-west-2"), [HAIKU_ARN]);
        assert.deepEqual(requiredModelArns("eu.amazon.nova-lite-v1:0", "eu-west-1"), ["arn:aws:bedrock:eu-west-1:*:inference-profile/eu.amazon.nova-lite-v1:0", "arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0"]);
        const provisioned = "arn:aws:bedrock:us-west-2:123456789012:provisioned-model/abc123";
        assert.deepEqual(requiredModelArns(provisioned, "us-west-2"), [provisioned]);
        assert.deepEqual(requiredModelArns(HAIKU, "cn-north-1"), [`arn:aws-cn:bedrock:cn-north-1::foundation-model/${HAIKU}`]);
    });

    it("coverage is segment by segment, with IAM's * and ?", () => {
        assert.ok(arnCovers(HAIKU_ARN, HAIKU_ARN));
        assert.ok(arnCovers("arn:aws:bedrock:us-*::foundation-model/anthropic.claude-3-haiku-*", HAIKU_ARN));
        assert.ok(arnCovers("arn:aws:bedrock:us-west-?::foundation-model/*", HAIKU_ARN));
        assert.ok(!arnCovers("arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku", HAIKU_ARN), "a prefix is not a match");
        assert.ok(!arnCovers("arn:aws:bedrock:*::foundation-model/*", "arn:aws:bedrock:us-west-2:*:inference-profile/us.x"), "a model ARN does not cover a profile");
        assert.ok(arnCovers("arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.x", "arn:aws:bedrock:us-west-2:*:inference-profile/us.x"), "the account is not known from the config");
    });
});
