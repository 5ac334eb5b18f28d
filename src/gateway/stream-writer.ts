import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * Writes a streamed answer's events to the client. Events that arrive together (one upstream chunk)
 * leave in one write: their text is joined and handed to the response on the next tick (or at `flush`),
 * one `response.write` and one chunk of the chunked body instead of one per event. `onFirstWrite` runs
 * once, right after the first write handed the answer's first bytes (headers and events) to the socket,
 * so a time taken there covers everything the gateway did before the client can read a byte.
 *
 * `write` returns a promise only when the socket asked to wait (backpressure) at the last hand-over:
 * the caller waits before reading on, at most one tick's events later than a write per event would.
 * `flush` hands over what is waiting now: before writing anything else to the response, ending it, or
 * waiting on something else (so the first bytes and their stamp are not held back).
 */
export function corkedStreamWriter(
  response: ServerResponse,
  onFirstWrite: () => void,
): { write: (text: string) => Promise<void> | undefined; flush: () => void } {
  let pending = "";
  let written = false;
  let wait: Promise<void> | undefined;
  const flush = () => {
    if (pending === "") return;
    const text = pending;
    pending = "";
    // A client gone since the events were handed over gets nothing more.
    if (response.destroyed) return;
    // Corked around the write, the bytes go to the socket at the uncork, now; a write alone would leave
    // them for the next tick (Node corks a chunked response's socket until then).
    response.cork();
    response.write(text);
    response.uncork();
    // Whether to wait is the socket's to say, once it holds the bytes. The response's own 'drain' cannot be
    // relied on around an uncork (nodejs/node#60432). Node 22 emits it only when the socket drains, which a
    // socket that took everything at the uncork without filling up never does; Node 24.19 and later emit it
    // inside the uncork, before a listener added after the write can hear it. Either way the stream
    // waited forever.
    const socket = response.socket;
    if (socket?.writableNeedDrain) wait = drained(socket, response);
    if (!written) {
      written = true;
      onFirstWrite();
    }
  };
  return {
    write(text: string) {
      if (pending === "") process.nextTick(flush);
      pending += text;
      const asked = wait;
      wait = undefined;
      return asked;
    },
    flush,
  };
}

/** Resolves once the socket can take more, or the response is gone. */
function drained(socket: Socket, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off("drain", done);
      socket.off("close", done);
      response.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
    response.on("close", done);
  });
}
