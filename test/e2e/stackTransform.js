/**
 * The one thing the end-to-end engine stage adds to the program (test/e2e/engine.ts): a stack transform putting the
 * Kubernetes provider's documented skip-await annotation on what a cluster without a kubelet never makes ready.
 *
 * It is loaded with `NODE_OPTIONS=--require <this file>` into every Node process the Pulumi CLI starts for the
 * project (the language host passes the environment on), and does something only in the program's own process: when
 * the Node SDK's run harness requires the program (`AI_GATEWAY_E2E_PROGRAM`, the project's index.ts), it registers
 * the transform first, from the same @pulumi/pulumi the harness runs. Every resource it annotates is appended, as
 * `<type> <name>`, to `AI_GATEWAY_E2E_TRANSFORM_LOG`.
 *
 * Plain JavaScript: it runs before the harness registers ts-node.
 */
"use strict";
const Module = require("node:module");
const { appendFileSync, realpathSync } = require("node:fs");
const { dirname } = require("node:path");

const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };

/**
 * The annotations, by resource type: Deployments (no pod starts), Services (no endpoints) and Gateways (their
 * `pulumi.com/waitFor: condition=Programmed` waits for a running Envoy).
 */
const TEST_ANNOTATIONS = {
    "kubernetes:apps/v1:Deployment": SKIP_AWAIT,
    "kubernetes:core/v1:Service": SKIP_AWAIT,
    "kubernetes:gateway.networking.k8s.io/v1:Gateway": SKIP_AWAIT,
};

const program = process.env.AI_GATEWAY_E2E_PROGRAM;
const transformLog = process.env.AI_GATEWAY_E2E_TRANSFORM_LOG;

if (program && transformLog) {
    const target = realpathSync(program);
    const load = Module._load;
    let installed = false;
    Module._load = function (request, parent, isMain) {
        if (!installed) {
            let resolved;
            try {
                resolved = Module._resolveFilename(request, parent, isMain);
            } catch {
                resolved = undefined;
            }
            if (resolved === target) {
                installed = true;
                const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [dirname(target)] }));
                pulumi.runtime.registerResourceTransform((args) => {
                    if (!Object.prototype.hasOwnProperty.call(TEST_ANNOTATIONS, args.type)) return undefined;
                    appendFileSync(transformLog, `${args.type} ${args.name}\n`);
                    const metadata = args.props.metadata || {};
                    const annotations = { ...metadata.annotations, ...TEST_ANNOTATIONS[args.type] };
                    return { props: { ...args.props, metadata: { ...metadata, annotations } }, opts: args.opts };
                });
            }
        }
        return load.apply(this, arguments);
    };
}

module.exports = { TEST_ANNOTATIONS };
