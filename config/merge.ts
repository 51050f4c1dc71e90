export type Values = { [key: string]: unknown };

function isPlainObject(v: unknown): v is Values {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Merges `override` over `base` the way Helm merges values: maps deeply, lists and scalars replaced, null deletes. */
export function mergeValues(base: Values, override: Values): Values {
    const out: Values = { ...base };
    for (const [key, value] of Object.entries(override)) {
        if (value === null) delete out[key];
        else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = mergeValues(out[key] as Values, value);
        else out[key] = value;
    }
    return out;
}
