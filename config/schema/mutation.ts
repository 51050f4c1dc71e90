import { z } from "zod";
import { tableHints } from "./docs";
import { headerName } from "./security";
import { headerNameProblem, headerValueProblem } from "../policies/headers";

/** The AI Gateway's own field for the model name: the backend's `model` sets it. */
const PROTECTED_FIELDS = ["model"];
/** The AI Gateway takes at most 16 entries per list (CRD). */
const MAX_ENTRIES = 16;

const fieldName = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, "is not a top-level JSON field name; use letters, digits, '_', '-' or '.', e.g. service_tier");

/** `headers: {set: {<name>: <value>}, remove: [<name>]}`: request headers set or removed before the request goes upstream. */
export const headerMutationSchema = z
    .strictObject({
        set: z
            .record(headerName, z.string({ error: "must be a string; quote the header value" }))
            .optional()
            .describe("`<header>: <value>`: headers set on the request (at most 16)"),
        remove: z
            .array(headerName)
            .max(MAX_ENTRIES, `lists more than ${MAX_ENTRIES} headers, the most the AI Gateway takes; list fewer`)
            .optional()
            .describe("names of headers removed from the request (at most 16)"),
    })
    .superRefine((m, ctx) => {
        const set = Object.keys(m.set ?? {});
        if (set.length > MAX_ENTRIES) ctx.addIssue({ code: "custom", path: ["set"], message: `sets more than ${MAX_ENTRIES} headers, the most the AI Gateway takes; set fewer` });
        for (const h of set) {
            const problem = headerNameProblem(h, "set") ?? headerValueProblem(m.set![h]);
            if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["set", h], message: problem });
        }
        (m.remove ?? []).forEach((h, i) => {
            const problem = headerNameProblem(h, "remove");
            if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["remove", i], message: problem });
            if (set.some((s) => s.toLowerCase() === h.toLowerCase())) ctx.addIssue({ code: "custom", path: ["remove", i], message: `"${h}" is also set; either set it or remove it` });
        });
    })
    .meta(tableHints({ row: true }));

/** `body: {set: {<field>: <JSON value>}, remove: [<field>]}`: top-level fields of the JSON request body. */
export const bodyMutationSchema = z
    .strictObject({
        set: z.record(fieldName, z.unknown()).optional().describe("`<field>: <JSON value>`: top-level fields set in the request body (at most 16)"),
        remove: z
            .array(fieldName)
            .max(MAX_ENTRIES, `lists more than ${MAX_ENTRIES} fields, the most the AI Gateway takes; list fewer`)
            .optional()
            .describe("top-level fields removed from the request body (at most 16)"),
    })
    .superRefine((m, ctx) => {
        const set = Object.keys(m.set ?? {});
        if (set.length > MAX_ENTRIES) ctx.addIssue({ code: "custom", path: ["set"], message: `sets more than ${MAX_ENTRIES} fields, the most the AI Gateway takes; set fewer` });
        for (const f of set) {
            if (PROTECTED_FIELDS.includes(f)) ctx.addIssue({ code: "custom", path: ["set", f], message: "is the model name, which the backend's model sets (modelNameOverride); use model there instead" });
            if (m.set?.[f] === undefined) ctx.addIssue({ code: "custom", path: ["set", f], message: "has no value; give a JSON value (string, number, true/false, null, list or object), or remove the entry" });
        }
        (m.remove ?? []).forEach((f, i) => {
            if (PROTECTED_FIELDS.includes(f)) ctx.addIssue({ code: "custom", path: ["remove", i], message: `"${f}" is the model name, which routing needs; keep it` });
            if (set.includes(f)) ctx.addIssue({ code: "custom", path: ["remove", i], message: `"${f}" is also set; either set it or remove it` });
        });
    })
    .meta(tableHints({ row: true }));

export type HeaderMutationConfig = z.output<typeof headerMutationSchema>;
export type BodyMutationConfig = z.output<typeof bodyMutationSchema>;
