import { upstreamErrorMessage } from "../chat-completions/map-upstream-error.js";

/**
 * Whether an upstream 400 says the server cannot read tool calls. vLLM started without
 * `--enable-auto-tool-choice` and `--tool-call-parser` answers every request with tools so, before it
 * renders anything: `"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be
 * set` (the default `tool_choice` once `tools` are given is `auto`: `check_tool_usage` in
 * `vllm/entrypoints/openai/chat_completion/protocol.py`), and `tool_choice="required" requires
 * --tool-call-parser to be set` for a forced call (`render_chat` in `vllm/renderers/online_renderer.py`;
 * `create_chat_completion` in the older `serving_chat.py`). Servers built on vLLM (NVIDIA NIM, a fleet
 * router in front of it) pass the message on. The body is vLLM's `ErrorResponse`, the message under
 * `error` (current) or at the top level (before 0.9).
 */
export function refusesToolCalls(errorText: string): boolean {
  const message = upstreamErrorMessage(errorText)?.message;
  return message !== undefined && /requires --(enable-auto-tool-choice|tool-call-parser)\b/.test(message);
}

/**
 * Whether SGLang reads tool calls, from its server arguments: `GET /server_info` (`/get_server_info`
 * before it, kept as an alias) answers `dataclasses.asdict(server_args)` among other things
 * (`python/sglang/srt/entrypoints/http_server.py`), `tool_call_parser` `null` unless it was started with
 * `--tool-call-parser`. Without one SGLang refuses nothing: it renders the tools into the prompt and
 * passes the model's calls on as plain text (`serving_chat.py` parses calls only when
 * `self.tool_call_parser` is set). `undefined` when the answer does not say.
 */
export function readsToolCalls(serverInfo: unknown): boolean | undefined {
  if (typeof serverInfo !== "object" || serverInfo === null || !("tool_call_parser" in serverInfo)) return undefined;
  const parser = (serverInfo as { tool_call_parser: unknown }).tool_call_parser;
  return typeof parser === "string" && parser !== "";
}

/**
 * SGLang's server arguments: `GET /server_info`, or `/get_server_info` where that is not found (its name
 * before, kept as an alias). Undefined when the server answers neither; throws on an answer not JSON.
 */
export async function sglangServerInfo(
  get: (path: string) => Promise<{ status: number; text: string }>,
): Promise<unknown> {
  for (const path of ["/server_info", "/get_server_info"]) {
    const answer = await get(path);
    if (answer.status === 404) continue;
    return answer.status < 400 ? JSON.parse(answer.text) : undefined;
  }
  return undefined;
}
