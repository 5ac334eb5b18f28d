import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN, TOOL_OUTPUT_CLOSE, TOOL_OUTPUT_OPEN } from "../../families/tools-as-text.js";
import type { ChatContent, ChatMessage } from "../chat-completions/to-chat-messages.js";

/** A message once tools are text: only user and assistant turns, which such a template renders. */
export type TextTurn = { role: "user"; content: ChatContent } | { role: "assistant"; content: string };

type Part = Exclude<ChatContent, string>[number];
const parts = (content: ChatContent): Part[] =>
  typeof content === "string" ? (content === "" ? [] : [{ type: "text", text: content }]) : content;

/** Two user-side texts as one turn, a blank line between them (parts kept where there are images). */
function joined(first: ChatContent, second: ChatContent, separator: string): ChatContent {
  if (typeof first === "string" && typeof second === "string") {
    return first === "" ? second : second === "" ? first : `${first}${separator}${second}`;
  }
  return [...parts(first), { type: "text", text: separator }, ...parts(second)];
}

/** A tool in the Chat Completions shape as one line of JSON: name, description, parameters. */
function toolLine(tool: unknown): string {
  const described = tool as { function?: Record<string, unknown> } & Record<string, unknown>;
  const fn = described.function ?? described;
  return JSON.stringify({ name: fn.name, description: fn.description, parameters: fn.parameters });
}

/** What the model is told about its tools and how to call them, written at the head of the first user turn. */
export function toolInstructions(tools: readonly unknown[]): string {
  const example = JSON.stringify({ name: "tool_name", arguments: { argument: "value" } });
  return [
    "You can call the tools below. To call one, write a block like this, with the tool's name and its arguments as one JSON object, one block per call:",
    `${TOOL_CALL_OPEN}\n${example}${TOOL_CALL_CLOSE}`,
    `Write nothing after your last block: each result comes back to you in a ${TOOL_OUTPUT_OPEN.trim()} block.`,
    "The tools, with their parameters in JSON Schema:",
    ...tools.map(toolLine),
  ].join("\n");
}

/** A call as the model is told to write one; arguments that are not JSON are kept as their text. */
export function toolCallBlock(name: string, argumentText: string): string {
  let input: unknown = argumentText;
  try {
    input = JSON.parse(argumentText);
  } catch {
    // Kept as text: the call is written as it was made.
  }
  return `${TOOL_CALL_OPEN}\n${JSON.stringify({ name, arguments: input })}${TOOL_CALL_CLOSE}`;
}

/**
 * The conversation for a template that renders no tools, calls or results and insists that user and
 * model turns alternate (Gemma 2): the system prompt and the tool list (with how to call) go at the head
 * of the first user turn, joined to it by a newline as llama-server joins a system prompt such a template
 * refuses (common/chat.cpp, `system_message_not_supported`); a model turn's calls follow its text as
 * blocks; tool results become user text, each in its block; and each run of user-side messages (results,
 * the user's words, a system message sent as a user turn) is one user turn. Without tools, calls or
 * results this is exactly what llama-server renders. The same messages give the same text on every
 * turn, so the prompt stays append-only.
 */
export function toolsAsText(messages: readonly ChatMessage[], tools: readonly unknown[]): TextTurn[] {
  const head: string[] = [];
  let index = 0;
  for (; messages[index]?.role === "system"; index++) head.push(joinedText(messages[index]?.content ?? ""));
  if (tools.length > 0) head.push(toolInstructions(tools));
  const turns: TextTurn[] = [];
  const addUser = (content: ChatContent, separator = "\n\n") => {
    const last = turns.at(-1);
    if (last?.role === "user") last.content = joined(last.content, content, separator);
    else turns.push({ role: "user", content });
  };
  for (const message of messages.slice(index)) {
    switch (message.role) {
      case "assistant": {
        const calls = (message.tool_calls ?? []).map((call) =>
          toolCallBlock(call.function.name, call.function.arguments),
        );
        turns.push({ role: "assistant", content: [message.content.trim(), ...calls].filter(Boolean).join("\n\n") });
        break;
      }
      case "tool":
        addUser(`${TOOL_OUTPUT_OPEN}${message.content}${TOOL_OUTPUT_CLOSE}`);
        break;
      default:
        addUser(message.content);
    }
  }
  if (head.length === 0) return turns;
  const prefix = head.join("\n\n");
  const first = turns[0];
  if (first?.role === "user") first.content = joined(prefix, first.content, "\n");
  else turns.unshift({ role: "user", content: prefix });
  return turns;
}

const joinedText = (content: ChatContent): string =>
  typeof content === "string" ? content : content.map((part) => (part.type === "text" ? part.text : "")).join("");
