import { Environment } from "@marcbachmann/cel-js";

/**
 * The AI Gateway's CEL environment for cost expressions (internal/llmcostcel, v1.0/v1.1): `model`,
 * `backend` and `route_name` strings, every token count a uint. Evaluates a cost as its extProc does.
 */
const cel = new Environment()
    .registerVariable("model", "string")
    .registerVariable("backend", "string")
    .registerVariable("route_name", "string")
    .registerVariable("input_tokens", "uint")
    .registerVariable("cached_input_tokens", "uint")
    .registerVariable("cache_creation_input_tokens", "uint")
    .registerVariable("output_tokens", "uint")
    .registerVariable("total_tokens", "uint")
    .registerVariable("reasoning_tokens", "uint");
// The library takes uints as its own class, which only a uint result hands out.
const Uint = (cel.evaluate("0u") as object).constructor as new (v: bigint) => unknown;

export interface Tokens {
    input: number;
    /** Part of `input`. */
    cached?: number;
    output: number;
}

/** The cost an expression gives one response served by `backend` (the extProc's name) for `model`. */
export function costOf(expression: string, backend: string, model: string, t: Tokens, route = "ai-gateway/ai-gateway-models-0"): bigint {
    const u = (n: number) => new Uint(BigInt(n));
    const result = cel.evaluate(expression, {
        model,
        backend,
        route_name: route,
        input_tokens: u(t.input),
        cached_input_tokens: u(t.cached ?? 0),
        cache_creation_input_tokens: u(0),
        output_tokens: u(t.output),
        total_tokens: u(t.input + t.output),
        reasoning_tokens: u(0),
    }) as { value: bigint };
    return result.value;
}

/** The same cost computed by hand from a price table (USD per 1M tokens), rounded up to micro-dollars. */
export function expectedMicroUsd(price: { input: number; output: number; cachedInput?: number } | undefined, t: Tokens): bigint {
    if (price === undefined) return 0n;
    const pico = (usdPerMillion: number) => BigInt(Math.round(usdPerMillion * 1_000_000));
    const cached = BigInt(t.cached ?? 0);
    const input = BigInt(t.input);
    const total =
        price.cachedInput === undefined
            ? input * pico(price.input) + BigInt(t.output) * pico(price.output)
            : (input > cached ? input - cached : 0n) * pico(price.input) + cached * pico(price.cachedInput) + BigInt(t.output) * pico(price.output);
    return (total + 999_999n) / 1_000_000n;
}
