/**
 * fast-check generators of hostile configuration: a valid configuration with one input-safety case planted in
 * it (a regex, a CEL rule, a target, a header, a secret), and whether the policies must refuse it (and where)
 * or accept it. Alias bombs are generated as stack-file text.
 */
import fc from "fast-check";
import { validConfig } from "./arbitraries";

type Raw = Record<string, unknown>;

export interface HostileCase {
    raw: Raw;
    /** The class of input, for the report of a failure. */
    kind: string;
    /** Refused at a path this matches, or accepted (no problem at `at`). */
    expect: { refused: RegExp } | { accepted: RegExp };
    /** Text that must never appear in an error (secrets, and names that are secrets). */
    secrets: string[];
}

const clone = (raw: Raw): Raw => JSON.parse(JSON.stringify(raw)) as Raw;
const firstBackends = (raw: Raw) => Object.keys(raw.backends as Raw).slice(0, 2);

/** Patterns RE2 (and so Envoy) refuses, and RE2-only syntax it takes. */
const RE2_REFUSED = ["a{1001}", "x{2000}", "\\Z", "(?P<n>a)(?P=n)", "[a-\\d]", "(?=a)b", "(?<!a)b", "\\1", "(", "a**", "[z-a]"];
/** Valid RE2 past Envoy's program size (the AI Gateway's Go regexp, for MCP tool filters, takes them). */
const ENVOY_TOO_LARGE = ["\\pL{200}", ".{50}", "a{101}"];
const RE2_ACCEPTED = ["(?i)^gpt-4", "(?P<fam>qwen)-.*", "^(?:llama|mistral)-[[:digit:]]+b$", "(?s)^claude-.*", "^\\Qgpt-4.1\\E$", "(?U)^o[0-9]+"];

const CEL_REFUSED = ['request.mcp.method ==', "42", 'request.mcp.tool + 1', "lookup(request.mcp.method)", 'request.mcp.nope == "x"', '"a" +', "request.mcp.method.size()"];
const CEL_JWT = [
    'request.auth.jwt.claims.team == "a"',
    'request["auth"]["jwt"].claims.team == "a"',
    'request.auth .jwt.claims.team == "a"',
    "has(request.auth)",
    '[request].exists(r, r.auth.jwt.scopes.size() > 0)',
    'dyn(request).auth.jwt.claims.x == "y"',
];
const CEL_ACCEPTED = ['request.mcp.method == "tools/list"', 'request.mcp.tool.startsWith("get_") && request.headers["x-team"] == "a"', "size(request.mcp.params) < 10"];

const FORBIDDEN_HOSTS = ["169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518", "100.100.100.200", "168.63.129.16", "metadata.google.internal", "127.1", "0x7f000001", "localhost", "kubernetes.default.svc", "dns.kube-system.svc.cluster.local"];
const FORBIDDEN_V6 = ["::1", "::ffff:169.254.169.254", "fe80::1", "fd00:ec2::254", "64:ff9b::a9fe:a9fe"];

const FORBIDDEN_SET_HEADERS = ["Proxy-Authorization", "x-goog-api-key", "x-amz-security-token", "Cookie", "Authorization", "Connection", "Transfer-Encoding", "Host", "Content-Length", "x-ai-eg-model", "x-envoy-foo", "x-user-id"];
const ALLOWED_SET_HEADERS = ["x-team", "OpenAI-Organization", "anthropic-beta", "x-request-source"];

/** Key names a secret pasted in the wrong place has. */
const PASTED_NAMES = ["sk-proj-pasted7Qm2LpR7tVb9Yc3K", "AKIAPASTEDEXAMPLE42Z", "ghp_pasted0123456789abcdefABCD", "Qm7x2LpR7tVb9Yc3Kd6Hs1Nw4Ja5Ez8f"];

/** Where a planted case goes, as a change to the configuration. */
type Plant = (raw: Raw, value: string) => { raw: Raw; at: RegExp };

