/**
 * bench:overhead's floor: the least any process between client and upstream can cost. It reads the
 * client's whole request (bench:overhead sends it the body Switchyard would send upstream), sends its
 * bytes to UPSTREAM_URL over a keep-alive pool, and copies the answer's bytes back as they come: one
 * more hop each way and nothing else (no parsing, converting or recording).
 * Run as a child process: prints `listening on URL`.
 */
import { createServer } from "node:http";
import { Pool } from "undici";

const upstream = process.env.UPSTREAM_URL ?? "";
const pool = new Pool(upstream, { connections: 8, keepAliveTimeout: 4_000 });

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", async () => {
    const body = Buffer.concat(chunks);
    try {
      const answer = await pool.request({
        method: "POST",
        path: "/v1/chat/completions",
        headers: { "content-type": "application/json" },
        body,
      });
      response.writeHead(answer.statusCode, { "content-type": "text/event-stream" });
      for await (const chunk of answer.body) response.write(chunk);
      response.end();
    } catch (error) {
      response.writeHead(502).end(String(error));
    }
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
});
