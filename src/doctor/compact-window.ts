/**
 * The least auto-compact window Claude Code takes. 2.1.332 raises a smaller
 * `CLAUDE_CODE_AUTO_COMPACT_WINDOW` to it and warns at every start ("… reads as 16,384 tokens, so Claude
 * Code treats it as the 100k minimum"), as it clamps a model's context window to 100K–10M.
 */
export const CLAUDE_CODE_MIN_COMPACT_WINDOW = 100_000;

/**
 * Why the window is not set, when the backend's context is under Claude Code's least: it then compacts
 * when a request outgrows the context and Switchyard answers `prompt is too long: N tokens > M maximum`
 * (at once, without a prefill), and goes on with the compacted conversation.
 */
export function compactWindowNote(contextWindow: number | undefined): string | undefined {
  if (!contextWindow || contextWindow >= CLAUDE_CODE_MIN_COMPACT_WINDOW) return undefined;
  return `the backend's context (${contextWindow.toLocaleString("en-US")} tokens) is under 100K, the least Claude Code compacts at, so CLAUDE_CODE_AUTO_COMPACT_WINDOW is not set: Claude Code compacts when a request outgrows the context and Switchyard answers "prompt is too long"`;
}
