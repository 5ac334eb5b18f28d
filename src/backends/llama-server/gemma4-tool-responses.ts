type Message = Record<string, unknown>;

const hasToolCalls = (message: Message) => Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
const hasContent = (message: Message) =>
  (typeof message.content === "string" && message.content !== "") ||
  (Array.isArray(message.content) && message.content.length > 0);

/** A tool result as llama.cpp hands it on: its text parsed as JSON where it is JSON, else the text. */
function response(content: unknown): unknown {
  if (typeof content !== "string") return content;
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
}

/**
 * What llama-server does to the messages before an older Gemma 4 template (one without the stock
 * template's "OpenAI Chat Completions" forward scan, such as google-gemma-4-31B-it-interleaved.jinja) sees
 * them, ported from common/parsers/gemma4.cpp (`convert_tool_responses_gemma4`): an assistant message with
 * tool calls, the tool results after it and the text-only assistant message after those become one
 * assistant message with `tool_responses` (each `{name, response}`, the name the call's at the same index,
 * else the result's call id) and that text as its content. As there, the tool-call message's own text is
 * not kept; its `reasoning_content` is.
 */
export function gemma4ToolResponses(messages: readonly Message[]): Message[] {
  const out: Message[] = [];
  let index = 0;
  while (index < messages.length) {
    const message = messages[index] as Message;
    index++;
    if (message.role !== "assistant" || !hasToolCalls(message)) {
      out.push(message);
      continue;
    }
    const calls = message.tool_calls as Array<{ function?: { name?: string } }>;
    const responses: Array<{ name: string; response: unknown }> = [];
    while (index < messages.length && messages[index]?.role === "tool") {
      const result = messages[index] as Message;
      const name = calls[responses.length]?.function?.name || String(result.tool_call_id ?? "");
      responses.push({ name, response: response(result.content) });
      index++;
    }
    const merged: Message = { role: "assistant", tool_calls: calls };
    if (responses.length > 0) merged.tool_responses = responses;
    const next = messages[index];
    if (next?.role === "assistant" && !hasToolCalls(next) && hasContent(next)) {
      merged.content = next.content;
      index++;
    }
    if (typeof message.reasoning_content === "string") merged.reasoning_content = message.reasoning_content;
    out.push(merged);
  }
  return out;
}
