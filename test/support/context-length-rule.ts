import type { RecordedRequest } from "./loopback-server.js";
import type { ScriptedResponse } from "./openai-protocol-server.js";

/**
 * The context-window rule each server enforces before it generates, for the loopback fakes. A fake has
 * no tokenizer: it counts a prompt as the UTF-8 bytes of its messages and tools over 4 (what today's BPE
 * vocabularies give for English and code), the same number on every path (`/tokenize` answers it too),
 * so a test can size a request. The rule and the error are each server's own, cited below.
 */
export function fakePromptTokens(body: { messages?: unknown; tools?: unknown; prompt?: unknown }): number {
  const text = JSON.stringify([body.messages ?? body.prompt ?? [], body.tools ?? []]);
  return Math.ceil(Buffer.byteLength(text, "utf8") / 4);
}

interface ChatBody {
  messages?: unknown;
  tools?: unknown;
  max_tokens?: number;
  max_completion_tokens?: number;
}

/** An OpenAI-style server's refusal of a chat request over its window, or undefined when it fits. */
export type ContextRule = (
  prompt: number,
  maxTokens: number | undefined,
  context: number,
) => ScriptedResponse | undefined;

/**
 * vLLM `vllm/renderers/params.py` (v0.25, the check every chat request passes before the engine):
 * `prompt + max_tokens > max_model_len` is a 400 `BadRequestError` worded as below; a request without
 * `max_tokens` gets the rest of the window, so only a prompt that fills it is refused.
 */
export const VLLM_CONTEXT_RULE: ContextRule = (prompt, maxTokens, context) => {
  const output = maxTokens ?? 0;
  if (prompt + output <= context && prompt < context) return undefined;
  const message = `This model's maximum context length is ${context} tokens. However, you requested ${output} output tokens and your prompt contains ${prompt} input tokens, for a total of ${prompt + output} tokens. Please reduce the length of the input prompt or the number of requested output tokens.`;
  return { status: 400, json: { error: { message, type: "BadRequestError", param: null, code: 400 } } };
};

/**
 * SGLang `python/sglang/srt/managers/tokenizer_manager.py` `_validate_token_len`: a prompt of
 * `context_len` tokens or more, then `prompt + max_new_tokens >= context_len`; its flat `ErrorResponse`
 * with 400.
 */
export const SGLANG_CONTEXT_RULE: ContextRule = (prompt, maxTokens, context) => {
  let message: string | undefined;
  if (prompt >= context)
    message = `The input (${prompt} tokens) is longer than the model's context length (${context} tokens).`;
  else if (maxTokens !== undefined && prompt + maxTokens >= context)
    message = `Requested token count exceeds the model's maximum context length of ${context} tokens. You requested a total of ${prompt + maxTokens} tokens: ${prompt} tokens from the input messages and ${maxTokens} tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.`;
  if (message === undefined) return undefined;
  return { status: 400, json: { object: "error", message, type: "BadRequestError", param: null, code: 400 } };
};

/**
 * OpenAI's API: error code `context_length_exceeded` (platform.openai.com/docs/guides/error-codes), type
 * `invalid_request_error`, param `messages`, worded `This model's maximum context length is M tokens.
 * However, you requested T tokens (N in the messages, X in the completion). …` as its API sends it (the
 * same words vLLM v0.9 copied into `serving_engine.py`).
 */
export const OPENAI_CONTEXT_RULE: ContextRule = (prompt, maxTokens, context) => {
  const output = maxTokens ?? 0;
  if (prompt + output <= context) return undefined;
  const message = `This model's maximum context length is ${context} tokens. However, you requested ${prompt + output} tokens (${prompt} in the messages, ${output} in the completion). Please reduce the length of the messages or completion.`;
  return {
    status: 400,
    json: { error: { message, type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } },
  };
};

/**
 * The rule in front of a fake's script: a chat request over the window gets the server's refusal, and
 * `/tokenize` (vLLM's chat form) answers the fake's count; everything else goes to `script`.
 */
export function enforceContextLength(
  script: (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>,
  rule: ContextRule,
  context: number,
): (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse> {
  return (request) => {
    const body = (request.body ?? {}) as ChatBody;
    if (request.path === "/tokenize") {
      const count = fakePromptTokens(body);
      return { status: 200, json: { count, max_model_len: context, tokens: [] } };
    }
    if (request.path.endsWith("/chat/completions")) {
      const refusal = rule(fakePromptTokens(body), body.max_completion_tokens ?? body.max_tokens, context);
      if (refusal) return refusal;
    }
    return script(request);
  };
}

/**
 * Ollama `runner/ollamarunner/runner.go` `NewSequence`: with `truncate: false` a prompt longer than the
 * sequence's `num_ctx` is `errorInputTooLong`, a 400 (the server's `{"error": …}` body). It never refuses
 * for `num_predict`: generation stops or shifts the context instead. `defaultNumCtx` stands for the
 * Modelfile's or the server's window when the request sets none.
 */
export function ollamaContextRefusal(
  body: { messages?: unknown; tools?: unknown; truncate?: boolean; options?: { num_ctx?: number } },
  defaultNumCtx: number,
): { status: number; json: { error: string } } | undefined {
  const numCtx = body.options?.num_ctx ?? defaultNumCtx;
  if (body.truncate !== false || fakePromptTokens(body) <= numCtx) return undefined;
  return { status: 400, json: { error: "the input length exceeds the context length" } };
}
