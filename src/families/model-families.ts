import { createHash } from "node:crypto";
import { DEEPSEEK_R1_RENDER } from "./deepseek-r1-render.js";
import { GEMMA_4_INTERLEAVED_RENDER, GEMMA_4_RENDER } from "./gemma-4-render.js";
import type { HistoryRemedy } from "./history-remedy-kind.js";
import type { RenderedPromptMode } from "./rendered-prompt-mode.js";
import { TOOLS_AS_TEXT_OUTPUT } from "./tools-as-text.js";

/**
 * The model families coding agents run today, as data: which chat template each uses (files from the
 * llama.cpp source tree the engine is built from, `models/templates/`), how that template renders
 * reasoning and mid-conversation system messages, the family's tool-call syntax, and what Switchyard
 * does so the prompt stays append-only on the family's stock template (a llama-server the user started)
 * as well as on an engine Switchyard launches. `test/model-families.test.ts` renders every recorded
 * session through the real llama-server with each template and checks `appendOnly` as written here;
 * docs/design/model-families.md says why each remedy was chosen.
 */
export interface ModelFamily {
  id: string;
  name: string;
  /**
   * Template files in llama.cpp's `models/templates/` (the first is the one tests render with), each with
   * the first 16 hex digits of the SHA-256 of its text with whitespace runs collapsed: a server whose
   * template is one of these is recognised exactly, others by `markers`.
   */
  templates: Readonly<Record<string, string>>;
  /** Substrings that identify the family's template (all must occur); checked in the order of the list. */
  markers: readonly string[];
  /** The family's tool-call syntax, as its template writes a call. */
  toolCalls: string;
  /** How the stock template renders reasoning in history. */
  reasoning: string;
  /** What the stock template does with a system message in the middle of the conversation. */
  midConversationSystem: "in-place" | "hoisted" | "dropped" | "raises";
  /** Whether earlier reasoning is sent back, applied the same way on every turn. */
  reasoningInHistory: "keep" | "drop";
  /** How earlier assistant turns are sent (src/backends/llama-server/history-remedy.ts). */
  history: HistoryRemedy;
  /**
   * True when every lane of every recorded session renders append-only with the remedy; otherwise why
   * not and what to do instead (shown by `doctor` and in the miss explanation of a turn record).
   */
  appendOnly: true | { breaks: string; instead: string };
  /**
   * For a family that never sends reasoning back while its generation prompt opens a reasoning block (or
   * writes an empty one with thinking off): those generation-prompt endings. A turn's prompt then ends
   * with one of them, and without it is a byte prefix of the next turn's prompt: what is prefilled again
   * is that ending and the model's reasoning, which the family's own policy leaves out of history.
   */
  generationPromptTail?: readonly string[];
  /**
   * For a family whose stock template is not append-only: true when the corrected copy an engine
   * Switchyard launches gets (`--chat-template-file`, src/engine/engine-template.ts) is.
   */
  appendOnlyWhenLaunched?: boolean;
  /**
   * Switchyard renders this family's prompt itself (from the server's template, corrected) and parses
   * its output, on both kinds of server (src/backends/llama-server/render-prompt.ts). `appendOnly` then
   * says what holds for the prompt Switchyard renders.
   */
  render?: RenderedPromptMode;
}

const NONE: HistoryRemedy = { kind: "none" };
const QWEN_THINK: HistoryRemedy = {
  kind: "embed-reasoning",
  open: "<think>\n",
  close: "\n</think>\n\n",
  whenEmpty: true,
};
const DROP: HistoryRemedy = { kind: "drop-reasoning", toolCallTextIsReasoning: false };

/** A template with no place for tools: the server's own, the tools, calls and results written as text. */
const TOOLS_AS_TEXT = { patches: [], toolsAsText: true, output: TOOLS_AS_TEXT_OUTPUT } as const;

/** A family entry; `templates` maps each template file to the SHA-256 prefix of its whitespace-collapsed text. */
const family = (entry: ModelFamily): ModelFamily => entry;

