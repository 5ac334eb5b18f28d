import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { accumulateOpenAIStream } from "../../../test/support/openai-chunk-accumulator.js";
import type { CanonicalEvent, UnifiedStopReason, Usage } from "../../core/canonical.js";
import { SwitchyardError } from "../../core/errors.js";
import { OpenAIStreamEncoder } from "./openai-stream-encoder.js";

/** A real OpenAI stream with two parallel tool calls (see fixtures/README.md). */
const RECORDED = readFileSync(join(import.meta.dirname, "fixtures/openai-two-tool-calls-stream.sse"), "utf8");

const usage: Usage = { inputTokens: 120, outputTokens: 60, cacheReadTokens: 29, cacheWriteTokens: 0 };
const options = { id: "chatcmpl-test", model: "qwen3.5-local", created: 1723024757, includeUsage: true };

const encodeAll = (events: CanonicalEvent[], includeUsage = true) => {
  const encoder = new OpenAIStreamEncoder({ ...options, includeUsage });
  return events.map((event) => encoder.encode(event)).join("");
};

/** The arguments the recorded stream split into pieces, split the same way. */
const WEATHER_PIECES = ['{"ci', 'ty": ', '"Edinb', "urgh", '", "c', "ountry", '": "', 'UK", ', '"units', '": "', 'c"}'];
const STOCK_PIECES = ['{"ti', 'cker"', ': "AAP', 'L", ', '"exch', 'ange":', ' "NA', 'SDAQ"', "}"];

/** thinking (block 0) + text (block 1) + two tool calls (blocks 2 and 3) + done. */
function thinkingTextAndTwoToolCalls(stopReason: UnifiedStopReason = "tool_use"): CanonicalEvent[] {
  return [
    { type: "message_start", id: "msg_1", model: "qwen3.5-local", usage: { ...usage, outputTokens: 0 } },
    { type: "block_start", index: 0, block: { type: "thinking" } },
    { type: "block_delta", index: 0, delta: { type: "thinking", text: "Two questions, " } },
    { type: "block_delta", index: 0, delta: { type: "thinking", text: "two tools." } },
    { type: "block_delta", index: 0, delta: { type: "signature", signature: "local-signature" } },
    { type: "block_end", index: 0 },
    { type: "block_start", index: 1, block: { type: "text" } },
    { type: "block_delta", index: 1, delta: { type: "text", text: "Looking both " } },
    { type: "block_delta", index: 1, delta: { type: "text", text: "up." } },
    { type: "block_end", index: 1 },
    {
      type: "block_start",
      index: 2,
      block: { type: "tool_call", id: "call_lQnnsesjFMWMQ5IeWPHzR4th", name: "GetWeatherArgs" },
    },
    ...WEATHER_PIECES.map(
      (json): CanonicalEvent => ({ type: "block_delta", index: 2, delta: { type: "tool_input", json } }),
    ),
    { type: "block_end", index: 2 },
    {
      type: "block_start",
      index: 3,
      block: { type: "tool_call", id: "call_2xjOUgaCdiwAcl9ZBL9LyMUU", name: "get_stock_price" },
    },
    ...STOCK_PIECES.map(
      (json): CanonicalEvent => ({ type: "block_delta", index: 3, delta: { type: "tool_input", json } }),
    ),
    { type: "block_end", index: 3 },
    { type: "done", stopReason: { unified: stopReason, raw: "x" }, usage },
  ];
}

