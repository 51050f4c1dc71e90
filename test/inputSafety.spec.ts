/**
 * The input-safety policies (config/policies): one per concern, applied by every field of the concern.
 * Each case here was accepted, or refused for the wrong reason, before the policy existed.
 */
import * as assert from "node:assert/strict";
import { parseConfig } from "../plan";
import { ENVOY_MAX_PROGRAM_SIZE, regexProblem } from "../config/policies/regex";
import { configProblems, WITH_BUDGET } from "./harness";

type Raw = Record<string, unknown>;

const twoBackends = {
    a: { schema: "OpenAI", hostname: "a.models.svc.cluster.local", port: 80 },
    b: { schema: "OpenAI", hostname: "b.models.svc.cluster.local", port: 80 },
};
const two = [{ backend: "a" }, { backend: "b", priority: 1 }];
const github = { hostname: "api.githubcopilot.com", path: "/mcp/readonly", auth: { type: "APIKey", secret: "github-pat" } };

/** Every place a regular expression is emitted, with the pattern placed there, and the path its problem is at. */
const REGEX_FIELDS: { name: string; raw: (pattern: string) => Raw; path: string }[] = [
    { name: "models.<m>.match.pattern", raw: (p) => ({ backends: twoBackends, models: { m: { backends: two, match: { pattern: p } } } }), path: "models.m.match.pattern" },
    {
        name: "models.<m>.match.headers",
        raw: (p) => ({ backends: twoBackends, models: { m: { backends: two, match: { headers: [{ name: "x-team", value: p, type: "RegularExpression" }] } } } }),
        path: "models.m.match.headers[0].value",
    },
    {
        name: "mcp.servers.<s>.tools.includeRegex",
        raw: (p) => ({ mcp: { servers: { github: { ...github, tools: { includeRegex: [p] } } } }, apiKeys: { "github-pat": "known-github-pat" }, auth: { none: true } }),
        path: "mcp.servers.github.tools.includeRegex[0]",
    },
    {
        name: "passthrough.<r>.path",
        raw: (p) => ({ passthrough: { iris: { path: p, pathType: "RegularExpression", service: { name: "iris", namespace: "models", port: 80 } } } }),
        path: "passthrough.iris.path",
    },
];

describe("input safety: regular expressions are RE2's, checked by an RE2 implementation", () => {
    // Envoy and Envoy Gateway refuse these; JavaScript's RegExp took them.
    const refused = ["a{1001}", "\\Z", "(?P<n>a)(?P=n)", "[a-\\d]", "(?=a)b", "\\1"];
    // Valid RE2 that JavaScript's RegExp refuses.
    const accepted = ["(?i)^gpt-4", "(?P<fam>qwen)-.*", "[[:alpha:]]+", "(?s).*"];

    for (const field of REGEX_FIELDS) {
        it(`${field.name}: ${refused.join(", ")} are refused at the field; ${accepted.join(", ")} are accepted`, () => {
            for (const pattern of refused) {
                const problems = configProblems(field.raw(pattern));
                assert.equal(problems.length, 1, `${pattern}: ${problems.join("\n")}`);
                assert.ok(problems[0].startsWith(`${field.path}: ${JSON.stringify(pattern)} is not an RE2 expression: `), problems[0]);
                assert.match(problems[0], /; rewrite it in RE2 syntax/);
            }
            for (const pattern of accepted) assert.doesNotThrow(() => parseConfig(field.raw(pattern)), pattern);
        });
    }

    it("patterns Envoy compiles stay within its RE2 program size (100), counted as RE2's C++ compiler counts", () => {
        // ProgramSize() of RE2's C++ library for each pattern; Envoy refuses a route above 100.
        const cppProgramSize: [string, number][] = [
            [".*", 12],
            ["^gpt-4o.*", 12],
            ["^(qwen|llama)-.*", 22],
            ["a{95}", 99],
            ["a{100}", 104],
            ["a{90}b{5}", 99],
            [".{10}", 84],
            [".{50}", 404],
            ["^.{1,5}$", 46],
            ["\\pL+", 1201],
            ["\\pN", 237],
            ["^[a-z0-9._:/-]{1,64}$", 257],
            ["(?i)é{20}", 64],
            ["^claude-3-(opus|sonnet|haiku)-\\d{8}$", 30],
            ["[\\x{100}-\\x{10FFFF}]", 16],
        ];
        for (const [pattern, size] of cppProgramSize) {
            const problem = regexProblem(pattern, "envoy");
            assert.equal(problem !== undefined, size > ENVOY_MAX_PROGRAM_SIZE, `${pattern} (RE2 program size ${size}): ${problem}`);
        }
        const [field] = REGEX_FIELDS;
        assert.deepEqual(configProblems(field.raw("\\pL+")), [
            'models.m.match.pattern: "\\\\pL+" compiles to an RE2 program of more than the 100 instructions Envoy accepts (it would refuse the route); simplify it: fewer repeats ({n}), fewer wide classes such as . or \\pL',
        ]);
        // The AI Gateway compiles MCP tool filters with Go's regexp, which has no such limit.
        assert.equal(regexProblem("\\pL+", "go"), undefined);
    });
});

