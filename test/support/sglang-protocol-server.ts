import { join } from "node:path";
import { SGLANG_CONTEXT_RULE } from "./context-length-rule.js";
import type { ScriptedResponse } from "./openai-protocol-server.js";
import { type Script, startOpenAIProtocolServer } from "./openai-protocol-server.js";

/**
 * A loopback SGLang: OpenAI chat completions framing with SGLang's streams (`test/fixtures/sglang/`, whose
 * README cites SGLang's `protocol.py` for every field) and SGLang's own JSON answers below.
 */
export const SGLANG_FIXTURE_DIR = join(import.meta.dirname, "..", "fixtures", "sglang");

export const SGLANG_MODEL = "qwen/qwen2.5-0.5b-instruct";

/** `GET /v1/models`: SGLang's `ModelList` of `ModelCard`s (`owned_by` defaults to "sglang"). */
export const SGLANG_MODELS_LIST = {
  object: "list",
  data: [
    {
      id: SGLANG_MODEL,
      object: "model",
      created: 1764000000,
      owned_by: "sglang",
      root: SGLANG_MODEL,
      parent: null,
      max_model_len: 32768,
    },
  ],
} as const;

/** SGLang's `ErrorResponse`: flat `{object: "error", message, type, param, code}`. */
export function sglangError(status: number, message: string, type = "BadRequestError"): ScriptedResponse {
  return { status, json: { object: "error", message, type, param: null, code: status } };
}

/** `contextLength`: the server refuses requests over that window as it does (context-length-rule.ts). */
export function startSglangProtocolServer(options: { script: Script; contextLength?: number }) {
  const { contextLength } = options;
  return startOpenAIProtocolServer({
    script: options.script,
    fixtureDir: SGLANG_FIXTURE_DIR,
    context: contextLength === undefined ? undefined : { length: contextLength, rule: SGLANG_CONTEXT_RULE },
  });
}
