/**
 * What an OpenAI-style server says when a request does not fit its context window: the window, the
 * prompt's tokens and the completion asked for, as far as its message states them. Each server words it
 * its own way; every pattern below is one server's source-defined message.
 */
export interface ContextOverflow {
  /** The context window (`max_model_len`, `context_len`, `n_ctx`). */
  maximum: number | undefined;
  /** Prompt tokens, when the message states them (a lower bound where it says "at least"). */
  promptTokens: number | undefined;
  /** The completion tokens the request asked for, when the message states them. */
  completionTokens: number | undefined;
}

interface OverflowPattern {
  /** Where the message comes from. */
  source: string;
  pattern: RegExp;
  read: (match: RegExpExecArray) => ContextOverflow;
}

const n = (text: string | undefined) => (text === undefined ? undefined : Number(text));

const PATTERNS: readonly OverflowPattern[] = [
  {
    source:
      "llama.cpp tools/server/server-context.cpp: `request (%d tokens) exceeds the available context size (%d tokens)`",
    pattern: /request \((\d+) tokens\) exceeds the available context size \((\d+) tokens\)/,
    read: (m) => ({ maximum: n(m[2]), promptTokens: n(m[1]), completionTokens: undefined }),
  },
  {
    source:
      "vLLM vllm/renderers/params.py (v0.25): `This model's maximum context length is M tokens. However, you requested X output tokens and your prompt contains [at least] N input tokens, …`",
    pattern:
      /maximum context length is (\d+) tokens\. However, you requested (\d+) output tokens and your prompt contains (?:at least )?(\d+) input tokens/,
    read: (m) => ({ maximum: n(m[1]), promptTokens: n(m[3]), completionTokens: n(m[2]) }),
  },
  {
    source:
      "vLLM vllm/entrypoints/openai/serving_engine.py (v0.9) and OpenAI's API: `… However, you requested T tokens (N in the messages, X in the completion).`",
    pattern:
      /maximum context length is (\d+) tokens\. However, you requested \d+ tokens \((\d+) in the messages, (\d+) in the completion\)/,
    read: (m) => ({ maximum: n(m[1]), promptTokens: n(m[2]), completionTokens: n(m[3]) }),
  },
  {
    source:
      "vLLM serving_engine.py (v0.9): `… However, you requested N tokens in the messages, …`; OpenAI's API: `… However, your messages resulted in N tokens.`",
    pattern:
      /maximum context length is (\d+) tokens\. However, (?:you requested|your messages resulted in) (\d+) tokens/,
    read: (m) => ({ maximum: n(m[1]), promptTokens: n(m[2]), completionTokens: undefined }),
  },
  {
    source: "vLLM serving_engine.py (v0.11): `… However, your request has N input tokens.`",
    pattern: /maximum context length is (\d+) tokens\. However, your request has (\d+) input tokens/,
    read: (m) => ({ maximum: n(m[1]), promptTokens: n(m[2]), completionTokens: undefined }),
  },
  {
    source:
      "vLLM serving_engine.py (v0.11): `'max_tokens' or 'max_completion_tokens' is too large: X. This model's maximum context length is M tokens and your request has N input tokens`",
    pattern:
      /is too large: (\d+)\. This model's maximum context length is (\d+) tokens and your request has (\d+) input tokens/,
    read: (m) => ({ maximum: n(m[2]), promptTokens: n(m[3]), completionTokens: n(m[1]) }),
  },
  {
    source:
      "SGLang python/sglang/srt/managers/tokenizer_manager.py `_validate_token_len`: `Requested token count exceeds the model's maximum context length of M tokens. You requested a total of T tokens: N tokens from the input messages and X tokens for the completion.`",
    pattern:
      /maximum context length of (\d+) tokens\. You requested a total of \d+ tokens: (\d+) tokens from the input messages and (\d+) tokens for the completion/,
    read: (m) => ({ maximum: n(m[1]), promptTokens: n(m[2]), completionTokens: n(m[3]) }),
  },
  {
    source:
      "SGLang tokenizer_manager.py `_validate_token_len`: `The input (N tokens) is longer than the model's context length (M tokens).`",
    pattern: /The input \((\d+) tokens\) is longer than the model's context length \((\d+) tokens\)/,
    read: (m) => ({ maximum: n(m[2]), promptTokens: n(m[1]), completionTokens: undefined }),
  },
];

/**
 * The overflow an upstream error describes, or undefined when it is not one. `code` is the error body's
 * `code`: OpenAI's API marks the overflow `context_length_exceeded` (its error-codes guide) whatever the wording.
 */
export function parseContextOverflow(message: string, code?: unknown): ContextOverflow | undefined {
  for (const { pattern, read } of PATTERNS) {
    const match = pattern.exec(message);
    if (match) return read(match);
  }
  if (code === "context_length_exceeded" || /maximum context length is (\d+) tokens/.test(message)) {
    return {
      maximum: n(/maximum context length is (\d+) tokens/.exec(message)?.[1]),
      promptTokens: undefined,
      completionTokens: undefined,
    };
  }
  return undefined;
}

/**
 * The room the context leaves for the completion, when the overflow came from the completion asked for
 * and not from the prompt (the prompt alone fits): the request can be sent again asking for less. One
 * token less than the difference, since SGLang refuses `prompt + max_new_tokens >= context_len`.
 */
export function completionRoom(overflow: ContextOverflow): number | undefined {
  if (overflow.maximum === undefined || overflow.promptTokens === undefined) return undefined;
  const room = overflow.maximum - overflow.promptTokens - 1;
  return room > 0 ? room : undefined;
}
