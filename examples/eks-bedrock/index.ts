// Claude on Amazon Bedrock from an EKS cluster: the program creates an IAM role for the Envoy pods and an EKS Pod
// Identity association, so no AWS key is stored anywhere. Clients present a JWT of your issuer, over HTTPS only
// (the HTTP listener answers with a redirect).
//   pulumi config set clusterName my-cluster       (the EKS cluster; aws:region is its region)
//   kubectl -n ai-gateway create secret tls llm-tls --cert=tls.crt --key=tls.key   (or a cert-manager Certificate)
import * as pulumi from "@pulumi/pulumi";
import { AiGateway } from "ai-gateway";

const config = new pulumi.Config();
const region = new pulumi.Config("aws").require("region");

const gateway = new AiGateway("llm", {
    config: {
        aws: { region, eksClusterName: config.require("clusterName"), podIdentity: true },
        backends: {
            bedrock: { schema: "AWSBedrock", auth: { type: "AWSCredentials" } },
            "bedrock-us-east-1": { schema: "AWSBedrock", auth: { type: "AWSCredentials", region: "us-east-1" } },
        },
        models: {
            claude: {
                backends: [
                    { backend: "bedrock", model: "anthropic.claude-3-haiku-20240307-v1:0", priority: 0 },
                    { backend: "bedrock-us-east-1", model: "anthropic.claude-3-haiku-20240307-v1:0", priority: 1 },
                ],
            },
        },
        gateway: {
            listeners: [
                { name: "http", protocol: "HTTP", port: 80 },
                { name: "https", protocol: "HTTPS", port: 443, tls: { certificateRefs: [{ name: "llm-tls" }] } },
            ],
            redirectToHttps: true,
        },
        auth: { jwt: { issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/.well-known/jwks.json", userClaim: "sub" } },
        rateLimit: { perUser: { tokens: [{ limit: 500_000, window: "1d" }] } },
    },
});

export const models = gateway.models;
export const bedrockRoleArn = gateway.bedrockRoleArn;
export const firstCallCommand = gateway.firstCallCommand;
