/**
 * Mocha require file: installs the recording mocks once for the whole run (a second setMocks would
 * silently take over every test). Spec files import `mocks` from here.
 */
import { RecordingMocks, withoutPerPromiseStacks, withoutSourceMappedStacks } from "../scripts/mocks";
import { pinnedCrdDirectory } from "../tools/upstreamCrds";

// The suites validate against the pinned CRDs: fetched once into the cache, or the run stops here with one
// message saying what to install (rather than every conformance test failing on its own).
try {
    pinnedCrdDirectory((line) => console.log(line));
} catch (e) {
    process.stderr.write(`\nThe tests cannot start: ${(e as Error).message}\n\n`);
    process.exit(1);
}

withoutSourceMappedStacks();
withoutPerPromiseStacks();

export const mocks = new RecordingMocks();
export const project = "ai-gateway";

let installed: Promise<void> | undefined;

// Mocha runs root hooks once per file in a parallel worker (`npm test` runs two), once per run otherwise: install once
// per process either way.
export const mochaHooks = {
    async beforeAll(): Promise<void> {
        installed ??= mocks.install(project, "test");
        await installed;
    },
};
