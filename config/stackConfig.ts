/**
 * The validated configuration's type and its API keys, without zod: the library's public declarations
 * import only this file, config/publicTypes.ts and config/errors.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfigValues } from "./publicTypes";

export const PROJECT = "ai-gateway";

/** The provider API keys and other secrets of ai-gateway:apiKeys. Values only ever leave as secret Outputs. */
export class ApiKeys {
    private readonly values: pulumi.Output<Record<string, string>>;

    constructor(
        /** The keys that are set, sorted. */
        public readonly names: readonly string[],
        values: Record<string, pulumi.Input<string>>,
    ) {
        // Whatever the caller passed (text, a secret Output, a promise), it leaves here only as a secret.
        this.values = pulumi.secret(pulumi.output(values));
    }

    /** The secret value of one key, still a secret Output. */
    secret(name: string): pulumi.Output<string> {
        if (!this.names.includes(name)) throw new Error(`apiKeys.${name} is not set (validation should have caught this)`);
        return this.values.apply((v) => v[name]);
    }
}

/** The validated stack configuration, with defaults applied. */
export interface StackConfig extends StackConfigValues {
    apiKeys: ApiKeys;
    /** What works but is probably not meant (contract §5), as `<path>: <what>; <fix>`. */
    warnings: readonly string[];
}
