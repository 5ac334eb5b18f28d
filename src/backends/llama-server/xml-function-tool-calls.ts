import type { ParsedToolCall } from "./dsml-tool-calls.js";
import { onlyMatches } from "./tool-call-text.js";

/** A Chat Completions tool, as much of it as typing a value needs. */
interface ToolSchema {
  function?: { name?: string; parameters?: { properties?: Record<string, { type?: unknown }> } };
}

const FUNCTION = /<function=([^>\n]+)>([\s\S]*?)<\/function>/g;
const PARAMETER = /<parameter=([^>\n]+)>([\s\S]*?)<\/parameter>/g;

/** The JSON types a tool's schema allows for one argument; empty when the schema does not say. */
function declaredTypes(tools: readonly unknown[], name: string, key: string): string[] {
  const tool = (tools as ToolSchema[]).find((candidate) => candidate.function?.name === name);
  const type = tool?.function?.parameters?.properties?.[key]?.type;
  if (typeof type === "string") return [type];
  return Array.isArray(type) ? type.filter((entry): entry is string => typeof entry === "string") : [];
}

/**
 * A value as llama.cpp's Qwen3-Coder parser types it (common/parsers/qwen3-coder.cpp): a string where the
 * schema allows only strings, JSON where it allows no string (undefined when that is not JSON), JSON
 * first and the text otherwise where it allows both or does not say.
 */
function typedValue(text: string, types: readonly string[]): { value: unknown } | undefined {
  if (types.length > 0 && types.every((type) => type === "string")) return { value: text };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return types.length > 0 && !types.includes("string") ? undefined : { value: text };
  }
}

/**
 * The calls in a tool-call block of the `<function=NAME><parameter=KEY>VALUE</parameter></function>`
 * syntax Qwen3-Coder introduced, which Seed-OSS (inside `<seed:tool_call>`, values unpadded:
 * ByteDance-Seed-OSS.jinja) and StepFun 3.5, Qwen3.5 and Nemotron 3 Nano (inside `<tool_call>`, each
 * value between newlines) write. `padding` is the text the template writes around a value, taken off
 * once each side. Undefined when the block holds anything else (stray text, no call, a value its schema
 * types that is not JSON): the caller passes it on as text rather than guess.
 */
export function parseXmlFunctionCalls(
  block: string,
  tools: readonly unknown[],
  padding: string,
): ParsedToolCall[] | undefined {
  if (!onlyMatches(block, FUNCTION)) return undefined;
  const calls: ParsedToolCall[] = [];
  for (const [, rawName = "", body = ""] of block.matchAll(FUNCTION)) {
    if (!onlyMatches(body, PARAMETER)) return undefined;
    const name = rawName.trim();
    const input: Record<string, unknown> = {};
    for (const [, rawKey = "", rawValue = ""] of body.matchAll(PARAMETER)) {
      const key = rawKey.trim();
      let text = rawValue;
      if (padding && text.startsWith(padding)) text = text.slice(padding.length);
      if (padding && text.endsWith(padding)) text = text.slice(0, -padding.length);
      const typed = typedValue(text, declaredTypes(tools, name, key));
      if (!typed) return undefined;
      input[key] = typed.value;
    }
    calls.push({ name, input });
  }
  return calls.length > 0 ? calls : undefined;
}
