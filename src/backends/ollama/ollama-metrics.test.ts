import { describe, expect, it } from "vitest";
import { mapOllamaDoneReason, ollamaTimings, ollamaUsage } from "./ollama-metrics.js";

describe("Ollama metrics", () => {
  it("marks the output unreported when eval_count is absent, instead of claiming 0 tokens", () => {
    expect(ollamaUsage({}).unreported).toEqual(["inputTokens", "cacheReadTokens", "outputTokens"]);
    expect(ollamaUsage({ eval_count: 3 }).unreported).not.toContain("outputTokens");
  });

  it("converts nanoseconds to milliseconds and leaves absent durations unknown", () => {
    expect(ollamaTimings({ eval_count: 10, eval_duration: 2_000_000_000 })).toEqual({
      predictedMs: 2000,
      predictedPerSecond: 5,
    });
    expect(ollamaTimings({ eval_count: 0, eval_duration: 0 })).toEqual({ predictedMs: 0 });
  });

  it("maps done_reason: length is max_tokens; stop is end_turn, or tool_use after tool calls", () => {
    expect(mapOllamaDoneReason("length", true)).toEqual({ unified: "max_tokens", raw: "length" });
    expect(mapOllamaDoneReason("stop", false)).toEqual({ unified: "end_turn", raw: "stop" });
    expect(mapOllamaDoneReason(undefined, true)).toEqual({ unified: "tool_use", raw: "stop" });
    expect(mapOllamaDoneReason("unload", false)).toEqual({ unified: "end_turn", raw: "unload" });
  });
});
