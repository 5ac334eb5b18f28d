import type { Usage } from "../../core/canonical.js";

/**
 * Canonical usage in OpenAI's terms. OpenAI's `prompt_tokens` counts every prompt token, reused or not;
 * canonical usage (Anthropic's meaning) splits them into prefilled, read from cache and written to cache,
 * so all three add up to it. `cached_tokens` is the reused part; `reasoning_tokens`, of the completion,
 * the model's reasoning, where the backend tells it apart (opencode shows it beside the answer's).
 */
export function openAIUsage(usage: Usage) {
  const promptTokens = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: promptTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
    ...(usage.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}
