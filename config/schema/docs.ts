/**
 * How a key appears in the configuration tables of docs/configuration.md, kept next to its description
 * (`.meta(doc("meaning", {...}))`). `npm run docs:config` reads these hints; they never reach
 * the published JSON Schema, and parsing ignores them.
 */
export interface TableHints {
    /** Default column text (markdown) where the default is computed rather than a fixed value. */
    default?: string;
    /** An object shown as one row rather than a row per key. */
    row?: true;
    /** A list of objects, or a map, shown as a row per key of its items (`backends[].model`). */
    expand?: true;
    /** Shares the row of the key before it (`labels`, `annotations`): that key's description is the row's meaning. */
    join?: true;
}

/** Table hints as meta keys; flat, so that hints set on a shared schema and at its use site add up. */
export interface DocMeta {
    [key: string]: unknown;
    description?: string;
    docDefault?: string;
    docRow?: true;
    docExpand?: true;
    docJoin?: true;
}

/** Meta of a documented key: its description plus table hints. */
export function doc(description: string, table: TableHints): DocMeta {
    return {
        description,
        ...(table.default !== undefined && { docDefault: table.default }),
        ...(table.row && { docRow: true }),
        ...(table.expand && { docExpand: true }),
        ...(table.join && { docJoin: true }),
    };
}

/** Hints without a description of their own, for a shared schema (each use site describes it). */
export function tableHints(table: TableHints): DocMeta {
    const { description: _, ...hints } = doc("", table);
    return hints;
}