/** A chunk's keys, recursively, so shapes can be compared without values. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]));
  }
  return value === null ? null : typeof value;
}

describe("the chunk accumulator on a recorded OpenAI stream", () => {
  it("reconstructs both tool calls without complaint", () => {
    const stream = accumulateOpenAIStream(RECORDED);
    expect(stream.problems).toEqual([]);
    expect(stream.toolCalls).toEqual([
      {
        id: "call_lQnnsesjFMWMQ5IeWPHzR4th",
        name: "GetWeatherArgs",
        arguments: '{"city": "Edinburgh", "country": "UK", "units": "c"}',
      },
      {
        id: "call_2xjOUgaCdiwAcl9ZBL9LyMUU",
        name: "get_stock_price",
        arguments: '{"ticker": "AAPL", "exchange": "NASDAQ"}',
      },
    ]);
    expect(stream.finishReason).toBe("tool_calls");
    expect(stream.sawDone).toBe(true);
  });
});

describe("OpenAIStreamEncoder", () => {
  it("round-trips thinking, text and two tool calls", () => {
    const stream = accumulateOpenAIStream(encodeAll(thinkingTextAndTwoToolCalls()));
    expect(stream.problems).toEqual([]);
    expect(stream.role).toBe("assistant");
    expect(stream.reasoningContent).toBe("Two questions, two tools.");
    expect(stream.content).toBe("Looking both up.");
    expect(stream.toolCalls).toEqual([
      { id: "call_lQnnsesjFMWMQ5IeWPHzR4th", name: "GetWeatherArgs", arguments: WEATHER_PIECES.join("") },
      { id: "call_2xjOUgaCdiwAcl9ZBL9LyMUU", name: "get_stock_price", arguments: STOCK_PIECES.join("") },
    ]);
    expect(stream.toolCalls.map((call) => JSON.parse(call.arguments))).toEqual([
      { city: "Edinburgh", country: "UK", units: "c" },
      { ticker: "AAPL", exchange: "NASDAQ" },
    ]);
    expect(stream.finishReason).toBe("tool_calls");
    expect(stream.usage).toEqual({
      prompt_tokens: 149,
      completion_tokens: 60,
      total_tokens: 209,
      prompt_tokens_details: { cached_tokens: 29 },
    });
    expect(stream.sawDone).toBe(true);
  });

  it("produces the recorded stream's tool-call chunks, chunk for chunk", () => {
    const recorded = accumulateOpenAIStream(RECORDED).chunks;
    const ours = accumulateOpenAIStream(encodeAll(thinkingTextAndTwoToolCalls(), false)).chunks;
    const toolChunks = (chunks: Array<Record<string, unknown>>) =>
      chunks
        .filter((chunk) => JSON.stringify(chunk).includes('"tool_calls":['))
        .map((chunk) => (chunk.choices as unknown[])[0]);
    // Same pieces, same order, same fields: the recorded stream split the arguments just like ours.
    expect(toolChunks(ours)).toEqual(toolChunks(recorded));
    // Every chunk has the recorded envelope (OpenAI adds system_fingerprint, which we have no value for).
    const envelope = ({ system_fingerprint: _fingerprint, ...rest }: Record<string, unknown>) => shape(rest);
    for (const chunk of ours.slice(0, -1)) {
      expect(Object.keys(chunk).sort()).toEqual(["choices", "created", "id", "model", "object"]);
    }
    expect(shape(ours.at(-1))).toEqual(envelope(recorded.at(-2) ?? {}));
  });

  it("opens with the documented role chunk and ends with the finish and usage chunks", () => {
    const frames = encodeAll(thinkingTextAndTwoToolCalls()).split("\n\n").filter(Boolean);
    expect(JSON.parse(frames[0]?.slice(6) ?? "")).toEqual({
      id: "chatcmpl-test",
      object: "chat.completion.chunk",
      created: 1723024757,
      model: "qwen3.5-local",
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
      usage: null,
    });
    expect(JSON.parse(frames.at(-3)?.slice(6) ?? "").choices).toEqual([
      { index: 0, delta: {}, logprobs: null, finish_reason: "tool_calls" },
    ]);
    const usageChunk = JSON.parse(frames.at(-2)?.slice(6) ?? "");
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.total_tokens).toBe(209);
    expect(frames.at(-1)).toBe("data: [DONE]");
  });

  it("sends no usage chunk and no usage fields unless asked", () => {
    const stream = accumulateOpenAIStream(encodeAll(thinkingTextAndTwoToolCalls(), false));
    expect(stream.usage).toBeUndefined();
    expect(stream.chunks.every((chunk) => !("usage" in chunk))).toBe(true);
    expect(stream.sawDone).toBe(true);
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
  ] as const)("maps stop reason %s to finish_reason %s", (unified, finishReason) => {
    expect(accumulateOpenAIStream(encodeAll(thinkingTextAndTwoToolCalls(unified))).finishReason).toBe(finishReason);
  });

  it("turns an error mid-stream into an OpenAI error object, then [DONE], then nothing", () => {
    const encoder = new OpenAIStreamEncoder(options);
    const events = thinkingTextAndTwoToolCalls().slice(0, 9);
    let body = events.map((event) => encoder.encode(event)).join("");
    const failure = new SwitchyardError("llama-server stream broke: socket hang up", {
      kind: "upstream",
      code: "stream_interrupted",
    });
    body += encoder.encode({ type: "error", error: failure, usage });
    expect(
      body.endsWith(
        'data: {"error":{"message":"llama-server stream broke: socket hang up","type":"server_error","param":null,"code":"stream_interrupted"}}\n\ndata: [DONE]\n\n',
      ),
    ).toBe(true);
    const stream = accumulateOpenAIStream(body);
    expect(stream.problems).toEqual([]);
    expect(stream.content).toBe("Looking both up.");
    expect(stream.finishReason).toBeUndefined();
    expect(stream.error).toMatchObject({ type: "server_error", code: "stream_interrupted" });
    expect(encoder.encode({ type: "done", stopReason: { unified: "end_turn", raw: "stop" }, usage })).toBe("");
  });

  it("opens the stream itself when a backend skipped message_start", () => {
    const body = encodeAll([
      { type: "block_start", index: 0, block: { type: "text" } },
      { type: "block_delta", index: 0, delta: { type: "text", text: "hi" } },
      { type: "done", stopReason: { unified: "end_turn", raw: "stop" }, usage },
    ]);
    const stream = accumulateOpenAIStream(body);
    expect(stream.problems).toEqual([]);
    expect(stream.role).toBe("assistant");
    expect(stream.content).toBe("hi");
  });

  it("encodes block boundaries, signatures, redacted thinking and empty deltas as nothing", () => {
    const encoder = new OpenAIStreamEncoder(options);
    encoder.encode({ type: "message_start", id: "msg_1", model: "m", usage });
    expect(encoder.encode({ type: "block_start", index: 0, block: { type: "text" } })).toBe("");
    expect(encoder.encode({ type: "block_delta", index: 0, delta: { type: "text", text: "" } })).toBe("");
    expect(encoder.encode({ type: "block_end", index: 0 })).toBe("");
    expect(encoder.encode({ type: "block_start", index: 1, block: { type: "redacted_thinking", data: "x" } })).toBe("");
    expect(encoder.encode({ type: "block_delta", index: 1, delta: { type: "signature", signature: "s" } })).toBe("");
  });
});
