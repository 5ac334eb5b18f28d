import { describe, expect, it } from "vitest";
import { openAIUsage } from "./openai-usage.js";

const usage = { inputTokens: 10, outputTokens: 40, cacheReadTokens: 90, cacheWriteTokens: 0 };

describe("openAIUsage", () => {
  it("counts every prompt token, the reused ones as cached", () => {
    expect(openAIUsage(usage)).toEqual({
      prompt_tokens: 100,
      completion_tokens: 40,
      total_tokens: 140,
      prompt_tokens_details: { cached_tokens: 90 },
    });
  });

  it("gives the reasoning part of the completion where the backend told it apart, and no 0 where it did not", () => {
    expect(openAIUsage({ ...usage, reasoningTokens: 32 }).completion_tokens_details).toEqual({ reasoning_tokens: 32 });
    expect(openAIUsage({ ...usage, reasoningTokens: 0 }).completion_tokens_details).toEqual({ reasoning_tokens: 0 });
    expect(openAIUsage(usage)).not.toHaveProperty("completion_tokens_details");
  });
});
