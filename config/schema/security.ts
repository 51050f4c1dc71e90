import { z } from "zod";

export const jwtSchema = z.strictObject({
    issuer: z.string().min(1, "is empty; set the token issuer, e.g. https://auth.example.com"),
    jwksUri: z.string().min(1, "is empty; set the JWKS URL, e.g. https://auth.example.com/.well-known/jwks.json"),
    audiences: z.array(z.string().min(1)).optional(),
    claimToHeaders: z
        .array(z.strictObject({ claim: z.string().min(1, "is empty; name a claim"), header: z.string().min(1, "is empty; name a header") }))
        .default([]),
    /** Requests whose claim value is listed are allowed; everything else is denied. */
    allow: z
        .strictObject({
            claim: z.string().min(1, "is empty; name the claim to authorize on, e.g. tenant"),
            values: z.array(z.string().min(1, "is empty; list non-empty claim values")).min(1, "is empty; list at least one allowed value"),
        })
        .optional(),
});

export const clientAuthSchema = z.strictObject({
    jwt: jwtSchema.optional(),
});

export type ClientAuthConfig = z.output<typeof clientAuthSchema>;
