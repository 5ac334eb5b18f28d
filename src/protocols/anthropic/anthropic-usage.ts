import type { Usage } from "../../core/canonical.js";

/** Canonical usage in Anthropic's field names (input = prefilled, cache read = reused). */
export function anthropicUsage(usage: Usage) {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    output_tokens: usage.outputTokens,
  };
}
