import type { CanonicalMessage, CanonicalRequest, ImagePart, TextPart, ToolDefinition } from "../../core/canonical.js";
import { rememberFrozen } from "../../util/remember-frozen.js";
import { opaqueBlockText } from "../opaque-block-text.js";
import { applyHistoryRemedy } from "./history-remedy.js";
import type { LlamaServerCompat } from "./llama-server-compat.js";

type ChatContent = string | Array<{ type: "text"; text: string } | { type: "image_url"; image_url: { url: string } }>;

export type ChatMessage =
  | { role: "system" | "user"; content: ChatContent }
  | {
      role: "assistant";
      content: string;
      reasoning_content?: string;
      tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
    }
  | { role: "tool"; tool_call_id: string; content: string };

/** Joins text blocks the way a reader would: a newline between blocks unless one is already there. */
export function joinText(texts: readonly string[]): string {
  let out = "";
  for (const text of texts) {
    if (out.length > 0 && !out.endsWith("\n") && text.length > 0) out += "\n";
    out += text;
  }
  return out;
}

function describeImage(image: ImagePart): string {
  const what = image.source.kind === "base64" ? `${image.source.mediaType} image` : `image at ${image.source.url}`;
  return `[${what} omitted: this model does not accept images]`;
}

function imageUrl(image: ImagePart): string {
  return image.source.kind === "base64"
    ? `data:${image.source.mediaType};base64,${image.source.data}`
    : image.source.url;
}

function userContent(parts: Array<TextPart | ImagePart>, compat: LlamaServerCompat): ChatContent {
  if (!compat.vision || !parts.some((part) => part.type === "image")) {
    return joinText(parts.map((part) => (part.type === "text" ? part.text : describeImage(part))));
  }
  return parts.map((part) =>
    part.type === "text"
      ? { type: "text", text: part.text }
      : { type: "image_url", image_url: { url: imageUrl(part) } },
  );
}

function convertMessage(message: CanonicalMessage, compat: LlamaServerCompat): ChatMessage[] {
  if (message.role === "system") {
    const text = joinText(message.parts.flatMap((part) => (part.type === "text" ? [part.text] : [])));
    if (compat.midConversationSystem === "native") return [{ role: "system", content: text }];
    return [{ role: "user", content: `<system-reminder>\n${text}\n</system-reminder>` }];
  }
  if (message.role === "assistant") {
    const texts: string[] = [];
    const thinking: string[] = [];
    const toolCalls: NonNullable<Extract<ChatMessage, { role: "assistant" }>["tool_calls"]> = [];
    for (const part of message.parts) {
      if (part.type === "text") texts.push(part.text);
      else if (part.type === "opaque") texts.push(opaqueBlockText(part));
      else if (part.type === "thinking") thinking.push(part.text);
      else if (part.type === "tool_call") {
        toolCalls.push({
          id: part.id,
          type: "function",
          function: { name: part.name, arguments: JSON.stringify(part.input) },
        });
      }
    }
    const assistant: ChatMessage = { role: "assistant", content: joinText(texts) };
    if (thinking.length > 0) assistant.reasoning_content = joinText(thinking);
    if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
    return [assistant];
  }
  // A user message: tool results become tool messages, in order; other content follows as a user turn.
  // OpenAI-style tool messages take text only: with vision, a tool result's images follow in the user turn.
  const out: ChatMessage[] = [];
  const rest: Array<TextPart | ImagePart> = [];
  const toolImages: ImagePart[] = [];
  for (const part of message.parts) {
    if (part.type === "tool_result") {
      const texts = part.content.map((item) => {
        if (item.type === "text") return item.text;
        if (item.type === "opaque") return opaqueBlockText(item);
        if (!compat.vision) return describeImage(item);
        toolImages.push(item);
        return "[image attached below]";
      });
      const text = joinText(texts);
      out.push({ role: "tool", tool_call_id: part.toolCallId, content: part.isError ? `Error: ${text}` : text });
    } else if (part.type === "text" || part.type === "image") {
      rest.push(part);
    } else if (part.type === "opaque") {
      rest.push({ type: "text", text: opaqueBlockText(part) });
    }
  }
  rest.unshift(...toolImages);
  if (rest.length > 0 || out.length === 0) out.push({ role: "user", content: userContent(rest, compat) });
  return out;
}

/** Chat messages converted from frozen canonical ones, per compat (a backend keeps one compat object). */
const convertedMessages = new WeakMap<LlamaServerCompat, WeakMap<object, ChatMessage[]>>();

/** `convert()` of a message or system prompt for `compat`, remembered when `source` is frozen. */
function rememberedFor(source: object, compat: LlamaServerCompat, convert: () => ChatMessage[]): ChatMessage[] {
  let memory = convertedMessages.get(compat);
  if (!memory) {
    memory = new WeakMap();
    convertedMessages.set(compat, memory);
  }
  return rememberFrozen(memory, source, convert);
}

export function toChatMessages(request: CanonicalRequest, compat: LlamaServerCompat): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (request.system.length > 0) {
    messages.push(
      ...rememberedFor(request.system, compat, () => [
        { role: "system", content: joinText(request.system.map((part) => part.text)) },
      ]),
    );
  }
  for (const message of request.messages)
    messages.push(...rememberedFor(message, compat, () => convertMessage(message, compat)));
  return applyHistoryRemedy(
    compat.alternatingRoles ? joinAdjacentUserTurns(messages) : messages,
    compat.history,
    request.thinking.mode !== "disabled",
  );
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

/** The llama-server /v1/chat/completions body for a canonical request (also used by /apply-template). */
export function toChatCompletionsBody(
  request: CanonicalRequest,
  model: string,
  compat: LlamaServerCompat,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    messages: toChatMessages(request, compat),
    max_tokens: request.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
    // Timings on every chunk: prompt tokens prefilled and reused are known at the first token.
    timings_per_token: true,
    cache_prompt: true,
    chat_template_kwargs: { ...compat.templateKwargs, enable_thinking: request.thinking.mode !== "disabled" },
  };
  if (request.tools.length > 0) body.tools = chatTools(request.tools);
  const choice = request.toolChoice;
  if (choice && request.tools.length > 0) {
    body.tool_choice =
      choice.type === "auto"
        ? "auto"
        : choice.type === "any"
          ? "required"
          : choice.type === "none"
            ? "none"
            : { type: "function", function: { name: choice.name } };
    if (choice.type !== "none") body.parallel_tool_calls = choice.parallel;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stopSequences.length > 0) body.stop = request.stopSequences;
  if (request.responseFormat) {
    body.response_format = {
      type: "json_schema",
      json_schema: { name: "output", schema: request.responseFormat.schema },
    };
  }
  return body;
}
