import * as pulumi from "@pulumi/pulumi";
import { clusterWarnings } from "../config/loader";
import { parseConfig } from "../plan/public";
import { ApiKeys, type StackConfig } from "../config/stackConfig";
import type { StackConfigInput } from "../config/publicTypes";
import { buildStack, type StackOutputs } from "./stack";

export interface AiGatewayArgs {
    /**
     * The stack file's `ai-gateway:*` keys without the prefix, in the same shape (defaults apply), or a
     * configuration `loadConfig`/`parseConfig` has already validated. Plain values, not Outputs: which
     * resources exist depends on them, and every problem is reported before the first one is registered.
     */
    config: StackConfigInput | StackConfig;
}

/**
 * Envoy Gateway, Envoy AI Gateway, Redis and every route, budget and policy of one configuration. One per
 * program: the Kubernetes objects it names are cluster-wide. `opts.provider`/`opts.providers` and
 * `opts.parent` reach every child; unset, Kubernetes objects go to the default provider, which follows
 * the stack's `kubernetes:context`.
 */
export class AiGateway extends pulumi.ComponentResource {
    /** Namespaces of the platform and of the Gateway. */
    public readonly namespaces: StackOutputs["namespaces"];
    public readonly gatewayName: string;
    /** How to find the address clients call. */
    public readonly gatewayAddressCommand: string;
    /** The URL clients call, from the Gateway's status once it is Programmed (undefined behind a NodePort Service). */
    public readonly url: pulumi.Output<string | undefined>;
    /** The model names clients send (pattern entries left out). */
    public readonly models: string[];
    /** Finds the address and calls one model; a credential the gateway wants is a shell variable to fill. */
    public readonly firstCallCommand: string | undefined;
    public readonly redisUrl: pulumi.Output<string> | undefined;
    /** The IAM role the Envoy pods call Bedrock with, when there is one. */
    public readonly bedrockRoleArn: pulumi.Output<string> | undefined;
    /** What works but is probably not meant, as `<path>: <what>; <fix>` (also logged as warnings). */
    public readonly warnings: readonly string[];

    constructor(name: string, args: AiGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validated before super(): a configuration with a mistake registers nothing, this component included.
        const validated = isValidated(args.config) ? args.config : parseConfig(args.config);
        super("ai-gateway:index:AiGateway", name, {}, opts);
        // A validated configuration came through loadConfig, which has logged its warnings already. Without a
        // provider of its own, the component deploys through the stack's default one: warn about its cluster too.
        let warnings = validated.warnings;
        if (validated !== args.config) {
            const cluster = opts?.provider === undefined && opts?.providers === undefined ? clusterWarnings(validated) : [];
            warnings = [...validated.warnings, ...cluster];
            for (const w of warnings) void pulumi.log.warn(w, this);
        }
        const outputs = buildStack(validated, { parent: this });
        this.namespaces = outputs.namespaces;
        this.gatewayName = outputs.gatewayName;
        this.gatewayAddressCommand = outputs.gatewayAddressCommand;
        this.url = outputs.url;
        this.models = outputs.models;
        this.firstCallCommand = outputs.firstCallCommand;
        this.redisUrl = outputs.redisUrl;
        this.bedrockRoleArn = outputs.bedrockRoleArn;
        this.warnings = warnings;
        this.registerOutputs({
            namespaces: this.namespaces,
            gatewayName: this.gatewayName,
            url: this.url,
            models: this.models,
            redisUrl: this.redisUrl,
            bedrockRoleArn: this.bedrockRoleArn,
        });
    }
}

function isValidated(config: StackConfigInput | StackConfig): config is StackConfig {
    return config.apiKeys instanceof ApiKeys;
}