export const MODEL_FAMILIES: readonly ModelFamily[] = [
  family({
    id: "qwen3.5",
    name: "Qwen3.5 / Qwen3.6",
    templates: { "Qwen3.5-4B.jinja": "4880dc50493b95f4" },
    markers: ["<function=", "ns.last_query_index", "System message must be at the beginning."],
    toolCalls: "<tool_call>\n<function=NAME>\n<parameter=KEY>\nVALUE\n</parameter>\n</function>\n</tool_call>",
    reasoning:
      "<think>…</think> in assistant turns after the last user query (an empty one without reasoning), nothing before it",
    midConversationSystem: "raises",
    reasoningInHistory: "keep",
    history: QWEN_THINK,
    appendOnly: true,
  }),
  family({
    id: "qwen3-coder",
    name: "Qwen3-Coder",
    templates: { "Qwen3-Coder.jinja": "29ffcce183435a42" },
    markers: ["<function=", "<parameter="],
    toolCalls: "<tool_call>\n<function=NAME>\n<parameter=KEY>\nVALUE\n</parameter>\n</function>\n</tool_call>",
    reasoning: "none (not a thinking model)",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
  }),
  // Before Qwen3: its template carries Qwen3's markers (the last-query scan, `reasoning_content.strip('\n')`)
  // but keeps reasoning in every turn, and Qwen3's remedy would write a second block into each.
  family({
    id: "ling-3",
    name: "Ling 3.0 (Bailing V3)",
    templates: { "inclusionai-ling-3.0-flash.jinja": "2acfd77c30db1d47" },
    markers: ["<role>ASSISTANT</role>", "preserved_thinking"],
    toolCalls: "<tool_call>NAME\n<arg_key>KEY</arg_key>\n<arg_value>VALUE</arg_value>\n</tool_call>",
    reasoning: "<think>…</think> kept in every turn (preserved thinking); <think></think> for a turn without",
    midConversationSystem: "in-place",
    reasoningInHistory: "keep",
    history: NONE,
    appendOnly: true,
  }),
  family({
    id: "qwen3",
    name: "Qwen3",
    templates: { "Qwen-Qwen3-0.6B.jinja": "ccd61ecea6aa8406" },
    markers: ["ns.last_query_index", "reasoning_content.strip('\\n')"],
    toolCalls: '<tool_call>\n{"name": NAME, "arguments": ARGS}\n</tool_call>',
    reasoning: "<think>…</think> in assistant turns after the last user query when they have reasoning",
    midConversationSystem: "in-place",
    reasoningInHistory: "keep",
    // A turn without reasoning is sent as having thought nothing (reasoning "\n", which the template strips
    // to an empty block), the block the generation prompt wrote or opened.
    history: {
      kind: "embed-reasoning",
      open: "<think>\n",
      close: "\n</think>\n\n",
      whenEmpty: false,
      empty: { value: "\n", when: "always" },
      toolCallSeparator: "\n",
    },
    appendOnly: true,
  }),
  family({
    id: "qwq",
    name: "QwQ",
    templates: { "Qwen-QwQ-32B.jinja": "b8d83881ad357997" },
    markers: ["<|im_start|>assistant\\n<think>\\n", "split('</think>')[-1]"],
    toolCalls: '<tool_call>\n{"name": NAME, "arguments": ARGS}\n</tool_call>',
    reasoning: "never rendered in history; the generation prompt opens <think> (and closes it with thinking off)",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
    render: {
      // The generation prompt opens <think> (closes it with thinking off), and earlier turns are written
      // without any: each turn's opener was prefilled again. Written with an empty block every time (its
      // reasoning dropped, as the template does), a turn extends both generation prompts.
      patches: [
        {
          find: "{{- '<|im_start|>' + message.role + '\\n' + content + '<|im_end|>' + '\\n' }}",
          replace:
            "{{- '<|im_start|>' + message.role + '\\n<think>\\n</think>\\n\\n' + content + '<|im_end|>' + '\\n' }}",
        },
        {
          find: "{{- '<|im_start|>' + message.role }}",
          replace: "{{- '<|im_start|>' + message.role + '\\n<think>\\n</think>\\n' }}",
        },
      ],
      why: "the generation prompt opens a reasoning block that earlier turns are written without",
      output: {
        reasoning: { open: "<think>\n", close: "</think>" },
        toolCalls: { open: "<tool_call>", close: "</tool_call>", format: "json" },
      },
    },
  }),
  family({
    id: "glm-4.6",
    name: "GLM-4.5 / 4.6",
    templates: { "GLM-4.6.jinja": "c633c2f6ade29376" },
    markers: ["[gMASK]", "<arg_key>", "<|assistant|>\\n"],
    toolCalls: "<tool_call>NAME\n<arg_key>KEY</arg_key>\n<arg_value>VALUE</arg_value>\n</tool_call>",
    reasoning: "<think>…</think> after the last user query, an empty <think></think> before it",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: DROP,
    appendOnly: true,
  }),
  family({
    id: "glm-4.7",
    name: "GLM-4.7",
    templates: { "GLM-4.7-Flash.jinja": "1306b71ac626b5c9" },
    markers: ["[gMASK]", "<arg_key>"],
    toolCalls: "<tool_call>NAME<arg_key>KEY</arg_key><arg_value>VALUE</arg_value></tool_call>",
    reasoning: "<think>…</think> kept in every turn (interleaved thinking); a bare </think> for a turn without",
    midConversationSystem: "in-place",
    reasoningInHistory: "keep",
    // With thinking on, a turn without reasoning is sent with a blank one: the template writes
    // <think></think>, the generation prompt's <think> closed with nothing in it.
    history: { kind: "none", empty: { value: " ", when: "thinking" } },
    appendOnly: true,
  }),
  family({
    id: "deepseek-v3.1",
    name: "DeepSeek V3.1",
    templates: { "deepseek-ai-DeepSeek-V3.1.jinja": "0d581b8f4a7ab595" },
    markers: ["<｜tool▁calls▁begin｜>", "ns.system_prompt"],
    toolCalls:
      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>NAME<｜tool▁sep｜>ARGS<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
    reasoning: "</think> before each answer; reasoning is not kept",
    midConversationSystem: "hoisted",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
  }),
  family({
    id: "deepseek-v3.2",
    name: "DeepSeek V3.2",
    templates: { "deepseek-ai-DeepSeek-V3.2.jinja": "d130c5dbdc18b300" },
    markers: ["｜DSML｜", "reasoning_content"],
    toolCalls:
      '<｜DSML｜function_calls>\n<｜DSML｜invoke name="NAME">\n<｜DSML｜parameter name="KEY" string="true">VALUE</｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜function_calls>',
    reasoning: "<think>…</think> after the last user query, a bare </think> before it",
    midConversationSystem: "hoisted",
    reasoningInHistory: "drop",
    history: DROP,
    appendOnly: true,
    render: {
      // The stock template writes <think>…</think> before an answer after the last user query (with
      // thinking on) and a bare </think> before it or with thinking off, so each new user query, and each
      // switch of thinking, re-renders the previous run. Rendered as after the last query every time
      // (reasoning dropped: <think></think>), a turn is the same bytes on every later turn and extends the
      // generation prompt (<think> on, <think></think> off). llama-server's own V3.2 parser also fails
      // every request whose last message is a tool result (docs/design/test-model.md); /completion and
      // Switchyard's parser do not.
      patches: [{ find: "{%- if is_after_last_user and thinking -%}", replace: "{%- if true -%}" }],
      why: "the stock template re-renders the previous run at each user query, and llama-server cannot parse its output after a tool result",
      output: {
        reasoning: { open: "<think>", close: "</think>" },
        toolCalls: { open: "<｜DSML｜function_calls>", close: "</｜DSML｜function_calls>", format: "dsml" },
      },
    },
  }),
  family({
    id: "deepseek-v4",
    name: "DeepSeek V4",
    templates: {
      "deepseek-ai-DeepSeek-V4.jinja": "2aaf3f8a59f3570c",
      "deepseek-ai-DeepSeek-V4-Flash-0731.jinja": "c2f16b93305044da",
    },
    markers: ["<｜Assistant｜>", "reasoning_content", "## Tools"],
    toolCalls: "DSML function calls (as DeepSeek V3.2)",
    reasoning: "reasoning is not kept in history",
    midConversationSystem: "hoisted",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
  }),
  family({
    id: "deepseek-r1-distill",
    name: "DeepSeek R1 distills",
    templates: {
      "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja": "7f86cea4752b7089",
      "deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja": "f4b991b4d6c68db1",
      "llama-cpp-deepseek-r1.jinja": "7b40351dd3db9c4c",
    },
    markers: ["<｜Assistant｜>", "<｜tool▁calls▁begin｜>", "</think>"],
    toolCalls:
      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\nARGS\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
    reasoning: "never rendered in history; the generation prompt opens <think>",
    midConversationSystem: "hoisted",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
    // No patch keeps calls and results stable on these templates: Switchyard renders a corrected copy of
    // each (src/families/deepseek-r1-render.ts) and reads the Qwen distill's call syntax.
    render: DEEPSEEK_R1_RENDER,
  }),
  family({
    id: "kimi-k2",
    name: "Kimi-K2 Instruct",
    templates: { "moonshotai-Kimi-K2.jinja": "c2161f0369a110b4", "Kimi-K2-Instruct.jinja": "1c383f065642c8f6" },
    markers: ["<|tool_calls_section_begin|>"],
    toolCalls:
      "<|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:0<|tool_call_argument_begin|>ARGS<|tool_call_end|><|tool_calls_section_end|>",
    reasoning: "none (not a thinking model)",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
  }),
  family({
    id: "kimi-k2-thinking",
    name: "Kimi-K2-Thinking",
    templates: { "Kimi-K2-Thinking.jinja": "1cb8573dcc176267" },
    markers: ["<|tool_calls_section_begin|>", "reasoning_content"],
    toolCalls: "as Kimi-K2",
    reasoning: "<think>…</think> after the last user query, an empty <think></think> before it",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: DROP,
    appendOnly: true,
  }),
  family({
    id: "minimax-m2",
    name: "MiniMax-M2",
    templates: { "MiniMax-M2.jinja": "36bc73f74a294e18" },
    markers: ["<minimax:tool_call>"],
    toolCalls:
      '<minimax:tool_call>\n<invoke name="NAME">\n<parameter name="KEY">VALUE</parameter>\n</invoke>\n</minimax:tool_call>',
    reasoning: "<think>…</think> in turns after the last user message, nothing before it",
    midConversationSystem: "dropped",
    reasoningInHistory: "keep",
    // The generation prompt always opens <think>: a turn without reasoning is sent with a blank one, which
    // the template writes as it stands, and embedded the same way before the last user message.
    history: {
      kind: "embed-reasoning",
      open: "<think>\n",
      close: "\n</think>\n\n",
      whenEmpty: false,
      empty: { value: " ", written: " ", when: "always" },
    },
    appendOnly: true,
  }),
  family({
    id: "gpt-oss",
    name: "gpt-oss",
    templates: { "openai-gpt-oss-120b.jinja": "0ae92c8bd737a4ee" },
    markers: ["<|channel|>", "<|start|>assistant"],
    toolCalls: "<|start|>assistant to=functions.NAME<|channel|>commentary json<|message|>ARGS<|call|>",
    reasoning:
      "`analysis` channel; rendered for tool-call turns until a final answer follows, then dropped (the text before a tool call is rendered as analysis too)",
    midConversationSystem: "dropped",
    reasoningInHistory: "drop",
    history: { kind: "drop-reasoning", toolCallTextIsReasoning: true },
    appendOnly: true,
  }),
  family({
    id: "gemma-4",
    name: "Gemma 4",
    templates: { "google-gemma-4-31B-it.jinja": "da272653fd39d67c" },
    markers: ["<|turn>model", "<|tool_call>"],
    toolCalls: '<|tool_call>call:NAME{KEY:<|"|>VALUE<|"|>}<tool_call|>',
    reasoning: "<|channel>thought…<channel|> after the last user query only",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: DROP,
    appendOnly: true,
    render: GEMMA_4_RENDER,
  }),
  family({
    id: "gemma-4-interleaved",
    name: "Gemma 4 (interleaved thinking)",
    templates: { "google-gemma-4-31B-it-interleaved.jinja": "fdff8c8fd299c7c5" },
    markers: ["<|turn>model", "<|tool_call>", "value['nullable']"],
    toolCalls: "as Gemma 4",
    reasoning: "<|channel>thought…<channel|> kept within a run, dropped before the last user query",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: DROP,
    appendOnly: true,
    render: GEMMA_4_INTERLEAVED_RENDER,
  }),
  family({
    id: "gemma-2",
    name: "Gemma 2",
    templates: { "google-gemma-2-2b-it.jinja": "e2bee954371cf0e3" },
    // Gemma 3's template (not in llama.cpp's tree) has both too; Gemma 4's and FunctionGemma's have neither.
    markers: ["<start_of_turn>", "Conversation roles must alternate"],
    toolCalls: '```tool_call\n{"name": NAME, "arguments": ARGS}\n``` (Switchyard\'s; the template has none)',
    reasoning: "none",
    midConversationSystem: "raises",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
    render: {
      // The template renders only alternating user and model turns: llama-server leaves the tool list out
      // unsaid and answers 400 to every request whose history holds a tool result (the tool role breaks
      // the alternation). Switchyard writes tools, calls and results as text in those turns.
      ...TOOLS_AS_TEXT,
      serverReshapes: "system-message-not-supported",
      why: "the template renders no tools, calls or results: llama-server leaves the tools out and answers 400 once a tool result is in the history",
    },
  }),
  family({
    id: "phi-3.5",
    name: "Phi-3.5",
    templates: { "microsoft-Phi-3.5-mini-instruct.jinja": "cfddee01f39314a2" },
    // The assistant turn as Phi-3.5 writes it (Phi-3's published templates too); Phi-4-mini's writes the role as a variable.
    markers: ["'<|assistant|>\n' + message['content'] + '<|end|>"],
    toolCalls: '```tool_call\n{"name": NAME, "arguments": ARGS}\n``` (Switchyard\'s; the template has none)',
    reasoning: "none",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
    render: {
      // The template writes system, user and assistant text only: llama-server leaves the tool list, the
      // calls and every tool result out without a word, so the model never hears of its tools nor sees
      // what they returned. Switchyard writes all three as text in those turns.
      ...TOOLS_AS_TEXT,
      why: "the template renders no tools, calls or results: llama-server leaves all three out without a word",
    },
  }),
  family({
    id: "ministral-reasoning",
    name: "Ministral 3 reasoning",
    templates: { "mistralai-Ministral-3-14B-Reasoning-2512.jinja": "b4ebcb2836dc4ee0" },
    markers: ["[TOOL_CALLS]", "[THINK]"],
    toolCalls: "[TOOL_CALLS]NAME[ARGS]ARGS",
    reasoning: "[THINK]…[/THINK]",
    midConversationSystem: "raises",
    reasoningInHistory: "keep",
    history: NONE,
    appendOnly: true,
  }),
  family({
    id: "mistral-small-3.2",
    name: "Mistral Small 3.2",
    templates: { "Mistral-Small-3.2-24B-Instruct-2506.jinja": "d4b8a8af48a63ef7" },
    markers: ["[TOOL_CALLS]", "[SYSTEM_PROMPT]"],
    toolCalls: "[TOOL_CALLS]NAME[ARGS]ARGS",
    reasoning: "none",
    midConversationSystem: "raises",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
    render: {
      // llama-server cannot build a tool-call parser for this template (its own synthetic probe trips the
      // template's role-alternation check) and answers every request with tools 400. The template writes
      // the tool list before the last user message, so each new one moves it: written before the first
      // user message instead, it stays where it was. Call ids must be nine alphanumerics.
      patches: [{ find: "(message == user_messages[-1])", replace: "(message == user_messages[0])" }],
      why: "llama-server answers 400 to every request with tools for this template, and it moves the tool list to each new user message",
      toolCallIdLength: 9,
      output: { toolCalls: { open: "[TOOL_CALLS]", close: "", format: "mistral" } },
    },
  }),
  family({
    id: "mistral-nemo",
    name: "Mistral Nemo",
    templates: { "mistralai-Mistral-Nemo-Instruct-2407.jinja": "edc2b71010347aa2" },
    markers: ['[TOOL_RESULTS]{"content": ', "loop.last and system_message is defined"],
    toolCalls: '[TOOL_CALLS][{"name": NAME, "arguments": ARGS, "id": ID}]',
    reasoning: "none",
    midConversationSystem: "raises",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
    render: {
      // llama-server cannot build a tool-call parser for this template once the history holds a tool
      // call, and answers 400: no tool loop finished. The template writes the tool list before the last
      // user message and the system prompt inside it, and only when that message is the last of all: each
      // new user message moved both, and in a tool loop (the last message a tool result) the system prompt
      // was gone. Both are written with the first user message instead, on every turn. Call ids must be
      // nine alphanumerics.
      patches: [
        { find: "(message == user_messages[-1])", replace: "loop.first" },
        { find: "loop.last and system_message is defined", replace: "loop.first and system_message is defined" },
      ],
      why: "llama-server answers 400 to every request of a tool loop for this template, which moves the tool list and the system prompt to each new user message and leaves the system prompt out of a tool loop",
      toolCallIdLength: 9,
      output: { toolCalls: { open: "[TOOL_CALLS]", close: "", format: "json" } },
    },
  }),
  family({
    id: "devstral",
    name: "Devstral",
    templates: { "unsloth-mistral-Devstral-Small-2507.jinja": "3dd98e10b0effc58" },
    markers: ["[TOOL_CALLS]", "Devstral"],
    toolCalls: "[TOOL_CALLS]NAME[ARGS]ARGS",
    reasoning: "none",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
  }),
  family({
    id: "llama-3.1",
    name: "Llama 3.1 / 3.3",
    templates: {
      "meta-llama-Llama-3.1-8B-Instruct.jinja": "ea1f9d8a898a0ce5",
      "meta-llama-Llama-3.3-70B-Instruct.jinja": "ea1f9d8a898a0ce5",
    },
    markers: ["<|python_tag|>", "<|start_header_id|>"],
    toolCalls: '{"name": NAME, "parameters": ARGS}',
    reasoning: "none",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
  }),
  family({
    id: "nemotron-3-nano",
    name: "Nemotron 3 Nano",
    templates: { "NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.jinja": "9d7498c7fab90b09" },
    markers: ["<function=", "truncate_history_thinking"],
    toolCalls: "<tool_call>\n<function=NAME>\n<parameter=KEY>\nVALUE\n</parameter>\n</function>\n</tool_call>",
    reasoning: "<think>…</think>; an empty <think></think> for turns without reasoning",
    midConversationSystem: "in-place",
    reasoningInHistory: "keep",
    // The template ignores a blank reasoning: with thinking on, a turn without reasoning has the block the
    // generation prompt opened written into its content, closed with nothing in it.
    history: {
      kind: "embed-reasoning",
      open: "<think>\n",
      close: "\n</think>\n",
      whenEmpty: false,
      empty: { when: "thinking" },
    },
    appendOnly: true,
  }),
  family({
    id: "nemotron-nano-v2",
    name: "Nemotron Nano v2",
    templates: { "NVIDIA-Nemotron-Nano-v2.jinja": "6007dbdd6f66d77e" },
    markers: ["<TOOLCALL>"],
    toolCalls: '<TOOLCALL>[{"name": NAME, "arguments": ARGS}]</TOOLCALL>',
    reasoning: "never rendered in history; the generation prompt opens <think>",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
    render: {
      // The generation prompt opens <think> and earlier turns are written without any: each turn's opener
      // was prefilled again. Written with an empty block every time (reasoning dropped, as the template
      // does), a turn extends the generation prompt.
      patches: [
        {
          find: "'<SPECIAL_11>Assistant\n' + ((content",
          replace: "'<SPECIAL_11>Assistant\n<think>\n</think>' + ((content",
        },
      ],
      why: "the generation prompt opens a reasoning block that earlier turns are written without",
      output: {
        reasoning: { open: "<think>\n", close: "</think>" },
        toolCalls: { open: "<TOOLCALL>", close: "</TOOLCALL>", format: "json" },
      },
    },
  }),
  family({
    id: "granite-4",
    name: "Granite 4.x",
    templates: {
      "ibm-granite-granite-4.0.jinja": "6d73779b87dd08cd",
      "ibm-granite-granite-4.1.jinja": "22840bbed95f6073",
    },
    markers: ["<|start_of_role|>", "<tool_call>"],
    toolCalls: '<tool_call>\n{"name": NAME, "arguments": ARGS}\n</tool_call>',
    reasoning: "none",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
  }),
  family({
    id: "seed-oss",
    name: "Seed-OSS",
    templates: { "ByteDance-Seed-OSS.jinja": "b7c894aaac0df0ee" },
    markers: ["<seed:tool_call>"],
    toolCalls: "<seed:tool_call>\n<function=NAME>\n<parameter=KEY>VALUE</parameter>\n</function>\n</seed:tool_call>",
    reasoning: "<seed:think>…</seed:think> in every assistant turn that has reasoning; the model opens it itself",
    midConversationSystem: "in-place",
    reasoningInHistory: "keep",
    history: NONE,
    appendOnly: true,
    render: {
      // llama-server has no parser of its own for this template: its automatic one (common/chat-diff-analyzer.cpp)
      // cannot be built with Claude Code's tools, so every such request gets 400. The template itself renders
      // append-only as it stands; Switchyard renders it and reads `<seed:think>` and `<seed:tool_call>` itself.
      patches: [],
      // It writes a value that is not a string with `| string`, Python's form (`False`), which the
      // renderer Switchyard uses has not.
      argumentValues: "text",
      why: "llama-server answers 400 to requests with Claude Code's tools for this template (it cannot build a tool-call parser for it)",
      output: {
        reasoning: { open: "<seed:think>", close: "</seed:think>" },
        toolCalls: { open: "<seed:tool_call>", close: "</seed:tool_call>", format: "xml-function" },
      },
    },
  }),
  family({
    id: "stepfun-3.5",
    name: "StepFun 3.5",
    templates: { "StepFun3.5-Flash.jinja": "53dfb299c316a881" },
    markers: ["You have access to the following functions in JSONSchema format"],
    toolCalls: "<tool_call>\n<function=NAME>\n<parameter=KEY>\nVALUE\n</parameter>\n</function>\n</tool_call>",
    reasoning: "<think>…</think> after the last user query (an empty one without reasoning), nothing before it",
    midConversationSystem: "in-place",
    reasoningInHistory: "keep",
    history: NONE,
    appendOnly: true,
    render: {
      // llama-server trims every message of this template (common/chat.cpp `trim_all_content`), so a blank
      // reasoning field disappears and no message-level remedy can make the template write <think></think>
      // into a turn before the last user query: each new query re-rendered the previous run. Rendered by
      // Switchyard with the server's trimming reproduced, and every assistant turn written as after the last
      // query (the correction an engine Switchyard launches gets, src/backends/llama-server/template-remedy.ts).
      patches: [{ find: "loop.index0 > ns.last_query_index", replace: "true" }],
      trimMessages: true,
      why: "llama-server trims every message of this template, so the history remedy cannot apply and each new user query re-renders the previous run",
      output: {
        reasoning: { open: "<think>\n", close: "</think>" },
        toolCalls: { open: "<tool_call>", close: "</tool_call>", format: "xml-function-padded" },
      },
    },
  }),
  family({
    id: "lfm2.5",
    name: "LFM2.5",
    templates: { "LFM2.5-Instruct.jinja": "5793d818f4b240ad" },
    markers: ["<|im_start|>", "List of tools: ["],
    toolCalls: "<|tool_call_start|>[NAME(KEY=VALUE)]<|tool_call_end|>",
    reasoning: "none",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
  }),
  family({
    id: "hermes-3",
    name: "Hermes 3",
    templates: { "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja": "342b81c0f0136db8" },
    markers: ["<tool_response>", "json_to_python_type"],
    toolCalls: '<tool_call>\n{"name": NAME, "arguments": ARGS}\n</tool_call>',
    reasoning: "none",
    midConversationSystem: "in-place",
    reasoningInHistory: "drop",
    history: NONE,
    appendOnly: true,
    render: {
      // The template ends the last tool result without the newline it writes once another message
      // follows: one token re-prefilled per tool turn. Written with it every time, the turn is the same
      // bytes on every later turn.
      patches: [
        {
          find: "{%- else %}\n            {{- '\n</tool_response>' }}",
          replace: "{%- else %}\n            {{- '\n</tool_response>\n' }}",
        },
      ],
      why: "the template writes the last tool result without the newline it gets once another message follows",
      output: { toolCalls: { open: "<tool_call>", close: "</tool_call>", format: "json" } },
    },
  }),
  family({
    id: "reka-edge",
    name: "Reka Edge",
    templates: { "Reka-Edge.jinja": "1dac5749e535b752" },
    markers: ["<sep>", "num_img_tokens"],
    toolCalls: '<tool_call>\n{"name": NAME, "arguments": ARGS}\n</tool_call>',
    reasoning: "<think>…</think> with thinking on, in turns after the last user query that have reasoning",
    midConversationSystem: "dropped",
    reasoningInHistory: "keep",
    // As Qwen3's: earlier turns are sent with the reasoning written into their content; with thinking on,
    // a turn without reasoning is sent as having thought nothing ("\n", stripped to an empty block), the
    // block the generation prompt opened.
    history: {
      kind: "embed-reasoning",
      open: "<think>\n",
      close: "\n</think>\n\n",
      whenEmpty: false,
      empty: { value: "\n", when: "thinking" },
    },
    appendOnly: true,
  }),
];

