import { measureStream, type StreamMeasurement, type Wire } from "./measure-stream.js";

/** Where a bench sends: a base URL (no `/v1`), the wire it speaks there, and headers it needs (keys). */
export interface BenchEndpoint {
  baseUrl: string;
  wire: Wire;
  headers?: Record<string, string>;
}

export interface MeasuredResponse {
  status: number;
  /** `performance.now()` when the request was sent; every time in `measurement` is relative to it. */
  startedAt: number;
  measurement: StreamMeasurement;
}

export const wirePath = (wire: Wire) => (wire === "anthropic" ? "/v1/messages" : "/v1/chat/completions");

/**
 * Sends one streaming request and measures its answer. A non-2xx answer is measured as an error
 * carrying the body's first 300 characters; a timeout or abort rejects (nothing is left in flight).
 */
export async function sendMeasuredRequest(
  endpoint: BenchEndpoint,
  body: unknown,
  options: { signal?: AbortSignal; timeoutMs?: number; headers?: Record<string, string>; path?: string } = {},
): Promise<MeasuredResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 600_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const startedAt = performance.now();
  const response = await fetch(`${endpoint.baseUrl}${options.path ?? wirePath(endpoint.wire)}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(endpoint.wire === "anthropic" ? { "anthropic-version": "2023-06-01" } : {}),
      ...endpoint.headers,
      ...options.headers,
    },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok || !response.body) {
    const text = await response.text();
    return {
      status: response.status,
      startedAt,
      measurement: {
        firstByteMs: undefined,
        contentTimesMs: [],
        promptTokens: undefined,
        reusedTokens: undefined,
        outputTokens: undefined,
        timings: undefined,
        totalMs: performance.now() - startedAt,
        error: `HTTP ${response.status}: ${text.slice(0, 300)}`,
        text: "",
      },
    };
  }
  const measurement = await measureStream(endpoint.wire, response.body, startedAt);
  // An abort mid-stream ends the body early; say it was an abort rather than a short stream.
  signal.throwIfAborted();
  return { status: response.status, startedAt, measurement };
}
