import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { corkedStreamWriter } from "./stream-writer.js";

const servers: Array<{ close: () => void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe("corkedStreamWriter", () => {
  it("stamps the first write once the first bytes are with the socket, not when the events are handed over", async () => {
    const stamps: Array<{ unsent: number; headersSent: boolean; writes: number; responseWrites: number }> = [];
    let writes = 0;
    let responseWrites = 0;
    let stampedInTheSameTick: number | undefined;
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      const write = response.write.bind(response);
      response.write = ((...args: Parameters<typeof write>) => {
        responseWrites++;
        return write(...args);
      }) as typeof response.write;
      const writer = corkedStreamWriter(response, () =>
        // Bytes still buffered in the process (corked, or queued behind the kernel) count in writableLength.
        stamps.push({
          unsent: response.socket?.writableLength ?? -1,
          headersSent: response.headersSent,
          writes,
          responseWrites,
        }),
      );
      for (const event of ["event: a\n\n", "event: b\n\n", "event: c\n\n"]) {
        writer.write(event);
        writes++;
      }
      // Before the next tick nothing has left, so nothing may be stamped yet.
      stampedInTheSameTick = stamps.length;
      setImmediate(() => {
        writer.write("event: d\n\n");
        // Held until the next tick: what the writer holds is handed over before the response ends.
        writer.flush();
        response.end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const body = await new Promise<string>((resolve, reject) => {
      get(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) }, (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on("end", () => resolve(text));
      }).on("error", reject);
    });
    expect(stampedInTheSameTick).toBe(0);
    expect(body).toBe("event: a\n\nevent: b\n\nevent: c\n\nevent: d\n\n");
    // Once, after the three events of the first tick went to the socket in one write, headers with them.
    expect(stamps).toEqual([{ unsent: 0, headersSent: true, writes: 3, responseWrites: 1 }]);
  });
});
