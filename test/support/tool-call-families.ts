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
] as const;

/** What the tool-call script runs and answers (src/test-model/family-script.ts). */
export const SCRIPTED_COMMAND = "echo switchyard-tool-ran";
export const SCRIPTED_TOOL_OUTPUT = "switchyard-tool-ran";
export const SCRIPTED_ANSWER = "The command ran; its output is above. Done.";
