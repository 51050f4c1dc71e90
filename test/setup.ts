/**
 * Mocha require file: installs the recording mocks once for the whole run (a second setMocks would
 * silently take over every test). Spec files import `mocks` from here.
 */
import { RecordingMocks, withoutSourceMappedStacks } from "../scripts/mocks";

withoutSourceMappedStacks();

export const mocks = new RecordingMocks();
export const project = "ai-gateway";

export const mochaHooks = {
    async beforeAll(): Promise<void> {
        await mocks.install(project, "test");
    },
};
