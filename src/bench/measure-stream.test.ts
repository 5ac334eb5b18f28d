import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measureStream } from "./measure-stream.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "test", "fixtures");
const recorded = (path: string) => readFileSync(join(FIXTURES, path), "utf8");

async function* chunks(text: string, size = 37) {
  for (let offset = 0; offset < text.length; offset += size)
    yield new TextEncoder().encode(text.slice(offset, offset + size));
}

describe("measureStream on recorded streams", () => {
  it("reads llama-server's OpenAI stream: content events, usage with cached tokens, timings, the answer's text", async () => {
    const measured = await measureStream("openai", chunks(recorded("openai/llama-server-no-thinking.sse")), 0, () => 0);
    expect(measured.error).toBeUndefined();
    expect(measured.contentTimesMs.length).toBeGreaterThan(1);
    expect(measured.promptTokens).toBe(17);
    expect(measured.reusedTokens).toBe(13);
    expect(measured.outputTokens).toBe(24);
    expect(measured.timings).toMatchObject({ promptN: 4, promptMs: 1.96, cacheN: 13, predictedN: 24 });
    expect(measured.text.startsWith("Hello!")).toBe(true);
  });

  it("reads llama-server's Responses stream: content events, usage with cached tokens, timings, the answer's text", async () => {
    const measured = await measureStream(
      "responses",
      chunks(recorded("openai/llama-server-responses.sse")),
      0,
      () => 0,
    );
    expect(measured.error).toBeUndefined();
    // Reasoning and text deltas, one event per token: 24 generated tokens, less the reasoning's markers.
    expect(measured.contentTimesMs.length).toBeGreaterThan(10);
    expect(measured.promptTokens).toBe(20);
    expect(measured.reusedTokens).toBe(19);
    expect(measured.outputTokens).toBe(24);
    expect(measured.timings).toMatchObject({ promptN: 1, cacheN: 19, predictedN: 24 });
    expect(measured.text).toBe("Hello! This is the Switchyard test net: random weights, fixed");
    // A server that sends only usage (OpenAI's own): the cached tokens come from usage alone.
    const usageOnly = recorded("openai/llama-server-responses.sse").replace(/,"timings":\{[^}]*\}/g, "");
    const fromUsage = await measureStream("responses", chunks(usageOnly), 0, () => 0);
    expect(fromUsage.timings).toBeUndefined();
    expect(fromUsage.reusedTokens).toBe(19);
  });

  it("reads a failed Responses stream as an error, and one cut before its end as cut", async () => {
    const failed = [
      'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_1","status":"in_progress"}}',
      'event: response.failed\ndata: {"type":"response.failed","response":{"id":"resp_1","status":"failed","error":{"code":"context_length_exceeded","message":"the prompt does not fit"},"usage":null}}',
    ].join("\n\n");
    expect((await measureStream("responses", chunks(`${failed}\n\n`), 0)).error).toBe("the prompt does not fit");
    const text = recorded("openai/llama-server-responses.sse");
    const cut = await measureStream("responses", chunks(text.slice(0, text.indexOf("event: response.completed"))), 0);
    expect(cut.error).toMatch(/ended before its last event/);
  });

  it("reads Anthropic's documented stream; its usage has no cache split, so reuse is unknown", async () => {
    const measured = await measureStream("anthropic", chunks(recorded("anthropic/text-stream.sse")), 0, () => 0);
    expect(measured.error).toBeUndefined();
    expect(measured.text).toBe("Hello!");
    expect(measured.promptTokens).toBe(25);
    expect(measured.reusedTokens).toBeUndefined();
    expect(measured.outputTokens).toBe(15);
  });

  it("says so when a stream is cut before its last event, or carries an error event", async () => {
    const text = recorded("anthropic/text-stream.sse");
    const cut = await measureStream("anthropic", chunks(text.slice(0, text.indexOf("event: content_block_stop"))), 0);
    expect(cut.error).toMatch(/ended before its last event/);
    const overloaded = await measureStream("anthropic", chunks(recorded("anthropic/overloaded-error.sse")), 0);
    expect(overloaded.error).toMatch(/overloaded/i);
  });

  it("times the first byte at the answer's first event, not at the keep-alive comments of a long prefill", async () => {
    let clock = 0;
    async function* prefilling() {
      // llama-server's ping and Switchyard's keep-alive, 10 s apart, then the answer at 25 s.
      for (const [at, text] of [
        [10_000, ":\n\n"],
        [20_000, ":\n\n"],
      ] as const) {
        clock = at;
        yield new TextEncoder().encode(text);
      }
      clock = 25_000;
      yield* chunks(recorded("openai/llama-server-no-thinking.sse"));
    }
    const measured = await measureStream("openai", prefilling(), 0, () => clock);
    expect(measured.error).toBeUndefined();
    expect(measured.firstByteMs).toBe(25_000);
  });
});
