// EnvoyExtensionPolicy (gateway.envoyproxy.io/v1alpha1): the external processors of the guardrails.

import type { Duration } from "./common";
import type { BackendCluster, PolicyTargetReferences } from "./envoyGateway";

/** How Envoy sends a body to an external processor; unset: only headers. */
export type ExtProcBodyMode = "Streamed" | "Buffered" | "BufferedPartial" | "FullDuplexStreamed";

/** One direction of processing: present means headers are sent, `body` says how the body is. */
export interface ExtProcPhaseMode {
    body?: ExtProcBodyMode;
    /** Envoy attributes sent along (`request.`, `xds.route_`, ... prefixes). */
    attributes?: string[];
}

export interface ExtProcProcessingMode {
    /** Present: request headers (and the body per `body`) go to the processor. */
    request?: ExtProcPhaseMode;
    /** Present: response headers (and the body per `body`) go to the processor. */
    response?: ExtProcPhaseMode;
    allowModeOverride?: boolean;
}

/** An external processor (Envoy ext_proc) reached over gRPC at `backendRefs`. */
export interface ExtProc extends BackendCluster {
    /** Envoy Gateway's default: 200ms. */
    messageTimeout?: Duration;
    /** Default false: a failed call to the processor fails the request with a 5xx. */
    failOpen?: boolean;
    processingMode?: ExtProcProcessingMode;
    metadata?: { accessibleNamespaces?: string[]; writableNamespaces?: string[] };
}

export interface EnvoyExtensionPolicySpec extends PolicyTargetReferences {
    /** At most 16, run in this order. */
    extProc?: ExtProc[];
}
