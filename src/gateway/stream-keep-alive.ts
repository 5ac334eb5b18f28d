import type { ServerResponse } from "node:http";

/** The status line's headers of a streamed answer. */
export const STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

/**
 * Keeps a streamed answer's connection alive through a silence, as llama-server does while it prefills:
 * each `everyMs` in which nothing went out to the client (its socket's `bytesWritten` did not move), the
 * stream's 200 and headers if they are not out yet, then an SSE comment (`:\n\n`, which every SSE parser
 * skips). A silence comes before the first event (a long prefill: a CPU takes minutes over a long prompt)
 * and inside the answer (a tool call Switchyard reads whole before passing it on). So a client's deadline
 * for the headers or for silence in the body (undici's and pi's: 300 s) does not fire while the model
 * works, as it does not straight to llama-server. A stream that keeps writing gets nothing more. Once the
 * headers are out a failure can only be the stream's error event; routing goes on as before (the
 * comments commit to no backend). `beat` gives the text in place of the comment, for a protocol whose
 * clients count only events (the Responses door's `response.in_progress`). `everyMs` 0 turns it off.
 * Returns the function that stops it.
 */
export function keepStreamAlive(response: ServerResponse, everyMs: number, beat = () => ":\n\n"): () => void {
  if (everyMs <= 0) return () => {};
  let seen = -1;
  const timer = setInterval(() => {
    if (response.destroyed || response.writableEnded) return;
    const written = response.socket?.bytesWritten ?? 0;
    if (response.headersSent && written !== seen) {
      seen = written;
      return;
    }
    if (!response.headersSent) response.writeHead(200, STREAM_HEADERS);
    // Corked around the write, the comment goes to the socket now (else at the next tick), so the next
    // look finds it counted.
    response.cork();
    response.write(beat());
    response.uncork();
    seen = response.socket?.bytesWritten ?? 0;
  }, everyMs);
  return () => clearInterval(timer);
}
