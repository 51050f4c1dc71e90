/**
 * What changes in the controllers' source when `npm run e2e:tools` builds them to run as local processes
 * (applied to a copy of the module in the gitignored cache; the module cache is never written, nothing
 * upstream is copied into this repository).
 *
 * In a cluster each controller is alone in its pod: it listens on every interface at fixed ports and reads
 * its certificates from `/certs`, a mounted Secret. On one machine beside other processes that would expose
 * ports on the network, collide (both controllers listen on 18002 and 9443) and need root for `/certs`. So
 * the builds for the end-to-end test differ only in where they listen and where they read files:
 *
 * - every server listens on 127.0.0.1, on a port the kernel picks where nothing connects to it in the test
 *   (xDS, rate-limit xDS, Wasm cache, metrics, health probes: there is no Envoy, rate-limit service or
 *   kubelet); the AI Gateway controller's extension server and webhook ports are its own flags;
 * - `/certs/…` becomes `certs/…`, relative to the process's working directory (a per-run folder holding the
 *   certificates `envoy-gateway certgen` put in the cluster), and the Wasm cache folder likewise.
 *
 * Each replacement must match the pinned source exactly as often as stated, or the build fails: a version
 * bump cannot silently build an unpatched (or half-patched) controller.
 */
import type { UPSTREAM_TOOLS } from "../config/versions";

/** A pinned upstream tool (the builder, upstreamTools.ts, reads this file: naming the pins here keeps the two apart). */
type ToolName = keyof typeof UPSTREAM_TOOLS;

export interface SourcePatch {
    /** Path inside the module. */
    file: string;
    /** [text, replacement, how many times the text occurs] */
    replace: [string, string, number][];
}

export interface LocalProcessBuild {
    patches: SourcePatch[];
    /** `-X` link-time values of package string variables. */
    linkValues: Record<string, string>;
}

const LOOPBACK_ANY_PORT = "127.0.0.1:0";
const CERTS = ['"/certs/', '"certs/', 3] as [string, string, number];
const unusedImport = (path: string): [string, string, number] => [`\t"${path}"\n`, "", 1];

/** Where the local gateway's Envoy finds what a pod mounts at `/certs` (inside its private mount namespace). */
export const ENVOY_CERTS_IN_NAMESPACE = "/etc/ai-gateway-local/envoy-certs";

/** controller-runtime's metrics server (both controllers' managers leave it at its default, all interfaces, 8080). */
const CONTROLLER_RUNTIME_METRICS = { "sigs.k8s.io/controller-runtime/pkg/metrics/server.DefaultBindAddress": LOOPBACK_ANY_PORT };

/**
 * Envoy Gateway's patches, with the addresses of its xDS server (for Envoy) and its rate-limit xDS server (for
 * the rate-limit service).
 */
