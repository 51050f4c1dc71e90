/**
 * The one target policy: where no traffic the configuration sets up may go. Every field that names a host,
 * an IP address or a Service (backends, MCP servers, passthrough routes, the forward proxy, extAuth, JWKS and
 * OIDC endpoints, the OTLP collector, an external Redis) asks here, through config/rules/targets.ts.
 *
 * Refused: cloud metadata services (they hand out the node's credentials) at every address and name the
 * major clouds use, in every IPv4 spelling (`169.254.169.254`, `2852039166`, `0xa9fea9fe`, `0251.0376.0251.0376`,
 * `169.254.43518`) and IPv6 form (mapped, compatible, NAT64); the loopback and unspecified addresses; link-local
 * addresses; the Kubernetes API server; Services in the cluster's own (`kube-*`) and the platform's namespaces.
 */
import { isIPv6 } from "node:net";

/** IPv4 addresses, as [network, prefix length, why]. */
const FORBIDDEN_V4: [number, number, string][] = [
    [ip4(0, 0, 0, 0), 8, "an unspecified (0.0.0.0/8) address, which reaches the Envoy pod itself"],
    [ip4(127, 0, 0, 0), 8, "the loopback address of the Envoy pod itself"],
    [ip4(169, 254, 0, 0), 16, "a link-local address, where cloud metadata services hand out the node's credentials"],
    [ip4(100, 100, 100, 200), 32, "Alibaba Cloud's metadata service, which hands out the node's credentials"],
    [ip4(168, 63, 129, 16), 32, "Azure's WireServer, which serves the node's configuration and secrets"],
    [ip4(192, 0, 0, 192), 32, "Oracle Cloud's metadata service, which hands out the node's credentials"],
];

/** Host names of metadata services and of the node itself. */
const FORBIDDEN_NAMES: Record<string, string> = {
    localhost: "the loopback address of the Envoy pod itself",
    "metadata.google.internal": "GCP's metadata service, which hands out the node's credentials",
    metadata: "a cloud metadata service, which hands out the node's credentials",
    "metadata.goog": "GCP's metadata service, which hands out the node's credentials",
    "instance-data": "AWS's metadata service, which hands out the node's credentials",
    "instance-data.ec2.internal": "AWS's metadata service, which hands out the node's credentials",
    "metadata.azure.com": "Azure's metadata service, which hands out the node's credentials",
    "metadata.tencentyun.com": "Tencent Cloud's metadata service, which hands out the node's credentials",
};

/** `kubernetes`, `kubernetes.default`, `kubernetes.default.svc`, `kubernetes.default.svc.<cluster domain>`. */
const KUBERNETES_API = /^kubernetes(\.default(\.svc(\..+)?)?)?$/;

function ip4(a: number, b: number, c: number, d: number): number {
    return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** One part of an IPv4 spelling: decimal, `0x` hex or `0` octal, as inet_aton and URL parsers read it. */
function ipv4Part(part: string): number | undefined {
    if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    if (/^0[0-7]+$/.test(part)) return parseInt(part.slice(1), 8);
    if (/^(0|[1-9][0-9]*)$/.test(part)) return Number(part);
    return undefined;
}

/**
 * The IPv4 address a host spells, in any form the resolvers and URL parsers on the way accept: 1 to 4 parts,
 * each decimal, hex or octal, the last filling the remaining bytes (`127.1`, `2130706433`, `0x7f.0.0.1`).
 */
export function parseIPv4(host: string): number | undefined {
    const parts = host.split(".");
    if (parts.length > 4 || parts.some((p) => p === "" || p.length > 12)) return undefined;
    const values = parts.map(ipv4Part);
    if (values.some((v) => v === undefined)) return undefined;
    const nums = values as number[];
    const last = nums[nums.length - 1];
    if (nums.slice(0, -1).some((v) => v > 255) || last >= 256 ** (5 - nums.length)) return undefined;
    let out = 0;
    nums.slice(0, -1).forEach((v, i) => (out += v * 256 ** (3 - i)));
    return out + last;
}

/** The 8 groups of an IPv6 address (the embedded IPv4 form included), or undefined. */
function ipv6Groups(host: string): number[] | undefined {
    if (!isIPv6(host)) return undefined;
    let text = host.replace(/%.*$/, "");
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
        const n = parseIPv4(v4[1])!;
        text = `${text.slice(0, -v4[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
    }
    const [head, tail] = text.split("::");
    const parse = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
    const h = parse(head);
    const t = parse(tail);
    return tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
}

function v4Problem(n: number): string | undefined {
    for (const [net, bits, why] of FORBIDDEN_V4) {
        const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
        if (((n & mask) >>> 0) === net) return why;
    }
    return undefined;
}

/** Why traffic from the gateway must not go to this host (a name or an address, IPv6 with or without brackets), or undefined. */
export function forbiddenHost(host: string): string | undefined {
    const h = host.trim().toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
    if (Object.hasOwn(FORBIDDEN_NAMES, h)) return FORBIDDEN_NAMES[h];
    if (h.endsWith(".localhost")) return FORBIDDEN_NAMES.localhost;
    if (KUBERNETES_API.test(h)) return "the Kubernetes API server";
    const v4 = parseIPv4(h);
    if (v4 !== undefined) return v4Problem(v4);
    const g = ipv6Groups(h);
    if (g === undefined) return undefined;
    const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
    const embedded = ((g[6] << 16) | g[7]) >>> 0;
    if (zeros(8)) return "the unspecified address (::), which reaches the Envoy pod itself";
    if (zeros(7) && g[7] === 1) return "the loopback address (::1) of the Envoy pod itself";
    if ((g[0] & 0xffc0) === 0xfe80) return "a link-local address (fe80::/10), where cloud metadata services answer";
    if (g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) {
        return "AWS's IPv6 metadata service (fd00:ec2::254), which hands out the node's credentials";
    }
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) forms reach the IPv4 address.
    const mapped = zeros(5) && (g[5] === 0xffff || g[5] === 0);
    const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
    if (mapped || nat64) {
        const why = v4Problem(embedded);
        if (why !== undefined) return `an IPv6 form of an IPv4 address that is ${why.replace(/^an? /, "")}`;
    }
    return undefined;
}

/** Why a namespace is no place for the gateway to route into (or to run in), or undefined. */
export function reservedNamespace(namespace: string, platform: ReadonlyMap<string, string>): string | undefined {
    if (platform.has(namespace)) return platform.get(namespace);
    if (namespace.startsWith("kube-")) return "the cluster's own components (every kube-* namespace is the cluster's)";
    return undefined;
}

/** The Service and namespace of an in-cluster host name (`<svc>.<ns>[.svc[.<cluster domain>]]`), if it names one. */
export function serviceOfHost(host: string): { service: string; namespace: string } | undefined {
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\..+)?$/.exec(host.toLowerCase().replace(/\.$/, ""));
    return m ? { service: m[1], namespace: m[2] } : undefined;
}

/** The host of `host:port`, `[ipv6]:port` or a URL; undefined when there is none to read. */
export function hostOf(address: string): string | undefined {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) {
        try {
            return new URL(address).hostname;
        } catch {
            return undefined;
        }
    }
    const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(address);
    if (bracketed) return bracketed[1];
    return address.replace(/:\d+$/, "");
}
