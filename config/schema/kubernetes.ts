import { z } from "zod";
import { dnsLabel, k8sName, nonNegativeInt, stringMap } from "./primitives";

/**
 * Kubernetes core types the stack configuration passes into custom resources (pod settings of the
 * Envoy proxies, the extProc container). Top-level keys are checked, so a typo is an error here
 * rather than a field the API server silently drops.
 */

/** Environment variable names as the API server accepts them (C identifiers, plus '-' and '.'). */
export const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export const envVarName = z.string().superRefine((v, ctx) => {
    if (!ENV_NAME.test(v)) {
        ctx.addIssue({
            code: "custom",
            message: `"${v}" is not a valid environment variable name; use letters, digits, '_', '-' and '.', not starting with a digit (e.g. OTEL_SERVICE_NAME)`,
        });
    }
});

const keySelector = z.strictObject({
    name: k8sName,
    key: z.string().min(1, "is empty; name the key inside the object"),
    optional: z.boolean().optional(),
});

/** A container environment variable: a literal `value`, or `valueFrom` a Secret, ConfigMap or pod field. */
export const envVarSchema = z.strictObject({
    name: envVarName,
    value: z.string({ error: "must be a string; quote the value" }).optional(),
    valueFrom: z
        .strictObject({
            secretKeyRef: keySelector.optional(),
            configMapKeyRef: keySelector.optional(),
            fieldRef: z.strictObject({ fieldPath: z.string().min(1), apiVersion: z.string().optional() }).optional(),
        })
        .optional(),
});

export const volumeMountSchema = z.strictObject({
    name: dnsLabel,
    mountPath: z.string().regex(/^\//, "is not an absolute path; use a path such as /etc/envoy/extra"),
    readOnly: z.boolean().optional(),
    subPath: z.string().optional(),
});

/** A pod volume: `name` plus one volume source (secret, configMap, emptyDir, projected, ...) as in a Pod spec. */
export const volumeSchema = z.looseObject({ name: dnsLabel });

export const tolerationSchema = z.strictObject({
    key: z.string().optional(),
    operator: z.enum(["Exists", "Equal"]).optional(),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

const looseRecord = z.record(z.string(), z.unknown());

/** Node, pod and anti-pod affinity, each as in a Pod spec. */
export const affinitySchema = z.strictObject({
    nodeAffinity: looseRecord.optional(),
    podAffinity: looseRecord.optional(),
    podAntiAffinity: looseRecord.optional(),
});

const profile = z.strictObject({
    type: z.enum(["RuntimeDefault", "Unconfined", "Localhost"]),
    localhostProfile: z.string().optional(),
});

const seLinuxOptions = z.strictObject({
    level: z.string().optional(),
    role: z.string().optional(),
    type: z.string().optional(),
    user: z.string().optional(),
});

const windowsOptions = z.strictObject({
    gmsaCredentialSpec: z.string().optional(),
    gmsaCredentialSpecName: z.string().optional(),
    hostProcess: z.boolean().optional(),
    runAsUserName: z.string().optional(),
});

export const podSecurityContextSchema = z.strictObject({
    appArmorProfile: profile.optional(),
    fsGroup: nonNegativeInt.optional(),
    fsGroupChangePolicy: z.enum(["OnRootMismatch", "Always"]).optional(),
    runAsGroup: nonNegativeInt.optional(),
    runAsNonRoot: z.boolean().optional(),
    runAsUser: nonNegativeInt.optional(),
    seLinuxChangePolicy: z.string().optional(),
    seLinuxOptions: seLinuxOptions.optional(),
    seccompProfile: profile.optional(),
    supplementalGroups: z.array(nonNegativeInt).optional(),
    supplementalGroupsPolicy: z.enum(["Merge", "Strict"]).optional(),
    sysctls: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).optional(),
    windowsOptions: windowsOptions.optional(),
});

export const securityContextSchema = z.strictObject({
    allowPrivilegeEscalation: z.boolean().optional(),
    appArmorProfile: profile.optional(),
    capabilities: z.strictObject({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() }).optional(),
    privileged: z.boolean().optional(),
    procMount: z.enum(["Default", "Unmasked"]).optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    runAsGroup: nonNegativeInt.optional(),
    runAsNonRoot: z.boolean().optional(),
    runAsUser: nonNegativeInt.optional(),
    seLinuxOptions: seLinuxOptions.optional(),
    seccompProfile: profile.optional(),
    windowsOptions: windowsOptions.optional(),
});

/** Labels and annotations added to an object's metadata. */
export const metadataFields = {
    labels: stringMap.default({}),
    annotations: stringMap.default({}),
};

/** A whole number or a percentage, as PodDisruptionBudgets take them. */
export const intOrPercent = z.union(
    [nonNegativeInt, z.string().regex(/^\d{1,3}%$/, "is not a percentage; use a whole number such as 1, or a percentage such as 50%")],
    { error: "must be a whole number or a percentage; use e.g. 1 or 50%" },
);

export type EnvVarConfig = z.output<typeof envVarSchema>;
export type VolumeConfig = z.output<typeof volumeSchema>;
