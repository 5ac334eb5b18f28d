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

/**
 * `GET /server_info` (and `/get_server_info`, its older name, kept as an alias): SGLang answers
 * `{**dataclasses.asdict(server_args), **scheduler_info, "internal_states": …, "version": …}`
 * (`python/sglang/srt/entrypoints/http_server.py`). Only a few of the ServerArgs fields, with their
 * names and defaults from `python/sglang/srt/server_args.py`, are given here; `tool_call_parser` is the
 * `--tool-call-parser` the server was started with, `null` without one.
 */
export function sglangServerInfo(toolCallParser: string | null, enableCacheReport = false) {
  return {
    model_path: SGLANG_MODEL,
    tokenizer_path: SGLANG_MODEL,
    served_model_name: SGLANG_MODEL,
    context_length: null,
    reasoning_parser: null,
    tool_call_parser: toolCallParser,
    enable_cache_report: enableCacheReport,
    internal_states: [{}],
    version: "0.5.4",
  };
}

/**
 * `contextLength`: the server refuses requests over that window as it does (context-length-rule.ts).
 * `toolCallParser`: what `/server_info` says the server was started with (default `qwen25`; `null`: none,
 * so the model's calls come back as text, which the script's streams must then be).
 */
export function startSglangProtocolServer(options: {
  script: Script;
  contextLength?: number;
  toolCallParser?: string | null;
  /** What `/server_info` says of `--enable-cache-report`. */
  cacheReport?: boolean;
}) {
  const { contextLength, toolCallParser = "qwen25" } = options;
  const info = { status: 200, json: sglangServerInfo(toolCallParser, options.cacheReport) };
  return startOpenAIProtocolServer({
    script: (request) =>
      request.method === "GET" && /^\/(get_)?server_info$/.test(request.path) ? info : options.script(request),
    fixtureDir: SGLANG_FIXTURE_DIR,
    context: contextLength === undefined ? undefined : { length: contextLength, rule: SGLANG_CONTEXT_RULE },
  });
}
