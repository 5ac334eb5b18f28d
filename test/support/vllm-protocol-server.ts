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

/** vLLM's `ErrorResponse`: `{error: {message, type, param, code}}`. */
export function vllmError(status: number, message: string, type = "BadRequestError"): ScriptedResponse {
  return { status, json: { error: { message, type, param: null, code: status } } };
}

/** `contextLength`: the server refuses requests over that window as it does (context-length-rule.ts). */
export function startVllmProtocolServer(options: { script: Script; contextLength?: number }) {
  const { contextLength } = options;
  return startOpenAIProtocolServer({
    script: options.script,
    fixtureDir: VLLM_FIXTURE_DIR,
    context: contextLength === undefined ? undefined : { length: contextLength, rule: VLLM_CONTEXT_RULE },
  });
}
