/**
 * For a family no message-level remedy keeps append-only on its stock template: Switchyard renders the
 * prompt itself from the server's template (`/props`), corrected, sends it to llama-server's
 * `/completion`, and parses the model's output in the family's syntax (docs/design/switchyard-renders.md).
 */
export interface RenderedPromptMode {
  /**
   * Text replacements that make the template render every turn the same on every later turn (each
   * `find` must occur in the server's template, else the family stays on the chat path), with why.
   */
  patches: readonly { find: string; replace: string }[];
  /**
   * Where no patch can do it (the R1 distills): a corrected template for each of the family's stock
   * templates, keyed by its file (as in the matrix's `templates`), rendered in place of the server's
   * when the server's template is that one (by fingerprint); a server with any other template keeps
   * the chat path.
   */
  corrected?: Readonly<Record<string, string>>;
  why: string;
  /**
   * Tool-call ids the template insists on (Mistral: nine alphanumerics, else it raises): each id is
   * rendered as that many alphanumerics derived from it, the same on every turn.
   */
  toolCallIdLength?: number;
  /**
   * `text`: a tool call's argument values that are not strings are handed to the template as the text
   * llama.cpp's renderer makes of them with `| string` (Python's form: `False`, `['a', 1]`, `{'k': None}`),
   * for a template that writes them only that way (Seed-OSS), which @huggingface/jinja cannot.
   */
  argumentValues?: "text";
  /**
   * llama-server trims every message's content and reasoning before rendering this template (StepFun
   * 3.5: common/chat.cpp `trim_all_content`); the renderer does the same, or it would render another
   * prompt than the server's `/apply-template`.
   */
  trimMessages?: boolean;
  /**
   * What llama-server adds in C++ to what the template rendered, before it tokenizes (Gemma 4:
   * `<|turn>model\n` when a generation prompt is asked for and the prompt ends with `<turn|>\n`,
   * common/parsers/gemma4.cpp): the renderer adds it too, so that without the patches it renders what
   * llama-server's `/apply-template` does.
   */
  serverAppends?: { whenEndsWith: string; text: string };
  /**
   * How llama-server reshapes the messages in C++ before the template sees them, by name:
   * `gemma4-tool-responses` for Gemma 4 templates older than the stock one (a tool call, its results and
   * the answer after them as one message, src/backends/llama-server/gemma4-tool-responses.ts);
   * `system-message-not-supported` for a template that raises on a system message (Gemma 2: the system
   * prompt joined to the next message, src/backends/llama-server/system-message-not-supported.ts).
   */
  serverReshapes?: "gemma4-tool-responses" | "system-message-not-supported";
  /**
   * The template renders no tools, calls or results, and raises on a conversation that holds them
   * (Gemma 2: "roles must alternate" at the first tool result, while the tool list is left out unsaid):
   * Switchyard writes them as text in the messages (src/backends/tools-as-text.ts) before they are
   * converted, and `output` reads calls in that text's syntax (src/families/tools-as-text.ts).
   */
  toolsAsText?: boolean;
  /** How the model's output is read back. */
  output: OutputSyntax;
}

/** The family's output syntax, as data the parser reads (src/backends/llama-server/family-output-parser.ts). */
export interface OutputSyntax {
  /**
   * The reasoning block's markers; output starts inside it when the generation prompt ends with `open`,
   * or enters it when the output itself begins with `open` (Seed-OSS: the model opens `<seed:think>`).
   */
  reasoning?: {
    open: string;
    close: string;
    /**
     * The model opens reasoning itself, anywhere in its output (Gemma 4's thought channel), not only
     * where the prompt left it open or at the output's start; a newline right after `open` belongs to the marker.
     */
    opensInText?: boolean;
  };
  /** Markers the model may write that mean nothing to the client (Gemma 4's `<|tool_response>`): dropped. */
  stray?: readonly string[];
  /**
   * The tool-call block's markers and how a block is taken apart into calls; `close` empty: the block
   * runs to the end of the output (Mistral's calls end with the turn).
   */
  toolCalls: { open: string; close: string; format: ToolCallFormat };
}

/**
 * - `dsml`: DeepSeek V3.2's `<｜DSML｜invoke name="N">` with `<｜DSML｜parameter name="K" string="true|false">V`
 *   (a string as it stands, anything else JSON).
 * - `mistral`: `NAME[CALL_ID]ID[ARGS]JSON` (the id optional), calls separated by the block's opener.
 * - `xml-function`: Qwen3-Coder's `<function=NAME><parameter=KEY>VALUE</parameter></function>`, each value
 *   as it stands (Seed-OSS); `xml-function-padded`: the same with a newline each side of a value (StepFun
 *   3.5, Qwen3-Coder). A value is typed by the tool's schema.
 * - `json`: one `{"name": NAME, "arguments": {…}}` per block (Hermes 3, QwQ), or a list of them (Nemotron
 *   Nano v2).
 * - `gemma4`: one call per block, `call:NAME{key:value,…}` with strings between `<|"|>`.
 * - `deepseek-r1`: `<｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\nARGS\n```<｜tool▁call▁end｜>` per call.
 */
export type ToolCallFormat =
  | "dsml"
  | "mistral"
  | "xml-function"
  | "xml-function-padded"
  | "json"
  | "gemma4"
  | "deepseek-r1";
