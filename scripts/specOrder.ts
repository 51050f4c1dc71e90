/**
 * The order in which `npm test` hands mocha's parallel workers the spec files: longest first, by the durations the
 * reporter kept from earlier runs (test/reporter.js writes them to .cache/test-durations.json). A worker takes the
 * next file as it finishes one, so with the long files first neither worker is left with a long file while the other
 * has nothing to do. Files with no recorded duration (new ones, or all on a first run) go first, in name order.
 */
export function longestFirst(files: readonly string[], durations: Readonly<Record<string, unknown>>): string[] {
    const ms = (file: string) => {
        const d = durations[file];
        return typeof d === "number" && Number.isFinite(d) && d >= 0 ? d : Infinity;
    };
    return [...files].sort((a, b) => {
        const [da, db] = [ms(a), ms(b)];
        return da === db ? (a < b ? -1 : a > b ? 1 : 0) : db - da;
    });
}
