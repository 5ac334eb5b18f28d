import type { StopReason } from "../../core/canonical.js";

/** OpenAI-style finish_reason → canonical stop reason, keeping the raw value. */
export function mapFinishReason(raw: string | null | undefined): StopReason {
  switch (raw) {
    case "length":
      return { unified: "max_tokens", raw };
    case "tool_calls":
    case "function_call":
      return { unified: "tool_use", raw };
    case "content_filter":
      return { unified: "refusal", raw };
    default:
      return { unified: "end_turn", raw: raw ?? "stop" };
  }
}
