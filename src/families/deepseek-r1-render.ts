import type { RenderedPromptMode } from "./rendered-prompt-mode.js";

const FENCE = "```";
const END = "<｜end▁of▁sentence｜>";

/** What each of the three stock templates writes its own way, kept as it writes it. */
interface R1TemplateShape {
  /** After BOS, before the system prompt (llama.cpp's R1 template: the tool list, when tools are sent). */
  head: string;
  /** After a user message's text. */
  userEnd: string;
  /** After a run of tool results. */
  outputsEnd: string;
  /** Before each tool result: the first of a run, the others. */
  firstOutput: string;
  nextOutput: string;
  /** An assistant turn after tool results opens with `<｜Assistant｜>` (llama.cpp's R1 template) or goes on after them. */
  reopensAfterOutputs: boolean;
  /** The stock template's own generation prompt, verbatim. */
  generationPrompt: string;
}

/**
 * A corrected R1 distill template. The stock ones are not made for tool loops (their `is_first` and
 * `is_output_first` are never reset, so a second call or a second run of results is written otherwise
 * than the first; the Llama distill and llama.cpp's R1 template write a turn's calls only when it has no
 * text, and the Qwen distill writes them apart from the text, as two turns), and they write an answer
 * without the `<think>\n` its generation prompt opened. Here every assistant turn is written the same on
 * every later turn, in the family's own syntax: `<｜Assistant｜><think>\n</think>\n\n` (reasoning
 * dropped, an empty block that extends the generation prompt, thinking on or off), its text, its calls
 * in one `<｜tool▁calls▁begin｜>` block as the Qwen distill writes a call, the end of the turn; each run of
 * tool results is opened and closed as the template closes the first one. What the stock template
 * writes around that (BOS and system prompt, user turns, its generation prompt) is its own.
 */
function correctedR1Template(shape: R1TemplateShape): string {
  const call = `'<｜tool▁call▁begin｜>' + tool['type'] + '<｜tool▁sep｜>' + tool['function']['name'] + '\\n${FENCE}json\\n' + tool['function']['arguments'] | tojson + '\\n${FENCE}<｜tool▁call▁end｜>'`;
  const opener = shape.reopensAfterOutputs ? "true" : "not ns.is_tool";
  return `{%- if not add_generation_prompt is defined -%}
  {%- set add_generation_prompt = false -%}
{%- endif -%}
{%- set ns = namespace(is_tool=false, system_prompt='') -%}
{%- for message in messages -%}
  {%- if message['role'] == 'system' -%}
    {%- set ns.system_prompt = message['content'] -%}
  {%- endif -%}
{%- endfor -%}
{{bos_token}}${shape.head}{{ns.system_prompt}}
{%- for message in messages -%}
  {%- if ns.is_tool and message['role'] in ['user', 'assistant'] -%}
    {{- '${shape.outputsEnd}' -}}
  {%- endif -%}
  {%- if message['role'] == 'user' -%}
    {{- '<｜User｜>' + message['content'] + '${shape.userEnd}' -}}
  {%- endif -%}
  {%- if message['role'] == 'assistant' -%}
    {%- if ${opener} -%}
      {{- '<｜Assistant｜><think>\\n</think>\\n\\n' -}}
    {%- endif -%}
    {%- set content = message['content'] or '' -%}
    {%- if '</think>' in content -%}
      {%- set content = content.split('</think>')[-1] -%}
    {%- endif -%}
    {{- content -}}
    {%- if message['tool_calls'] -%}
      {{- '<｜tool▁calls▁begin｜>' -}}
      {%- for tool in message['tool_calls'] -%}
        {%- if not loop.first -%}
          {{- '\\n' -}}
        {%- endif -%}
        {{- ${call} -}}
      {%- endfor -%}
      {{- '<｜tool▁calls▁end｜>' -}}
    {%- endif -%}
    {{- '${END}' -}}
  {%- endif -%}
  {%- if message['role'] == 'tool' -%}
    {%- if ns.is_tool -%}
      {{- '${shape.nextOutput}' -}}
    {%- else -%}
      {{- '${shape.firstOutput}' -}}
    {%- endif -%}
    {{- message['content'] + '<｜tool▁output▁end｜>' -}}
  {%- endif -%}
  {%- if message['role'] in ['user', 'assistant'] -%}
    {%- set ns.is_tool = false -%}
  {%- elif message['role'] == 'tool' -%}
    {%- set ns.is_tool = true -%}
  {%- endif -%}
{%- endfor -%}
{%- if ns.is_tool -%}
  {{- '${shape.outputsEnd}' -}}
{%- endif -%}
${shape.generationPrompt}`;
}