const REGEX_PLACES: Plant[] = [
    (raw, p) => {
        const [a, b] = firstBackends(raw);
        (raw.models as Raw)["planted-pattern"] = { match: { pattern: p }, backends: [{ backend: a, model: "m-a" }, { backend: b, model: "m-b", priority: 1 }] };
        return { raw, at: /^models\.planted-pattern\.match\.pattern$/ };
    },
    (raw, p) => {
        const [a, b] = firstBackends(raw);
        (raw.models as Raw)["planted-header"] = { match: { headers: [{ name: "x-team", value: p, type: "RegularExpression" }] }, backends: [{ backend: a }, { backend: b, priority: 1 }] };
        return { raw, at: /^models\.planted-header\.match\.headers\[0\]\.value$/ };
    },
    (raw, p) => {
        raw.mcp = { servers: { tools: { service: { name: "tools-mcp", namespace: "tools" }, port: 80, tools: { includeRegex: [p] } } } };
        return { raw, at: /^mcp\.servers\.tools\.tools\.includeRegex\[0\]$/ };
    },
    (raw, p) => {
        raw.passthrough = { planted: { path: p, pathType: "RegularExpression", service: { name: "iris", namespace: "kserve", port: 80 } } };
        return { raw, at: /^passthrough\.planted\.path$/ };
    },
];

const CEL_PLACES: Plant[] = [
    (raw, cel) => {
        raw.mcp = { servers: { tools: { service: { name: "tools-mcp", namespace: "tools" }, port: 80 } }, authorization: { defaultAction: "Deny", rules: [{ cel, action: "Allow" }] } };
        return { raw, at: /^mcp\.authorization\.rules\[0\]\.cel$/ };
    },
    (raw, cel) => {
        raw.mcp = { servers: { tools: { service: { name: "tools-mcp", namespace: "tools" }, port: 80 } }, backendSelector: { defaultAction: "Deny", rules: [{ cel, action: "Allow" }] } };
        return { raw, at: /^mcp\.backendSelector\.rules\[0\]\.cel$/ };
    },
];

const bracket = (h: string) => (h.includes(":") ? `[${h}]` : h);
const TARGET_PLACES: (Plant & { v6?: true })[] = [
    (raw, h) => {
        raw.backends = { ...(raw.backends as Raw), planted: { schema: "OpenAI", hostname: h, port: 80 } };
        return { raw, at: /^backends\.planted\.hostname$/ };
    },
    (raw, h) => {
        raw.mcp = { servers: { planted: { hostname: h, port: 80 } } };
        return { raw, at: /^mcp\.servers\.planted\.hostname$/ };
    },
    Object.assign(
        (raw: Raw, h: string) => {
            const gateway = raw.gateway as Raw;
            gateway.gatewayConfig = { ...(gateway.gatewayConfig as Raw), enabled: true, forwardProxy: { address: `${bracket(h)}:3128` } };
            return { raw, at: /^gateway\.gatewayConfig\.forwardProxy\.address$/ };
        },
        { v6: true as const },
    ),
    Object.assign(
        (raw: Raw, h: string) => {
            raw.observability = { ...(raw.observability as Raw), tracing: { endpoint: `https://${bracket(h)}:4318` } };
            (raw.gateway as Raw).gatewayConfig = { ...((raw.gateway as Raw).gatewayConfig as Raw), enabled: true };
            return { raw, at: /^observability\.tracing\.endpoint$/ };
        },
        { v6: true as const },
    ),
];

function plantedIn(places: Plant[], values: readonly string[], kind: string, refused: boolean): fc.Arbitrary<HostileCase> {
    return fc.tuple(validConfig, fc.constantFrom(...places), fc.constantFrom(...values)).map(([base, place, value]) => {
        const { raw, at } = place(clone(base), value);
        return { raw, kind: `${kind}: ${value}`, expect: refused ? { refused: at } : { accepted: at }, secrets: secretsOf(raw) };
    });
}

const secretsOf = (raw: Raw) => Object.values((raw.apiKeys as Record<string, string> | undefined) ?? {});

const regexCases = fc.oneof(
    plantedIn(REGEX_PLACES, RE2_REFUSED, "RE2 refuses", true),
    plantedIn([REGEX_PLACES[0], REGEX_PLACES[1], REGEX_PLACES[3]], ENVOY_TOO_LARGE, "past Envoy's RE2 program size", true),
    plantedIn([REGEX_PLACES[2]], ENVOY_TOO_LARGE, "large RE2 in an MCP tool filter", false),
    plantedIn(REGEX_PLACES.slice(0, 1), RE2_ACCEPTED, "RE2-only syntax", false));
