import type { ParsedToolCall } from "./dsml-tool-calls.js";

/**
 * The call inside one `<tool_call>…</tool_call>` block of the JSON syntax Hermes 3 writes (and Qwen3,
 * QwQ and Granite after it): `{"name": NAME, "arguments": {…}}` (NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja;
 * llama.cpp reads it with its automatic parser, common/chat-diff-analyzer.cpp, as JSON_NATIVE). Arguments
 * written as a JSON string holding an object are taken too. Undefined when the block is anything else:
 * the caller passes it on as text rather than guess.
 */
export function parseJsonToolCall(block: string): ParsedToolCall[] | undefined {
  let call: unknown;
  try {
    call = JSON.parse(block.trim());
  } catch {
    return undefined;
  }
  if (typeof call !== "object" || call === null) return undefined;
  const { name, arguments: rawArguments = {} } = call as { name?: unknown; arguments?: unknown };
  if (typeof name !== "string" || name === "") return undefined;
  let input = rawArguments;
  if (typeof input === "string") {
    try {
      input = JSON.parse(input);
    } catch {
      return undefined;
    }
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) return undefined;
  return [{ name, input: input as Record<string, unknown> }];
}
