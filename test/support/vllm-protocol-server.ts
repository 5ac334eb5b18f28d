import { join } from "node:path";
import { VLLM_CONTEXT_RULE } from "./context-length-rule.js";
import type { ScriptedResponse } from "./openai-protocol-server.js";
import { type Script, startOpenAIProtocolServer } from "./openai-protocol-server.js";

/**
 * A loopback vLLM: OpenAI chat completions framing with vLLM's streams (`test/fixtures/vllm/`, whose
 * README cites the vLLM source for every field) and vLLM's own JSON answers below.
 */
export const VLLM_FIXTURE_DIR = join(import.meta.dirname, "..", "fixtures", "vllm");

export const VLLM_MODEL = "Qwen/Qwen3-8B";

/** `GET /v1/models` as recorded in cuongpiger/vllm-labs `others/server-llama3.1/README.md`, our id and length. */
export const VLLM_MODELS_LIST = {
  object: "list",
  data: [
    {
      id: VLLM_MODEL,
      object: "model",
      created: 1737783302,
      owned_by: "vllm",
      root: VLLM_MODEL,
      parent: null,
      max_model_len: 32768,
      permission: [
        {
          id: "modelperm-5064860cf6514300be8194dccb4d329b",
          object: "model_permission",
          created: 1737783302,
          allow_create_engine: false,
          allow_sampling: true,
          allow_logprobs: true,
          allow_search_indices: false,
          allow_view: true,
          allow_fine_tuning: false,
          organization: "*",
          group: null,
          is_blocking: false,
        },
      ],
    },
  ],
} as const;

/** vLLM's `TokenizeResponse` (`count`, `max_model_len`, `tokens`) for `count` tokens. */
export function vllmTokenizeAnswer(tokens: number[]): ScriptedResponse {
  return { status: 200, json: { count: tokens.length, max_model_len: 32768, tokens } };
}

/**
 * A non-streamed answer of one token: vLLM's `ChatCompletionResponse` (`id`, `object`, `created`, `model`,
 * `choices` of `ChatCompletionResponseChoice` with `message`, `logprobs`, `finish_reason`, `stop_reason`,
 * and `usage`, in protocol.py). `cachedTokens`: a server started with `--enable-prompt-tokens-details` fills
 * `prompt_tokens_details`; without it the field is null.
 */
export function vllmChatAnswer(cachedTokens?: number): ScriptedResponse {
  return {
    status: 200,
    json: {
      id: "chatcmpl-3b8f0c2d9e7a4f1b8c6d5e4f3a2b1c0d",
      object: "chat.completion",
      created: 1764000500,
      model: VLLM_MODEL,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello", reasoning: null, tool_calls: [] },
          logprobs: null,
          finish_reason: "length",
          stop_reason: null,
        },
      ],
      usage: {
        prompt_tokens: 12,
        total_tokens: 13,
        completion_tokens: 1,
        prompt_tokens_details: cachedTokens === undefined ? null : { cached_tokens: cachedTokens },
      },
    },
  };
}

/** vLLM's `ErrorResponse`: `{error: {message, type, param, code}}`. */
export function vllmError(status: number, message: string, type = "BadRequestError"): ScriptedResponse {
  return { status, json: { error: { message, type, param: null, code: status } } };
}

/**
 * vLLM without a tool parser (started without `--enable-auto-tool-choice --tool-call-parser NAME`) refuses
 * a chat with tools before it renders anything, as `render_chat` in `vllm/renderers/online_renderer.py`
 * does: `tool_choice` defaults to `auto` once `tools` are given (`check_tool_usage` in
 * `vllm/entrypoints/openai/chat_completion/protocol.py`); `auto` is refused for want of both flags,
 * `required` or a named function for want of the parser; `none` or no tools pass.
 */
export function vllmToolParserRefusal(body: unknown): ScriptedResponse | undefined {
  const chat = body as { tools?: unknown[]; tool_choice?: unknown } | undefined;
  const choice = chat?.tool_choice ?? (chat?.tools?.length ? "auto" : undefined);
  if (choice === undefined || choice === null || choice === "none") return undefined;
  if (choice === "auto")
    return vllmError(400, '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set');
  const named = (choice as { function?: { name?: string } }).function?.name;
  const described = named === undefined ? `"${String(choice)}"` : `function "${named}"`;
  return vllmError(400, `tool_choice=${described} requires --tool-call-parser to be set`);
}

/**
 * `contextLength`: the server refuses requests over that window as it does (context-length-rule.ts).
 * `toolParser: false`: a server started without one, which refuses tools as `vllmToolParserRefusal` says.
 */
export function startVllmProtocolServer(options: { script: Script; contextLength?: number; toolParser?: boolean }) {
  const { contextLength, toolParser = true } = options;
  const script: Script = toolParser
    ? options.script
    : (request) =>
        (/\/chat\/completions$/.test(request.path) && vllmToolParserRefusal(request.body)) || options.script(request);
  return startOpenAIProtocolServer({
    script,
    fixtureDir: VLLM_FIXTURE_DIR,
    context: contextLength === undefined ? undefined : { length: contextLength, rule: VLLM_CONTEXT_RULE },
  });
}