/** The distills' results: the run opened with its first result, the others on a line of their own. */
const DISTILL_OUTPUTS = {
  outputsEnd: "<｜tool▁outputs▁end｜>",
  firstOutput: "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>",
  nextOutput: "\\n<｜tool▁output▁begin｜>",
  // After tool results the distills' generation prompt is empty: the model goes on after them.
  reopensAfterOutputs: false,
};

/**
 * The corrected template for each stock one (keyed by its file in llama.cpp's `models/templates/`),
 * rendered in its place (`RenderedPromptMode.corrected`).
 */
export const DEEPSEEK_R1_CORRECTED: Readonly<Record<string, string>> = {
  "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja": correctedR1Template({
    head: "",
    userEnd: "",
    ...DISTILL_OUTPUTS,
    generationPrompt:
      "{%- if add_generation_prompt and not ns.is_tool -%}{{'<｜Assistant｜><think>\\n'}}{% if not enable_thinking %}{{- '</think>' -}}{% endif %}\n{%- endif %}",
  }),
  "deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja": correctedR1Template({
    head: "",
    userEnd: "",
    ...DISTILL_OUTPUTS,
    generationPrompt:
      "{%- if add_generation_prompt and not ns.is_tool -%}{{'<｜Assistant｜><think>\\n'}}\n{%- endif %}",
  }),
  "llama-cpp-deepseek-r1.jinja": correctedR1Template({
    head: `
{%- if tools %}
You can call any of the following function tools to satisfy the user's requests: {{tools | map(attribute='function') | tojson(indent=2)}}

Example function tool call syntax:

<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>example_function_name
${FENCE}json
{
  "arg1": "some_value"
  ...
}
${FENCE}
<｜tool▁call▁end｜><｜tool▁calls▁end｜>

{% endif -%}
`,
    userEnd: END,
    // llama.cpp's template closes a run of results with the end of a turn and opens the next turn itself.
    outputsEnd: `<｜tool▁outputs▁end｜>${END}`,
    firstOutput: "<｜tool▁outputs▁begin｜>\\n<｜tool▁output▁begin｜>",
    nextOutput: "\\n<｜tool▁output▁begin｜>",
    reopensAfterOutputs: true,
    generationPrompt: "{%- if add_generation_prompt -%}\n    {{- '<｜Assistant｜><think>\\n' -}}\n{%- endif -%}\n",
  }),
};

/**
 * The DeepSeek R1 distills (three templates), rendered by Switchyard from a corrected template: no patch
 * keeps calls and results stable on the stock ones (see `correctedR1Template`). The output syntax is the
 * Qwen distill's, which llama.cpp reads with its automatic parser and a patch for this template
 * (common/chat-diff-analyzer.cpp, "DeepSeek-R1-Distill-Qwen": section `<｜tool▁calls▁begin｜>` …
 * `<｜tool▁calls▁end｜>`, each call `<｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME` … `<｜tool▁call▁end｜>`).
 */
export const DEEPSEEK_R1_RENDER: RenderedPromptMode = {
  patches: [],
  corrected: DEEPSEEK_R1_CORRECTED,
  why: "the distills' templates are not made for tool loops (a second call or run of results is written otherwise than the first, calls beside text are dropped or split off, an answer lacks the <think> its generation prompt opened)",
  output: {
    reasoning: { open: "<think>\n", close: "</think>" },
    toolCalls: { open: "<｜tool▁calls▁begin｜>", close: "<｜tool▁calls▁end｜>", format: "deepseek-r1" },
  },
};
