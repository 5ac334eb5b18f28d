import type { ServerResponse } from "node:http";

/** The status line's headers of a streamed answer. */
export const STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

/**
 * Resolves as `opening` (a streamed answer's first event) does. While it is awaited, each `everyMs`
 * (a long prefill: a CPU takes minutes over a long prompt) sends what llama-server itself sends while it
 * prefills: the first time the stream's 200 and headers, then each time an SSE comment (`:\n\n`, which
 * every SSE parser skips). So a client's deadline for the headers (undici's and pi's 300 s) or for
 * silence in the body does not fire while the model works, as it does not straight to llama-server.
 * Nothing is sent when the first event comes sooner, and routing goes on as before (a fallback backend
 * can still answer); only a failure after the headers went out can no longer be an HTTP status, so it
 * is the stream's error event. `everyMs` 0 turns this off.
 */
export function keepAliveWhile<T>(opening: Promise<T>, response: ServerResponse, everyMs: number): Promise<T> {
  if (everyMs <= 0) return opening;
  const timer = setInterval(() => {
    if (response.destroyed) return;
    if (!response.headersSent) response.writeHead(200, STREAM_HEADERS);
    response.write(":\n\n");
  }, everyMs);
  return opening.finally(() => clearInterval(timer));
}
