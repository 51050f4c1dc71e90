// The Prometheus operator's ServiceMonitor (monitoring.coreos.com/v1), typed only as far as the
// program uses it. Its CRD is not part of the pinned platform: the operator (e.g. kube-prometheus-stack)
// is installed separately, which is why a ServiceMonitor is opt-in.

import { Duration, LabelSelector } from "./common";

export interface ServiceMonitorEndpoint {
    /** Name of a Service port. */
    port: string;
    /** Defaults to `/metrics`. */
    path?: string;
    interval?: Duration;
    scheme?: "http" | "https";
}

export interface ServiceMonitorSpec {
    /** Selects the Services (in the ServiceMonitor's namespace unless `namespaceSelector` says otherwise). */
    selector: LabelSelector;
    endpoints: ServiceMonitorEndpoint[];
    namespaceSelector?: { any?: boolean; matchNames?: string[] };
    /** Service label whose value becomes the `job` label. */
    jobLabel?: string;
}
