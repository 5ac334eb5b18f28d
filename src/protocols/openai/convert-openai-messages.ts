import type {
  CanonicalMessage,
  CanonicalPart,
  ImagePart,
  TextPart,
  ThinkingPart,
  ToolCallPart,
  ToolResultPart,
} from "../../core/canonical.js";
import { invalidRequest } from "../../core/errors.js";
import { toolCallInput } from "../../core/tool-call-input.js";
import type { OpenAIMessage } from "./openai-request-schema.js";

type Of<Role extends OpenAIMessage["role"]> = Extract<OpenAIMessage, { role: Role }>;

/** `data:image/png;base64,AAAA` (parameters such as `;charset=…` may stand before `;base64`). */
const BASE64_DATA_URL = /^data:([^;,]+)(?:;[^;,]*)*;base64,(.*)$/s;

function textParts(content: string | Array<{ text: string }>): TextPart[] {
  return typeof content === "string"
    ? [{ type: "text", text: content }]
    : content.map((part) => ({ type: "text", text: part.text }));
}

/** An OpenAI image URL (Chat Completions `image_url.url`, Responses `image_url`) as a canonical image. */
export function imagePart(url: string, path: string): ImagePart {
  const data = BASE64_DATA_URL.exec(url);
  if (data) return { type: "image", source: { kind: "base64", mediaType: data[1] ?? "", data: data[2] ?? "" } };
  if (url.startsWith("data:")) throw invalidRequest(`${path}: only base64 data URLs are supported`);
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { kind: "url", url } };
  throw invalidRequest(`${path}: an image URL must be http(s) or a base64 data URL`);
}

function userParts(message: Of<"user">, path: string): Array<TextPart | ImagePart> {
  if (typeof message.content === "string") return [{ type: "text", text: message.content }];
  return message.content.map((part, index) =>
    part.type === "text"
      ? { type: "text", text: part.text }
      : imagePart(part.image_url.url, `${path}.content.${index}.image_url.url`),
  );
}

/** Reasoning first, then the answer, then its tool calls: the order the model produced them in. */
function assistantParts(message: Of<"assistant">): CanonicalPart[] {
  const parts: CanonicalPart[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (reasoning) parts.push({ type: "thinking", text: reasoning } satisfies ThinkingPart);
  const content = message.content ?? [];
  const texts =
    typeof content === "string" ? [content] : content.map((part) => (part.type === "text" ? part.text : part.refusal));
  if (message.refusal) texts.push(message.refusal);
  for (const text of texts) if (text !== "") parts.push({ type: "text", text });
  for (const call of message.tool_calls ?? []) {
    parts.push({
      type: "tool_call",
      id: call.id,
      name: call.function.name,
      input: toolCallInput(call.function.arguments),
    } satisfies ToolCallPart);
  }
  return parts;
}

/**
 * OpenAI messages → canonical system prompt and conversation. The leading run of system/developer
 * messages is the system prompt; later ones stay where they stand as `system` messages. Consecutive
 * `tool` messages become one user message of tool results (the canonical model's shape for them).
 */
export function convertOpenAIMessages(messages: OpenAIMessage[]): { system: TextPart[]; messages: CanonicalMessage[] } {
  const system: TextPart[] = [];
  // Built here, so still mutable: a tool message joins the tool-result message before it.
  const out: Array<{ role: CanonicalMessage["role"]; parts: CanonicalPart[] }> = [];
  const toolCallIds = new Set<string>();
  for (const [index, message] of messages.entries()) {
    const path = `messages.${index}`;
    switch (message.role) {
      case "system":
      case "developer":
        // Nothing in the conversation yet: still the leading run.
        if (out.length === 0) system.push(...textParts(message.content));
        else out.push({ role: "system", parts: textParts(message.content) });
        continue;
      case "user":
        out.push({ role: "user", parts: userParts(message, path) });
        break;
      case "assistant": {
        const parts = assistantParts(message);
        for (const part of parts) if (part.type === "tool_call") toolCallIds.add(part.id);
        out.push({ role: "assistant", parts });
        break;
      }
      case "tool": {
        if (!toolCallIds.has(message.tool_call_id)) {
          throw invalidRequest(
            `${path}.tool_call_id: ${message.tool_call_id} matches no tool call of an earlier assistant message`,
          );
        }
        const result: ToolResultPart = {
          type: "tool_result",
          toolCallId: message.tool_call_id,
          content: textParts(message.content),
          isError: false,
        };
        // A tool message right after another one always left a tool-result user message last.
        const previous = out.at(-1);
        if (messages[index - 1]?.role === "tool" && previous?.role === "user") previous.parts.push(result);
        else out.push({ role: "user", parts: [result] });
        break;
      }
      default: {
        const never: never = message;
        throw invalidRequest(`${path}: unknown message ${JSON.stringify(never)}`);
      }
    }
  }
  return { system, messages: out };
}
