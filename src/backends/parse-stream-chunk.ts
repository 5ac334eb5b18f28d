import { SwitchyardError } from "../core/errors.js";
import { mapUpstreamError } from "./chat-completions/map-upstream-error.js";

/**
 * One SSE event's JSON from a llama.cpp-style stream (Chat Completions or `/completion`): a malformed
 * one is a `malformed_stream` failure naming the backend, and one carrying `error` is that upstream error.
 */
export function parseStreamChunk<T extends { error?: { code?: number } }>(data: string, backendName: string): T {
  let chunk: T;
  try {
    chunk = JSON.parse(data) as T;
  } catch {
    throw new SwitchyardError(`${backendName} sent a malformed stream event: ${data.slice(0, 200)}`, {
      kind: "upstream",
      code: "malformed_stream",
    });
  }
  if (chunk.error) throw mapUpstreamError(chunk.error.code ?? 500, JSON.stringify(chunk), backendName);
  return chunk;
}
