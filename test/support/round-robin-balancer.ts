import type { AddressInfo } from "node:net";
import { createConnection, createServer, type Socket } from "node:net";

/**
 * A small TCP balancer for tests: each connection goes to the next upstream in turn; an upstream that
 * refuses the connection (a replica that died) is skipped for the next one. No HTTP parsing: a client
 * that opens a connection per request gets round robin per request.
 */
export interface RoundRobinBalancer {
  url: string;
  /** Connections sent to each upstream, by its index. */
  connections: number[];
  close(): Promise<void>;
}

export interface BalancerOptions {
  /**
   * Sees each chunk an upstream sends back, right after it was handed to the client's socket (the test
   * can kill the upstream the moment a response's last byte has passed through).
   */
  onResponseChunk?: (upstream: number, chunk: Buffer, connection: number) => void;
}

export async function startRoundRobinBalancer(
  upstreams: Array<{ host: string; port: number }>,
  options: BalancerOptions = {},
): Promise<RoundRobinBalancer> {
  let opened = 0;
  let next = 0;
  const connections = upstreams.map(() => 0);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    client.pause();
    const attempt = (tries: number) => {
      if (tries >= upstreams.length) return client.destroy();
      const index = next++ % upstreams.length;
      const upstream = upstreams[index] as { host: string; port: number };
      const socket = createConnection(upstream);
      track(socket);
      socket.setTimeout(600_000, () => socket.destroy());
      // Only before the connection is made: a refused upstream is skipped for the next one.
      socket.once("error", () => attempt(tries + 1));
      socket.once("connect", () => {
        connections[index] = (connections[index] ?? 0) + 1;
        socket.removeAllListeners("error");
        socket.on("error", () => client.destroy());
        client.on("error", () => socket.destroy());
        client.pipe(socket);
        socket.pipe(client);
        // After pipe's own listener: the chunk is already written to the client when this sees it.
        const connection = opened++;
        const onChunk = options.onResponseChunk;
        if (onChunk) socket.on("data", (chunk: Buffer) => onChunk(index, chunk, connection));
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
