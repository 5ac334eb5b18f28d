import type { BenchTarget } from "./bench-target.js";

export interface BenchMessage {
  role: "user" | "assistant";
  content: string;
}

/** A streaming request on the target's wire, with usage (and llama-server's cache) asked for. */
export function benchRequestBody(
  target: BenchTarget,
  messages: BenchMessage[],
  maxTokens: number,
): Record<string, unknown> {
  if (target.wire === "anthropic") return { model: target.model, max_tokens: maxTokens, stream: true, messages };
  return {
    model: target.model,
    max_tokens: maxTokens,
    stream: true,
    stream_options: { include_usage: true },
    messages,
    ...(target.kind === "llama-server" ? { cache_prompt: true } : {}),
  };
}
