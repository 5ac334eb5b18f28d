import { describe, expect, it } from "vitest";
import { checkAnthropicStream } from "../../../test/support/anthropic-sse-checker.js";
import { readOllamaFixture } from "../../../test/support/ollama-protocol-server.js";
import type { CanonicalEvent } from "../../core/canonical.js";
import { SwitchyardError } from "../../core/errors.js";
import { TOOLS_AS_TEXT_OUTPUT } from "../../families/tools-as-text.js";
import { encodeAnthropicEvent } from "../../protocols/anthropic/anthropic-stream-encoder.js";
import { UNPARSED_TOOL_CALL } from "../llama-server/read-completion-stream.js";
import { readOllamaStream } from "./read-ollama-stream.js";

const CONTEXT = { id: "msg_0123abcd", model: "claude-sonnet-4-5", backendName: "ollama", numCtx: 8192 };

async function* pieces(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

async function read(text: string, size = 1 << 20): Promise<CanonicalEvent[]> {
  const events: CanonicalEvent[] = [];
  for await (const event of readOllamaStream(pieces(text, size), CONTEXT)) events.push(event);
  return events;
}

const done = (events: CanonicalEvent[]) => {
  const last = events.at(-1);
  if (last?.type !== "done") throw new Error(`expected done, got ${JSON.stringify(last)}`);
  return last;
};

describe("readOllamaStream", () => {
  it("reads the documented streaming chat: text, then usage and ns durations from the final line", async () => {
    const events = await read(readOllamaFixture("chat-stream"));
    expect(events.slice(0, 4)).toEqual([
      { type: "message_start", id: "msg_0123abcd", model: "claude-sonnet-4-5", usage: expect.any(Object) },
      { type: "block_start", index: 0, block: { type: "text" } },
      { type: "block_delta", index: 0, delta: { type: "text", text: "The" } },
      { type: "block_end", index: 0 },
    ]);
    const final = done(events);
    expect(final.stopReason).toEqual({ unified: "end_turn", raw: "stop" });
    // prompt_eval_count counts the whole prompt; the split into prefilled and reused is not reported.
    expect(final.usage).toEqual({
      inputTokens: 26,
      outputTokens: 282,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      unreported: ["inputTokens", "cacheReadTokens"],
      promptTokens: 26,
    });
    expect(final.timings?.promptMs).toBeCloseTo(342.546, 6);
    expect(final.timings?.predictedMs).toBeCloseTo(4535.599, 6);
    expect(final.timings?.predictedPerSecond).toBeCloseTo(282 / 4.535599, 6);
    expect(final.timings?.loadMs).toBeCloseTo(1.334875, 6);
    expect(final.timings?.promptPerSecond).toBeUndefined();
  });

  it("gives each whole tool call a block with a stable id, and calls the turn tool_use", async () => {
    const events = await read(readOllamaFixture("chat-stream-tools"));
    const again = await read(readOllamaFixture("chat-stream-tools"));
    const start = events.find((event) => event.type === "block_start");
    expect(start).toEqual({
      type: "block_start",
      index: 0,
      block: { type: "tool_call", id: "toolu_0123abcd_0", name: "get_weather" },
    });
    expect(again.find((event) => event.type === "block_start")).toEqual(start);
    expect(events).toContainEqual({
      type: "block_delta",
      index: 0,
      delta: { type: "tool_input", json: '{"city":"Tokyo"}' },
    });
    expect(done(events).stopReason).toEqual({ unified: "tool_use", raw: "stop" });
  });

  it("reads a recorded qwen3.5 answer: thinking with a signature, then two tool calls with the server's ids", async () => {
    const events = await read(readOllamaFixture("qwen35-thinking-tool-calls"));
    const starts = events.flatMap((event) => (event.type === "block_start" ? [event.block] : []));
    expect(starts).toEqual([
      { type: "thinking" },
      { type: "tool_call", id: "call_trmym6vj", name: "read_file_content" },
      { type: "tool_call", id: "call_24957ol8", name: "read_file_content" },
    ]);
    const thinking = events.find((event) => event.type === "block_delta" && event.delta.type === "thinking");
    expect(thinking?.type === "block_delta" && thinking.delta.type === "thinking" && thinking.delta.text).toMatch(
      /^The user wants me to read two Java files.*\n\n1\. com/s,
    );
    expect(events.some((event) => event.type === "block_delta" && event.delta.type === "signature")).toBe(true);
    const final = done(events);
    expect(final.stopReason.unified).toBe("tool_use");
    expect(final.usage.inputTokens + final.usage.cacheReadTokens).toBe(557);
    expect(final.usage.outputTokens).toBe(213);
  });

  it("encodes to an Anthropic stream the strict checker accepts, whatever the chunk boundaries", async () => {
    for (const fixture of ["chat-stream", "chat-stream-tools", "chat-history-tools", "qwen35-thinking-tool-calls"]) {
      const whole = await read(readOllamaFixture(fixture));
      expect(await read(readOllamaFixture(fixture), 7)).toEqual(whole);
      const check = checkAnthropicStream(whole.map(encodeAnthropicEvent).join(""));
      expect(check.violations, fixture).toEqual([]);
    }
  });

  it("turns an error line after the start into a final error event, keeping what came before", async () => {
    const events = await read(readOllamaFixture("mid-stream-error"));
    expect(events.map((event) => event.type)).toEqual([
      "message_start",
      "block_start",
      "block_delta",
      "block_end",
      "error",
    ]);
    const last = events.at(-1);
    expect(last?.type === "error" && last.error.message).toBe(
      "ollama: an error was encountered while running the model",
    );
  });

  it("throws when the stream's first line is an error, so the edge can still answer with a status", async () => {
    const failure = await read(
      '{"error":"model requires more system memory (8.0 GiB) than is available (4.0 GiB)"}\n',
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SwitchyardError);
    expect((failure as SwitchyardError).message).toContain("more system memory");
  });

  it("ends with stream_truncated when the body stops before the done line", async () => {
    const firstLine = readOllamaFixture("chat-stream").split("\n")[0] ?? "";
    const events = await read(`${firstLine}\n`);
    const last = events.at(-1);
    expect(last?.type === "error" && last.error.code).toBe("stream_truncated");
    await expect(read("")).rejects.toMatchObject({ code: "stream_truncated" });
  });

  it("reads calls out of the text of a model given its tools as text, one byte at a time", async () => {
    const events: CanonicalEvent[] = [];
    const context = { ...CONTEXT, toolsAsText: TOOLS_AS_TEXT_OUTPUT };
    for await (const event of readOllamaStream(pieces(readOllamaFixture("tools-as-text-call"), 1), context))
      events.push(event);
    const blocks = events.filter((event) => event.type === "block_start").map((event) => event.block);
    expect(blocks).toEqual([
      { type: "text" },
      { type: "tool_call", id: expect.stringMatching(/^toolu_/), name: "Bash" },
    ]);
    const text = events.flatMap((event) =>
      event.type === "block_delta" && event.delta.type === "text" ? [event.delta.text] : [],
    );
    expect(text.join("")).toBe("I will list the files.");
    const input = events.flatMap((event) =>
      event.type === "block_delta" && event.delta.type === "tool_input" ? [event.delta.json] : [],
    );
    expect(JSON.parse(input.join(""))).toEqual({ command: "ls -la" });
    expect(done(events).stopReason).toEqual({ unified: "tool_use", raw: "stop" });
    // Without the syntax the block is text, as before.
    expect(
      (await read(readOllamaFixture("tools-as-text-call"))).some(
        (event) => event.type === "block_start" && event.block.type === "tool_call",
      ),
    ).toBe(false);
  });

  it("passes a call cut off by the end of the stream on as text, and the stop reason says so", async () => {
    const lines = readOllamaFixture("tools-as-text-call").split("\n");
    const cut = [lines[0], lines[1], lines[3]].join("\n");
    const events: CanonicalEvent[] = [];
    for await (const event of readOllamaStream(pieces(cut, 7), { ...CONTEXT, toolsAsText: TOOLS_AS_TEXT_OUTPUT }))
      events.push(event);
    const text = events.flatMap((event) =>
      event.type === "block_delta" && event.delta.type === "text" ? [event.delta.text] : [],
    );
    expect(text.join("")).toBe('I will list the files.```tool_call\n{"name":"Bash","arguments":{"command":"ls -la"}}');
    expect(done(events).stopReason).toEqual({ unified: "end_turn", raw: `stop; ${UNPARSED_TOOL_CALL}` });
  });

  it("reports a line that is not JSON as a malformed stream", async () => {
    await expect(read("<html>502</html>\n")).rejects.toMatchObject({ code: "malformed_stream" });
  });
});
