/**
 * The one CEL policy: every CEL expression the configuration hands to the AI Gateway is parsed and type-checked
 * here (with @marcbachmann/cel-js, a complete CEL parser and checker without dependencies) against the
 * variables the AI Gateway declares where it evaluates it:
 * - MCP `authorization` and `backendSelector` rules (internal/mcpproxy): `request` with `method`, `host`,
 *   `path`, `headers`, `headers_all`, `mcp.{method, backend, tool, params}` and `auth.jwt.{claims, scopes}`;
 *   the result must be a boolean. Without a verified JWT on the MCP path, `request.auth` is not declared at
 *   all, so a read of the claims in any spelling (`request["auth"]`, `has(...)`, a macro's variable) fails
 *   the check instead of a text search.
 * - spend costs (internal/llmcostcel): `model`, `backend`, `route_name` strings and token counts as uints; the
 *   result must be an int or a uint.
 */
import { Environment } from "@marcbachmann/cel-js";

/** Where an expression is evaluated, and so what it may read and must return. */
export type CelPlace = { kind: "mcp"; jwtVerified: boolean } | { kind: "spendCost" };

/** The AI Gateway's MCP proxy compiles rules of at most this cost; bound the tree well below anything slow. */
const LIMITS = { maxAstNodes: 20000, maxDepth: 250, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 };

const MCP_REQUEST = {
    method: "string",
    host: "string",
    path: "string",
    headers: "map<string, string>",
    headers_all: "map<string, list<string>>",
    mcp: { method: "string", backend: "string", tool: "string", params: "map<string, dyn>" },
};

let environments: { verified: Environment; unverified: Environment; cost: Environment } | undefined;

/** Built on first use: most stacks have no CEL, and the library loads in a few milliseconds. */
function env(): NonNullable<typeof environments> {
    environments ??= {
        verified: new Environment({ enableOptionalTypes: true, limits: LIMITS }).registerVariable({
            name: "request",
            schema: { ...MCP_REQUEST, auth: { jwt: { claims: "map<string, dyn>", scopes: "list<string>" } } },
        }),
        unverified: new Environment({ enableOptionalTypes: true, limits: LIMITS }).registerVariable({ name: "request", schema: MCP_REQUEST }),
        cost: ["model", "backend", "route_name"]
            .reduce((e, v) => e.registerVariable(v, "string"), new Environment({ limits: LIMITS }))
            .registerVariable("input_tokens", "uint")
            .registerVariable("cached_input_tokens", "uint")
            .registerVariable("cache_creation_input_tokens", "uint")
            .registerVariable("output_tokens", "uint")
            .registerVariable("total_tokens", "uint")
            .registerVariable("reasoning_tokens", "uint"),
    };
    return environments;
}

/** `line L, column C` (or just the column on a one-line expression) of a 0-based offset. */
function position(expression: string, offset: number | undefined): string {
    if (offset === undefined) return "";
    const before = expression.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return expression.includes("\n") ? ` at line ${line}, column ${column}` : ` at column ${column}`;
}

interface CheckError {
    message: string;
    node?: { pos?: number };
}

/** The first line of the checker's message (the rest repeats the expression with a caret). */
function reason(error: CheckError): string {
    return error.message.split("\n")[0].replace(/\.$/, "");
}

/** Why an expression cannot be evaluated where it is placed (`<what>; <fix>`), or undefined when it can. */
export function celProblem(expression: string, place: CelPlace): string | undefined {
    const environments = env();
    const checked = (e: Environment) => {
        try {
            return e.check(expression) as { valid: boolean; type?: string; error?: CheckError };
        } catch (error) {
            // The library throws on what it cannot even read (a parse error may come either way).
            return { valid: false, error: error as CheckError };
        }
    };
    if (place.kind === "spendCost") {
        const result = checked(environments.cost);
        if (!result.valid) return `is not a valid cost expression${position(expression, result.error?.node?.pos)}: ${reason(result.error!)}`;
        if (result.type !== "uint" && result.type !== "int") return `is a cost expression of type ${result.type}, and a cost must be an int or a uint`;
        return undefined;
    }
    const result = checked(environments.verified);
    if (!result.valid) {
        return `is not a valid CEL expression${position(expression, result.error?.node?.pos)}: ${reason(result.error!)}; fix it (the MCP proxy sees request.{method, host, path, headers, headers_all, mcp.{method, backend, tool, params}, auth.jwt.{claims, scopes}})`;
    }
    if (result.type !== "bool" && result.type !== "dyn") {
        return `is an expression of type ${result.type}, and a rule needs true or false (anything else denies); compare it, e.g. request.mcp.method == "tools/call"`;
    }
    if (!place.jwtVerified) {
        const found = jwtRead(expression);
        if (found?.dyn) {
            return `calls dyn()${position(expression, found.pos)}, which hides from the check whether it reads request.auth, and nothing verifies a JWT on the MCP path; write it without dyn(), or set mcp.oauth or ai-gateway:auth.jwt`;
        }
        const read = found?.pos ?? checkedJwtRead(checked(environments.unverified));
        if (read !== undefined) {
            return `reads request.auth (the JWT's claims or scopes)${position(expression, read)}, but nothing verifies that token on the MCP path, so its claims would be whatever the client wrote; set mcp.oauth or ai-gateway:auth.jwt, or decide on something the gateway verified`;
        }
    }
    return undefined;
}

/** Where the check without `request.auth` failed because the expression reads it. */
function checkedJwtRead(result: { valid: boolean; error?: CheckError }): number | undefined {
    if (result.valid) return undefined;
    return result.error?.node?.pos ?? 0;
}

interface AstNode {
    op: string;
    args: unknown;
    pos?: number;
}

const isNode = (v: unknown): v is AstNode => typeof v === "object" && v !== null && typeof (v as AstNode).op === "string";

/**
 * What the checker lets through untyped: `has(request.auth)` and `request.?auth` (which test for the field
 * without reading it), and `dyn(...)`, which turns off the check for what it wraps. Found in the parsed tree.
 */
function jwtRead(expression: string): { pos: number; dyn: boolean } | undefined {
    let ast: unknown;
    try {
        ast = (env().verified.parse(expression) as unknown as { ast: unknown }).ast;
    } catch {
        return undefined;
    }
    const stack: unknown[] = [ast];
    while (stack.length > 0) {
        const node = stack.pop();
        if (Array.isArray(node)) {
            stack.push(...node);
            continue;
        }
        if (!isNode(node)) continue;
        const args = Array.isArray(node.args) ? node.args : [node.args];
        const onRequest = isNode(args[0]) && args[0].op === "id" && args[0].args === "request";
        const pos = node.pos ?? 0;
        if ((node.op === "." || node.op === ".?") && onRequest && args[1] === "auth") return { pos, dyn: false };
        if ((node.op === "[]" || node.op === "[?]") && onRequest && isNode(args[1]) && args[1].op === "value" && args[1].args === "auth") return { pos, dyn: false };
        if (node.op === "call" && args[0] === "dyn") return { pos, dyn: true };
        stack.push(...args);
    }
    return undefined;
}