function envoyGatewayBuild(xds: string, rateLimitXds: string, envoyCerts?: string): LocalProcessBuild {
    return {
        linkValues: CONTROLLER_RUNTIME_METRICS,
        patches: [
            ...(envoyCerts === undefined
                ? []
                : [
                      {
                          file: "internal/xds/translator/globalresources.go",
                          replace: [['rateLimitClientTLSCACertFilename = "/certs/ca.crt"', `rateLimitClientTLSCACertFilename = "${envoyCerts}/ca.crt"`, 1] as [string, string, number]],
                      },
                  ]),
            {
                file: "internal/xds/runner/runner.go",
                replace: [
                    ["addr := net.JoinHostPort(XdsServerAddress, strconv.Itoa(bootstrap.DefaultXdsServerPort))", `addr := "${xds}"`, 1],
                    unusedImport("strconv"),
                    unusedImport("github.com/envoyproxy/gateway/internal/xds/bootstrap"),
                    CERTS,
                ],
            },
            {
                file: "internal/globalratelimit/runner/runner.go",
                replace: [
                    ["addr := net.JoinHostPort(XdsGrpcSotwConfigServerAddress, strconv.Itoa(ratelimit.XdsGrpcSotwConfigServerPort))", `addr := "${rateLimitXds}"`, 1],
                    unusedImport("strconv"),
                    CERTS,
                ],
            },
            {
                file: "internal/gatewayapi/runner/runner.go",
                replace: [CERTS, ['"/var/lib/eg/wasm"', '"wasm-cache"', 1]],
            },
            {
                file: "internal/wasm/httpserver.go",
                replace: [['Addr:              fmt.Sprintf(":%d", serverPort),', `Addr:              "${LOOPBACK_ANY_PORT}",`, 1]],
            },
            {
                file: "internal/metrics/register.go",
                replace: [["net.JoinHostPort(egv1a1.GatewayMetricsHost, fmt.Sprint(egv1a1.GatewayMetricsPort))", `"${LOOPBACK_ANY_PORT}"`, 1]],
            },
            {
                file: "internal/provider/kubernetes/kubernetes.go",
                replace: [
                    ['healthProbeBindAddress = ":8081"', `healthProbeBindAddress = "${LOOPBACK_ANY_PORT}"`, 1],
                    ['webhookTLSCertDir = "/certs"', 'webhookTLSCertDir = "certs"', 1],
                    // The topology injector's webhook port is not configurable: loopback, same port.
                    ["Port:     webhookTLSPort,", 'Host: "127.0.0.1", Port: webhookTLSPort,', 1],
                ],
            },
        ],
    };
}

/** Where the data-plane build of the AI Gateway controller serves the quota service's configuration (xDS). */
export const QUOTA_CONFIG_SERVER_IN_NAMESPACE = "127.0.0.1:18002";

/** The AI Gateway controller's patches, with the address of its rate-limit configuration server (for the quota service). */
function aiGatewayControllerBuild(rateLimitConfigServer: string): LocalProcessBuild {
    return {
        linkValues: CONTROLLER_RUNTIME_METRICS,
        patches: [
            {
                file: "cmd/controller/main.go",
                replace: [["Port:     parsedFlags.webhookPort,", 'Host: "127.0.0.1", Port: parsedFlags.webhookPort,', 1]],
            },
            {
                file: "internal/ratelimit/runner/runner.go",
                replace: [['addr := net.JoinHostPort("0.0.0.0", strconv.Itoa(r.port))', `addr := "${rateLimitConfigServer}"`, 1], unusedImport("strconv")],
            },
        ],
    };
}

export const LOCAL_PROCESS_BUILDS: Partial<Record<ToolName, LocalProcessBuild>> = {
    envoyGateway: envoyGatewayBuild(LOOPBACK_ANY_PORT, LOOPBACK_ANY_PORT),
    /**
     * For the local gateway (`npm run local`, `npm run test:dataplane`): Envoy and the rate-limit service reach the
     * xDS servers at the ports Envoy Gateway writes into their configuration, on loopback inside the private
     * network namespace every process of the local gateway runs in. The one file path Envoy Gateway sends Envoy
     * over xDS (the CA of the rate-limit service's certificate, in Envoy's `/certs` mount) is a folder of the
     * namespace's private `/etc` (test/dataplane/localGateway.ts writes it).
     */
    envoyGatewayDataplane: envoyGatewayBuild("127.0.0.1:18000", "127.0.0.1:18001", ENVOY_CERTS_IN_NAMESPACE),
    aiGatewayController: aiGatewayControllerBuild(LOOPBACK_ANY_PORT),
    /**
     * For the local gateway: the quota service (`quotaRatelimit`) reads its limits from the rate-limit configuration
     * server at this known address, on loopback inside the private network namespace (Envoy Gateway's build there
     * moves its Wasm cache server, which upstream also puts on 18002, to a port the kernel picks).
     */
    aiGatewayControllerDataplane: aiGatewayControllerBuild(QUOTA_CONFIG_SERVER_IN_NAMESPACE),
};
