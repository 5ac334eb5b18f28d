import { describe, expect, it } from "vitest";
import { responsesUsage } from "./responses-output.js";

const usage = { inputTokens: 10, outputTokens: 40, cacheReadTokens: 90, cacheWriteTokens: 0 };

describe("responsesUsage", () => {
  it("gives the reasoning part of the output where the backend told it apart, else 0", () => {
    expect(responsesUsage({ ...usage, reasoningTokens: 32 }).output_tokens_details).toEqual({ reasoning_tokens: 32 });
    expect(responsesUsage(usage)).toEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 90 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 140,
    });
  });
});
