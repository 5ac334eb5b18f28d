type Message = Record<string, unknown>;

const text = (content: unknown) =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part) => (part as { text?: unknown }).text ?? "").join("")
      : "";

/**
 * What llama-server does before a template that raises on a system message (its capabilities say no
 * system role, Gemma 2's), ported from common/chat.cpp (`workaround::system_message_not_supported`): a
 * leading system message is joined to the next message, a newline between them, or dropped when it is
 * the only one.
 */
export function systemMessageNotSupported(messages: readonly Message[]): Message[] {
  const [first, second, ...rest] = messages;
  if (first?.role !== "system") return [...messages];
  if (!second) return [];
  return [{ ...second, content: `${text(first.content)}\n${text(second.content)}` }, ...rest];
}
