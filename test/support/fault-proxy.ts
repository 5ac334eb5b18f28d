import { connect, createServer, type Socket } from "node:net";

export interface FaultProxy {
  url: string;
  /** Bytes of each upstream response forwarded before the connection is cut (Infinity: never cut). */
  cutAfterBytes: number;
  /** Size of the last upstream response forwarded whole (its bytes since the request was sent). */
  lastResponseBytes: number;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy in front of a real server that can cut a response after a number of bytes, to
 * test what clients see when an upstream dies in the middle of a stream.
 */
export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = {
    url: "",
    cutAfterBytes: Number.POSITIVE_INFINITY,
    lastResponseBytes: 0,
    close: async () => {},
  };
  const server = createServer((client) => {
    const target = connect(Number(upstream.port), upstream.hostname);
    sockets.add(client);
    sockets.add(target);
    let forwarded = 0;
    // Each request on a kept-alive connection starts a new response: count its bytes afresh.
    client.on("data", (chunk) => {
      forwarded = 0;
      target.write(chunk);
    });
    target.on("data", (chunk: Buffer) => {
      const room = proxy.cutAfterBytes - forwarded;
      if (room <= 0) return;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      forwarded += part.length;
      proxy.lastResponseBytes = forwarded;
      client.write(part);
      if (forwarded >= proxy.cutAfterBytes) {
        client.destroy();
        target.destroy();
      }
    });
    const end = () => {
      client.destroy();
      target.destroy();
    };
    client.on("close", end);
    target.on("close", end);
    client.on("error", end);
    target.on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  proxy.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  proxy.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
