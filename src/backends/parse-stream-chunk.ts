import type { BackendTimings, Usage } from "../core/canonical.js";
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

/** llama.cpp's `timings` on a stream event (tools/server/README.md). */
export interface LlamaTimings {
  cache_n?: number;
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
  prompt_per_second?: number;
  predicted_per_second?: number;
}

/** What llama.cpp's `timings` say of the turn, written into its usage and timings as they arrive. */
export function applyLlamaTimings(t: LlamaTimings, usage: Usage, timings: BackendTimings): void {
  if (t.prompt_n !== undefined) usage.inputTokens = t.prompt_n;
  if (t.cache_n !== undefined) usage.cacheReadTokens = t.cache_n;
  if (t.predicted_n !== undefined) usage.outputTokens = t.predicted_n;
  timings.promptMs = t.prompt_ms;
  timings.predictedMs = t.predicted_ms;
  timings.promptPerSecond = t.prompt_per_second;
  timings.predictedPerSecond = t.predicted_per_second;
}
