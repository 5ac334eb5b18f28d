/**
 * bench:overhead's second floor: the least a gateway that speaks Anthropic to the client and Chat
 * Completions to the upstream can cost. It reads the client's whole request, parses it, maps system,
 * messages and tools to a Chat Completions body (no validation, no sessions, no routing, no records),
 * sends it to UPSTREAM_URL over a keep-alive pool, and turns each upstream SSE event into Anthropic
 * events as it comes. What Switchyard adds above this is the price of its own features; what this adds
 * above the bare relay is the price of translating at all.
 * Run as a child process: prints `listening on URL`.
 */
import { createServer, type ServerResponse } from "node:http";
import { Pool } from "undici";

const upstream = process.env.UPSTREAM_URL ?? "";
const pool = new Pool(upstream, { connections: 8, keepAliveTimeout: 4_000 });

type Block = {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
};
type Message = { role: string; content: string | Block[] };

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((block: Block) => block.text ?? "").join("")
      : "";

function chatMessages(system: unknown, messages: Message[]): unknown[] {
  const out: unknown[] = system ? [{ role: "system", content: textOf(system) }] : [];
  for (const message of messages) {
    if (typeof message.content === "string") {
      out.push({ role: message.role, content: message.content });
      continue;
    }
    const calls = message.content.filter((block) => block.type === "tool_use");
    for (const block of message.content)
      if (block.type === "tool_result")
        out.push({ role: "tool", tool_call_id: block.tool_use_id, content: textOf(block.content) });
    const text = message.content
      .filter((block) => block.type === "text")
      .map((block) => block.text)
      .join("");
    if (text || calls.length)
      out.push({
        role: message.role,
        content: text,
        ...(calls.length
          ? {
              tool_calls: calls.map((call) => ({
                id: call.id,
                type: "function",
                function: { name: call.name, arguments: JSON.stringify(call.input) },
              })),
            }
          : {}),
      });
  }
  return out;
}

const event = (response: ServerResponse, type: string, data: unknown) =>
  response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...(data as object) })}\n\n`);

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const chat = {
        model: body.model,
        messages: chatMessages(body.system, body.messages),
        tools: (body.tools ?? []).map((tool: { name: string; description?: string; input_schema: unknown }) => ({
          type: "function",
          function: { name: tool.name, description: tool.description, parameters: tool.input_schema },
        })),
        max_tokens: body.max_tokens,
        stream: true,
      };
      const answer = await pool.request({
        method: "POST",
        path: "/v1/chat/completions",
        headers: { "content-type": "application/json" },
        body: Buffer.from(JSON.stringify(chat)),
      });
      response.writeHead(answer.statusCode, { "content-type": "text/event-stream" });
      event(response, "message_start", { message: { id: "msg_1", role: "assistant", model: body.model } });
      let open = -1;
      let rest = "";
      for await (const chunk of answer.body) {
        rest += chunk.toString();
        const lines = rest.split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
          const delta = JSON.parse(line.slice(6)).choices?.[0]?.delta ?? {};
          const thinking = delta.reasoning_content;
          const text = delta.content;
          if (!thinking && !text) continue;
          const kind = thinking ? 0 : 1;
          if (open !== kind) {
            if (open >= 0) event(response, "content_block_stop", { index: open });
            open = kind;
            event(response, "content_block_start", {
              index: kind,
              content_block: thinking ? { type: "thinking", thinking: "" } : { type: "text", text: "" },
            });
          }
          event(response, "content_block_delta", {
            index: kind,
            delta: thinking ? { type: "thinking_delta", thinking } : { type: "text_delta", text },
          });
        }
      }
      if (open >= 0) event(response, "content_block_stop", { index: open });
      event(response, "message_stop", {});
      response.end();
    } catch (error) {
      if (!response.headersSent) response.writeHead(502);
      response.end(String(error));
    }
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
});
