import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";

export interface SlowPrefillProxy {
  url: string;
  /** Generation requests it held back. */
  held: number;
  /** Set: a held request's connection is cut when its hold ends, as an engine that died meanwhile. */
  cutHeld: boolean;
  /** Above 0: a generation's answer stops this long after its first bytes (a silence inside the answer). */
  stallMs: number;
  close(): Promise<void>;
}

/** The paths a llama-server generates on: Switchyard's (`/v1/chat/completions`, `/completion`) and `/v1/messages`. */
const GENERATION = /^\/(v1\/)?(chat\/)?completions?$|^\/v1\/messages$/;

/**
 * A loopback HTTP proxy in front of a real llama-server that holds each generation request `prefillMs`
 * before passing it on, as a long prompt on a CPU holds the first token back (minutes where the test
 * model takes milliseconds). Everything else (health, props, slots, tokenize) passes at once, and the
 * answer passes as the server sends it (unless `stallMs` stops it for a while after its first bytes).
 */
export async function startSlowPrefillProxy(upstreamUrl: string, prefillMs: number): Promise<SlowPrefillProxy> {
  const upstream = new URL(upstreamUrl);
  const server = createServer((incoming, outgoing) => {
    const generation = incoming.method === "POST" && GENERATION.test((incoming.url ?? "").split("?")[0] ?? "");
    if (generation) proxy.held++;
    const timer = setTimeout(
      () => {
        if (generation && proxy.cutHeld) {
          incoming.socket.destroy();
          return;
        }
        const forward = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: incoming.method,
            path: incoming.url,
            headers: incoming.headers,
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
            if (!generation || proxy.stallMs <= 0) return;
            // After the answer's first bytes, a silence: the rest waits `stallMs`.
            answer.once("data", () => {
              answer.pause();
              setTimeout(() => answer.resume(), proxy.stallMs);
            });
          },
        );
        forward.on("error", () => outgoing.destroy());
        incoming.pipe(forward);
      },
      generation ? prefillMs : 0,
    );
    // A client gone while its request is held: nothing goes upstream.
    outgoing.on("close", () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: SlowPrefillProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held: 0,
    cutHeld: false,
    stallMs: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
