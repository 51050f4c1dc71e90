import { z } from "zod";
import { doc } from "./docs";
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

const keySelector = (kind: string) =>
    z.strictObject({
        name: k8sName.describe(`name of the ${kind}`),
        key: z.string().min(1, "is empty; name the key inside the object").describe(`key inside the ${kind}`),
        optional: z.boolean().optional().describe(`whether the container starts without the ${kind} or its key`),
    });

/** A container environment variable: a literal `value`, or `valueFrom` a Secret, ConfigMap or pod field. */
export const envVarSchema = z.strictObject({
    name: envVarName.describe("variable name"),
    value: z.string({ error: "must be a string; quote the value" }).optional().describe("literal value"),
    valueFrom: z
        .strictObject({
            secretKeyRef: keySelector("Secret").optional().describe("a key of a Secret in the pod's namespace"),
            configMapKeyRef: keySelector("ConfigMap").optional().describe("a key of a ConfigMap in the pod's namespace"),
            fieldRef: z
                .strictObject({
                    fieldPath: z.string().min(1).describe("a field of the pod, e.g. `metadata.name` or `status.podIP`"),
                    apiVersion: z.string().optional().describe("API version the field path is written in (default `v1`)"),
                })
                .optional()
                .describe("a field of the pod"),
        })
        .optional()
        .describe("where the value comes from instead of `value`"),
});

export const volumeMountSchema = z.strictObject({
    name: dnsLabel.describe("the pod volume to mount (a name in `pod.volumes`)"),
    mountPath: z.string().regex(/^\//, "is not an absolute path; use a path such as /etc/envoy/extra").describe("absolute path in the container"),
    readOnly: z.boolean().optional().describe("mount read-only"),
    subPath: z.string().optional().describe("path inside the volume to mount instead of its root"),
});

/** A pod volume: `name` plus one volume source (secret, configMap, emptyDir, projected, ...) as in a Pod spec. */
export const volumeSchema = z.looseObject({ name: dnsLabel.describe("volume name, referenced by `volumeMounts[].name`") });

export const tolerationSchema = z.strictObject({
    key: z.string().optional().describe("taint key tolerated; unset with `Exists`: every taint"),
    operator: z.enum(["Exists", "Equal"]).optional().describe("`Equal` (default): the taint's value must be `value`; `Exists`: any value"),
    value: z.string().optional().describe("taint value, with `Equal`"),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional().describe("taint effect tolerated; unset: every effect"),
    tolerationSeconds: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe("with `NoExecute`: how long the pod stays bound after the taint appears"),
});

const looseRecord = z.record(z.string(), z.unknown());

/** Node, pod and anti-pod affinity, each as in a Pod spec. */
export const affinitySchema = z.strictObject({
    nodeAffinity: looseRecord.optional().describe("node affinity, as in a Pod spec"),
    podAffinity: looseRecord.optional().describe("pod affinity, as in a Pod spec"),
    podAntiAffinity: looseRecord.optional().describe("pod anti-affinity, as in a Pod spec"),
});

const profile = z.strictObject({
    type: z.enum(["RuntimeDefault", "Unconfined", "Localhost"]).describe("`RuntimeDefault`, `Unconfined`, or `Localhost` (a profile on the node)"),
    localhostProfile: z.string().optional().describe("with `Localhost`: the profile's path on the node"),
});

const seLinuxOptions = z.strictObject({
    level: z.string().optional().describe("SELinux level label"),
    role: z.string().optional().describe("SELinux role label"),
    type: z.string().optional().describe("SELinux type label"),
    user: z.string().optional().describe("SELinux user label"),
});

const windowsOptions = z.strictObject({
    gmsaCredentialSpec: z.string().optional().describe("GMSA credential spec, inline"),
    gmsaCredentialSpecName: z.string().optional().describe("name of the GMSA credential spec to use"),
    hostProcess: z.boolean().optional().describe("run as a Windows host process"),
    runAsUserName: z.string().optional().describe("Windows user name to run as"),
});

export const podSecurityContextSchema = z.strictObject({
    appArmorProfile: profile.optional().describe("AppArmor profile of the pod's containers"),
    fsGroup: nonNegativeInt.optional().describe("group that owns the pod's volumes"),
    fsGroupChangePolicy: z.enum(["OnRootMismatch", "Always"]).optional().describe("when volume ownership is changed to `fsGroup`"),
    runAsGroup: nonNegativeInt.optional().describe("group id the containers run as"),
    runAsNonRoot: z.boolean().optional().describe("refuse to start a container that would run as root"),
    runAsUser: nonNegativeInt.optional().describe("user id the containers run as"),
    seLinuxChangePolicy: z.string().optional().describe("how the SELinux label is applied to volumes (`MountOption` or `Recursive`)"),
    seLinuxOptions: seLinuxOptions.optional().describe("SELinux context of the containers"),
    seccompProfile: profile.optional().describe("seccomp profile of the containers"),
    supplementalGroups: z.array(nonNegativeInt).optional().describe("more group ids of the containers' first process"),
    supplementalGroupsPolicy: z.enum(["Merge", "Strict"]).optional().describe("whether the image's groups are merged with `supplementalGroups`"),
    sysctls: z
        .array(
            z.strictObject({
                name: z.string().min(1).describe("sysctl name, e.g. `net.ipv4.ip_local_port_range`"),
                value: z.string().describe("its value"),
            }),
        )
        .optional()
        .describe("namespaced sysctls set for the pod"),
    windowsOptions: windowsOptions.optional().describe("Windows settings of the containers"),
});

export const securityContextSchema = z.strictObject({
    allowPrivilegeEscalation: z.boolean().optional().describe("whether a process may gain more privileges than its parent"),
    appArmorProfile: profile.optional().describe("AppArmor profile of the container"),
    capabilities: z
        .strictObject({
            add: z.array(z.string()).optional().describe("Linux capabilities added, e.g. `NET_BIND_SERVICE`"),
            drop: z.array(z.string()).optional().describe("Linux capabilities dropped, e.g. `ALL`"),
        })
        .optional()
        .describe("Linux capabilities added and dropped"),
    privileged: z.boolean().optional().describe("run the container privileged"),
    procMount: z.enum(["Default", "Unmasked"]).optional().describe("kind of /proc mount"),
    readOnlyRootFilesystem: z.boolean().optional().describe("mount the container's root file system read-only"),
    runAsGroup: nonNegativeInt.optional().describe("group id the container runs as"),
    runAsNonRoot: z.boolean().optional().describe("refuse to start the container as root"),
    runAsUser: nonNegativeInt.optional().describe("user id the container runs as"),
    seLinuxOptions: seLinuxOptions.optional().describe("SELinux context of the container"),
    seccompProfile: profile.optional().describe("seccomp profile of the container"),
    windowsOptions: windowsOptions.optional().describe("Windows settings of the container"),
});

/** Labels and annotations added to an object's metadata; `of` says whose (the docs' one row for both). */
export function metadataFields(of: string) {
    return {
        labels: stringMap.default({}).describe(`metadata of ${of}`),
        annotations: stringMap.default({}).meta(doc(`metadata of ${of}`, { join: true })),
    };
}

/** A whole number or a percentage, as PodDisruptionBudgets take them. */
export const intOrPercent = z.union(
    [nonNegativeInt, z.string().regex(/^\d{1,3}%$/, "is not a percentage; use a whole number such as 1, or a percentage such as 50%")],
    { error: "must be a whole number or a percentage; use e.g. 1 or 50%" },
);

export type EnvVarConfig = z.output<typeof envVarSchema>;
export type VolumeConfig = z.output<typeof volumeSchema>;
