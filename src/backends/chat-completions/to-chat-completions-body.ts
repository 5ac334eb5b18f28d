import type { CanonicalRequest, ToolChoice, ToolDefinition } from "../../core/canonical.js";
import { rememberFrozen } from "../../util/remember-frozen.js";
import { type ChatMessage, type ChatMessagesCompat, toChatMessages } from "./to-chat-messages.js";

/** What differs in the standard body between servers, as data. */
export interface ChatCompletionsCompat extends ChatMessagesCompat {
  /**
   * The field the completion limit goes in (default `max_tokens`, which every local server reads;
   * OpenAI's own API takes only `max_completion_tokens` for its reasoning models).
   */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
}

/** Converted tool lists, by the frozen canonical list they came from. */
const convertedTools = new WeakMap<object, unknown[]>();

/** Tool definitions in the Chat Completions shape; a frozen list is converted once (and frozen, so its JSON is written once). */
function chatTools(tools: readonly ToolDefinition[]): unknown[] {
  return rememberFrozen(convertedTools, tools, () =>
    tools.map((tool) => ({
      type: "function",
      function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
    })),
  );
}

function chatToolChoice(choice: ToolChoice): unknown {
  switch (choice.type) {
    case "auto":
      return "auto";
    case "any":
      return "required";
    case "none":
      return "none";
    case "tool":
      return { type: "function", function: { name: choice.name } };
    default: {
      const _never: never = choice;
      return _never;
    }
  }
}

/**
 * The standard OpenAI Chat Completions body for a canonical request, always streamed with usage. A
 * server adds its own fields to it (llama-server: to-llama-server-body.ts; vLLM, SGLang:
 * to-openai-compatible-body.ts) and never removes one. `messages`: the server's own, when it rewrites
 * history (llama-server's remedies); by default the request's messages as `compat` writes them.
 */
export function toChatCompletionsBody(
  request: CanonicalRequest,
  model: string,
  compat: ChatCompletionsCompat,
  messages: ChatMessage[] = toChatMessages(request, compat),
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    messages,
    [compat.maxTokensField ?? "max_tokens"]: request.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.tools.length > 0) body.tools = chatTools(request.tools);
  const choice = request.toolChoice;
  if (choice && request.tools.length > 0) {
    body.tool_choice = chatToolChoice(choice);
    if (choice.type !== "none") body.parallel_tool_calls = choice.parallel;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences.length > 0) body.stop = request.stopSequences;
  if (request.responseFormat) {
    body.response_format = {
      type: "json_schema",
      json_schema: { name: "output", schema: request.responseFormat.schema },
    };
  }
  return body;
}

/**
 * `chat_template_kwargs`, which servers rendering with the model's own Jinja template take (llama-server,
 * vLLM, SGLang): the server's extra kwargs, and `enable_thinking` from the request.
 */
export function chatTemplateKwargs(request: CanonicalRequest, templateKwargs: Record<string, unknown>) {
  return { ...templateKwargs, enable_thinking: request.thinking.mode !== "disabled" };
}
