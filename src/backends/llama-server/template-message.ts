import { createHash } from "node:crypto";
import type { RenderedPromptMode } from "../../families/rendered-prompt-mode.js";
import type { ChatContent, ChatMessage } from "../chat-completions/to-chat-messages.js";

/** Text content with its whitespace trimmed, each text part on its own. */
function trimContent<Content extends ChatContent>(content: Content): Content {
  if (typeof content === "string") return content.trim() as Content;
  return content.map((part) => (part.type === "text" ? { ...part, text: part.text.trim() } : part)) as Content;
}

/**
 * A message as llama-server gives it to a template it trims for (StepFun 3.5: common/chat.cpp,
 * `trim_all_content`, called from `common_chat_templates_apply_jinja`): content, its text parts and the
 * reasoning trimmed.
 */
function trimmed(message: ChatMessage): ChatMessage {
  if (message.role !== "assistant") return { ...message, content: trimContent(message.content) } as ChatMessage;
  const reasoning =
    message.reasoning_content === undefined ? {} : { reasoning_content: message.reasoning_content.trim() };
  return { ...message, content: message.content.trim(), ...reasoning };
}

/** The text of a tool call's arguments as an object: llama-server hands templates parsed arguments. */
function parsedArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A value as llama.cpp's renderer writes it with `| string` (common/jinja/value.h `as_string`, nested
 * values by `value_to_string_repr`): Python's form.
 */
export function pythonText(value: unknown, nested = false): string {
  if (typeof value === "string") {
    if (!nested) return value;
    return value.includes("'") ? JSON.stringify(value) : `'${value}'`;
  }
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (Array.isArray(value)) return `[${value.map((item) => pythonText(item, true)).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => `${pythonText(key, true)}: ${pythonText(item, true)}`);
    return `{${entries.join(", ")}}`;
  }
  return String(value);
}

/** Arguments with every value that is not a string as its text (`RenderedPromptMode.argumentValues`). */
function argumentsAsText(argumentsValue: unknown): unknown {
  if (typeof argumentsValue !== "object" || argumentsValue === null || Array.isArray(argumentsValue))
    return argumentsValue;
  return Object.fromEntries(Object.entries(argumentsValue).map(([key, value]) => [key, pythonText(value)]));
}

/** An id as `length` alphanumerics (hex of its hash): the same id is the same on every turn. */
const shortId = (id: string, length: number) => createHash("sha256").update(id).digest("hex").slice(0, length);

/**
 * A message as the template sees it (llama-server's shape: arguments parsed, nothing the template did not
 * get), with call ids in the form the template insists on, when it does.
 */
export function templateMessage(chatMessage: ChatMessage, mode: RenderedPromptMode): Record<string, unknown> {
  const idLength = mode.toolCallIdLength;
  const valuesAsText = mode.argumentValues === "text";
  const message = mode.trimMessages ? trimmed(chatMessage) : chatMessage;
  const id = (value: string) => (idLength ? shortId(value, idLength) : value);
  if (message.role === "tool") return { ...message, tool_call_id: id(message.tool_call_id) };
  if (message.role !== "assistant") return { ...message };
  // llama.cpp hands a template no `reasoning_content` when it is empty (common/chat.cpp, to_json_oaicompat).
  const { reasoning_content, ...rest } = message;
  const assistant = reasoning_content ? message : rest;
  if (!message.tool_calls?.length) return { ...assistant };
  return {
    ...assistant,
    tool_calls: message.tool_calls.map((call) => ({
      ...call,
      id: id(call.id),
      function: {
        name: call.function.name,
        arguments: valuesAsText
          ? argumentsAsText(parsedArguments(call.function.arguments))
          : parsedArguments(call.function.arguments),
      },
    })),
  };
}
