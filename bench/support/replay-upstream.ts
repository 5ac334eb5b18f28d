/**
 * A loopback upstream for bench:overhead's second mode: it answers /v1/chat/completions by replaying a
 * stream recorded from the real llama-server (src/backends/openai/fixtures/llama-server-thinking.sse),
 * one frame every FRAME_MS, after parsing the request body as llama-server would. It takes no CPU
 * between frames, so the gateway's own cost is measured without a model competing for the cores.
 * Run as a child process: prints `listening on URL`.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

const FRAME_MS = Number(process.env.FRAME_MS ?? 5);
const frames = readFileSync(
  join(import.meta.dirname, "..", "..", "src", "backends", "openai", "fixtures", "llama-server-thinking.sse"),
  "utf8",
)
  .split("\n\n")
  .filter((frame) => frame.trim() !== "")
  .map((frame) => `${frame}\n\n`);

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
      return json({ total_slots: 1, build_info: "replay", default_generation_settings: { n_ctx: 65536 } });
    if (path === "/v1/models") return json({ data: [{ id: "replay" }] });
    if (path === "/apply-template") return json({ prompt: "" });
    JSON.parse(Buffer.concat(chunks).toString("utf8"));
    response.writeHead(200, { "content-type": "text/event-stream" });
    for (const frame of frames) {
      response.write(frame);
      await delay(FRAME_MS);
    }
    response.end();
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
});
