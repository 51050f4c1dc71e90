import { z } from "zod";

/** An AWS region name such as `us-west-2`. */
export const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "is not an AWS region; use e.g. us-west-2");

export const awsSchema = z.strictObject({
    region: awsRegion,
    eksClusterName: z.string().min(1).optional(),
    /** IAM role + EKS Pod Identity association for the Envoy pods' service account. */
    podIdentity: z.boolean().default(false),
});

export type AwsConfig = z.output<typeof awsSchema>;
