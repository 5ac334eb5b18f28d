import type { CanonicalMessage, CanonicalRequest, ImagePart, TextPart } from "../../core/canonical.js";
import { joinText } from "../../core/join-text.js";
import { TOOL_IMAGE_PLACEHOLDER } from "../chat-completions/to-chat-messages.js";
import { opaqueBlockText } from "../opaque-block-text.js";
import { toolsAsText } from "../tools-as-text.js";
import type { OllamaCompat } from "./ollama-compat.js";

/** A message of Ollama's /api/chat (docs/api.md "Generate a chat completion"; api/types.go `Message`). */
export interface OllamaMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  thinking?: string;
  /** Base64 image data, no `data:` prefix. */
  images?: string[];
  tool_calls?: Array<{ id?: string; function: { name: string; arguments: Record<string, unknown> } }>;
  tool_name?: string;
  tool_call_id?: string;
}

/** Settings that belong to the backend, not to the request: they must not change within a session. */
export interface OllamaRequestSettings {
  /** `options.num_ctx`; undefined leaves the server's own. A change reloads the model and loses its cache. */
  numCtx: number | undefined;
  /** `keep_alive`: how long the model stays loaded after a request (a duration string or seconds). */
  keepAlive: string | number;
}

function placeholder(image: ImagePart, reason: string): string {
  const what = image.source.kind === "base64" ? `${image.source.mediaType} image` : `image at ${image.source.url}`;
  return `[${what} omitted: ${reason}]`;
}

/**
 * Text and images of one turn. Ollama takes images only as base64 in `images`, and only for models with
 * the vision capability; anything else becomes a line saying what was left out.
 */
function textAndImages(parts: Array<TextPart | ImagePart>, compat: OllamaCompat) {
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of parts) {
    if (part.type === "text") texts.push(part.text);
    else if (!compat.vision) texts.push(placeholder(part, "this model does not accept images"));
    else if (part.source.kind === "url") texts.push(placeholder(part, "Ollama takes only inline images"));
    else images.push(part.source.data);
  }
  return { content: joinText(texts), images };
}

function withImages(message: OllamaMessage, images: string[]): OllamaMessage {
  return images.length > 0 ? { ...message, images } : message;
}

/** Tool call id → tool name, for the `tool_name` Ollama wants on each tool result. */
function toolNames(messages: readonly CanonicalMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages)
    for (const part of message.parts) if (part.type === "tool_call") names.set(part.id, part.name);
  return names;
}

function convertMessage(
  message: CanonicalMessage,
  leading: boolean,
  names: Map<string, string>,
  compat: OllamaCompat,
): OllamaMessage[] {
  if (message.role === "system") {
    const text = joinText(message.parts.flatMap((part) => (part.type === "text" ? [part.text] : [])));
    if (leading || compat.midConversationSystem === "native") return [{ role: "system", content: text }];
    return [{ role: "user", content: `<system-reminder>\n${text}\n</system-reminder>` }];
  }
  if (message.role === "assistant") {
    const texts: string[] = [];
    const thinking: string[] = [];
    const toolCalls: NonNullable<OllamaMessage["tool_calls"]> = [];
    for (const part of message.parts) {
      if (part.type === "text") texts.push(part.text);
      else if (part.type === "opaque") texts.push(opaqueBlockText(part));
      else if (part.type === "thinking") thinking.push(part.text);
      else if (part.type === "tool_call")
        toolCalls.push({ id: part.id, function: { name: part.name, arguments: part.input } });
    }
    const assistant: OllamaMessage = { role: "assistant", content: joinText(texts) };
    if (thinking.length > 0) assistant.thinking = joinText(thinking);
    if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
    return [assistant];
  }
  // A user message: tool results become tool messages, in order; the rest follows as a user turn, with
  // the tool results' images (a tool message carries text only).
  const out: OllamaMessage[] = [];
  const rest: Array<TextPart | ImagePart> = [];
  const toolImages: ImagePart[] = [];
  for (const part of message.parts) {
    if (part.type === "tool_result") {
      const texts = part.content.map((item) => {
        if (item.type === "text") return item.text;
        if (item.type === "opaque") return opaqueBlockText(item);
        if (!compat.vision || item.source.kind === "url") return textAndImages([item], compat).content;
        toolImages.push(item);
        return TOOL_IMAGE_PLACEHOLDER;
      });
      const text = joinText(texts);
      out.push({
        role: "tool",
        content: part.isError ? `Error: ${text}` : text,
        tool_name: names.get(part.toolCallId) ?? "",
        tool_call_id: part.toolCallId,
      });
    } else if (part.type === "text" || part.type === "image") {
      rest.push(part);
    } else if (part.type === "opaque") {
      rest.push({ type: "text", text: opaqueBlockText(part) });
    }
  }
  rest.unshift(...toolImages);
  if (rest.length > 0 || out.length === 0) {
    const { content, images } = textAndImages(rest, compat);
    out.push(withImages({ role: "user", content }, images));
  }
  return out;
}

export function toOllamaMessages(request: CanonicalRequest, compat: OllamaCompat): OllamaMessage[] {
  const messages: OllamaMessage[] = [];
  if (request.system.length > 0) {
    messages.push({ role: "system", content: joinText(request.system.map((part) => part.text)) });
  }
  const names = toolNames(request.messages);
  let leading = true;
  for (const message of request.messages) {
    leading &&= message.role === "system";
    messages.push(...convertMessage(message, leading, names, compat));
  }
  return messages;
}

/**
 * `think`: false when the client turned thinking off, else true, or the client's effort when the model
 * takes named levels and that level is one of them. Left out for models that cannot think.
 */
function thinkValue(request: CanonicalRequest, compat: OllamaCompat): boolean | string | undefined {
  if (compat.thinking === "none") return undefined;
  if (request.thinking.mode === "disabled") return false;
  if (compat.thinking === "levels") {
    return request.effort && compat.thinkingLevels.includes(request.effort) ? request.effort : true;
  }
  return true;
}

/** The /api/chat body for a canonical request. Always streamed: non-streaming clients get it collected. */
export function toOllamaChatBody(
  given: CanonicalRequest,
  model: string,
  compat: OllamaCompat,
  settings: OllamaRequestSettings,
): Record<string, unknown> {
  // A model without the tools capability gets its tools, their calls and results as text.
  const request = compat.toolsAsText ? toolsAsText(given) : given;
  const options: Record<string, unknown> = { num_predict: request.maxTokens };
  if (settings.numCtx !== undefined) options.num_ctx = settings.numCtx;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.topK !== undefined) options.top_k = request.topK;
  if (request.stopSequences.length > 0) options.stop = request.stopSequences;
  const body: Record<string, unknown> = {
    model,
    messages: toOllamaMessages(request, compat),
    stream: true,
    keep_alive: settings.keepAlive,
    options,
    // Without these Ollama silently drops the oldest messages of a prompt that does not fit, and shifts
    // the context when the answer fills it: the agent loses history and the cached prefix is gone. An
    // error instead lets the client compact.
    truncate: false,
    shift: false,
  };
  const think = thinkValue(request, compat);
  if (think !== undefined) body.think = think;
  // Ollama has no tool_choice: `none` is honoured by leaving the tools out; `any` and a named tool cannot
  // be forced and are sent as ordinary tools.
  if (request.tools.length > 0 && request.toolChoice?.type !== "none") {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
    }));
  }
  if (request.responseFormat) body.format = request.responseFormat.schema;
  return body;
}
