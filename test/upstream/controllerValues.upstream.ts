/**
 * `npm run test:upstream`: every chart value the typed controller keys set (platform.aiGateway.controller,
 * rateLimit.quotaFailClosed, observability.tracing.headers) is one the ai-gateway-helm v1.1.0 templates read, from the v1.1.0 source.
 */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { typedControllerValues } from "../../plan/controller";
import { AI_GATEWAY_SOURCE_ROOT, unpackAiGatewaySource } from "./archive";

const CHART = "manifests/charts/ai-gateway-helm";

describe("upstream: the typed controller keys set values the ai-gateway-helm v1.1.0 templates read", () => {
    let dir = "";
    let templates = "";
    before(() => {
        dir = unpackAiGatewaySource([`${CHART}/templates`]);
        const folder = join(dir, AI_GATEWAY_SOURCE_ROOT, CHART, "templates");
        templates = readdirSync(folder)
            .sort()
            .map((f) => readFileSync(join(folder, f), "utf8"))
            .join("\n");
    });
    after(() => {
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("each path is read by a template (`.Values.<path>`, or a hasKey on its parent)", () => {
        const all = [
            ...typedControllerValues({
                controller: { replicas: 2, podDisruptionBudget: { minAvailable: 1 }, resources: { limits: { memory: "1Gi" } }, logLevel: "debug", logFormat: "json" },
                quotaFailClosed: true,
                spanHeaders: { "x-team": "team.id" },
            }),
            ...typedControllerValues({ controller: { podDisruptionBudget: { maxUnavailable: 1 } } }),
        ];
        const unread = all
            .map((t) => t.path)
            .filter((path) => {
                const parent = `.Values.${path.slice(0, -1).join(".")}`;
                return !templates.includes(`.Values.${path.join(".")}`) && !templates.includes(`hasKey ${parent} "${path[path.length - 1]}"`);
            })
            .map((p) => p.join("."));
        assert.deepEqual(unread, []);
        assert.ok(all.length >= 9);
    });
});
