import * as assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chartLocation } from "../components/manifests/helm";
import { CHARTS } from "../config/charts";
import { parseConfig } from "../plan";
import { fillChartKey, fillValuesTemplate } from "../tools/upstreamCharts";
import { configProblems, evaluate } from "./harness";

// platform.<release>.chart: where the platform charts come from instead of the upstream registry.

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** A folder holding chart folders with the given Chart.yaml texts. */
function chartFolder(charts: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "ai-gateway-charts-"));
    for (const [name, text] of Object.entries(charts)) {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, "Chart.yaml"), text);
    }
    return dir;
}

const chartYaml = (name: string, version: string) => `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: "${version}"\n`;

describe("platform chart sources (platform.<release>.chart)", () => {
    it("by default every platform chart comes from its upstream OCI registry", () => {
        assert.deepEqual(chartLocation(CHARTS.envoyGateway), { chart: "oci://docker.io/envoyproxy/gateway-helm" });
    });

    it("an OCI repository gets the chart's name appended, an https repository is passed as the Helm repository, a path names the chart's folder", () => {
        assert.deepEqual(chartLocation(CHARTS.aiGatewayCrds, { repository: "oci://mirror.example.com/envoyproxy" }), { chart: "oci://mirror.example.com/envoyproxy/ai-gateway-crds-helm" });
        assert.deepEqual(chartLocation(CHARTS.aiGateway, { repository: "https://charts.example.com/stable" }), { chart: "ai-gateway-helm", repositoryOpts: { repo: "https://charts.example.com/stable" } });
        assert.deepEqual(chartLocation(CHARTS.envoyGatewayCrds, { path: "charts/eg" }), { chart: join("charts/eg", "gateway-crds-helm") });
    });

    it("the releases take their charts from the configured sources, the version unchanged", async () => {
        const eg = chartFolder({ "gateway-crds-helm": chartYaml("gateway-crds-helm", "v1.8.3"), "gateway-helm": chartYaml("gateway-helm", "v1.8.3") });
        try {
            const e = await evaluate({ platform: { envoyGateway: { chart: { path: eg } }, aiGateway: { chart: { repository: "oci://mirror.example.com/envoyproxy" } } } });
            const inputs = (name: string) => e.get(RELEASE, name).inputs;
            const crds = e.get("kubernetes:helm.sh/v4:Chart", "envoy-gateway-crds").inputs;
            assert.deepEqual([crds.chart, crds.version], [join(eg, "gateway-crds-helm"), "v1.8.3"]);
            assert.equal(inputs("envoy-gateway-release").chart, join(eg, "gateway-helm"));
            assert.equal(inputs("ai-gateway-crds").chart, "oci://mirror.example.com/envoyproxy/ai-gateway-crds-helm");
            assert.equal(inputs("ai-gateway-release").chart, "oci://mirror.example.com/envoyproxy/ai-gateway-helm");
            assert.equal(inputs("ai-gateway-release").repositoryOpts, undefined);
        } finally {
            rmSync(eg, { recursive: true, force: true });
        }
    });

    it("refuses both or neither of repository and path, a location that is no oci:// or https:// one, and credentials without echoing them", () => {
        const problems = configProblems({
            platform: {
                envoyGateway: { chart: { repository: "oci://a.example.com/x", path: "charts" } },
                aiGateway: { chart: {} },
                inferenceExtension: { chart: { repository: "ftp://charts.example.com" } },
            },
        });
        assert.deepEqual(problems, [
            "platform.envoyGateway.chart: names two sources; set exactly one of repository (where the charts are published) or path (a folder holding the chart folders)",
            "platform.aiGateway.chart: names no source; set exactly one of repository (where the charts are published) or path (a folder holding the chart folders)",
            'platform.inferenceExtension.chart.repository: "ftp://charts.example.com" is not an oci:// or https:// location; use e.g. oci://registry.example.com/envoyproxy or https://charts.example.com',
        ]);
        const secret = "s3cr3t-token";
        const withCredentials = configProblems({ platform: { envoyGateway: { chart: { repository: `https://user:${secret}@charts.example.com` } } } });
        assert.equal(withCredentials.length, 1);
        assert.match(withCredentials[0], /^platform\.envoyGateway\.chart\.repository: holds credentials; /);
        assert.ok(!withCredentials.join("\n").includes(secret), "the credential is echoed");
        assert.deepEqual(configProblems({ platform: { envoyGateway: { chart: { repository: "oci://a.example.com/x/" } } } }), [
            'platform.envoyGateway.chart.repository: ends with "/"; remove it: the chart name is added to it',
        ]);
    });

    it("a chart folder must hold every chart of the release, named as the chart, at the release's version; all problems at once", () => {
        const dir = chartFolder({
            "ai-gateway-crds-helm": chartYaml("ai-gateway-crds-helm", "v0.0.0-latest"),
            "ai-gateway-helm": chartYaml("something-else", "v1.1.0"),
        });
        try {
            const problems = configProblems({ platform: { envoyGateway: { chart: { path: dir } }, aiGateway: { chart: { path: dir } } } });
            assert.deepEqual(problems, [
                `platform.envoyGateway.chart.path: has no chart gateway-crds-helm: ${join(dir, "gateway-crds-helm", "Chart.yaml")} is missing or not a chart's Chart.yaml; put the gateway-crds-helm chart folder there (see docs/deploy-and-e2e.md)`,
                `platform.envoyGateway.chart.path: has no chart gateway-helm: ${join(dir, "gateway-helm", "Chart.yaml")} is missing or not a chart's Chart.yaml; put the gateway-helm chart folder there (see docs/deploy-and-e2e.md)`,
                `platform.aiGateway.chart.path: ${join(dir, "ai-gateway-crds-helm", "Chart.yaml")} is version v0.0.0-latest, but the release pins v1.1.0; fill the chart's version as its release does (docs/deploy-and-e2e.md), or set the release's version to the chart's`,
                `platform.aiGateway.chart.path: ${join(dir, "ai-gateway-helm", "Chart.yaml")} names chart "something-else", not ai-gateway-helm; put the ai-gateway-helm chart folder there`,
            ]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a chart version with or without the leading v is the same release", () => {
        const dir = chartFolder({ "ai-gateway-crds-helm": chartYaml("ai-gateway-crds-helm", "1.1.0"), "ai-gateway-helm": chartYaml("ai-gateway-helm", "v1.1.0") });
        try {
            assert.deepEqual(parseConfig({ platform: { aiGateway: { chart: { path: dir } } } }).warnings, []);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a source for a release the program does not install is a warning", () => {
        const config = parseConfig({ platform: { aiGateway: { install: false, chart: { repository: "oci://mirror.example.com/envoyproxy" } }, inferenceExtension: { chart: { path: "/nonexistent" } } } });
        assert.deepEqual(config.warnings.filter((w) => w.includes(".chart:")), [
            "platform.aiGateway.chart: has no effect: platform.aiGateway.install is false; remove it",
            "platform.inferenceExtension.chart: has no effect: no backend has an inferencePool with a selector, so no inferencepool chart is installed; remove it",
        ]);
    });

    it("the charts' release-time placeholders are filled as the release fills them, and an unexpected one fails", () => {
        const chart = 'apiVersion: v2\nname: gateway-helm\nversion: v0.0.0-latest\nappVersion: "latest"\ndependencies:\n  - name: crds\n    version: "0.0.0"\n';
        const filled = fillChartKey(fillChartKey(chart, "version", "v0.0.0-latest", "v1.8.3", "x"), "appVersion", "latest", "v1.8.3", "x");
        assert.equal(filled, 'apiVersion: v2\nname: gateway-helm\nversion: "v1.8.3"\nappVersion: "v1.8.3"\ndependencies:\n  - name: crds\n    version: "0.0.0"\n');
        assert.throws(() => fillChartKey(chart.replace("v0.0.0-latest", "v1.9.0"), "version", "v0.0.0-latest", "v1.8.3", "charts/gateway-helm/Chart.yaml"), /charts\/gateway-helm\/Chart.yaml: version is "v1.9.0", not the placeholder "v0.0.0-latest"; update tools\/upstreamCharts.ts/);
        const values = "image: ${GatewayImage}\npullPolicy: ${GatewayImagePullPolicy}\n";
        assert.equal(fillValuesTemplate(values, { GatewayImage: "docker.io/envoyproxy/gateway:v1.8.3", GatewayImagePullPolicy: "IfNotPresent" }, "x"), "image: docker.io/envoyproxy/gateway:v1.8.3\npullPolicy: IfNotPresent\n");
        assert.throws(() => fillValuesTemplate(values, { GatewayImage: "i" }, "values.tmpl.yaml"), /values.tmpl.yaml: GatewayImagePullPolicy not filled/);
    });
});
