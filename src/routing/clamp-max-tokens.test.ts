import { describe, expect, it } from "vitest";
import { canonicalRequest } from "../../test/support/canonical-request.js";
import type { Backend, BackendKind } from "../backends/backend.js";
import { clampMaxTokens } from "./clamp-max-tokens.js";

/** A backend that reports `context` and counts every prompt as `tokens`, recording whether it was asked. */
function backend(kind: BackendKind, context: number | undefined, tokens: number) {
  const asked: string[] = [];
  const fake = {
    kind,
    contextSize: async () => context,
    countTokens: async () => {
      asked.push("count");
      return { tokens, exact: true };
    },
  } as unknown as Backend;
  return { fake, asked };
}

describe("clampMaxTokens", () => {
  // Big enough that its upper bound plus 32000 passes a 32K window, so the clamp has to size the prompt.
  const request = canonicalRequest({
    maxTokens: 32_000,
    messages: [{ role: "user", parts: [{ type: "text", text: "word ".repeat(1000) }] }],
  });

  it("lowers max_tokens to what the context leaves after the counted prompt", async () => {
    const { fake, asked } = backend("vllm", 32_768, 20_000);
    const sized = await clampMaxTokens(fake, "m", request, AbortSignal.timeout(1000));
    expect(sized.clamp).toEqual({ from: 32_000, to: 12_767 });
    expect(sized.request.maxTokens).toBe(12_767);
    expect(asked).toEqual(["count"]);
  });

  it("leaves a request that fits by the upper bound alone, without counting", async () => {
    const { fake, asked } = backend("sglang", 200_000, 20_000);
    const sized = await clampMaxTokens(fake, "m", request, AbortSignal.timeout(1000));
    expect(sized).toEqual({ request, clamp: undefined });
    expect(asked).toEqual([]);
  });

  it("leaves a prompt that fills the context to the server's own overflow error", async () => {
    const { fake } = backend("vllm", 32_768, 40_000);
    expect((await clampMaxTokens(fake, "m", request, AbortSignal.timeout(1000))).clamp).toBeUndefined();
  });

  it("never clamps llama-server (it stops at the window) or Anthropic, nor an unknown context", async () => {
    for (const [kind, context] of [
      ["llama-server", 32_768],
      ["anthropic", 32_768],
      ["vllm", undefined],
    ] as const) {
      const { fake } = backend(kind, context, 20_000);
      expect((await clampMaxTokens(fake, "m", request, AbortSignal.timeout(1000))).clamp).toBeUndefined();
    }
  });

  it("sizes Ollama's prompt by the free estimate, not its count", async () => {
    const { fake, asked } = backend("ollama", 4096, 0);
    const sized = await clampMaxTokens(fake, "m", request, AbortSignal.timeout(1000));
    expect(asked).toEqual([]);
    expect(sized.clamp?.to).toBeLessThan(4096);
  });
});
