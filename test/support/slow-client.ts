import { request } from "node:http";
import type { HttpFaultProxy } from "./fault-proxy.js";

export interface SlowClientRun {
  /** Bytes the client read before it stopped reading. */
  readBeforeStop: number;
  /** Whether the upstream's writes stalled (the same byte count over ten polls, 100 ms apart). */
  stalled: boolean;
  /** Bytes of the upstream's answer the gateway's socket had accepted when they stalled. */
  acceptedWhenStalled: number;
  /** The whole answer, read to its end once reading resumed. */
  text: string;
}

/**
 * One streamed request from a client that stops reading after its first 64 KiB, as a slow terminal
 * would, while the upstream behind `proxy` (an `inflate` fault) sends far more than any buffer holds.
 * Once the upstream's writes stall, `whileStopped` runs (to measure the gateway then), then the client
 * reads the rest. Resolves with the whole answer once it has ended; rejects, closing the connection,
 * when it has not ended `endWithinMs` after reading resumed (a gateway that never resumes, or never ends
 * the answer).
 */
export async function slowClientRun(
  url: string,
  body: unknown,
  proxy: HttpFaultProxy,
  whileStopped: (run: Omit<SlowClientRun, "text">) => void = () => {},
  endWithinMs = 60_000,
): Promise<SlowClientRun> {
  let received = 0;
  let resumeReading: () => void = () => {};
  let afterResume = 0;
  const outgoing = request(url, {
    method: "POST",
    agent: false,
    headers: { "content-type": "application/json", connection: "close" },
  });
  const finished = new Promise<string>((resolve, reject) => {
    outgoing.once("error", reject);
    outgoing.once("response", (answer) => {
      const chunks: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => {
        received += chunk.length;
        chunks.push(chunk);
        if (received > 64 * 1024 && !answer.isPaused()) answer.pause();
      });
      resumeReading = () => {
        answer.removeAllListeners("data");
        answer.on("data", (chunk: Buffer) => {
          afterResume += chunk.length;
          chunks.push(chunk);
        });
        answer.resume();
      };
      answer.once("error", reject);
      answer.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
    outgoing.end(JSON.stringify(body));
  });
  // Raced below; a failure before then is not an unhandled rejection.
  finished.catch(() => {});
  let last = -1;
  let steady = 0;
  for (let poll = 0; poll < 600 && steady < 10; poll++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    steady = proxy.bodyBytesAccepted === last ? steady + 1 : 0;
    last = proxy.bodyBytesAccepted;
  }
  const stopped = { readBeforeStop: received, stalled: steady === 10, acceptedWhenStalled: proxy.bodyBytesAccepted };
  whileStopped(stopped);
  resumeReading();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      outgoing.destroy();
      reject(
        new Error(
          `the answer had not ended ${endWithinMs} ms after the client read again (${afterResume} B read since)`,
        ),
      );
    }, endWithinMs);
  });
  try {
    return { ...stopped, text: await Promise.race([finished, late]) };
  } finally {
    clearTimeout(timer);
  }
}
