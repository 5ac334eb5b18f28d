import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Wire } from "../../src/bench/measure-stream.js";
import { readOpenAIFixture } from "./openai-protocol-server.js";

/**
 * A loopback server that answers every streaming request on either wire at scripted times: the first
 * token `firstTokenMs` after the request arrives, then one token every `gapMs`, then usage. The events
 * are the recorded streams in test/fixtures (Anthropic's `text-stream.sse`, llama-server's
 * `llama-server-no-thinking.sse`), re-timed, with the token text and the usage numbers the script sets.
 * It keeps the `performance.now()` of each token it wrote, so a test compares what a client measured with
 * what happened, not with the machine's timer accuracy.
 */
export interface TimedScript {
  firstTokenMs: (requestIndex: number) => number;
  gapMs: (requestIndex: number, tokenIndex: number) => number;
  tokens: number;
  /** Usage: prompt tokens in all, and how many were cached. `details: false` leaves out the cache split. */
  usage: { prompt: number; cached: number; details: boolean };
  /** llama-server's `timings.prompt_ms` on the OpenAI wire (left out when undefined). */
  serverPromptMs?: number;
}

export interface TimedRequestLog {
  path: string;
  body: unknown;
  arrivedAt: number;
  tokenWrites: number[];
}

export interface TimedSseServer {
  url: string;
  log: TimedRequestLog[];
  close(): Promise<void>;
}

const dataLines = (text: string) =>
  text
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => line.slice(6));

const ANTHROPIC_EVENTS = dataLines(
  readFileSync(new URL("../fixtures/anthropic/text-stream.sse", import.meta.url), "utf8"),
).map((data) => JSON.parse(data) as Record<string, unknown> & { type: string });
const OPENAI_CHUNKS = dataLines(readOpenAIFixture("llama-server-no-thinking"))
  .filter((data) => data !== "[DONE]")
  .map((data) => JSON.parse(data) as Record<string, unknown>);

const byType = (type: string): unknown => structuredClone(ANTHROPIC_EVENTS.find((event) => event.type === type));
const anthropicEvent = (event: unknown) =>
  `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`;
const openaiChunk = (chunk: unknown) => `data: ${JSON.stringify(chunk)}\n\n`;

function streamParts(wire: Wire, script: TimedScript): { head: string; token: (text: string) => string; tail: string } {
  const { prompt, cached, details } = script.usage;
  if (wire === "anthropic") {
    const start = byType("message_start") as { message: { usage: Record<string, number> } };
    start.message.usage = { input_tokens: prompt - cached, output_tokens: 1 };
    if (details) start.message.usage.cache_read_input_tokens = cached;
    const delta = byType("content_block_delta") as { delta: { text: string } };
    const end = byType("message_delta") as { usage: { output_tokens: number } };
    end.usage.output_tokens = script.tokens;
    return {
      head: [start, byType("content_block_start"), byType("ping")].map(anthropicEvent).join(""),
      token: (text) => anthropicEvent({ ...delta, delta: { ...delta.delta, text } }),
      tail: [byType("content_block_stop"), end, byType("message_stop")].map(anthropicEvent).join(""),
    };
  }
  const [role, content] = OPENAI_CHUNKS.map((chunk) => structuredClone(chunk));
  const finish = structuredClone(OPENAI_CHUNKS.at(-2)) as Record<string, unknown>;
  const usageChunk = structuredClone(OPENAI_CHUNKS.at(-1)) as Record<string, unknown> & {
    usage: Record<string, unknown>;
    timings?: Record<string, number>;
  };
  usageChunk.usage = {
    completion_tokens: script.tokens,
    prompt_tokens: prompt,
    total_tokens: prompt + script.tokens,
    ...(details ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
  };
  if (script.serverPromptMs === undefined || !details) delete usageChunk.timings;
  else
    usageChunk.timings = {
      cache_n: cached,
      prompt_n: prompt - cached,
      prompt_ms: script.serverPromptMs,
      predicted_n: script.tokens,
      predicted_ms: (script.tokens - 1) * script.gapMs(0, 1),
    };
  const tokenChunk = content as Record<string, unknown> & { choices: Array<{ delta: { content: string } }> };
  delete tokenChunk.timings;
  return {
    head: openaiChunk(role),
    token: (text) => {
      const chunk = structuredClone(tokenChunk);
      (chunk.choices[0] as { delta: { content: string } }).delta.content = text;
      return openaiChunk(chunk);
    },
    tail: `${openaiChunk(finish)}${openaiChunk(usageChunk)}data: [DONE]\n\n`,
  };
}

/**
 * Waits until `performance.now()` reaches `at` (timers, never a busy loop). A timer can fire a little early
 * by that clock (Node keeps whole milliseconds, counted from the event loop's time at the start of its
 * turn), so it sleeps again for what is left: a token is never written before its scripted time.
 */
async function until(at: number): Promise<void> {
  for (let wait = at - performance.now(); wait > 0; wait = at - performance.now()) await sleep(wait);
}

export async function startTimedSseServer(script: TimedScript): Promise<TimedSseServer> {
  const log: TimedRequestLog[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const arrivedAt = performance.now();
      const index = log.length;
      const entry: TimedRequestLog = {
        path: request.url ?? "/",
        body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "null"),
        arrivedAt,
        tokenWrites: [],
      };
      log.push(entry);
      const wire: Wire | undefined = entry.path.startsWith("/v1/messages")
        ? "anthropic"
        : entry.path.startsWith("/v1/chat/completions")
          ? "openai"
          : undefined;
      if (!wire) return void response.writeHead(404).end();
      const parts = streamParts(wire, script);
      response.socket?.setNoDelay(true);
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      response.flushHeaders();
      let at = arrivedAt + script.firstTokenMs(index);
      for (let token = 0; token < script.tokens; token++) {
        if (token > 0) at += script.gapMs(index, token);
        await until(at);
        if (response.destroyed) return;
        entry.tokenWrites.push(performance.now());
        response.write(`${token === 0 ? parts.head : ""}${parts.token(` t${token}`)}`);
      }
      response.end(parts.tail);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
