import type { CollectedMessage } from "../../core/collect-message.js";
import { toolCallInput } from "../../core/tool-call-input.js";
import { anthropicUsage } from "./anthropic-usage.js";

/** A collected message as a non-streaming Anthropic Messages response. */
export function anthropicMessageBody(message: CollectedMessage) {
  return {
    id: message.id,
    type: "message",
    role: "assistant",
    model: message.model,
    content: message.blocks.map((block) => {
      switch (block.type) {
        case "text":
          return { type: "text", text: block.text };
        case "thinking":
          return { type: "thinking", thinking: block.thinking, signature: block.signature };
        case "redacted_thinking":
          return { type: "redacted_thinking", data: block.data };
        case "tool_call":
          return { type: "tool_use", id: block.id, name: block.name, input: toolCallInput(block.inputJson) };
        default: {
          const never: never = block;
          throw new Error(`unknown block ${JSON.stringify(never)}`);
        }
      }
    }),
    stop_reason: message.stopReason?.unified ?? "end_turn",
    stop_sequence: message.stopReason?.stopSequence ?? null,
    usage: anthropicUsage(message.usage),
  };
}
