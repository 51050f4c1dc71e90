import * as assert from "node:assert/strict";
import { catalog, crdDirectory } from "./support/conformance";
import { join } from "node:path";
import { configOfFile, customResources, evaluate, stackFileConfig } from "./harness";

describe("conformance: every custom resource of the stacks validates against the pinned CRDs", () => {
    it("finds the CRDs (a missing folder fails, it never skips)", () => {
        assert.ok(crdDirectory());
        assert.ok(catalog().hasKind("aigateway.envoyproxy.io/v1beta1", "AIGatewayRoute"));
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack} stack`, async () => {
            const e = await evaluate(stackFileConfig(stack));
            const problems = customResources(e).flatMap((o) => catalog().validate(o));
            assert.deepEqual(problems, []);
        });
    }

    // Fixtures that parse (several-mistakes.yaml is refused on purpose).
    for (const fixture of ["client-auth-breadth.yaml", "external-redis.yaml", "mcp-oauth.yaml", "provider-credentials.yaml", "retry-warning.yaml"]) {
        it(`fixture ${fixture}`, async () => {
            const e = await evaluate(configOfFile(join(__dirname, "fixtures", fixture)));
            assert.ok(customResources(e).length > 0);
            assert.deepEqual(customResources(e).flatMap((o) => catalog().validate(o)), []);
        });
    }
});
