import * as assert from "node:assert/strict";
import { withoutPromiseLeakStacks } from "../components/promiseStacks";

describe("the program's promises: no stack trace for a leak report a finished program never prints", () => {
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> };
    /** The stack the SDK attaches to a promise it is given, and its context. */
    const recorded = (ctx: string) => {
        const p = Promise.resolve();
        void debuggable.debuggablePromise(p, ctx);
        const q = p as unknown as { _debugStackTrace: string; _debugCtx: unknown };
        return { stack: q._debugStackTrace, ctx: q._debugCtx };
    };

    it("takes the SDK's per-promise stack with no frames, keeps its context and every error's stack; AI_GATEWAY_SOURCE_MAPS=1 keeps it", () => {
        const saved = process.env.AI_GATEWAY_SOURCE_MAPS;
        const original = debuggable.debuggablePromise;
        try {
            withoutPromiseLeakStacks();
            delete process.env.AI_GATEWAY_SOURCE_MAPS;
            assert.deepEqual(recorded("dropped"), { stack: "Error", ctx: "dropped" });
            assert.match(new Error("still here").stack ?? "", /\n\s+at /, "an error keeps its stack");
            process.env.AI_GATEWAY_SOURCE_MAPS = "1";
            const kept = recorded("kept");
            assert.match(kept.stack, /\n\s+at /);
            assert.equal(kept.ctx, "kept");
        } finally {
            debuggable.debuggablePromise = original;
            if (saved === undefined) delete process.env.AI_GATEWAY_SOURCE_MAPS;
            else process.env.AI_GATEWAY_SOURCE_MAPS = saved;
        }
    });
});
