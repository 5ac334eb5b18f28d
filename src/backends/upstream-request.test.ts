import { createServer, type Server, type Socket } from "node:net";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../util/free-port.js";
import { requestUpstream } from "./upstream-request.js";

/**
 * A server that reads each request whole and then closes the connection without answering: the request
 * reached it, so whether it ran is unknown to the client.
 */
describe("requestUpstream: a connection closed after the request was written", () => {
  let server: Server;
  let origin: string;
  const arrivals: string[] = [];
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      let buffer = "";
      socket.on("data", (chunk) => {
        buffer += chunk.toString("latin1");
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        arrivals.push(buffer.slice(0, buffer.indexOf(" ")));
        socket.destroy();
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = async (method: "GET" | "POST", local = false) => {
    arrivals.length = 0;
    const pool = new Pool(origin);
    try {
      const request = { method, path: "/x", headers: {}, signal: undefined };
      const body = method === "POST" ? { prompt: "run me once" } : undefined;
      return await requestUpstream(pool, { ...request, body }, { name: "local", baseUrl: origin, local }).then(
        () => undefined,
        (error: Error) => error,
      );
    } finally {
      await pool.close();
    }
  };

  it("a POST to a cloud (billed, and maybe running) is sent once, and fails naming the closed connection", async () => {
    const error = await send("POST");
    expect(arrivals).toEqual(["POST"]);
    expect(error).toMatchObject({ kind: "upstream", code: "backend_unreachable" });
    expect(error?.message).toContain("local closed the connection before answering");
  });

  it("a POST to a server on this machine is sent once more: twice costs only compute", async () => {
    const error = await send("POST", true);
    expect(arrivals).toEqual(["POST", "POST"]);
    expect(error?.message).toContain("closed the connection");
  });

  it("a GET (idempotent) is sent once more on a fresh connection", async () => {
    const error = await send("GET");
    expect(arrivals).toEqual(["GET", "GET"]);
    expect(error?.message).toContain("closed the connection");
  });
});