describe("input safety: CEL is parsed and type-checked against what the AI Gateway declares", () => {
    const jwt = { issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/.well-known/jwks.json", audiences: ["https://llm.example.com/mcp"] };
    const apiKeys = { "github-pat": "known-github-pat" };
    /** An MCP stack whose authorization (or backend selector) has one rule with this expression. */
    const withRule = (where: "authorization" | "backendSelector", cel: string, auth: Raw = { none: true }) => ({
        mcp: { servers: { github }, [where]: { defaultAction: "Deny", rules: [{ cel, action: "Allow" }] } },
        auth,
        apiKeys,
    });
    const at = { authorization: "mcp.authorization.rules[0].cel", backendSelector: "mcp.backendSelector.rules[0].cel" };

    for (const where of ["authorization", "backendSelector"] as const) {
        it(`${where}: syntax errors, non-booleans and unknown functions or fields are errors with the position`, () => {
            assert.deepEqual(configProblems(withRule(where, 'request.mcp.method ==')), [
                `${at[where]}: is not a valid CEL expression at column 22: Unexpected token: EOF; fix it (the MCP proxy sees request.{method, host, path, headers, headers_all, mcp.{method, backend, tool, params}, auth.jwt.{claims, scopes}})`,
            ]);
            assert.deepEqual(configProblems(withRule(where, "42")), [
                `${at[where]}: is an expression of type int, and a rule needs true or false (anything else denies); compare it, e.g. request.mcp.method == "tools/call"`,
            ]);
            assert.match(configProblems(withRule(where, "lookup(request.mcp.method)"))[0], new RegExp(`^${at[where].replace(/[[\].]/g, "\\$&")}: is not a valid CEL expression at column 1: found no matching overload for 'lookup\\(string\\)'; fix it`));
            assert.match(configProblems(withRule(where, 'request.mcp.tool_name == "x"'))[0], /is not a valid CEL expression at column 13: No such key: tool_name; fix it/);
            for (const ok of ['request.mcp.method == "tools/list"', 'request.headers["x-team"] == "a" && request.mcp.tool.startsWith("get_")', 'has(request.mcp.params.name)']) {
                assert.doesNotThrow(() => parseConfig(withRule(where, ok)), ok);
            }
        });

        it(`${where}: a read of request.auth in any spelling needs a verified JWT`, () => {
            const spellings = [
                'request.auth.jwt.claims.team == "a"',
                'request["auth"]["jwt"].claims.team == "a"',
                'request.auth .jwt.claims.team == "a"',
                "has(request.auth)",
                "request.?auth.hasValue()",
                '[request].exists(r, r.auth.jwt.claims.team == "a")',
                '{"r": request}.r.auth.jwt.scopes.size() > 0',
            ];
            for (const cel of spellings) {
                const problems = configProblems(withRule(where, cel));
                assert.equal(problems.length, 1, `${cel}: ${problems.join("\n")}`);
                assert.match(problems[0], /: reads request\.auth \(the JWT's claims or scopes\) at column \d+, but nothing verifies that token on the MCP path/, cel);
                assert.doesNotThrow(() => parseConfig(withRule(where, cel, { jwt })), `${cel} with auth.jwt`);
            }
            assert.match(configProblems(withRule(where, "dyn(request).auth.jwt.claims.team == 1"))[0], /: calls dyn\(\) at column 1, which hides from the check whether it reads request.auth/);
        });
    }

    it("the spend cost the program writes is checked as the AI Gateway compiles it (an integer over model names)", async () => {
        const { celProblem } = await import("../config/policies/cel");
        assert.equal(celProblem('model == "a\\"b" ? 1u : 0u', { kind: "spendCost" }), undefined);
        assert.match(celProblem('model == "a"b" ? 1u : 0u', { kind: "spendCost" })!, /^is not a valid cost expression at column/);
        assert.equal(celProblem("input_tokens > 0u", { kind: "spendCost" }), "is a cost expression of type bool, and a cost must be an int or a uint");
    });
});

describe("input safety: one target policy for every field that names a host, an address or a Service", () => {
    /** Metadata services, the node itself and the API server, in the spellings resolvers and URL parsers accept. */
    const FORBIDDEN_HOSTS = [
        "169.254.169.254",
        "2852039166",
        "0xa9fea9fe",
        "0251.0376.0251.0376",
        "0xa9.0xfe.0xa9.0xfe",
        "169.254.43518",
        "169.16689662",
        "100.100.100.200",
        "168.63.129.16",
        "192.0.0.192",
        "metadata.google.internal",
        "metadata.azure.com",
        "instance-data.ec2.internal",
        "127.1",
        "0x7f000001",
        "0177.0.0.1",
        "0",
        "localhost",
        "api.localhost",
        "kubernetes.default.svc",
        "kubernetes.default.svc.corp.internal",
    ];
    const FORBIDDEN_V6 = ["::1", "::", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "::169.254.169.254", "64:ff9b::a9fe:a9fe", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1"];
    const ALLOWED = ["api.openai.com", "10.0.0.12", "2001:db8::1", "fd12::1", "0.openai.example.com", "kubernetes-dashboard.tools.svc.cluster.local"];

    it("every IPv4 spelling, IPv6 form and name of a metadata service, the node and the API server is refused; other hosts pass", async () => {
        const { forbiddenHost } = await import("../config/policies/targets");
        for (const h of [...FORBIDDEN_HOSTS, ...FORBIDDEN_V6, ...FORBIDDEN_V6.map((h) => `[${h}]`)]) assert.ok(forbiddenHost(h) !== undefined, h);
        for (const h of ALLOWED) assert.equal(forbiddenHost(h), undefined, h);
    });

    /** Each field that names where traffic goes, set to a host (or URL with it), and the path its problem is at. */
    const FIELDS: { name: string; raw: (host: string) => Raw; path: string; schemaHost?: true }[] = [
        { name: "backends.<b>.hostname", raw: (h) => ({ backends: { ...twoBackends, x: { schema: "OpenAI", hostname: h, port: 80 } } }), path: "backends.x.hostname", schemaHost: true },
        { name: "mcp.servers.<s>.hostname", raw: (h) => ({ mcp: { servers: { m: { hostname: h, port: 80 } } } }), path: "mcp.servers.m.hostname", schemaHost: true },
        { name: "gateway.gatewayConfig.forwardProxy.address", raw: (h) => ({ gateway: { gatewayConfig: { forwardProxy: { address: `${h.includes(":") ? `[${h}]` : h}:3128` } } } }), path: "gateway.gatewayConfig.forwardProxy.address" },
        {
            name: "auth.jwt.jwksUri",
            raw: (h) => ({ auth: { jwt: { issuer: "https://auth.example.com", jwksUri: `https://${h.includes(":") ? `[${h}]` : h}/jwks.json` } } }),
            path: "auth.jwt.jwksUri",
        },
        {
            name: "observability.tracing.endpoint",
            raw: (h) => ({ observability: { tracing: { endpoint: `https://${h.includes(":") ? `[${h}]` : h}:4318` } } }),
            path: "observability.tracing.endpoint",
        },
        { name: "platform.redis.url", raw: (h) => ({ ...WITH_BUDGET, platform: { redis: { install: false, url: `${h.includes(":") ? `[${h}]` : h}:6379` } } }), path: "platform.redis.url", schemaHost: true },
    ];

    for (const field of FIELDS) {
        it(`${field.name}: metadata services, the node and the API server are refused there`, () => {
            const hosts = [...FORBIDDEN_HOSTS, ...(field.schemaHost ? [] : FORBIDDEN_V6)];
            for (const h of hosts) {
                const problems = configProblems(field.raw(h));
                assert.ok(
                    problems.some((p) => p.startsWith(`${field.path}: `) && /metadata|loopback|link-local|unspecified|Kubernetes API|WireServer/.test(p)),
                    `${h}: ${problems.join("\n")}`,
                );
            }
        });
    }

    it("Services in kube-* and the platform's namespaces are refused for extAuth, the JWKS, MCP servers and backends; a Gateway in kube-system is refused", () => {
        const problems = configProblems({
            auth: { extAuth: { url: "http://authz.kube-system.svc.cluster.local:9002/check" } },
            backends: { ...twoBackends, x: { schema: "OpenAI", hostname: "x.kube-flannel.svc.cluster.local", port: 80 } },
            mcp: { servers: { eg: { service: { name: "envoy-gateway", namespace: "envoy-gateway-system" }, port: 80 } } },
        });
        assert.ok(problems.some((p) => p.startsWith('auth.extAuth.url: "http://authz.kube-system.svc.cluster.local:9002/check" is a Service in namespace "kube-system", which holds the cluster\'s own components')), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith('backends.x.hostname: "x.kube-flannel.svc.cluster.local" is a Service in namespace "kube-flannel", which holds the cluster\'s own components (every kube-* namespace')), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("mcp.servers.eg.service.namespace: is a Service in namespace \"envoy-gateway-system\", which holds Envoy Gateway")), problems.join("\n"));
        const jwks = configProblems({ auth: { jwt: { issuer: "https://auth.example.com", jwksUri: "http://keys.kube-system.svc.cluster.local/jwks.json" } } });
        assert.ok(jwks.some((p) => p.startsWith("auth.jwt.jwksUri: ") && p.includes('namespace "kube-system"')), jwks.join("\n"));
        assert.deepEqual(configProblems({ gateway: { namespace: "kube-system" } }), [
            'gateway.namespace: "kube-system" is one of the cluster\'s own (kube-*) namespaces, where the gateway\'s pods, Secrets and policies would sit beside the cluster\'s components; use a namespace of its own, e.g. ai-gateway',
        ]);
    });

    it("an IPv6 forward proxy in brackets is accepted: [2001:db8::1]:3128", () => {
        const config = parseConfig({ gateway: { gatewayConfig: { forwardProxy: { address: "[2001:db8::1]:3128" } } } });
        assert.equal(config.gateway.gatewayConfig.forwardProxy?.address, "[2001:db8::1]:3128");
        assert.match(configProblems({ gateway: { gatewayConfig: { forwardProxy: { address: "[2001:db8::zz]:3128" } } } })[0], /is not host:port/);
    });
});

describe("input safety: one header policy for every header a configuration sets, matches or names", () => {
    const withMutation = (headers: Raw, extra: Raw = {}) => ({ backends: { ...twoBackends, a: { ...twoBackends.a, headers } }, models: { m: { backends: two } }, ...extra });

    it("a backend's header mutation never sets a credential of any provider, a cookie, a hop-by-hop or framing header, or the gateway's own", () => {
        for (const name of ["Proxy-Authorization", "x-goog-api-key", "x-amz-security-token", "Cookie", "api-key", "Authorization"]) {
            assert.deepEqual(configProblems(withMutation({ set: { [name]: "v" } })), [`backends.a.headers.set.${name}: "${name}" carries a credential, which only the backend's auth (or ai-gateway:auth) sets; use a header of your own`]);
        }
        for (const name of ["Connection", "Keep-Alive", "TE", "Upgrade"]) {
            assert.match(configProblems(withMutation({ set: { [name]: "v" } }))[0], /is a hop-by-hop header, which Envoy manages per connection/, name);
        }
        for (const name of ["Host", "Content-Length", "Transfer-Encoding"]) assert.match(configProblems(withMutation({ set: { [name]: "1" } }))[0], /frames the request itself/, name);
        for (const name of ["x-ai-eg-model", "x-ai-eg-anything", "x-envoy-original-path"]) assert.match(configProblems(withMutation({ remove: [name] }))[0], /is a header of the gateway itself/, name);
        assert.doesNotThrow(() => parseConfig(withMutation({ set: { "x-team": "a", "OpenAI-Organization": "org-1" }, remove: ["cookie"] })));
    });

    it("a mutation or an MCP server's key never writes a header that carries the verified identity", () => {
        const jwt = { issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/jwks.json", claimToHeaders: [{ claim: "tenant", header: "x-tenant" }] };
        const problems = configProblems(withMutation({ set: { "x-user-id": "alice", "X-Tenant": "acme" } }, { auth: { jwt }, gateway: { clientTraffic: { enabled: true } } }));
        assert.deepEqual(problems, [
            "backends.a.headers.set.x-user-id: is rateLimit.userHeader, the user budgets, logs and metrics count: setting it here would let these requests claim any identity; mutate another header",
            "backends.a.headers.set.X-Tenant: is auth.jwt.claimToHeaders[0], a verified claim: setting it here would let these requests claim any identity; mutate another header",
        ]);
        const mcp = (header: string) => ({ mcp: { servers: { github: { ...github, auth: { ...github.auth, header } } } }, apiKeys: { "github-pat": "known-github-pat" }, auth: { none: true } });
        assert.match(configProblems(mcp("x-user-id"))[0], /^mcp\.servers\.github\.auth\.header: "x-user-id" is rateLimit\.userHeader/);
        for (const [header, why] of [["Host", /frames the request itself/], ["Content-Length", /frames the request itself/], ["x-ai-eg-model", /is a header of the gateway itself/], ["Connection", /hop-by-hop/]] as const) {
            assert.match(configProblems(mcp(header))[0], why, header);
        }
        assert.doesNotThrow(() => parseConfig(mcp("x-api-key")));
    });

    it("a header value with a line break or another control character is refused, and never echoed", () => {
        const value = "ok\r\nx-injected: known-injected-value";
        const problems = [
            ...configProblems(withMutation({ set: { "x-team": value } })),
            ...configProblems({ backends: twoBackends, models: { m: { backends: two, match: { headers: [{ name: "x-team", value }] } } } }),
            ...configProblems({ gateway: { clientTraffic: { headers: { earlyRequestHeaders: { set: [{ name: "x-team", value }] } } } } }),
        ];
        assert.deepEqual(problems, [
            "backends.a.headers.set.x-team: holds a control character (a line break would split the request into two); remove it",
            "models.m.match.headers[0].value: holds a control character (a line break would split the request into two); remove it",
            "gateway.clientTraffic.headers.earlyRequestHeaders.set[0].value: holds a control character (a line break would split the request into two); remove it",
        ]);
        assert.doesNotMatch(problems.join("\n"), /known-injected-value/);
    });

    it("a match never spells out a credential; client-traffic headers are names, never pseudo-headers or framing", () => {
        assert.deepEqual(configProblems({ backends: twoBackends, models: { m: { backends: two, match: { headers: [{ name: "Authorization", value: "Bearer x" }] } } } }), [
            'models.m.match.headers[0].name: "Authorization" carries a credential, which a match would have to spell out in the stack file; match another header, and authenticate clients with ai-gateway:auth',
        ]);
        const early = (name: string) => configProblems({ gateway: { clientTraffic: { headers: { earlyRequestHeaders: { set: [{ name, value: "x" }] } } } } });
        assert.match(early(":authority")[0], /is a pseudo-header/);
        assert.match(early("Host")[0], /frames the request itself/);
        assert.match(early("x y")[0], /is not a header name/);
        assert.match(configProblems({ rateLimit: { userHeader: "Cookie" } })[0], /^rateLimit\.userHeader: is Cookie, which carries a credential: it would land in access logs, metrics and Redis keys/);
    });
});

describe("input safety: secrets are never echoed, and never copied into plain fields", () => {
    it("an apiKeys key name that looks like a credential is refused without showing it; plain names pass", () => {
        const pasted = ["sk-proj-known4b1Xc9Qe7Lm2Ks8Vt", "AKIAKNOWNEXAMPLE7Q2Z", "ghp_known0123456789abcdefABCDEF", "Zx8f0Qm2LpR7tVb9Yc3Kd6Hs1Nw4Ja5E"];
        for (const name of pasted) {
            const problems = configProblems({ apiKeys: { "openai-key": "v", [name]: "value" }, backends: { o: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: name } } } });
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], /^apiKeys: key 2 \(in the order the stack sets them\) .*, and a key name is printed in plans, errors and the names of Secrets; make the secret the value of a key with a plain name/);
            assert.ok(!problems[0].includes(name) && !problems[0].includes(name.slice(4, 16)), problems[0]);
        }
        assert.doesNotThrow(() => parseConfig({ apiKeys: { "openai-key": "v", "azure-east-api-key": "w", "github-pat": "x", "idp-client-secret": "y", anthropic: "z" } }));
    });

    it("a credential written where a key name belongs (auth.secret) is refused without showing it", () => {
        const secret = "sk-ant-known-reference-0123456789";
        const problems = configProblems({ apiKeys: { anthropic: "v" }, backends: { a: { schema: "Anthropic", hostname: "api.anthropic.com", auth: { type: "AnthropicAPIKey", secret } } } });
        assert.deepEqual(problems, [
            "backends.a.auth.secret: starts like an OpenAI or Anthropic key (sk-): a credential itself, not the name of an ai-gateway:apiKeys entry; store it there under a plain name (pulumi config set --secret --path 'apiKeys.<name>' <value>) and write that name here",
        ]);
    });

    it("an apiKeys value found verbatim in a plain field is an error naming the field only", () => {
        const value = "known-verbatim-secret-4242";
        const problems = configProblems({
            apiKeys: { openai: value },
            backends: { o: { schema: "OpenAI", hostname: "api.openai.com", auth: { type: "APIKey", secret: "openai" } } },
            platform: { envoyGateway: { values: { config: { note: `token=${value}` } } } },
            models: { [value]: { backends: [{ backend: "o" }] } },
        });
        assert.deepEqual(problems.filter((p) => /apiKeys entry in plain text/.test(p)).map((p) => p.split(": ")[0]), ["models", "platform.envoyGateway.values.config.note"]);
        assert.doesNotMatch(problems.join("\n"), /known-verbatim/);
    });
});

