import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReplayUpstream, tokenWrites } from "../bench/support/replay-upstream.js";
import { type ReferenceLlamaServer, startReferenceLlamaServer } from "./support/reference-llama-server.js";

/**
 * The bench's replay upstream stands in for llama-server (bench:overhead, bench:load): it must hand a
 * gateway its answer in the pieces llama-server does, or a relay and a gateway are timed on a stream no
 * server sends. Both are read here at the socket, as what each read holds.
 */

/** What each socket read of a streamed chat completion holds: headers, and the delta kinds in order. */
async function readsOf(url: string): Promise<string[][]> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({
    messages: [{ role: "user", content: "Say hello." }],
    stream: true,
    max_tokens: 8,
  });
  return await new Promise((resolve, reject) => {
    const reads: string[][] = [];
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    socket.setTimeout(60_000, () => socket.destroy(new Error("no answer within 60 s")));
    socket.on("data", (data: Buffer) => {
      const text = data.toString("utf8");
      reads.push([
        ...(text.startsWith("HTTP/1.1 200") ? ["headers"] : []),
        ...[...text.matchAll(/"delta":\{"(\w+)"/g)].map((match) => match[1] as string),
        ...(text.includes("[DONE]") ? ["done"] : []),
      ]);
      if (text.includes("[DONE]")) socket.end();
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(reads));
  });
}

/** The read that brings the first generated text, and everything read before it. */
function untilFirstText(reads: string[][]): string[][] {
  const index = reads.findIndex((read) => read.some((kind) => kind === "reasoning_content" || kind === "content"));
  return reads.slice(0, index + 1);
}

describe("the bench's replay upstream writes as llama-server does", () => {
  const fixture = readFileSync(
    join(import.meta.dirname, "..", "src", "backends", "chat-completions", "fixtures", "llama-server-thinking.sse"),
    "utf8",
  );

  it("one write per token's result: the role delta with the first token's delta, the finish with the usage", () => {
    const writes = tokenWrites(fixture);
    const frames = (write: string) => write.split("\n\n").filter((frame) => frame.trim() !== "");
    expect(frames(writes[0] as string).map((frame) => /"delta":\{"(\w+)"/.exec(frame)?.[1])).toEqual([
      "role",
      "reasoning_content",
    ]);
    expect(writes.slice(1, -2).every((write) => frames(write).length === 1)).toBe(true);
    expect(frames(writes.at(-2) as string)).toHaveLength(2);
    expect(writes.at(-1)).toBe("data: [DONE]\n\n");
    expect(writes.join("")).toBe(
      `${fixture
        .split("\n\n")
        .filter((frame) => frame.trim() !== "")
        .join("\n\n")}\n\n`,
    );
  });

  it("answers nothing, not even its headers, before its first token is out", async () => {
    // llama-server returns a stream's response only once the first result exists (server-context.cpp:
    // `rd.next` before `res->status = 200`), so a relay cannot send its client headers while the model
    // works. Here the first token takes 400 ms: 100 ms after the request arrived, no byte has come back.
    const replay = await startReplayUpstream(400);
    const { hostname, port } = new URL(replay.url);
    const arrived: string[] = [];
    const socket = connect(Number(port), hostname);
    socket.on("error", () => {});
    try {
      socket.on("connect", () => {
        const body = JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: true });
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
      });
      const firstRead = new Promise<void>((resolve) =>
        socket.on("data", (data: Buffer) => {
          arrived.push(data.toString("utf8"));
          resolve();
        }),
      );
      while (replay.completions < 1 && !socket.destroyed) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(replay.completions).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(arrived).toEqual([]);
      // The answer, once it comes, starts with the headers.
      await firstRead;
      expect(arrived[0]).toMatch(/^HTTP\/1.1 200/);
    } finally {
      socket.destroy();
      await replay.close();
    }
  });

  it("answers the server check's /slots as llama-server does before its first task, and 404 elsewhere", async () => {
    // In process here; as a child of bench:overhead, a throw on an unknown path ended it mid-run (the
    // gateway's check reads /slots every 30 s), and every request after failed with ECONNREFUSED.
    const replay = await startReplayUpstream(0, 2);
    try {
      const slots = await fetch(`${replay.url}/slots`);
      expect(await slots.json()).toEqual([
        { id: 0, n_ctx: 65536, is_processing: false },
        { id: 1, n_ctx: 65536, is_processing: false },
      ]);
      expect((await fetch(`${replay.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${replay.url}/health`)).status).toBe(200);
    } finally {
      await replay.close();
    }
  });

  describe("at the socket, beside the real llama-server", () => {
    let server: ReferenceLlamaServer;
    beforeAll(async () => {
      server = await startReferenceLlamaServer();
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    });

    it("the headers come no later than the first token, and the role delta in the same read as its text", async () => {
      const replay = await startReplayUpstream(5);
      try {
        for (const url of [server.engine.url, replay.url]) {
          const reads = untilFirstText(await readsOf(url));
          // llama-server sends its headers first (alone, or with the first token when that is ready), then
          // the first token's result (the role delta and the token's text) in one write.
          expect(reads[0]?.[0], url).toBe("headers");
          const first = reads.at(-1) as string[];
          expect(first.slice(first.indexOf("role")), url).toEqual(
            expect.arrayContaining(["role", expect.stringMatching(/^(reasoning_)?content$/)]),
          );
          expect(
            reads.slice(0, -1).every((read) => !read.includes("role")),
            url,
          ).toBe(true);
        }
      } finally {
        await replay.close();
      }
    }, 120_000);
  });
});
