import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { Pool } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { closeUpstreamPool, preconnect, upstreamPool } from "./upstream-pool.js";

const DEFAULTS = {
  connections: 4,
  pipelining: 1,
  keepAliveTimeout: 200,
  keepAliveMaxTimeout: 200,
  connectTimeoutMs: 2_000,
  headersTimeoutMs: 5_000,
  idleTimeoutMs: 5_000,
};

/** A loopback server that counts the connections it accepts and which one each request came on. */
async function countingServer() {
  const sockets: Socket[] = [];
  const requestSockets: number[] = [];
  const server: Server = createServer((request, response) => {
    requestSockets.push(sockets.indexOf(request.socket));
    request.resume();
    request.on("end", () => response.end("ok"));
  });
  server.on("connection", (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, sockets, requestSockets };
}

const get = async (pool: Pool) => (await (await pool.request({ method: "GET", path: "/" })).body.text()) as string;
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await delay(10);
  return check();
};

describe("upstreamPool's preconnect", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  async function setup() {
    const upstream = await countingServer();
    const pool = upstreamPool(upstream.url, {}, DEFAULTS);
    cleanups.push(async () => {
      await closeUpstreamPool(pool);
      upstream.server.closeAllConnections();
      await new Promise((resolve) => upstream.server.close(resolve));
    });
    return { upstream, pool };
  }
  /** A pool that answered one request and whose connection then went idle and closed (keepAliveTimeout). */
  async function setupAfterIdleClose() {
    const { upstream, pool } = await setup();
    expect(await get(pool)).toBe("ok");
    expect(await until(() => upstream.sockets[0]?.destroyed === true)).toBe(true);
    return { upstream, pool };
  }

  it("opens a connection before the request and the request takes it", async () => {
    // With the idle connection gone, the next request would have to dial.
    const { upstream, pool } = await setupAfterIdleClose();
    preconnect(pool);
    expect(await until(() => upstream.sockets.length === 2)).toBe(true);
    expect(await get(pool)).toBe("ok");
    expect(upstream.sockets.length).toBe(2);
    expect(upstream.requestSockets).toEqual([0, 1]);
  });

  it("takes a spare still connecting", async () => {
    const { upstream, pool } = await setupAfterIdleClose();
    preconnect(pool);
    expect(await get(pool)).toBe("ok");
    expect(upstream.sockets.length).toBe(2);
    expect(upstream.requestSockets).toEqual([0, 1]);
  });

  it("does nothing while a connection is idle, and opens one spare at most", async () => {
    const { upstream, pool } = await setup();
    await get(pool);
    await delay(20); // the connection is free once the pool has taken the answer's end
    preconnect(pool);
    await delay(50);
    expect(upstream.sockets.length).toBe(1);
    expect(await until(() => upstream.sockets[0]?.destroyed === true)).toBe(true);
    preconnect(pool);
    preconnect(pool);
    await delay(50);
    expect(upstream.sockets.length).toBe(2);
  });

  it("closes a spare no request took, as an idle connection", async () => {
    const { upstream, pool } = await setupAfterIdleClose();
    preconnect(pool);
    expect(await until(() => upstream.sockets.length === 2)).toBe(true);
    expect(await until(() => upstream.sockets[1]?.destroyed === true)).toBe(true);
    expect(await get(pool)).toBe("ok");
    expect(upstream.requestSockets).toEqual([0, 2]);
  });

  it("dials afresh when the server closed the spare first", async () => {
    const { upstream, pool } = await setupAfterIdleClose();
    preconnect(pool);
    expect(await until(() => upstream.sockets.length === 2)).toBe(true);
    upstream.sockets[1]?.destroy();
    await delay(50);
    expect(await get(pool)).toBe("ok");
    expect(upstream.requestSockets).toEqual([0, 2]);
  });
});

describe("upstreamPool's keep-alive", () => {
  it("keeps an idle connection for the server's Keep-Alive hint less the pool's threshold", async () => {
    const upstream = await countingServer();
    // Node's server then answers `Keep-Alive: timeout=2`: undici's own threshold (2 s) would leave nothing.
    upstream.server.keepAliveTimeout = 2_000;
    const pool = upstreamPool(
      upstream.url,
      {},
      { ...DEFAULTS, keepAliveTimeout: 100, keepAliveMaxTimeout: 5_000, keepAliveTimeoutThreshold: 1_000 },
    );
    try {
      expect(await get(pool)).toBe("ok");
      await delay(300); // past the pool's own 100 ms: the hint (2 s less 1 s) holds it
      expect(await get(pool)).toBe("ok");
      expect(upstream.requestSockets).toEqual([0, 0]);
    } finally {
      await closeUpstreamPool(pool);
      upstream.server.closeAllConnections();
      await new Promise((resolve) => upstream.server.close(resolve));
    }
  });
});