const normalize = (text: string) => text.replace(/\s+/g, " ").trim();

/** A family by its id (as compat and turn records carry it). */
export function familyById(id: string | undefined): ModelFamily | undefined {
  return MODEL_FAMILIES.find((entry) => entry.id === id);
}

/** The fingerprint `templates` holds for a template's text. */
export function templateFingerprint(template: string): string {
  return createHash("sha256").update(normalize(template)).digest("hex").slice(0, 16);
}

/**
 * For a family Switchyard renders from corrected copies of its stock templates (`render.corrected`): the
 * copy of `template` when it is one of them (by fingerprint), else undefined.
 */
export function correctedCopy(family: ModelFamily, template: string): string | undefined {
  const fingerprint = templateFingerprint(template);
  const file = Object.keys(family.templates).find((name) => family.templates[name] === fingerprint);
  return file ? family.render?.corrected?.[file] : undefined;
}

/** The family a template belongs to: the exact template first, else by its markers in the list's order. */
export function detectFamily(template: string | undefined): ModelFamily | undefined {
  if (!template) return undefined;
  const fingerprint = templateFingerprint(template);
  const exact = MODEL_FAMILIES.find((entry) => Object.values(entry.templates).includes(fingerprint));
  if (exact) return exact;
  const source = normalize(template);
  return MODEL_FAMILIES.find((entry) => entry.markers.every((marker) => source.includes(normalize(marker))));
}
