import type { ServerResponse } from "node:http";
import { writeChunk } from "./http-body.js";

/**
 * Writes a streamed answer's events to the client. Events that arrive together (one upstream chunk)
 * leave in one write: the socket is corked on the first and uncorked on the next tick. `onFirstWrite`
 * runs once, right after the first uncork handed the answer's first bytes (headers and events) to the
 * socket, so a time taken there covers everything the gateway did before the client can read a byte.
 * `write` returns a promise only when the socket asks to wait (backpressure); `flush` uncorks now (before
 * the gateway waits on something else, so the first bytes and their stamp are not held back).
 */
export function corkedStreamWriter(
  response: ServerResponse,
  onFirstWrite: () => void,
): { write: (text: string) => Promise<void> | undefined; flush: () => void } {
  let corked = false;
  let written = false;
  const uncork = () => {
    if (!corked) return;
    corked = false;
    response.uncork();
    if (!written) {
      written = true;
      onFirstWrite();
    }
  };
  return {
    write(text: string) {
      if (!corked) {
        corked = true;
        response.cork();
        process.nextTick(uncork);
      }
      return writeChunk(response, text);
    },
    flush: uncork,
  };
}
