import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RepeatedJsonMembers } from "../util/repeated-json-members.js";
import { REPEATED_PARTS } from "./gateway-server.js";
import { readJsonBody } from "./http-body.js";

const repeated = new RepeatedJsonMembers(REPEATED_PARTS);
/** Each request's parsed body, as the server got it. */
const parsed: unknown[] = [];
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    readJsonBody(request, 8 * 1024 * 1024, repeated).then(
      (value) => {
        // Handed back as the parse gave it, and kept: what the next request does must not change it.
        parsed.push(value);
        response.end("ok");
      },
      (error: Error) => response.writeHead(400).end(error.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** POSTs the body in pieces of `piece` bytes, so it arrives in several chunks. */
function post(body: string, piece = 16 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const bytes = Buffer.from(body);
    const request = httpRequest(
      { port, host: "127.0.0.1", method: "POST", headers: { "content-type": "application/json" } },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on("end", () => resolve(text));
      },
    );
    request.on("error", reject);
    for (let at = 0; at < bytes.length; at += piece) request.write(bytes.subarray(at, at + piece));
    request.end();
  });
}

const conversation = (who: string, count: number, size: number) => ({
  model: "m",
  messages: Array.from({ length: count }, (_, index) => ({
    role: index % 2 ? "assistant" : "user",
    content: `${who} ${index} é ${"x".repeat(size)}`,
  })),
});

describe("readJsonBody", () => {
  it("puts a body of many chunks together right, request after request, whatever size came before", async () => {
    const bodies = [conversation("a", 40, 5000), conversation("b", 3, 100), conversation("c", 30, 3000)];
    for (const body of [...bodies, ...bodies.reverse()]) {
      expect(await post(JSON.stringify(body))).toBe("ok");
      expect(parsed.at(-1)).toEqual(body);
    }
  });

  it("keeps what it remembers of a body in memory of its own, not in the bytes the next body overwrites", async () => {
    const first = conversation("d", 20, 4000);
    await post(JSON.stringify(first));
    const before = parsed.at(-1) as { messages: unknown[] };
    await post(JSON.stringify(conversation("e", 30, 4000)));
    const next = conversation("d", 22, 4000);
    await post(JSON.stringify(next));
    const after = parsed.at(-1) as { messages: unknown[] };
    expect(after).toEqual(next);
    for (let index = 0; index < 20; index++) expect(after.messages[index]).toBe(before.messages[index]);
    expect(before).toEqual(first);
  });
});
