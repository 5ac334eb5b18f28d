import type { CollectedMessage } from "../../core/collect-message.js";
import { type OpenAIFinishReason, openAIFinishReason } from "./openai-finish-reason.js";
import { openAIUsage } from "./openai-usage.js";

export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface OpenAIAssistantMessage {
  role: "assistant";
  content: string | null;
  /** Present only when the model thought (llama.cpp's and DeepSeek's field). */
  reasoning_content?: string;
  tool_calls?: OpenAIToolCall[];
  refusal: null;
}

/**
 * A collected message as a non-streaming `chat.completion` body
 * (https://platform.openai.com/docs/api-reference/chat/object). Text blocks are concatenated, as a
 * streaming client would have concatenated their deltas; so is the reasoning. Redacted thinking has no
 * OpenAI field and is left out.
 */
export function openAIChatCompletionBody(message: CollectedMessage, created: number) {
  let text = "";
  let reasoning = "";
  const toolCalls: OpenAIToolCall[] = [];
  for (const block of message.blocks) {
    // Collected blocks are stored by canonical index, so a backend that skipped one leaves a hole.
    if (!block) continue;
    switch (block.type) {
      case "text":
        text += block.text;
        break;
      case "thinking":
        reasoning += block.thinking;
        break;
      case "redacted_thinking":
        break;
      case "tool_call":
        toolCalls.push({
          id: block.id,
          type: "function",
          function: { name: block.name, arguments: block.inputJson.trim() === "" ? "{}" : block.inputJson },
        });
        break;
      default: {
        const never: never = block;
        throw new Error(`unknown block ${JSON.stringify(never)}`);
      }
    }
  }
  const assistant: OpenAIAssistantMessage = { role: "assistant", content: text === "" ? null : text, refusal: null };
  if (reasoning !== "") assistant.reasoning_content = reasoning;
  if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
  const finishReason: OpenAIFinishReason = openAIFinishReason(message.stopReason);
  return {
    id: message.id,
    object: "chat.completion" as const,
    created,
    model: message.model,
    choices: [{ index: 0, message: assistant, logprobs: null, finish_reason: finishReason }],
    usage: openAIUsage(message.usage),
  };
}
