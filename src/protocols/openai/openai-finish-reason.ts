import type { StopReason } from "../../core/canonical.js";

export type OpenAIFinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/** Canonical stop reason → OpenAI `finish_reason`; no stop reason yet counts as a natural stop. */
export function openAIFinishReason(stopReason: StopReason | undefined): OpenAIFinishReason {
  const unified = stopReason?.unified ?? "end_turn";
  switch (unified) {
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default: {
      const never: never = unified;
      throw new Error(`unknown stop reason ${JSON.stringify(never)}`);
    }
  }
}
