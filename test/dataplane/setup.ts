/**
 * Mocha require file of `npm run test:dataplane`: the run is process 1 of its own namespaces
 * (tools/privateNamespaces.ts), where a signal without a handler does nothing, so SIGTERM and SIGINT stop
 * every local gateway by its processes' ids and end the run.
 */
import { stopAllLocalGateways } from "./localGateway";

for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
        process.stderr.write(`\ntest:dataplane: ${signal}: stopping the local gateways\n`);
        void stopAllLocalGateways().finally(() => process.exit(130));
    });
}
