/**
 * Chat-template families whose tool-call test model works end to end (docs/design/test-model.md):
 * the template file under llama.cpp's models/templates/, whether the family writes reasoning, and
 * whether the model is scripted with thinking off too (Gemma 4's thinking-off prompt is not; gpt-oss
 * has one generation prompt for both).
 */
export const TOOL_CALL_FAMILIES = [
  { family: "Qwen3.5", template: "Qwen3.5-4B.jinja", reasons: true, thinkingOff: true },
  { family: "GLM-4.7", template: "GLM-4.7-Flash.jinja", reasons: true, thinkingOff: true },
  { family: "Gemma 4", template: "google-gemma-4-31B-it.jinja", reasons: true, thinkingOff: false },
  { family: "gpt-oss", template: "openai-gpt-oss-120b.jinja", reasons: true, thinkingOff: true },
  { family: "Ling 3.0", template: "inclusionai-ling-3.0-flash.jinja", reasons: true, thinkingOff: true },
  { family: "Reka Edge", template: "Reka-Edge.jinja", reasons: true, thinkingOff: true },
] as const;

/**
 * Families whose tool-call test model makes the call and says the answer after the result, but whose
 * answer llama-server b1-de3ff81 rejects: its DeepSeek V3.2 parser (common/parsers/deepseek.cpp) begins
 * with the literal `<｜Assistant｜>`, while after a tool result the template's generation prompt is
 * `\n\n<think>`, so every request with a tool result last fails with HTTP 500 whatever the model says.
 * `rawAnswer` is what the model says there, read through the raw /completion endpoint.
 */
export const ANSWER_UNPARSED_FAMILIES = [
  {
    family: "DeepSeek V3.2",
    template: "deepseek-ai-DeepSeek-V3.2.jinja",
    reasons: true,
    rawAnswer: "The tool has run.</think>The command ran; its output is above. Done.",
  },
] as const;

/**
 * Families whose prompt Switchyard renders itself (the matrix's `render`, docs/design/switchyard-renders.md):
 * the tool loop goes through `/completion` and Switchyard's own parser of the family's syntax, so
 * llama-server's parser (above) is not in the way. Thinking off is unscripted for DeepSeek V3.2 and
 * Gemma 4 (docs/design/test-model.md). `call`, `result`: how the prompt Switchyard renders writes a call
 * of a tool named NAME and the start of its result.
 */
export const RENDERED_TOOL_CALL_FAMILIES = [
  {
    family: "DeepSeek V3.2",
    template: "deepseek-ai-DeepSeek-V3.2.jinja",
    reasons: true,
    thinkingOff: false,
    // How the rendered prompt writes a call of `bash` and the start of its result.
    call: '<｜DSML｜invoke name="bash">',
    result: "<result>",
  },
  // No thinking switch in the template: the model opens <seed:think> itself, one generation prompt.
  {
    family: "Seed-OSS",
    template: "ByteDance-Seed-OSS.jinja",
    reasons: true,
    thinkingOff: false,
    call: "<function=bash>",
    result: "<seed:bos>tool\n",
  },
  // The generation prompt opens <think> whatever enable_thinking says: one generation prompt.
  {
    family: "StepFun 3.5",
    template: "StepFun3.5-Flash.jinja",
    reasons: true,
    thinkingOff: false,
    call: "<function=bash>",
    result: "<tool_response>",
  },
  {
    family: "Hermes 3",
    template: "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja",
    reasons: false,
    thinkingOff: false,
    call: '{"name": "bash"',
    result: "<tool_response>\n",
  },
  // Thinking on and off: the generation prompt opens <think>, or writes it closed.
  {
    family: "QwQ",
    template: "Qwen-QwQ-32B.jinja",
    reasons: true,
    thinkingOff: true,
    call: '{"name": "bash"',
    result: "<tool_response>\n",
  },
  {
    family: "Gemma 4",
    template: "google-gemma-4-31B-it.jinja",
    reasons: true,
    thinkingOff: false,
    call: "<|tool_call>call:bash{",
    result: "<|tool_response>response:",
  },
  // No generation prompt: the model answers right after `[/INST]` or `[/TOOL_RESULTS]`; its calls are a
  // JSON list after `[TOOL_CALLS]`, running to the end of the output, each with the nine-character id
  // the template checks.
  {
    family: "Mistral Nemo",
    template: "mistralai-Mistral-Nemo-Instruct-2407.jinja",
    reasons: false,
    thinkingOff: false,
    call: '[TOOL_CALLS][{"name": "bash"',
    result: '[TOOL_RESULTS]{"content": ',
  },
  // The template renders no tools: Switchyard writes the tool list, the calls and the results as text
  // (tools-as-text.ts), each call a fenced JSON block.
  {
    family: "Gemma 2",
    template: "google-gemma-2-2b-it.jinja",
    reasons: false,
    thinkingOff: false,
    call: '```tool_call\n{"name":"bash"',
    result: "<start_of_turn>user\n```tool_output\n",
  },
  // As Gemma 2, on a template that takes a system turn: the tool list follows the system prompt there.
  {
    family: "Phi-3.5",
    template: "microsoft-Phi-3.5-mini-instruct.jinja",
    reasons: false,
    thinkingOff: false,
    call: '```tool_call\n{"name":"bash"',
    result: "<|user|>\n```tool_output\n",
  },
  // Rendered from a corrected copy of the Qwen distill's template; thinking on and off (its generation
  // prompt opens <think>, or writes it closed).
  {
    family: "DeepSeek R1 distills",
    template: "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja",
    reasons: true,
    thinkingOff: true,
    call: "<｜tool▁sep｜>bash\n",
    result: "<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>",
  },
] as const;

/**
 * One rendered family per output syntax Switchyard reads (DSML, `<function=…>`, JSON in a fenced block with
 * the tools written as text, Gemma 4's `call:NAME{…}`, the R1 distills' `<｜tool▁calls▁begin｜>`, Mistral
 * Nemo's JSON list after `[TOOL_CALLS]` to the end of the output), for the client tool loops: the client's
 * side and the gateway's are the same for all, and each family's parser and template are held by the unit
 * and matrix tests. StepFun 3.5 (`<function=…>` padded), Hermes 3 and QwQ (JSON in `<tool_call>`, the
 * reader Gemma 2's calls take) and Phi-3.5 (tools as text, as Gemma 2) also finish both loops; they are
 * left out of CI for its time budget.
 */
export const RENDERED_ONE_PER_SYNTAX = RENDERED_TOOL_CALL_FAMILIES.filter((entry) =>
  ["DeepSeek V3.2", "Seed-OSS", "Gemma 2", "Gemma 4", "DeepSeek R1 distills", "Mistral Nemo"].includes(entry.family),
);

/** The tool-call families that take llama-server's chat path through Switchyard (it parses their calls). */
export const CHAT_PATH_TOOL_CALL_FAMILIES = TOOL_CALL_FAMILIES.filter(
  (family) => !RENDERED_TOOL_CALL_FAMILIES.some((rendered) => rendered.template === family.template),
);

/** What llama-server answers then (HTTP 500). */
export const UNPARSED_OUTPUT_ERROR = "The model produced output that does not match the expected peg-native format";

/** What the tool-call script runs and answers (src/test-model/family-script.ts). */
export const SCRIPTED_COMMAND = "echo switchyard-tool-ran";
export const SCRIPTED_TOOL_OUTPUT = "switchyard-tool-ran";
export const SCRIPTED_ANSWER = "The command ran; its output is above. Done.";
