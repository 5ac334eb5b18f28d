import type {
  CanonicalMessage,
  CanonicalPart,
  CanonicalRequest,
  ImagePart,
  TextPart,
  ToolDefinition,
} from "../core/canonical.js";
import { joinText } from "../core/join-text.js";
import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN, TOOL_OUTPUT_CLOSE, TOOL_OUTPUT_OPEN } from "../families/tools-as-text.js";
import { rememberFrozen } from "../util/remember-frozen.js";
import { TOOL_IMAGE_PLACEHOLDER } from "./chat-completions/to-chat-messages.js";
import { opaqueBlockText } from "./opaque-block-text.js";

/** The tools, each as one line of JSON (name, description, parameters), under a line that says so. */
const toolLines = (tools: readonly ToolDefinition[]) => [
  "The tools, with their parameters in JSON Schema:",
  ...tools.map((tool) =>
    JSON.stringify({ name: tool.name, description: tool.description, parameters: tool.inputSchema }),
  ),
];

/** What the model is told about its tools and how to call one: written after the system prompt. */
export function toolInstructions(tools: readonly ToolDefinition[]): string {
  const example = JSON.stringify({ name: "tool_name", arguments: { argument: "value" } });
  return [
    "You can call the tools below. To call one, write a block like this, with the tool's name and its arguments as one JSON object, one block per call:",
    `${TOOL_CALL_OPEN}\n${example}${TOOL_CALL_CLOSE}`,
    `Write nothing after your last block: each result comes back to you in a ${TOOL_OUTPUT_OPEN.trim()} block.`,
    ...toolLines(tools),
  ].join("\n");
}

const toolList = (tools: readonly ToolDefinition[]): TextPart => ({ type: "text", text: toolInstructions(tools) });

/**
 * The tool list for a template that writes calls and results in the family's own syntax but never the
 * list itself (DeepSeek V3.1, the R1 distills): the same lines, and how to call a tool in that syntax
 * (`call`, the matrix's `toolCalls` with NAME and ARGS in it).
 */
export function toolListInstructions(tools: readonly ToolDefinition[], call: string): string {
  return [
    `You can call the tools below. To call one, write ${call} with NAME the tool's name and ARGS its arguments as one JSON object.`,
    ...toolLines(tools),
  ].join("\n");
}

const listed = new WeakMap<object, Map<string, TextPart>>();

/** The request with its tool list after the system prompt, in the family's call syntax; its tools are still sent. */
export function withToolList(request: CanonicalRequest, call: string): CanonicalRequest {
  if (request.tools.length === 0 || request.toolChoice?.type === "none") return request;
  const byCall = rememberFrozen(listed, request.tools, () => new Map<string, TextPart>());
  let part = byCall.get(call);
  if (!part) {
    part = { type: "text", text: toolListInstructions(request.tools, call) };
    byCall.set(call, part);
  }
  return { ...request, system: [...request.system, part] };
}

/** A call as the model is told to write one. */
export const toolCallBlock = (name: string, input: unknown) =>
  `${TOOL_CALL_OPEN}\n${JSON.stringify({ name, arguments: input })}${TOOL_CALL_CLOSE}`;

/** A tool's result as the model is given it. */
export const toolOutputBlock = (text: string) => `${TOOL_OUTPUT_OPEN}${text}${TOOL_OUTPUT_CLOSE}`;

/** A model turn: its reasoning as it was, then its text and its calls as one text, a blank line apart. */
function modelTurn(message: CanonicalMessage): CanonicalMessage {
  const kept: CanonicalPart[] = [];
  const texts: string[] = [];
  for (const part of message.parts) {
    if (part.type === "text") texts.push(part.text);
    else if (part.type === "opaque") texts.push(opaqueBlockText(part));
    else if (part.type === "tool_call") texts.push(toolCallBlock(part.name, part.input));
    else kept.push(part);
  }
  const text = texts.filter((item) => item.trim() !== "").join("\n\n");
  return { role: "assistant", parts: text ? [...kept, { type: "text", text }] : kept };
}

