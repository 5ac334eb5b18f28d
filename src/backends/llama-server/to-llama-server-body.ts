import type { CanonicalRequest } from "../../core/canonical.js";
import { joinText } from "../../core/join-text.js";
import { rememberFrozen } from "../../util/remember-frozen.js";
import { chatTemplateKwargs, toChatCompletionsBody } from "../chat-completions/to-chat-completions-body.js";
import { type ChatContent, type ChatMessage, toChatMessages } from "../chat-completions/to-chat-messages.js";
import { toolsAsText, withToolList } from "../tools-as-text.js";
import { applyHistoryRemedy } from "./history-remedy.js";
import { type LlamaServerCompat, rendersToolsAsText } from "./llama-server-compat.js";
import { singleSchemaTypes } from "./single-schema-types.js";

/** The messages llama-server is sent: joined where the template insists on alternating roles, history remedied. */
export function llamaServerMessages(request: CanonicalRequest, compat: LlamaServerCompat): ChatMessage[] {
  const messages = toChatMessages(request, compat);
  return applyHistoryRemedy(
    compat.alternatingRoles ? joinAdjacentUserTurns(messages) : messages,
    compat.history,
    request.thinking.mode !== "disabled",
  );
}

/** Tool lists with their type unions reduced, by the frozen list they came from. */
const singleTypedTools = new WeakMap<object, unknown>();

/**
 * The llama-server /v1/chat/completions body (also sent to /apply-template): the standard body plus
 * llama.cpp's own fields. The stream adds `id_slot` when it pins the lane to a slot.
 */
export function toLlamaServerBody(
  given: CanonicalRequest,
  model: string,
  compat: LlamaServerCompat,
): Record<string, unknown> {
  // A template with no place for tools (Gemma 2) gets them, their calls and results as text; one that
  // never writes the tool list (DeepSeek V3.1) gets the list after the system prompt.
  const request = rendersToolsAsText(compat)
    ? toolsAsText(given)
    : compat.toolListCall
      ? withToolList(given, compat.toolListCall)
      : given;
  const body = toChatCompletionsBody(request, model, compat, llamaServerMessages(request, compat));
  const tools = body.tools;
  if (compat.singleSchemaTypes && tools)
    body.tools = rememberFrozen(singleTypedTools, tools, () => singleSchemaTypes(tools));
  // Timings on every chunk: prompt tokens prefilled and reused are known at the first token.
  body.timings_per_token = true;
  body.cache_prompt = true;
  body.chat_template_kwargs = chatTemplateKwargs(request, compat.templateKwargs);
  if (request.topK !== undefined) body.top_k = request.topK;
  return body;
}

/**
 * For templates that insist on alternating roles (user and assistant turns alternate; assistant turns
 * with tool calls and tool results do not count): a user turn right after another (a system message sent
 * as a user turn) joins it, and a user turn after tool results whose run began with a user turn (text the
 * client sent beside its tool results) joins the last tool result. Both arrive in the same request, so the
 * joined turn is the same on every later turn.
 */
export function joinAdjacentUserTurns(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let lastCounted: "user" | "assistant" | undefined;
  for (const message of messages) {
    const previous = out.at(-1);
    if (message.role === "user" && previous?.role === "user") {
      out[out.length - 1] = { role: "user", content: joinUserContent(previous.content, message.content) };
      continue;
    }
    if (message.role === "user" && lastCounted === "user" && previous?.role === "tool") {
      out[out.length - 1] = { ...previous, content: `${previous.content}\n\n${textOf(message.content)}` };
      continue;
    }
    if (message.role === "user") lastCounted = "user";
    else if (message.role === "assistant" && !message.tool_calls?.length) lastCounted = "assistant";
    out.push(message);
  }
  return out;
}

const textOf = (content: ChatContent) =>
  typeof content === "string"
    ? content
    : joinText(content.flatMap((part) => (part.type === "text" ? [part.text] : [])));

function joinUserContent(first: ChatContent, second: ChatContent): ChatContent {
  if (typeof first === "string" && typeof second === "string") return `${first}\n\n${second}`;
  const parts = (content: ChatContent) =>
    typeof content === "string" ? [{ type: "text" as const, text: content }] : content;
  return [...parts(first), ...parts(second)];
}
