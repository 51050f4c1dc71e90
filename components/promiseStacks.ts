/**
 * The Pulumi Node SDK records a stack trace on every promise it makes (`debuggablePromise`), only to print it in the
 * report of promises still pending when the program exits, a report a finished program never prints. Under `pulumi
 * up` and `pulumi preview` ts-node source-maps every frame of each one: about a quarter of the program's CPU time at
 * 300 models. This takes them with no frames; everything else about the promises, the leak report included, is as it
 * was, and so is every error's stack. AI_GATEWAY_SOURCE_MAPS=1 keeps them (decided at each call).
 */
export function withoutPromiseLeakStacks(): void {
    type Debuggable = { debuggablePromise?: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };
    let debuggable: Debuggable;
    try {
        debuggable = require("@pulumi/pulumi/runtime/debuggable") as Debuggable;
    } catch {
        return; // an SDK without this module: nothing to trim, and nothing else changes
    }
    const promise = debuggable.debuggablePromise;
    if (typeof promise !== "function") return;
    debuggable.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
        if (process.env.AI_GATEWAY_SOURCE_MAPS === "1") return promise(p, ctx);
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return promise(p, ctx);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
}