/** A user turn: each tool result as its block (its images after the text), in order with the user's words. */
function userTurn(message: CanonicalMessage): CanonicalMessage {
  const texts: string[] = [];
  const images: ImagePart[] = [];
  for (const part of message.parts) {
    if (part.type === "text") texts.push(part.text);
    else if (part.type === "image") images.push(part);
    else if (part.type === "opaque") texts.push(opaqueBlockText(part));
    else if (part.type === "tool_result") {
      const result = joinText(
        part.content.map((item) => {
          if (item.type === "text") return item.text;
          if (item.type === "opaque") return opaqueBlockText(item);
          images.push(item);
          return TOOL_IMAGE_PLACEHOLDER;
        }),
      );
      texts.push(toolOutputBlock(part.isError ? `Error: ${result}` : result));
    }
  }
  const text = texts.filter((item) => item !== "").join("\n\n");
  return { role: "user", parts: [...(text ? [{ type: "text" as const, text }] : []), ...images] };
}

/** Each frozen message's turn, and each frozen tool list's text, made once: a session sends the same objects turn after turn. */
const turns = new WeakMap<object, CanonicalMessage>();
const instructions = new WeakMap<object, TextPart>();

/**
 * The request for a model whose template has no place for tools, calls or results (Gemma 2 on
 * llama-server, a model Ollama lists without the `tools` capability): the tool list, with how to call a
 * tool, follows the system prompt; a model turn's calls follow its text as fenced JSON blocks; each tool
 * result is a block in its user turn. No tools are left to send. The model's blocks are read back by the
 * family output parser with `TOOLS_AS_TEXT_OUTPUT`. The same messages give the same text on every turn.
 */
export function toolsAsText(request: CanonicalRequest): CanonicalRequest {
  const offered = request.toolChoice?.type === "none" ? [] : request.tools;
  const system =
    offered.length > 0
      ? [...request.system, rememberFrozen(instructions, offered, () => toolList(offered))]
      : request.system;
  const messages = request.messages.map((message) =>
    message.role === "system"
      ? message
      : rememberFrozen(turns, message, () => (message.role === "assistant" ? modelTurn(message) : userTurn(message))),
  );
  return { ...request, system, messages, tools: [], toolChoice: undefined };
}

type ChatShaped = Record<string, unknown>;

/** A call's arguments as the canonical model holds them: JSON text parsed, else the text itself. */
function argumentsOf(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * `toolsAsText` for conversations that start as Chat Completions messages (the backend's append-only
 * probe, a test model's script): the same text as a request converted with it, for llama-server's
 * shape of the messages (a tool list after the leading system message, user-side turns joined).
 */
export function chatToolsAsText(messages: readonly ChatShaped[], tools: readonly ToolDefinition[]): ChatShaped[] {
  const out: ChatShaped[] = [];
  const addUser = (content: string) => {
    const last = out.at(-1);
    if (last?.role === "user") out[out.length - 1] = { ...last, content: `${String(last.content)}\n\n${content}` };
    else out.push({ role: "user", content });
  };
  for (const message of messages) {
    const calls = message.tool_calls as Array<{ function: { name: string; arguments: unknown } }> | undefined;
    if (message.role === "tool") addUser(toolOutputBlock(String(message.content)));
    else if (message.role === "user") addUser(String(message.content));
    else if (message.role === "assistant" && calls?.length) {
      const { tool_calls: _calls, ...rest } = message;
      const blocks = calls.map((call) => toolCallBlock(call.function.name, argumentsOf(call.function.arguments)));
      const texts = [String(message.content ?? ""), ...blocks].filter((text) => text.trim() !== "");
      out.push({ ...rest, content: texts.join("\n\n") });
    } else out.push(message);
  }
  if (tools.length === 0) return out;
  const instructions = toolInstructions(tools);
  const first = out[0];
  if (first?.role === "system") out[0] = { ...first, content: joinText([String(first.content), instructions]) };
  else out.unshift({ role: "system", content: instructions });
  return out;
}
