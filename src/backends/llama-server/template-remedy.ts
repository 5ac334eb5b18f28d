/**
 * Some chat templates render an assistant turn differently depending on where the last user query is:
 * Qwen3 and Qwen3.5 write `<think>…</think>` only into assistant turns after the last user query. When
 * the user sends the next prompt, every assistant turn of the previous agentic run is rendered anew
 * without it, the prompt is no longer append-only, and its whole trajectory is prefilled again.
 *
 * Remedies, in order of preference (see docs/design/append-only-prompt.md):
 * 1. the template needs none;
 * 2. the template has a `preserve_thinking` switch (Qwen3.6 and others): pass it as a chat_template_kwarg;
 * 3. for an engine Switchyard launches, a corrected template (`--chat-template-file`) that renders every
 *    assistant turn as if it followed the last query.
 */

/** Conditions that make an assistant turn's rendering depend on the last user query's position. */
const LAST_QUERY_CONDITIONS = [/loop\.index0\s*>\s*ns\.last_query_index/g, /loop\.index0\s*>\s*ns\.last_user_index/g];

export function dependsOnLastQuery(template: string): boolean {
  return LAST_QUERY_CONDITIONS.some((pattern) => new RegExp(pattern.source).test(template));
}

export function hasPreserveThinking(template: string): boolean {
  return /\bpreserve_thinking\b/.test(template);
}

/** The template with every last-query condition made true; undefined when there is nothing to correct. */
export function correctTemplate(template: string): string | undefined {
  if (!dependsOnLastQuery(template)) return undefined;
  let corrected = template;
  for (const pattern of LAST_QUERY_CONDITIONS) corrected = corrected.replace(pattern, "true");
  return corrected;
}

/**
 * Two conversations for a probe: B continues A with an assistant turn and a new user query. A prompt is
 * append-only when A's rendering (with its generation prompt) is a prefix of B's.
 */
export function appendOnlyProbeConversations(): { before: unknown[]; after: unknown[] } {
  const before = [
    { role: "system", content: "You are a coding agent." },
    { role: "user", content: "List the files." },
    {
      role: "assistant",
      content: "Listing.",
      reasoning_content: "The user wants a listing.",
      tool_calls: [{ id: "call_1", type: "function", function: { name: "Bash", arguments: '{"command":"ls"}' } }],
    },
    { role: "tool", tool_call_id: "call_1", content: "README.md" },
  ];
  const after = [
    ...before,
    { role: "assistant", content: "There is a README.", reasoning_content: "One file." },
    { role: "user", content: "Read it." },
  ];
  return { before, after };
}

/** Where two renderings part, for messages and records. */
export function firstDifference(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) if (a.charCodeAt(index) !== b.charCodeAt(index)) return index;
  return length;
}
