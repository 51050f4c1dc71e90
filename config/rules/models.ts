import { suggestion } from "../errors";
import type { Rule } from "./types";

/** Models name existing backends, each once, and have enough of them. */
export const modelBackends: Rule = (config, ctx) => {
    const backendNames = Object.keys(config.backends);
    const min = config.routing.minBackendsPerModel;
    for (const [model, spec] of Object.entries(config.models)) {
        const seen = new Map<string, number>();
        spec.backends.forEach((ref, i) => {
            const path = ["models", model, "backends", i, "backend"];
            if (!(ref.backend in config.backends)) {
                ctx.add(path, `no backend "${ref.backend}"; ${suggestion(ref.backend, backendNames, "a backend of ai-gateway:backends:")}`);
            }
            const first = seen.get(ref.backend);
            if (first !== undefined) {
                ctx.add(path, `backend "${ref.backend}" is already listed at backends[${first}]; list each backend once per model`);
            } else {
                seen.set(ref.backend, i);
            }
        });
        if (spec.backends.length < min) {
            ctx.add(
                ["models", model, "backends"],
                `has ${spec.backends.length} backend(s), at least ${min} are required to keep the model available; add backends or lower ai-gateway:routing.minBackendsPerModel`,
            );
        }
    }
};