describe("input safety: the rest (paths, partitions, numbers that are none)", () => {
    const withPrefix = (prefix: string) => ({ backends: { ...twoBackends, p: { schema: "OpenAI", hostname: "llm.example.com", prefix } } });

    it("a backend prefix is a clean absolute path: no '..', query, fragment or empty segment", () => {
        for (const [prefix, why] of [
            ["/v1/../admin", /has a '\.' or '\.\.' segment/],
            ["/v1/%2e%2e/x", /has a '\.' or '\.\.' segment/],
            ["/v1?x=1", /holds a query or fragment/],
            ["/v1#frag", /holds a query or fragment/],
            ["/v1//chat", /has an empty segment/],
            ["/v1 x", /holds characters a URL path cannot/],
            ["v1", /must be a path starting with '\/'/],
        ] as const) {
            const problems = configProblems(withPrefix(prefix));
            assert.equal(problems.length, 1, `${prefix}: ${problems.join("\n")}`);
            assert.ok(problems[0].startsWith("backends.p.prefix: "), problems[0]);
            assert.match(problems[0], why, prefix);
        }
        for (const prefix of ["/v1", "/v1beta/openai", "/openai/v1/", "/api/v2.1"]) assert.doesNotThrow(() => parseConfig(withPrefix(prefix)), prefix);
    });

    it("role and provider ARNs name a real partition, and the partition of the region", () => {
        const aws = (extra: Raw) => ({ aws: { region: "us-west-2", eksClusterName: "c", ...extra } });
        assert.match(configProblems(aws({ roleArn: "arn:aws-mars:iam::123456789012:role/r" }))[0], /^aws\.roleArn: is not an IAM role ARN/);
        assert.deepEqual(configProblems(aws({ roleArn: "arn:aws-cn:iam::123456789012:role/r" })), [
            "aws.roleArn: is in partition aws-cn, and region us-west-2 is in aws, whose STS never accepts it; use the ARN of the role or provider in aws (arn:aws:iam::...)",
        ]);
        assert.match(configProblems({ aws: { region: "cn-north-1", eksClusterName: "c", irsa: { oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/X" } } })[0], /^aws\.irsa\.oidcProviderArn: is in partition aws, and region cn-north-1 is in aws-cn/);
        assert.doesNotThrow(() => parseConfig(aws({ roleArn: "arn:aws:iam::123456789012:role/r" })));
    });

    it(".nan and .inf in a stack file are named as such, never as null", async () => {
        const { mkdtempSync, writeFileSync } = await import("node:fs");
        const { join } = await import("node:path");
        const { tmpdir } = await import("node:os");
        const { readStackFile, StackFileError } = await import("../config/stackFile");
        const path = join(mkdtempSync(join(tmpdir(), "nan-")), "Pulumi.nan.yaml");
        writeFileSync(path, "config:\n  ai-gateway:retry: {numRetries: .nan}\n  ai-gateway:rateLimit: {global: {requests: [{limit: -.inf, window: 1m}]}}\n");
        assert.throws(() => readStackFile(path), (e: Error) => {
            assert.ok(e instanceof StackFileError);
            assert.equal(e.message, "ai-gateway:retry.numRetries is .nan, ai-gateway:rateLimit.global.requests[0].limit is -.inf: YAML reads .nan and .inf as numbers that are none (not a number, infinity); write a number, or quote the value if a string is meant");
            return true;
        });
        assert.match(configProblems({ retry: { numRetries: Number.NaN } })[0], /^retry\.numRetries: .*\.nan/);
    });
});

describe("input safety: privileged Envoy pods need an explicit opt-in", () => {
    const proxy = (envoyProxy: Raw) => ({ gateway: { envoyProxy } });
    const privileged: Raw = {
        securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ["SYS_ADMIN", "NET_BIND_SERVICE"] } },
        pod: { volumes: [{ name: "host", hostPath: { path: "/" } }] },
    };

    it("privileged, root, SYS_ADMIN and hostPath volumes are refused where they are set", () => {
        const problems = configProblems(proxy(privileged));
        assert.deepEqual(
            problems.map((p) => p.split(": ")[0]),
            ["gateway.envoyProxy.securityContext.privileged", "gateway.envoyProxy.securityContext.runAsUser", "gateway.envoyProxy.securityContext.capabilities.add[0]", "gateway.envoyProxy.pod.volumes[0]"],
        );
        for (const p of problems) assert.match(p, /in pods that face every client, so a flaw in Envoy would reach the node; remove it, or set gateway\.envoyProxy\.allowPrivileged: true if it is meant$/);
        assert.doesNotThrow(() => parseConfig(proxy({ securityContext: { runAsUser: 1000, capabilities: { add: ["NET_BIND_SERVICE"] } } })));
    });

    it("allowPrivileged: true accepts them with a warning; with nothing to allow it is an error", () => {
        assert.deepEqual(parseConfig(proxy({ ...privileged, allowPrivileged: true })).warnings, [
            "gateway.envoyProxy.allowPrivileged: accepts privileged Envoy pods (gateway.envoyProxy.securityContext.privileged, gateway.envoyProxy.securityContext.runAsUser, gateway.envoyProxy.securityContext.capabilities.add[0], gateway.envoyProxy.pod.volumes[0]), which face every client; keep them only while they are needed",
        ]);
        assert.deepEqual(configProblems(proxy({ allowPrivileged: true })), ["gateway.envoyProxy.allowPrivileged: has nothing to allow: no setting of the Envoy pods is privileged; remove it"]);
    });
});
