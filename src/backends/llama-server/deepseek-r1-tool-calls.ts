import type { ParsedToolCall } from "./dsml-tool-calls.js";
import { argumentObject, onlyMatches } from "./tool-call-text.js";

const CALL =
  /<｜tool▁call▁begin｜>function<｜tool▁sep｜>([^\n<]+)\n```(?:json)?\n([\s\S]*?)\n?```\s*<｜tool▁call▁end｜>/gu;

/**
 * The calls inside one `<｜tool▁calls▁begin｜>` … `<｜tool▁calls▁end｜>` block of the DeepSeek R1 distills'
 * syntax, as the Qwen distill's template writes a call
 * (deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja: `<｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME`, a
 * newline, the arguments as JSON in a json code fence, `<｜tool▁call▁end｜>`; calls apart by a newline).
 * llama.cpp reads the same with its automatic parser and a patch for that template
 * (common/chat-diff-analyzer.cpp, "DeepSeek-R1-Distill-Qwen": per call `<｜tool▁call▁begin｜>function`,
 * the name after `<｜tool▁sep｜>`, closed by the fence and `<｜tool▁call▁end｜>`). Undefined when the block
 * holds anything else (no call, stray text, arguments that are not a JSON object): the caller passes it
 * on as text rather than guess.
 */
export function parseDeepSeekR1ToolCalls(block: string): ParsedToolCall[] | undefined {
  if (!onlyMatches(block, CALL)) return undefined;
  const calls: ParsedToolCall[] = [];
  for (const [, name = "", json = ""] of block.matchAll(CALL)) {
    const input = argumentObject(json);
    if (!input) return undefined;
    calls.push({ name: name.trim(), input });
  }
  return calls.length > 0 ? calls : undefined;
}
