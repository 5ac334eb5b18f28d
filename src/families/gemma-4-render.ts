import type { RenderedPromptMode } from "./rendered-prompt-mode.js";

/** With thinking off: the empty thought channel the template's generation prompt writes. */
const EMPTY_THOUGHT_WHEN_OFF =
  "{%- if not enable_thinking | default(false) -%}{{- '<|channel>thought\\n<channel|>' -}}{%- endif -%}";
/** …written at the start of a model turn. */
const GEMMA_4_EMPTY_THOUGHT = `{%- if role == 'model' -%}${EMPTY_THOUGHT_WHEN_OFF}{%- endif -%}`;

/**
 * Gemma 4's stock template (google-gemma-4-31B-it.jinja), rendered by Switchyard. The template writes a
 * model turn's text after its tool calls and their results and then closes the turn, while the next
 * model message goes on in that turn without opening one; llama-server then adds `<|turn>model\n` after
 * the closed turn (common/parsers/gemma4.cpp), which the next request no longer has. With thinking off,
 * the generation prompt writes an empty thought channel that history turns lack. Corrected: a model
 * turn's text is written where the model wrote it (before its calls), a turn with tool results stays
 * open (the model goes on in it), and a model turn opened with thinking off carries the empty channel
 * the model was given when it wrote the turn.
 */
export const GEMMA_4_RENDER: RenderedPromptMode = {
  patches: [
    {
      find: "        {{- '<|turn>' + role + '\\n' }}\n",
      replace: `        {{- '<|turn>' + role + '\\n' }}\n        ${GEMMA_4_EMPTY_THOUGHT}\n`,
    },
    // The model's text, before its tool calls: where it wrote it.
    {
      find: "            {%- if message['tool_calls'] -%}\n                {%- for tool_call in message['tool_calls'] -%}",
      replace:
        "            {%- if role == 'model' -%}{%- if message['content'] is string -%}{{- strip_thinking(message['content']) -}}{%- elif message['content'] is sequence -%}{%- for item in message['content'] -%}{%- if item['type'] == 'text' -%}{{- strip_thinking(item['text']) -}}{%- endif -%}{%- endfor -%}{%- endif -%}{%- endif -%}\n            {%- if message['tool_calls'] -%}\n                {%- for tool_call in message['tool_calls'] -%}",
    },
    // …and not again after the tool results.
    {
      find: "            {%- if message['content'] is string -%}\n                {%- if role == 'model' -%}",
      replace:
        "            {%- if role == 'model' -%}\n            {%- elif message['content'] is string -%}\n                {%- if role == 'model' -%}",
    },
    // A turn with tool results stays open: the model goes on in it.
    {
      find: "{%- elif not (ns_tr_out.flag and not message.get('content')) -%}",
      replace: "{%- elif not ns_tr_out.flag -%}",
    },
  ],
  why: "the stock template closes a model turn with tool results once it has text and goes on in it without reopening it, so the turn llama-server reopens is missing from the next request; with thinking off history turns lack the generation prompt's empty thought channel",
  serverAppends: { whenEndsWith: "<turn|>\n", text: "<|turn>model\n" },
  output: {
    reasoning: { open: "<|channel>thought", close: "<channel|>", opensInText: true },
    toolCalls: { open: "<|tool_call>", close: "<tool_call|>", format: "gemma4" },
    // `<|tool_response>` ends a call's turn (an end-of-generation token); a lone `<channel|>` llama.cpp drops too.
    stray: ["<|tool_response>", "<channel|>"],
  },
};

/**
 * Gemma 4's interleaved template (google-gemma-4-31B-it-interleaved.jinja), rendered by Switchyard. It is
 * append-only as it stands but for its thinking-off generation prompt: an empty thought channel, after
 * `<|turn>model\n` or after tool results, that the turn is rendered without once the model has written
 * it. Corrected: the turn keeps it where the generation prompt put it (the bytes the model was given when
 * it wrote that turn, nothing it was not), and the generation prompt does not write it again after tool
 * results that already carry it. llama-server reshapes the messages for this template first
 * (`serverReshapes`), and the renderer does the same.
 */
export const GEMMA_4_INTERLEAVED_RENDER: RenderedPromptMode = {
  patches: [
    {
      find: "        {{- '<|turn>' + role + '\\n' }}\n",
      replace: `        {{- '<|turn>' + role + '\\n' }}\n        ${GEMMA_4_EMPTY_THOUGHT}\n`,
    },
    {
      find: "                {%- set ns.prev_message_type = 'tool_response' -%}\n            {%- endif -%}",
      replace: `                {%- set ns.prev_message_type = 'tool_response' -%}\n                ${EMPTY_THOUGHT_WHEN_OFF}\n            {%- endif -%}`,
    },
    {
      find: "    {%- if not enable_thinking | default(false) -%}\n        {{- '<|channel>thought\\n<channel|>' -}}",
      replace:
        "    {%- if not enable_thinking | default(false) and ns.prev_message_type != 'tool_response' -%}\n        {{- '<|channel>thought\\n<channel|>' -}}",
    },
  ],
  why: "with thinking off its generation prompt writes an empty thought channel that the turn is rendered without once written",
  serverAppends: GEMMA_4_RENDER.serverAppends,
  serverReshapes: "gemma4-tool-responses",
  output: GEMMA_4_RENDER.output,
};
