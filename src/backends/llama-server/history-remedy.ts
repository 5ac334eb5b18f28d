import type { EmptyReasoning, HistoryRemedy } from "../../families/history-remedy-kind.js";
import type { ChatMessage } from "../chat-completions/to-chat-messages.js";

type AssistantMessage = Extract<ChatMessage, { role: "assistant" }>;
type EmbedReasoning = Extract<HistoryRemedy, { kind: "embed-reasoning" }>;

function lastUserIndex(messages: readonly ChatMessage[]): number {
  for (let index = messages.length - 1; index >= 0; index--) if (messages[index]?.role === "user") return index;
  return -1;
}

/** Whether a turn without reasoning is sent as having thought nothing on this request. */
const thinksNothing = (empty: EmptyReasoning | undefined, thinking: boolean): empty is EmptyReasoning =>
  empty !== undefined && (empty.when === "always" || thinking);

/** The turn's content with the reasoning written in front of it, as the template writes it. */
function withReasoning(remedy: EmbedReasoning, reasoning: string, message: AssistantMessage): string {
  const content = message.content.trim();
  const separator = remedy.toolCallSeparator;
  const close =
    separator && !content && message.tool_calls?.length && remedy.close.endsWith(separator)
      ? remedy.close.slice(0, -separator.length)
      : remedy.close;
  return `${remedy.open}${reasoning}${close}${content}`;
}

function embedded(message: AssistantMessage, remedy: EmbedReasoning, thinking: boolean): AssistantMessage {
  const empty = thinksNothing(remedy.empty, thinking) ? remedy.empty : undefined;
  const reasoning = (message.reasoning_content ?? "").trim() || (empty?.written ?? "");
  if (!reasoning && !remedy.whenEmpty && !empty) {
    const { reasoning_content: _dropped, ...rest } = message;
    return rest;
  }
  return { ...message, content: withReasoning(remedy, reasoning, message), reasoning_content: " " };
}

/** Turns from `from` on without reasoning, sent as having thought nothing where the remedy says so. */
function sentThinkingNothing(messages: ChatMessage[], remedy: HistoryRemedy, thinking: boolean, from: number) {
  const empty = remedy.kind === "drop-reasoning" ? undefined : remedy.empty;
  if (!thinksNothing(empty, thinking)) return messages;
  return messages.map((message, index) => {
    if (message.role !== "assistant" || index < from || message.reasoning_content?.trim()) return message;
    if (empty.value !== undefined) return { ...message, reasoning_content: empty.value };
    if (remedy.kind !== "embed-reasoning") return message;
    return { ...message, content: withReasoning(remedy, empty.written ?? "", message) };
  });
}

/**
 * The messages to send, with earlier assistant turns rewritten per the remedy (never edits its input).
 * `thinking`: whether the request has thinking on.
 */
export function applyHistoryRemedy(messages: ChatMessage[], remedy: HistoryRemedy, thinking = true): ChatMessage[] {
  switch (remedy.kind) {
    case "none":
      return sentThinkingNothing(messages, remedy, thinking, 0);
    case "drop-reasoning":
      return messages.map((message) => {
        if (message.role !== "assistant") return message;
        const { reasoning_content: _dropped, ...rest } = message;
        if (remedy.toolCallTextIsReasoning && rest.tool_calls?.length) return { ...rest, content: "" };
        return message.reasoning_content === undefined ? message : rest;
      });
    case "embed-reasoning": {
      const last = lastUserIndex(messages);
      const sent = messages.map((message, index) =>
        message.role === "assistant" && index < last ? embedded(message, remedy, thinking) : message,
      );
      return sentThinkingNothing(sent, remedy, thinking, last);
    }
    default: {
      const _never: never = remedy;
      return _never;
    }
  }
}
