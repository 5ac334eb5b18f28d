import { describe, expect, it } from "vitest";
import { completionRoom, parseContextOverflow } from "./parse-context-overflow.js";

/** Each server's overflow message, worded as its source defines it (see the patterns' `source`). */
const MESSAGES: Array<[string, string, { maximum?: number; promptTokens?: number; completionTokens?: number }]> = [
  [
    "llama-server",
    "request (9011 tokens) exceeds the available context size (4096 tokens), try increasing it",
    { maximum: 4096, promptTokens: 9011 },
  ],
  [
    "vLLM v0.25 renderers/params.py",
    "This model's maximum context length is 32768 tokens. However, you requested 32000 output tokens and your prompt contains 20000 input tokens, for a total of 52000 tokens. Please reduce the length of the input prompt or the number of requested output tokens.",
    { maximum: 32768, promptTokens: 20000, completionTokens: 32000 },
  ],
  [
    "vLLM v0.25, prompt counted up to the window",
    "This model's maximum context length is 8192 tokens. However, you requested 64 output tokens and your prompt contains at least 8129 input tokens, for a total of at least 8193 tokens. Please reduce the length of the input prompt or the number of requested output tokens.",
    { maximum: 8192, promptTokens: 8129, completionTokens: 64 },
  ],
  [
    "vLLM v0.9 serving_engine.py and OpenAI",
    "This model's maximum context length is 8192 tokens. However, you requested 9064 tokens (9000 in the messages, 64 in the completion). Please reduce the length of the messages or completion.",
    { maximum: 8192, promptTokens: 9000, completionTokens: 64 },
  ],
  [
    "vLLM v0.9, messages only",
    "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens in the messages, Please reduce the length of the messages.",
    { maximum: 8192, promptTokens: 9000 },
  ],
  [
    "vLLM v0.11, input over the window",
    "This model's maximum context length is 8192 tokens. However, your request has 9000 input tokens. Please reduce the length of the input messages.",
    { maximum: 8192, promptTokens: 9000 },
  ],
  [
    "vLLM v0.11, max_tokens over the rest",
    "'max_tokens' or 'max_completion_tokens' is too large: 64. This model's maximum context length is 8192 tokens and your request has 8150 input tokens (64 > 8192 - 8150).",
    { maximum: 8192, promptTokens: 8150, completionTokens: 64 },
  ],
  [
    "SGLang, prompt and completion",
    "Requested token count exceeds the model's maximum context length of 32768 tokens. You requested a total of 52000 tokens: 20000 tokens from the input messages and 32000 tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.",
    { maximum: 32768, promptTokens: 20000, completionTokens: 32000 },
  ],
  [
    "SGLang, prompt alone",
    "The input (40000 tokens) is longer than the model's context length (32768 tokens).",
    { maximum: 32768, promptTokens: 40000 },
  ],
];

describe("parseContextOverflow", () => {
  it.each(MESSAGES)("reads %s", (_server, message, expected) => {
    expect(parseContextOverflow(message)).toEqual({
      maximum: expected.maximum,
      promptTokens: expected.promptTokens,
      completionTokens: expected.completionTokens,
    });
  });

  it("takes OpenAI's context_length_exceeded code whatever the wording", () => {
    expect(parseContextOverflow("Your input is too large for this model.", "context_length_exceeded")).toEqual({
      maximum: undefined,
      promptTokens: undefined,
      completionTokens: undefined,
    });
  });

  it("is undefined for other errors", () => {
    expect(parseContextOverflow("max_tokens must be at least 1, got 0.")).toBeUndefined();
    expect(parseContextOverflow("The model `x` does not exist.", "model_not_found")).toBeUndefined();
  });
});

describe("completionRoom", () => {
  it("is what the window leaves after the prompt, one short for SGLang's >=", () => {
    expect(completionRoom({ maximum: 32768, promptTokens: 20000, completionTokens: 32000 })).toBe(12767);
  });

  it("is undefined when the prompt alone fills the window, or a number is missing", () => {
    expect(completionRoom({ maximum: 32768, promptTokens: 40000, completionTokens: undefined })).toBeUndefined();
    expect(completionRoom({ maximum: 32768, promptTokens: undefined, completionTokens: 5 })).toBeUndefined();
  });
});
