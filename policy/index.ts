import { PolicyPack } from "@pulumi/policy";
import { GUARDRAILS } from "./guardrails";

// Every guardrail is mandatory: a violation stops `pulumi preview` and `pulumi up`. A stack that must
// differ (a lab cluster) lowers one in a policy configuration file, by name, and says so there.
new PolicyPack("ai-gateway-guardrails", { enforcementLevel: "mandatory", policies: GUARDRAILS });