const celCases = fc.oneof(
    plantedIn(CEL_PLACES, CEL_REFUSED, "CEL refused", true),
    // Without a verified JWT (the generated stacks with auth.none), claims may not decide.
    plantedIn(CEL_PLACES, CEL_JWT, "CEL reads an unverified JWT", true).filter((c) => (c.raw.auth as Raw | undefined)?.jwt === undefined),
    plantedIn(CEL_PLACES, CEL_ACCEPTED, "CEL accepted", false),
);
const targetCases = fc.oneof(
    plantedIn(TARGET_PLACES, FORBIDDEN_HOSTS, "forbidden target", true),
    plantedIn(
        TARGET_PLACES.filter((p) => "v6" in p),
        FORBIDDEN_V6,
        "forbidden IPv6 target",
        true,
    ),
    plantedIn(TARGET_PLACES.filter((p) => "v6" in p).slice(0, 1), ["2001:db8::1", "proxy.corp.example.com", "10.20.0.5"], "allowed proxy", false),
);
/** A header set by the first backend's mutation. */
const setOnFirstBackend: Plant = (raw, h) => {
    const key = firstBackends(raw)[0];
    (raw.backends as Record<string, Raw>)[key].headers = { set: { [h]: "v" } };
    return { raw, at: new RegExp(`^backends\\.${key.replace(/[^A-Za-z0-9]/g, ".")}\\.headers\\.set`) };
};

const headerCases = fc.oneof(
    plantedIn(
        [setOnFirstBackend],
        FORBIDDEN_SET_HEADERS,
        "forbidden header",
        true,
    ),
    plantedIn(
        [setOnFirstBackend],
        ALLOWED_SET_HEADERS,
        "allowed header",
        false,
    ),
    plantedIn(
        [
            (raw, v) => {
                const key = firstBackends(raw)[0];
                (raw.backends as Record<string, Raw>)[key].headers = { set: { "x-team": v } };
                return { raw, at: new RegExp(`^backends\\.${key.replace(/[^A-Za-z0-9]/g, ".")}\\.headers\\.set\\.x-team$`) };
            },
        ],
        ["a\r\nx-injected: 1", "a\nb", "a\u0000b"],
        "header value with control characters",
        true,
    ),
);
const secretCases: fc.Arbitrary<HostileCase> = fc.oneof(
    fc.tuple(validConfig, fc.constantFrom(...PASTED_NAMES)).map(([base, name]) => {
        const raw = clone(base);
        raw.apiKeys = { ...(raw.apiKeys as Raw), [name]: "pasted-value-0000" };
        return { raw, kind: "credential as a key name", expect: { refused: /^apiKeys$/ }, secrets: [name, ...secretsOf(raw)] };
    }),
    fc.tuple(validConfig, fc.constantFrom("platform", "model")).map(([base, where]) => {
        const raw = clone(base);
        const secret = "copied-secret-value-9876";
        raw.apiKeys = { ...(raw.apiKeys as Raw), copied: secret };
        if (where === "platform") raw.platform = { envoyGateway: { values: { note: `x ${secret}` } } };
        else {
            const [a, b] = firstBackends(raw);
            (raw.models as Raw)[secret] = { backends: [{ backend: a }, { backend: b, priority: 1 }] };
        }
        return { raw, kind: `apiKeys value copied into ${where}`, expect: { refused: where === "platform" ? /^platform\.envoyGateway\.values\.note$/ : /^models$/ }, secrets: [secret] };
    }),
);
const namespaceCases = fc.tuple(validConfig, fc.constantFrom("kube-system", "kube-public", "kube-anything")).map(([base, ns]) => {
    const raw = clone(base);
    (raw.gateway as Raw).namespace = ns;
    return { raw, kind: `gateway in ${ns}`, expect: { refused: /^gateway\.namespace$/ }, secrets: secretsOf(raw) } as HostileCase;
});

/** One hostile case of any class. */
export const hostileConfig: fc.Arbitrary<HostileCase> = fc.oneof(regexCases, celCases, targetCases, headerCases, secretCases, namespaceCases);

/** Stack-file text with nested aliases: `levels` deep, each alias list `fanOut` wide (bombs when fanOut^levels is large). */
export const aliasYaml = fc.record({ levels: fc.integer({ min: 1, max: 40 }), fanOut: fc.integer({ min: 1, max: 12 }) }).map(({ levels, fanOut }) => {
    const lines = ["config:", "  ai-gateway:observability:", "    a0: &a0 [lol, lol]"];
    for (let i = 1; i <= levels; i++) lines.push(`    a${i}: &a${i} [${Array(fanOut).fill(`*a${i - 1}`).join(", ")}]`);
    // Values once expanded: the document, config:, the key's map, and each list with what its aliases repeat.
    let size = 3;
    let total = 3 + size;
    for (let i = 1; i <= levels; i++) {
        size = 1 + fanOut * size;
        total += size;
    }
    return { text: `${lines.join("\n")}\n`, expanded: total, depth: levels + 4 };
});
