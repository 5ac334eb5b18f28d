import type { ChatMessage } from "./to-chat-completions.js";

/**
 * How earlier assistant turns are sent so that a model family's stock template renders them the same
 * bytes on every turn (docs/design/model-families.md). The template is the server's own: this works on a
 * llama-server the user started, not only on one Switchyard launched.
 *
 * - `none`: the template is append-only as it is.
 * - `drop-reasoning`: earlier reasoning is never sent back. For families whose template renders
 *   reasoning only after the last user query and leaves no trace of it before (GLM-4.6, Kimi-K2-Thinking,
 *   gpt-oss). gpt-oss also renders the text before a tool call as reasoning (`analysis`), dropped the same
 *   way once the run ends, so that text is not sent back either.
 * - `embed-reasoning`: for templates that write `<think>…</think>` into assistant turns after the last user
 *   query and nothing before it (Qwen3, Qwen3.5, MiniMax-M2, StepFun 3.5). Turns before the last query are
 *   sent with the reasoning already written into their content, exactly as the template writes it after
 *   the query, and a blank `reasoning_content` (a string, so the template does not split the content on
 *   `</think>`; blank, so it adds nothing). A turn then renders the same before and after a new query.
 */
export type HistoryRemedy =
  | { kind: "none"; empty?: EmptyReasoning }
  | { kind: "drop-reasoning"; toolCallTextIsReasoning: boolean }
  | {
      kind: "embed-reasoning";
      /** What the template writes before the reasoning, and between it and the content. */
      open: string;
      close: string;
      /** Whether the template writes the wrapper when a turn has no reasoning. */
      whenEmpty: boolean;
      empty?: EmptyReasoning;
    };

/**
 * For templates whose generation prompt opens a reasoning block (or writes an empty one with thinking
 * off) but which render a turn without reasoning with no block at all: such a turn of the current run
 * is sent as having thought nothing, `reasoning_content` set to `value`, the string that makes the
 * template write the same empty block the generation prompt opened. `when`: on every request, or only
 * when thinking is on (a template whose thinking-off prompt writes no block).
 */
export interface EmptyReasoning {
  /** Absent: the template ignores a blank reasoning, so the empty block is written into the content. */
  value?: string;
  /** What the template writes for `value` inside its reasoning wrapper (embed-reasoning writes the same); default "". */
  written?: string;
  when: "always" | "thinking";
}

type AssistantMessage = Extract<ChatMessage, { role: "assistant" }>;

function lastUserIndex(messages: readonly ChatMessage[]): number {
  for (let index = messages.length - 1; index >= 0; index--) if (messages[index]?.role === "user") return index;
  return -1;
}

function embedded(
  message: AssistantMessage,
  remedy: Extract<HistoryRemedy, { kind: "embed-reasoning" }>,
  thinking: boolean,
): AssistantMessage {
  const { open, close, whenEmpty, empty } = remedy;
  const thoughtNothing = empty && (empty.when === "always" || thinking);
  const reasoning = (message.reasoning_content ?? "").trim() || (thoughtNothing ? (empty.written ?? "") : "");
  if (!reasoning && !whenEmpty && !thoughtNothing) {
    const { reasoning_content: _dropped, ...rest } = message;
    return rest;
  }
  return { ...message, content: `${open}${reasoning}${close}${message.content.trim()}`, reasoning_content: " " };
}

function thoughtNothing(messages: ChatMessage[], remedy: HistoryRemedy, thinking: boolean, from: number) {
  const empty = remedy.kind === "drop-reasoning" ? undefined : remedy.empty;
  if (!empty || (empty.when === "thinking" && !thinking)) return messages;
  return messages.map((message, index) => {
    if (message.role !== "assistant" || index < from || message.reasoning_content?.trim()) return message;
    if (empty.value !== undefined) return { ...message, reasoning_content: empty.value };
    if (remedy.kind !== "embed-reasoning") return message;
    return { ...message, content: `${remedy.open}${empty.written ?? ""}${remedy.close}${message.content.trim()}` };
  });
}

/**
 * The messages to send, with earlier assistant turns rewritten per the remedy (never edits its input).
 * `thinking`: whether the request has thinking on.
 */
export function applyHistoryRemedy(messages: ChatMessage[], remedy: HistoryRemedy, thinking = true): ChatMessage[] {
  switch (remedy.kind) {
    case "none":
      return thoughtNothing(messages, remedy, thinking, 0);
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
      return thoughtNothing(sent, remedy, thinking, last);
    }
    default: {
      const _never: never = remedy;
      return _never;
    }
  }
}
