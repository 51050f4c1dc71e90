import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderTemplate } from "../tools/upstreamCrds";
import { catalog } from "./support/conformance";

describe("pinned CRDs: taken from the upstream releases into a cache", () => {
    const values = { crds: { gatewayAPI: { enabled: true, channel: "experimental" }, envoyGateway: { enabled: false } } };

    it("renders the CRD charts' conditions with Go's whitespace trimming", () => {
        const t = `{{- if .Values.crds.gatewayAPI.enabled }}\n---\nkind: A\n{{- end }}\n`;
        assert.equal(renderTemplate(t, values), "\n---\nkind: A\n");
        assert.equal(renderTemplate(`{{- if .Values.crds.envoyGateway.enabled }}\nkind: B\n{{- end }}\n`, values), "\n");
        const channel = (c: string) =>
            `{{- if and .Values.crds.gatewayAPI.enabled (or (eq .Values.crds.gatewayAPI.channel "${c}") (eq .Values.crds.gatewayAPI.channel "")) }}\nx\n{{- end }}`;
        assert.equal(renderTemplate(channel("experimental"), values), "\nx");
        assert.equal(renderTemplate(channel("standard"), values), "");
        assert.equal(renderTemplate(`{{- if not .Values.missing }}a{{ else }}b{{ end }}`, values), "a");
        assert.equal(renderTemplate(`plain: yaml\n`, values), "plain: yaml\n");
    });

    it("refuses any other template action rather than guessing", () => {
        assert.throws(() => renderTemplate(`{{ include "x" . }}`, values), /template action "\{\{ include "x" \. \}\}" is not supported/);
        assert.throws(() => renderTemplate(`{{ if .Values.a }}`, values), /if without end/);
        assert.throws(() => renderTemplate(`{{ if lookup "v1" }}{{ end }}`, values), /"lookup" is not supported/);
    });

    it("the cache holds every kind the program emits, each pinned release's", () => {
        for (const [apiVersion, kind] of [
            ["aigateway.envoyproxy.io/v1beta1", "AIGatewayRoute"],
            ["aigateway.envoyproxy.io/v1alpha1", "QuotaPolicy"],
            ["gateway.envoyproxy.io/v1alpha1", "BackendTrafficPolicy"],
            ["gateway.networking.k8s.io/v1", "HTTPRoute"],
            ["gateway.networking.k8s.io/v1", "BackendTLSPolicy"],
            ["inference.networking.k8s.io/v1", "InferencePool"],
        ]) {
            assert.ok(catalog().hasKind(apiVersion, kind), `${apiVersion} ${kind}`);
        }
    });

    it("without Go and without a cache, stops at once with one message naming what to install", () => {
        const cache = mkdtempSync(join(tmpdir(), "crds-"));
        try {
            // A PATH with node alone.
            mkdirSync(join(cache, "bin"));
            symlinkSync(process.execPath, join(cache, "bin", "node"));
            const started = Date.now();
            const env: NodeJS.ProcessEnv = { PATH: join(cache, "bin"), HOME: process.env.HOME, AI_GATEWAY_CRD_CACHE: join(cache, "crds") };
            const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", join(__dirname, "..", "tools", "upstreamCrds.ts")], { env, encoding: "utf8", cwd: join(__dirname, "..") });
            assert.equal(r.status, 1, r.stdout + r.stderr);
            assert.match(r.stderr, /^pinned CRDs: .*`go` is not on PATH: install Go 1\.22 or newer.*AI_GATEWAY_CRD_DIR at a folder of the CRDs\n$/);
            assert.ok(Date.now() - started < 10_000);
        } finally {
            rmSync(cache, { recursive: true, force: true });
        }
    });
});
