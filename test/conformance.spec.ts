import * as assert from "node:assert/strict";
import { catalog, crdDirectory } from "./support/conformance";
import { customResources, evaluate, stackFileConfig } from "./harness";

describe("conformance: every custom resource of the stacks validates against ../shared/crds", () => {
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
});
