/**
 * How earlier assistant turns are sent so that a model family's stock template renders them the same
 * bytes on every turn (docs/design/model-families.md). The template is the server's own: this works on a
 * llama-server the user started, not only on one Switchyard launched.
 *
 * - `none`: the template is append-only as it is.
 * - `drop-reasoning`: earlier reasoning is never sent back. For families whose template renders
 *   reasoning only after the last user query and leaves no trace of it before (GLM-4.6, Kimi-K2-Thinking,
 *   gpt-oss). gpt-oss also renders the text before a tool call as reasoning (`analysis`), dropped the same
 *   way once the run ends, so that text is not sent back either.
 * - `embed-reasoning`: for templates that write `<think>…</think>` into assistant turns after the last user
 *   query and nothing before it (Qwen3, Qwen3.5, MiniMax-M2, StepFun 3.5). Turns before the last query are
 *   sent with the reasoning already written into their content, exactly as the template writes it after
 *   the query, and a blank `reasoning_content` (a string, so the template does not split the content on
 *   `</think>`; blank, so it adds nothing). A turn then renders the same before and after a new query.
 */
export type HistoryRemedy =
  | { kind: "none"; empty?: EmptyReasoning }
  | { kind: "drop-reasoning"; toolCallTextIsReasoning: boolean }
  | {
      kind: "embed-reasoning";
      /** What the template writes before the reasoning, and between it and the content. */
      open: string;
      close: string;
      /** Whether the template writes the wrapper when a turn has no reasoning. */
      whenEmpty: boolean;
      empty?: EmptyReasoning;
      /**
       * What the template writes between a turn's content and its first tool call only when the content is
       * not empty (Qwen3: `(loop.first and content)` writes "\n"). With the reasoning embedded, a turn with
       * tool calls and no text of its own has content, so the template writes it there too: such a turn is
       * embedded with `close` short of it.
       */
      toolCallSeparator?: string;
    };

/**
 * For templates whose generation prompt opens a reasoning block (or writes an empty one with thinking
 * off) but which render a turn without reasoning with no block at all: such a turn of the current run
 * is sent as having thought nothing: `reasoning_content` set to `value`, the string that makes the
 * template write the same empty block the generation prompt opened, or without `value` the empty block
 * written into the content. `when`: on every request, or only when thinking is on (a template whose
 * thinking-off prompt writes no block).
 */
export interface EmptyReasoning {
  /** Absent: the template ignores a blank reasoning, so the empty block is written into the content. */
  value?: string;
  /** What the template writes for `value` inside its reasoning wrapper (embed-reasoning writes the same); default "". */
  written?: string;
  when: "always" | "thinking";
}
