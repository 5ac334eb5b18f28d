/**
 * A loopback upstream that answers /v1/chat/completions by replaying a stream recorded from the real
 * llama-server (src/backends/chat-completions/fixtures/llama-server-thinking.sse), one token every
 * `frameMs`, after parsing the request body as llama-server would. It takes no CPU between frames, so the
 * gateway's own cost is measured without a model competing for the cores (bench:overhead, bench:load,
 * the load and fuzz tests). Run as a script it prints `listening on URL` (FRAME_MS and SLOTS from the
 * environment).
 *
 * It writes as llama-server does: nothing until the first token is out, then the response headers on
 * their own and at once that token's frames, then each later token's frames in one write. llama-server's
 * stream handler waits for the first result before it returns the response (server-context.cpp, "in
 * streaming mode, the first error must be treated as non-stream response": `rd.next` before `res->status
 * = 200`), and cpp-httplib then writes the headers and calls the content provider, whose first call
 * flushes that result (server-http.cpp, `chunked_content_provider`). One token can make several frames:
 * the first token's result is the `role` delta and the token's own delta (server-task.cpp,
 * `to_json_oaicompat_chat`: "We have to send an initial update to conform to openai behavior"), and the
 * last is the finish and the usage; the frame carrying `timings` ends each result (they go on its last
 * chunk). Headers a token ahead of the first delta, or the role frame a token ahead of it, would let a
 * relay hand the client its headers while the model is still at work, which no llama-server allows.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

const FIXTURE = join(
  import.meta.dirname,
  "..",
  "..",
  "src",
  "backends",
  "chat-completions",
  "fixtures",
  "llama-server-thinking.sse",
);

export interface ReplayUpstream {
  url: string;
  /** Generation requests answered so far. */
  completions: number;
  close(): Promise<void>;
}

/** `slots`: what /props reports as `total_slots`, i.e. how many lanes Switchyard may run at once. */
export async function startReplayUpstream(frameMs: number, slots = 1): Promise<ReplayUpstream> {
  const tokens = tokenWrites(readFileSync(FIXTURE, "utf8"));
  const upstream: ReplayUpstream = { url: "", completions: 0, close: async () => {} };
  const slotPrompts = new Map<number, string>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const path = (request.url ?? "/").split("?")[0];
      const json = (body: unknown) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      };
      if (path === "/health") return json({ status: "ok" });
      if (path === "/props")
        return json({ total_slots: slots, build_info: "replay", default_generation_settings: { n_ctx: 65536 } });
      if (path === "/v1/models") return json({ data: [{ id: "replay" }] });
      if (path === "/apply-template") return json({ prompt: "" });
      if (path === "/tokenize") return json({ tokens: [1, 2, 3] });
      // As llama-server's /slots before its first task (no `id_task`): the server check reads it.
      if (path === "/slots")
        return json(Array.from({ length: slots }, (_, id) => ({ id, n_ctx: 65536, is_processing: false })));
      if (path !== "/completion" && path !== "/v1/chat/completions") {
        response.writeHead(404, { "content-type": "application/json" });
        return response.end(
          JSON.stringify({ error: { code: 404, message: "File Not Found", type: "not_found_error" } }),
        );
      }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { prompt?: string; id_slot?: number };
      if (path === "/completion") {
        // As llama-server with its slots kept (--no-cache-idle-slots): a prompt sent to the slot that
        // holds it is reused (the gateway's slot-keeping probe asks this once).
        const cached = slotPrompts.get(body.id_slot ?? 0) === body.prompt ? (body.prompt?.length ?? 0) : 0;
        slotPrompts.set(body.id_slot ?? 0, body.prompt ?? "");
        return json({ content: "", timings: { cache_n: cached, prompt_n: (body.prompt?.length ?? 0) - cached } });
      }
      upstream.completions++;
      for (const [index, frames] of tokens.entries()) {
        if (frameMs > 0) await delay(frameMs);
        if (response.destroyed) return;
        // llama-server answers a stream only once its first token is out: the headers, then that token.
        if (index === 0) {
          response.writeHead(200, { "content-type": "text/event-stream" });
          response.flushHeaders();
        }
        response.write(frames);
      }
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  upstream.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  upstream.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return upstream;
}

/**
 * The recorded stream as llama-server writes it: one string per token's result, each ending with the
 * frame that carries `timings` (the `[DONE]` line is a write of its own).
 */
export function tokenWrites(recorded: string): string[] {
  const writes: string[] = [];
  let pending = "";
  for (const frame of recorded.split("\n\n")) {
    if (frame.trim() === "") continue;
    pending += `${frame}\n\n`;
    if (frame.includes('"timings":') || frame.includes("[DONE]")) {
      writes.push(pending);
      pending = "";
    }
  }
  if (pending) writes.push(pending);
  return writes;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const upstream = await startReplayUpstream(Number(process.env.FRAME_MS ?? 5), Number(process.env.SLOTS ?? 1));
  console.log(`listening on ${upstream.url}`);
}
