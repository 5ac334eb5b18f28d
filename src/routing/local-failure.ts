import type { CollectedMessage } from "../core/collect-message.js";
import { toolArgumentsObject } from "../core/tool-call-input.js";
import type { LocalFailure } from "../sessions/session-entry.js";

/**
 * What in a finished answer says the local model did not cope: it ran out of tokens, or it wrote a
 * tool call that is not one (arguments that are no JSON object, or tool-call markup left in the text because
 * the server could not parse it).
 */
export function detectLocalFailure(message: CollectedMessage): LocalFailure | undefined {
  if (message.stopReason?.unified === "max_tokens") return "max_tokens";
  for (const block of message.blocks) {
    if (block?.type === "tool_call" && toolArgumentsObject(block.inputJson) === undefined) return "bad_tool_output";
    if (block?.type === "text" && /<tool_call>|<function=/.test(block.text)) return "bad_tool_output";
  }
  return undefined;
}
