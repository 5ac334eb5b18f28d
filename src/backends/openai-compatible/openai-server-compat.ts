import type { ChatCompletionsCompat } from "../chat-completions/to-chat-completions-body.js";

/** The servers that speak OpenAI Chat Completions to us, each with its quirks as data below. */
export type OpenAIServerFlavor = "openai-compatible" | "vllm" | "sglang";

/**
 * What differs between OpenAI-style servers, as data (overridable from the config). Sources:
 * vLLM `vllm/entrypoints/openai/protocol.py` and `docs/features/reasoning_outputs.md`; SGLang
 * `python/sglang/srt/entrypoints/openai/protocol.py`; both checked for each field below.
 */
export interface OpenAIServerCompat extends ChatCompletionsCompat {
  /**
   * Sends `chat_template_kwargs` (`enable_thinking` from the request, plus `templateKwargs`): vLLM and
   * SGLang pass it to the HF chat template; hosted APIs reject or ignore unknown fields.
   */
  chatTemplateKwargs: boolean;
  templateKwargs: Record<string, unknown>;
  /** Sends `top_k` (vLLM and SGLang sampling extras; OpenAI's API rejects it). */
  topK: boolean;
  /**
   * The field an assistant turn's reasoning goes back in. vLLM renamed `reasoning_content` to
   * `reasoning` (PR #27752) and reads only `reasoning` on input (issue #38488); SGLang reads
   * `reasoning_content`. Replies are read from either name on every server.
   */
  reasoningField: "reasoning" | "reasoning_content";
  /** `max_tokens` on every flavor for now; `max_completion_tokens` for OpenAI's reasoning models, by override. */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /**
   * Exact counts: `chat` posts `{model, messages, tools}` to `{root}/tokenize` and reads `count`
   * (vLLM's TokenizeChatRequest/TokenizeResponse). SGLang's `/tokenize` takes only a rendered `prompt`,
   * which we cannot render without its template, so it gets `none` (a labelled estimate).
   */
  tokenize: "chat" | "none";
  /**
   * Whether the server reports reused prefix tokens in `usage.prompt_tokens_details.cached_tokens` only
   * when started with a flag (vLLM `--enable-prompt-tokens-details`, SGLang `--enable-cache-report`):
   * said in the record when the field is missing.
   */
  cacheReportFlag: string | undefined;
  /** Servers on this machine (vLLM, SGLang) keep a prefix cache and cost nothing per token. */
  local: boolean;
  /**
   * The server cannot read tool calls (vLLM started without `--enable-auto-tool-choice` and
   * `--tool-call-parser` refuses every request with tools): tools, calls and results go as text
   * (src/backends/tools-as-text.ts) and the model's calls are read back out of its text. Off on every
   * flavor; the backend turns it on when the server refuses tools so (tool-parser.ts).
   */
  toolsAsText: boolean;
}

const HOSTED_MESSAGES = { midConversationSystem: "native", vision: true } as const;
/**
 * vLLM and SGLang render with the model's HF template: Qwen-style templates raise on a system message
 * that is not first, and others hoist it to the front (which breaks the cached prefix each time), so a
 * mid-conversation system message goes as a user turn in place, as for llama-server.
 */
const LOCAL_MESSAGES = { midConversationSystem: "as-user", vision: true } as const;

export const OPENAI_SERVER_COMPAT: Readonly<Record<OpenAIServerFlavor, OpenAIServerCompat>> = {
  "openai-compatible": {
    ...HOSTED_MESSAGES,
    chatTemplateKwargs: false,
    templateKwargs: {},
    topK: false,
    reasoningField: "reasoning_content",
    maxTokensField: "max_tokens",
    tokenize: "none",
    cacheReportFlag: undefined,
    local: false,
    toolsAsText: false,
  },
  vllm: {
    ...LOCAL_MESSAGES,
    chatTemplateKwargs: true,
    templateKwargs: {},
    topK: true,
    reasoningField: "reasoning",
    maxTokensField: "max_tokens",
    tokenize: "chat",
    cacheReportFlag: "--enable-prompt-tokens-details",
    local: true,
    toolsAsText: false,
  },
  sglang: {
    ...LOCAL_MESSAGES,
    chatTemplateKwargs: true,
    templateKwargs: {},
    topK: true,
    reasoningField: "reasoning_content",
    maxTokensField: "max_tokens",
    tokenize: "none",
    cacheReportFlag: "--enable-cache-report",
    local: true,
    toolsAsText: false,
  },
};
