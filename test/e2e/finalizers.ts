/**
 * AI Gateway v1.1.0 can leave one of its objects in Terminating for good: when removing its finalizer conflicts with
 * another write, `handleFinalizer` logs the conflict and does not requeue, and nothing else wakes the object up
 * (envoyproxy/ai-gateway#2565, fix proposed in #2566). `pulumi destroy` then waits the whole delete timeout and fails.
 * The documented workaround (docs/troubleshooting.md) is to restart the controller, which reconciles every object
 * again and removes the finalizer. This watchdog does exactly that while a destroy runs, and records when it did, so
 * the suite proves the program's destroy with the workaround a user has, and says when upstream's bug showed.
 */
import type { ControllerBinaries } from "./controllers";
import type { Kube, KubeObject } from "./kube";
import type { Kubelet } from "./kubelet";

export const AI_GATEWAY_FINALIZER = "aigateway.envoyproxy.io/finalizer";
/** How long an object may wait in Terminating with the finalizer before the watchdog restarts the controller. */
const STUCK_AFTER_MS = 30_000;

export interface FinalizerWatchdog {
    /** One line for each restart: which objects were stuck. */
    restarts(): string[];
    stop(): Promise<void>;
}

export function watchStuckFinalizers(kube: Kube, objects: readonly KubeObject[], kubelet: Pick<Kubelet, "restart">, tool: keyof ControllerBinaries = "aiGatewayController"): FinalizerWatchdog {
    const watched = objects.filter((o) => o.apiVersion.startsWith("aigateway.envoyproxy.io/"));
    const done: string[] = [];
    let stopping = false;
    let lastRestart = 0;
    const loop = (async () => {
        while (!stopping) {
            await new Promise((r) => setTimeout(r, 2000));
            const stuck: string[] = [];
            for (const o of watched) {
                const live = (await kube.get(o).catch(() => undefined)) as { metadata?: { deletionTimestamp?: string; finalizers?: string[] } } | undefined;
                const since = live?.metadata?.deletionTimestamp;
                if (since && live?.metadata?.finalizers?.includes(AI_GATEWAY_FINALIZER) && Date.now() - Date.parse(since) > STUCK_AFTER_MS) stuck.push(`${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`);
            }
            if (stuck.length > 0 && Date.now() - lastRestart > STUCK_AFTER_MS && !stopping) {
                const why = `stuck in Terminating with ${AI_GATEWAY_FINALIZER} (envoyproxy/ai-gateway#2565): ${stuck.join(", ")}`;
                if (kubelet.restart(tool, why)) {
                    lastRestart = Date.now();
                    done.push(why);
                }
            }
        }
    })();
    return {
        restarts: () => [...done],
        stop: async () => {
            stopping = true;
            await loop;
        },
    };
}
