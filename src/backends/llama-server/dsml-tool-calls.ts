import { onlyMatches } from "./tool-call-text.js";

/** One tool call read from a model's output. */
export interface ParsedToolCall {
  name: string;
  input: Record<string, unknown>;
}

const DSML = "｜DSML｜";
const INVOKE = new RegExp(`<${DSML}invoke name="([^"]+)">([\\s\\S]*?)</${DSML}invoke>`, "gu");
const PARAMETER = new RegExp(
  `<${DSML}parameter name="([^"]+)" string="(true|false)">([\\s\\S]*?)</${DSML}parameter>`,
  "gu",
);

/**
 * The calls in the inside of a DeepSeek V3.2 `<｜DSML｜function_calls>` block, as its template writes them
 * (deepseek-ai-DeepSeek-V3.2.jinja): a `string="true"` value as it stands, any other as JSON. Undefined
 * when the block holds anything else (no call, stray text, a value that is not JSON): the caller passes
 * the output on as text rather than guess.
 */
export function parseDsmlToolCalls(block: string): ParsedToolCall[] | undefined {
  if (!onlyMatches(block, INVOKE)) return undefined;
  const calls: ParsedToolCall[] = [];
  for (const invoke of block.matchAll(INVOKE)) {
    const [, name = "", body = ""] = invoke;
    if (!onlyMatches(body, PARAMETER)) return undefined;
    const input: Record<string, unknown> = {};
    for (const parameter of body.matchAll(PARAMETER)) {
      const [, key = "", isString, value = ""] = parameter;
      if (isString === "true") {
        input[key] = value;
        continue;
      }
      try {
        input[key] = JSON.parse(value);
      } catch {
        return undefined;
      }
    }
    calls.push({ name, input });
  }
  return calls.length > 0 ? calls : undefined;
}
