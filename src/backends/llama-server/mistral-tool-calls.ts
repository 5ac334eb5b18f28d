import type { ParsedToolCall } from "./dsml-tool-calls.js";
import { argumentObject } from "./tool-call-text.js";

const CALL = /^([A-Za-z0-9_.:-]+)(?:\[CALL_ID\][A-Za-z0-9]+)?\[ARGS\]([\s\S]*)$/;

/**
 * The calls in what follows Mistral's `[TOOL_CALLS]` to the end of the output, as its templates write
 * them (Mistral-Small-3.2-24B-Instruct-2506.jinja: `[TOOL_CALLS]NAME[CALL_ID]ID[ARGS]JSON` per call).
 * Undefined when any part is not a call with a JSON object of arguments.
 */
export function parseMistralToolCalls(block: string): ParsedToolCall[] | undefined {
  const calls: ParsedToolCall[] = [];
  for (const part of block.split("[TOOL_CALLS]")) {
    const match = CALL.exec(part.trim());
    if (!match) return undefined;
    const input = argumentObject(match[2] ?? "");
    if (!input) return undefined;
    calls.push({ name: match[1] ?? "", input });
  }
  return calls.length > 0 ? calls : undefined;
}
