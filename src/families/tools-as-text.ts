import type { OutputSyntax } from "./rendered-prompt-mode.js";

/**
 * How Switchyard writes tools, calls and results as text for a template that renders none of them
 * (`RenderedPromptMode.toolsAsText`, Ollama's `toolsAsText`; src/backends/tools-as-text.ts), and reads the calls
 * back. A call is a fenced block of one JSON object, as Google's function-calling guide for Gemma fences
 * its calls and results (`tool_code`, `tool_output`); JSON rather than its Python call syntax, since
 * a coding agent's arguments are long multi-line strings. The block closes at a newline and a fence: a
 * JSON string holds no raw newline, so a fence inside an argument (a Markdown file being written) cannot
 * end it.
 */
export const TOOL_CALL_OPEN = "```tool_call";
export const TOOL_CALL_CLOSE = "\n```";
export const TOOL_OUTPUT_OPEN = "```tool_output\n";
export const TOOL_OUTPUT_CLOSE = "\n```";

export const TOOLS_AS_TEXT_OUTPUT: OutputSyntax = {
  toolCalls: { open: TOOL_CALL_OPEN, close: TOOL_CALL_CLOSE, format: "json" },
};
