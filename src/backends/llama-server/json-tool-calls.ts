import type { ParsedToolCall } from "./dsml-tool-calls.js";
import { argumentObject } from "./tool-call-text.js";

/** One `{"name": NAME, "arguments": {…}}` (arguments as an object, or a JSON string holding one). */
function jsonCall(call: unknown): ParsedToolCall | undefined {
  if (typeof call !== "object" || call === null || Array.isArray(call)) return undefined;
  const { name, arguments: rawArguments = {} } = call as { name?: unknown; arguments?: unknown };
  if (typeof name !== "string" || name === "") return undefined;
  const input = argumentObject(rawArguments);
  return input && { name, input };
}

/**
 * The calls inside one tool-call block of the JSON syntax: Hermes 3's `<tool_call>` holds one
 * `{"name": NAME, "arguments": {…}}` (NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja; QwQ writes the
 * same), Nemotron Nano v2's `<TOOLCALL>` a list of them (NVIDIA-Nemotron-Nano-v2.jinja). llama.cpp reads
 * both with its automatic parser as `JSON_NATIVE`, the list as `tools_array_wrapped`
 * (common/chat-diff-analyzer.cpp). Undefined when the block is anything else: the caller passes it on as
 * text rather than guess.
 */
export function parseJsonToolCall(block: string): ParsedToolCall[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(block.trim());
  } catch {
    return undefined;
  }
  const calls = (Array.isArray(parsed) ? parsed : [parsed]).map(jsonCall);
  if (calls.length === 0 || calls.some((call) => call === undefined)) return undefined;
  return calls as ParsedToolCall[];
}
