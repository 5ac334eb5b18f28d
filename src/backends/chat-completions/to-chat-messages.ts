import type { CanonicalMessage, CanonicalRequest, ImagePart, TextPart } from "../../core/canonical.js";
import { joinText } from "../../core/join-text.js";
import { rememberFrozen } from "../../util/remember-frozen.js";
import { opaqueBlockText } from "../opaque-block-text.js";

/** How a server wants canonical messages written, as data (detected per llama-server, per flavor elsewhere). */
export interface ChatMessagesCompat {
  /**
   * How a `system` message in the middle of the conversation is rendered. `native` when the template
   * accepts it where it stands; `as-user` when the template raises (Qwen3.5: "System message must be at
   * the beginning."), in which case it becomes a user turn at the same position, wrapped in
   * <system-reminder> tags. Never hoisted to the front, never dropped.
   */
  midConversationSystem: "native" | "as-user";
  /** Whether the model takes images; without, each image becomes a line of text saying it was left out. */
  vision: boolean;
  /**
   * The field an assistant turn's reasoning goes back in (default `reasoning_content`, llama.cpp's name,
   * which SGLang and most hosted APIs read; vLLM reads only `reasoning`).
   */
  reasoningField?: "reasoning" | "reasoning_content";
}

export type ChatContent =
  | string
  | Array<{ type: "text"; text: string } | { type: "image_url"; image_url: { url: string } }>;

export type ChatMessage =
  | { role: "system" | "user"; content: ChatContent }
  | {
      role: "assistant";
      content: string;
      /** The reasoning, under the name `ChatMessagesCompat.reasoningField` gives. */
      reasoning_content?: string;
      reasoning?: string;
      tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
    }
  | { role: "tool"; tool_call_id: string; content: string };

/** Where a tool result's image stood, in its text: the image itself follows in the user turn. */
export const TOOL_IMAGE_PLACEHOLDER = "[image attached below]";

function describeImage(image: ImagePart): string {
  const what = image.source.kind === "base64" ? `${image.source.mediaType} image` : `image at ${image.source.url}`;
  return `[${what} omitted: this model does not accept images]`;
}

function imageUrl(image: ImagePart): string {
  return image.source.kind === "base64"
    ? `data:${image.source.mediaType};base64,${image.source.data}`
    : image.source.url;
}

function userContent(parts: Array<TextPart | ImagePart>, compat: ChatMessagesCompat): ChatContent {
  if (!compat.vision || !parts.some((part) => part.type === "image")) {
    return joinText(parts.map((part) => (part.type === "text" ? part.text : describeImage(part))));
  }
  return parts.map((part) =>
    part.type === "text"
      ? { type: "text", text: part.text }
      : { type: "image_url", image_url: { url: imageUrl(part) } },
  );
}

function convertMessage(message: CanonicalMessage, compat: ChatMessagesCompat): ChatMessage[] {
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
    if (thinking.length > 0) {
      if (compat.reasoningField === "reasoning") assistant.reasoning = joinText(thinking);
      else assistant.reasoning_content = joinText(thinking);
    }
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
        return TOOL_IMAGE_PLACEHOLDER;
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
const convertedMessages = new WeakMap<ChatMessagesCompat, WeakMap<object, ChatMessage[]>>();

/** `convert()` of a message or system prompt for `compat`, remembered when `source` is frozen. */
function rememberedFor(source: object, compat: ChatMessagesCompat, convert: () => ChatMessage[]): ChatMessage[] {
  let memory = convertedMessages.get(compat);
  if (!memory) {
    memory = new WeakMap();
    convertedMessages.set(compat, memory);
  }
  return rememberFrozen(memory, source, convert);
}

/**
 * The request's system prompt and messages as Chat Completions messages, in order. Converted messages
 * may be shared between requests (remembered for frozen canonical ones): callers never edit them.
 */
export function toChatMessages(request: CanonicalRequest, compat: ChatMessagesCompat): ChatMessage[] {
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
  return messages;
}
