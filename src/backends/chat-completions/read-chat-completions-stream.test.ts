import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CanonicalEvent } from "../../core/canonical.js";
import { SwitchyardError } from "../../core/errors.js";
import { TOOLS_AS_TEXT_OUTPUT } from "../../families/tools-as-text.js";
import { thinkingSignature } from "../canonical-block-writer.js";
import { UNPARSED_TOOL_CALL } from "../llama-server/read-completion-stream.js";
import { mapFinishReason } from "./map-finish-reason.js";
import { readChatCompletionsStream } from "./read-chat-completions-stream.js";

/** Raw SSE recorded from a real llama-server; fixtures/README.md says how. */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const THINKING = fixture("llama-server-thinking.sse");
const NO_THINKING = fixture("llama-server-no-thinking.sse");
const MAX_TOKENS = fixture("llama-server-max-tokens.sse");

const CONTEXT = { id: "msg_test", model: "claude-sonnet-4-5", backendName: "local" };

/** The recorded answers (the test model's fixed phrases). */
const THOUGHT = "Nothing to reason about; answering now";
const ANSWER =
  "Hello! This is the Switchyard test net: random weights, fixed reply. Load a real model for useful answers";

/** The text as an upstream body, cut into chunks of `size` bytes. */
async function* bytes(text: string, size = Number.POSITIVE_INFINITY): AsyncGenerator<Uint8Array> {
  const data = new TextEncoder().encode(text);
  for (let offset = 0; offset < data.length; offset += size) yield data.slice(offset, offset + size);
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<CanonicalEvent[]> {
  const events: CanonicalEvent[] = [];
  for await (const event of readChatCompletionsStream(body, CONTEXT)) events.push(event);
  return events;
}

const read = (text: string, size?: number) => collect(bytes(text, size));

/** Event kinds in order, runs of deltas of one kind collapsed: a readable outline of the stream. */
function outline(events: CanonicalEvent[]): string[] {
  const out: string[] = [];
  for (const event of events) {
    const label =
      event.type === "block_start"
        ? `block_start ${event.index} ${event.block.type}`
        : event.type === "block_delta"
          ? `delta ${event.index} ${event.delta.type}`
          : event.type === "block_end"
            ? `block_end ${event.index}`
            : event.type;
    if (out.at(-1) !== label) out.push(label);
  }
  return out;
}

function deltaText(events: CanonicalEvent[], kind: "text" | "thinking"): string {
  return events
    .map((event) =>
      event.type === "block_delta" && (event.delta.type === "text" || event.delta.type === "thinking")
        ? event.delta.type === kind
          ? event.delta.text
          : ""
        : "",
    )
    .join("");
}

function toolInput(events: CanonicalEvent[], index: number): string {
  return events
    .map((event) =>
      event.type === "block_delta" && event.index === index && event.delta.type === "tool_input"
        ? event.delta.json
        : "",
    )
    .join("");
}

const last = (events: CanonicalEvent[]) => events.at(-1);

/** The `timings` of the last chunk of a recorded stream (the final usage chunk carries them). */
function finalTimings(text: string) {
  const chunks = text
    .split("\n")
    .filter((line) => line.startsWith("data: {"))
    .map(
      (line) =>
        JSON.parse(line.slice(6)) as {
          timings?: {
            prompt_n: number;
            cache_n: number;
            predicted_n: number;
            prompt_ms: number;
            predicted_ms: number;
            prompt_per_second: number;
            predicted_per_second: number;
          };
          usage?: { prompt_tokens: number; completion_tokens: number };
        },
    );
  const final = chunks.at(-1);
  if (!final?.timings || !final.usage) throw new Error("the recording has no final usage chunk");
  return { ...final.timings, usage: final.usage };
}

/** Cuts a recorded stream just before the first SSE event whose data contains `marker`. */
function cutBefore(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`marker ${marker} not in the recording`);
  return text.slice(0, text.lastIndexOf("data: ", at));
}

describe("readChatCompletionsStream on recorded llama-server streams", () => {
  it("a thinking answer: message_start, thinking block with signature, text block, done", async () => {
    const events = await read(THINKING);
    expect(outline(events)).toEqual([
      "message_start",
      "block_start 0 thinking",
      "delta 0 thinking",
      "delta 0 signature",
      "block_end 0",
      "block_start 1 text",
      "delta 1 text",
      "block_end 1",
      "done",
    ]);
    expect(deltaText(events, "thinking")).toBe(THOUGHT);
    expect(deltaText(events, "text")).toBe(ANSWER);
    expect(events).toContainEqual({
      type: "block_delta",
      index: 0,
      delta: { type: "signature", signature: thinkingSignature(THOUGHT) },
    });
    expect(thinkingSignature(THOUGHT)).toMatch(/^switchyard-local-[\w-]{32}$/);
  });

  it("message_start carries the context id and model and the prefill usage known at the first token", async () => {
    const [first] = await read(THINKING);
    expect(first).toEqual({
      type: "message_start",
      id: "msg_test",
      model: "claude-sonnet-4-5",
      usage: { inputTokens: 14, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it("done: inputTokens = prompt_n, cacheReadTokens = cache_n, outputTokens = predicted_n, with timings", async () => {
    const timings = finalTimings(THINKING);
    expect(timings).toMatchObject({ prompt_n: 14, cache_n: 0, predicted_n: 34 });
    expect(last(await read(THINKING))).toEqual({
      type: "done",
      stopReason: { unified: "end_turn", raw: "stop" },
      usage: {
        inputTokens: timings.prompt_n,
        cacheReadTokens: timings.cache_n,
        outputTokens: timings.predicted_n,
        cacheWriteTokens: 0,
        // The seven reasoning events (predicted_n 1–7); `</think>` and the blank line reach no event.
        reasoningTokens: 7,
      },
      timings: {
        promptMs: timings.prompt_ms,
        predictedMs: timings.predicted_ms,
        promptPerSecond: timings.prompt_per_second,
        predictedPerSecond: timings.predicted_per_second,
      },
    });
  });

  it("thinking off: one text block; the reused prefix counts as cache reads, not input", async () => {
    const events = await read(NO_THINKING);
    expect(outline(events)).toEqual(["message_start", "block_start 0 text", "delta 0 text", "block_end 0", "done"]);
    expect(deltaText(events, "text")).toBe(ANSWER);
    const timings = finalTimings(NO_THINKING);
    expect(timings).toMatchObject({ prompt_n: 4, cache_n: 13 });
    // usage.prompt_tokens (17) counts cached tokens too; inputTokens must be only what was prefilled.
    expect(timings.usage.prompt_tokens).toBe(17);
    expect(events[0]).toMatchObject({ type: "message_start", usage: { inputTokens: 4, cacheReadTokens: 13 } });
    expect(last(events)).toMatchObject({
      type: "done",
      stopReason: { unified: "end_turn", raw: "stop" },
      usage: { inputTokens: 4, cacheReadTokens: 13, outputTokens: timings.predicted_n, cacheWriteTokens: 0 },
    });
  });

  it("finish_reason length → max_tokens, the open thinking block still closed with a signature", async () => {
    const events = await read(MAX_TOKENS);
    expect(outline(events)).toEqual([
      "message_start",
      "block_start 0 thinking",
      "delta 0 thinking",
      "delta 0 signature",
      "block_end 0",
      "done",
    ]);
    const thought = deltaText(events, "thinking");
    expect(thought).toBe("Nothing to reason about;");
    expect(events).toContainEqual({
      type: "block_delta",
      index: 0,
      delta: { type: "signature", signature: thinkingSignature(thought) },
    });
    expect(last(events)).toMatchObject({
      type: "done",
      stopReason: { unified: "max_tokens", raw: "length" },
      usage: { inputTokens: 1, cacheReadTokens: 13, outputTokens: 5 },
    });
  });

  it.each([
    ["thinking", THINKING],
    ["no-thinking", NO_THINKING],
    ["max-tokens", MAX_TOKENS],
  ])("the %s stream fed 1 byte at a time gives the same events", async (_name, text) => {
    expect(await read(text, 1)).toEqual(await read(text));
  });

  it("CRLF line endings give the same events", async () => {
    expect(await read(THINKING.replaceAll("\n", "\r\n"), 7)).toEqual(await read(THINKING));
  });
});

describe("readChatCompletionsStream: broken streams", () => {
  it("a stream cut after content, before finish_reason and [DONE], ends with an error event", async () => {
    const truncated = cutBefore(THINKING, '"finish_reason":"stop"');
    expect(truncated).not.toContain("[DONE]");
    const events = await read(truncated);
    expect(outline(events)).toEqual([
      "message_start",
      "block_start 0 thinking",
      "delta 0 thinking",
      "delta 0 signature",
      "block_end 0",
      "block_start 1 text",
      "delta 1 text",
      "block_end 1",
      "error",
    ]);
    const final = last(events);
    expect(final?.type).toBe("error");
    if (final?.type !== "error") return;
    expect(final.error).toBeInstanceOf(SwitchyardError);
    expect(final.error).toMatchObject({ kind: "upstream", code: "stream_truncated" });
    expect(final.error.message).toContain("local");
    // The usage so far: the last content chunk had predicted_n 33.
    expect(final.usage).toEqual({
      inputTokens: 14,
      outputTokens: 33,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 7,
    });
    expect(events.some((event) => event.type === "done")).toBe(false);
  });

  it("a stream cut in the middle of an event after content ends with an error event, never done", async () => {
    const text = cutBefore(THINKING, '"finish_reason":"stop"');
    const events = await read(text.slice(0, text.length - 40));
    expect(last(events)?.type).toBe("error");
    expect(events.some((event) => event.type === "done")).toBe(false);
    // Every block that was opened was closed before the error.
    const opened = events.filter((event) => event.type === "block_start").length;
    expect(events.filter((event) => event.type === "block_end")).toHaveLength(opened);
  });

  it("a connection that breaks after content ends with an error event carrying the cause", async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield* bytes(THINKING.slice(0, THINKING.indexOf('"content":" This"')));
      throw Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    }
    const events = await collect(broken());
    const final = last(events);
    expect(final?.type).toBe("error");
    if (final?.type !== "error") return;
    expect(final.error).toMatchObject({ kind: "upstream", code: "stream_interrupted" });
    expect(final.error.message).toContain("other side closed");
    expect(final.usage.inputTokens).toBe(14);
  });

  it("a malformed JSON event before any content throws a SwitchyardError", async () => {
    const role = THINKING.slice(0, THINKING.indexOf("\n\n") + 2);
    const error = await read(`${role}data: {"choices":[{"delta":{"content":"Hel\n\n`).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ kind: "upstream", code: "malformed_stream" });
    expect((error as Error).message).toContain("local sent a malformed stream event");
  });

  it("an error event before any content throws the mapped error (llama-server's context overflow)", async () => {
    const body =
      'data: {"error":{"code":400,"message":"request (9011 tokens) exceeds the available context size (4096 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":9011,"n_ctx":4096}}\n\n';
    const error = await read(body).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({
      kind: "invalid_request",
      code: "context_overflow",
      message: "prompt is too long: 9011 tokens > 4096 maximum",
    });
  });

  it("an error event after content ends the stream with that error", async () => {
    const head = cutBefore(THINKING, '"content":" This"');
    const events = await read(`${head}data: {"error":{"code":500,"message":"boom","type":"server_error"}}\n\n`);
    const final = last(events);
    expect(final?.type).toBe("error");
    if (final?.type !== "error") return;
    expect(final.error).toMatchObject({ kind: "upstream", code: "upstream_error", message: "local: boom" });
  });

  it("a connection that breaks before any content throws a SwitchyardError", async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield* bytes(THINKING.slice(0, THINKING.indexOf("\n\n") + 2));
      throw Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    }
    const error = await collect(broken()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ kind: "upstream" });
  });
});

/*
 * Tool calls. The test model never calls a tool, so these chunks follow the shape llama-server itself emits:
 * tools/server/server-chat.cpp (the delta builder: `tool_call["index"]`, `"id"` and `"type": "function"` only on
 * the first delta of a call, then `function.name` / `function.arguments` pieces) and the stream reader of
 * llama.cpp's own server tests, tools/server/tests/utils.py `make_any_request` (a new `index` starts a call with
 * `id`, `type` and `function.name`; later deltas append `function.arguments`), llama.cpp build de3ff81 in
 * ~/.cache/switchyard/llama.cpp/v0.5.0/source.
 */
function chunk(delta: Record<string, unknown>, finishReason: string | null = null, predicted = 1): string {
  return `data: ${JSON.stringify({
    choices: [{ finish_reason: finishReason, index: 0, delta }],
    created: 1795320919,
    id: "chatcmpl-tools",
    model: "test.gguf",
    object: "chat.completion.chunk",
    timings: { cache_n: 10, prompt_n: 90, prompt_ms: 20, predicted_n: predicted, predicted_ms: predicted },
  })}\n\n`;
}

const TOOL_STREAM = [
  // Nothing generated yet: the role comes before the first token.
  chunk({ role: "assistant", content: null }, null, 0),
  chunk({ reasoning_content: "Need the weather." }, null, 1),
  chunk({ content: "Checking." }, null, 2),
  chunk({ tool_calls: [{ index: 0, id: "call_abc", type: "function", function: { name: "get_weather" } }] }, null, 3),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location"' } }] }, null, 4),
  chunk({ tool_calls: [{ index: 0, function: { arguments: ': "Paris"}' } }] }, null, 5),
  chunk(
    { tool_calls: [{ index: 1, id: "call_def", type: "function", function: { name: "get_time", arguments: "{" } }] },
    null,
    6,
  ),
  chunk({ tool_calls: [{ index: 1, function: { arguments: '"tz":"CET"}' } }] }, null, 7),
  chunk({}, "tool_calls", 7),
  `data: ${JSON.stringify({
    choices: [],
    id: "chatcmpl-tools",
    object: "chat.completion.chunk",
    usage: {
      completion_tokens: 7,
      prompt_tokens: 100,
      total_tokens: 107,
      prompt_tokens_details: { cached_tokens: 10 },
    },
    timings: { cache_n: 10, prompt_n: 90, prompt_ms: 20, predicted_n: 7, predicted_ms: 7 },
  })}\n\n`,
  "data: [DONE]\n\n",
].join("");

describe("readChatCompletionsStream: tool calls (llama-server's chunk shape)", () => {
  it("opens a tool_call block per call with id and name and concatenates the argument pieces", async () => {
    const events = await read(TOOL_STREAM);
    expect(outline(events)).toEqual([
      "message_start",
      "block_start 0 thinking",
      "delta 0 thinking",
      "delta 0 signature",
      "block_end 0",
      "block_start 1 text",
      "delta 1 text",
      "block_end 1",
      "block_start 2 tool_call",
      "delta 2 tool_input",
      "block_end 2",
      "block_start 3 tool_call",
      "delta 3 tool_input",
      "block_end 3",
      "done",
    ]);
    expect(events).toContainEqual({
      type: "block_start",
      index: 2,
      block: { type: "tool_call", id: "call_abc", name: "get_weather" },
    });
    expect(events).toContainEqual({
      type: "block_start",
      index: 3,
      block: { type: "tool_call", id: "call_def", name: "get_time" },
    });
    expect(toolInput(events, 2)).toBe('{"location": "Paris"}');
    expect(JSON.parse(toolInput(events, 2))).toEqual({ location: "Paris" });
    expect(JSON.parse(toolInput(events, 3))).toEqual({ tz: "CET" });
  });

  it("finish_reason tool_calls → tool_use", async () => {
    expect(last(await read(TOOL_STREAM))).toEqual({
      type: "done",
      stopReason: { unified: "tool_use", raw: "tool_calls" },
      usage: { inputTokens: 90, outputTokens: 7, cacheReadTokens: 10, cacheWriteTokens: 0, reasoningTokens: 1 },
      timings: { promptMs: 20, predictedMs: 7 },
    });
  });

  it("gives the same events 1 byte at a time", async () => {
    expect(await read(TOOL_STREAM, 1)).toEqual(await read(TOOL_STREAM));
  });

  it("a call without an id gets one derived from the message id and the call index", async () => {
    const stream = [
      chunk({ tool_calls: [{ index: 0, function: { name: "noop", arguments: "{}" } }] }),
      chunk({}, "tool_calls"),
      "data: [DONE]\n\n",
    ].join("");
    const events = await read(stream);
    expect(events).toContainEqual({
      type: "block_start",
      index: 0,
      block: { type: "tool_call", id: "toolu_msg_test_0", name: "noop" },
    });
    expect(toolInput(events, 0)).toBe("{}");
  });
});

describe("readChatCompletionsStream: reasoning tokens", () => {
  const usageChunk = (usage: Record<string, unknown>, timings?: Record<string, unknown>) =>
    `data: ${JSON.stringify({ choices: [], usage, ...(timings ? { timings } : {}) })}\n\n`;
  const plain = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;

  it("takes a cloud's completion_tokens_details.reasoning_tokens as it reports them", async () => {
    const stream = [
      plain({ reasoning_content: "Think." }),
      plain({ content: "Done." }, "stop"),
      usageChunk({ prompt_tokens: 10, completion_tokens: 40, completion_tokens_details: { reasoning_tokens: 32 } }),
      "data: [DONE]\n\n",
    ].join("");
    const done = last(await read(stream));
    expect(done?.type === "done" && done.usage.reasoningTokens).toBe(32);
  });

  it("leaves them unknown where reasoning came without per-token timings", async () => {
    const stream = [
      plain({ reasoning_content: "Think." }),
      plain({ content: "Done." }, "stop"),
      usageChunk({ prompt_tokens: 10, completion_tokens: 40 }, { prompt_n: 10, cache_n: 0, predicted_n: 40 }),
      "data: [DONE]\n\n",
    ].join("");
    const done = last(await read(stream));
    expect(done?.type === "done" && "reasoningTokens" in done.usage).toBe(false);
  });
});

describe("mapFinishReason", () => {
  it.each([
    ["stop", { unified: "end_turn", raw: "stop" }],
    ["length", { unified: "max_tokens", raw: "length" }],
    ["tool_calls", { unified: "tool_use", raw: "tool_calls" }],
    ["function_call", { unified: "tool_use", raw: "function_call" }],
    ["content_filter", { unified: "refusal", raw: "content_filter" }],
    [null, { unified: "end_turn", raw: "stop" }],
    [undefined, { unified: "end_turn", raw: "stop" }],
    ["something_new", { unified: "end_turn", raw: "something_new" }],
  ])("%s → %j", (raw, expected) => {
    expect(mapFinishReason(raw)).toEqual(expected);
  });
});

describe("readChatCompletionsStream, a model given its tools as text", () => {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const usage = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 20, completion_tokens: 9 } })}\n\n`;
  const stream = (pieces: string[], finish: string) =>
    [...pieces.map((content) => chunk({ content })), chunk({}, finish), usage, "data: [DONE]\n\n"].join("");
  const readAsText = async (text: string) => {
    const events: CanonicalEvent[] = [];
    const context = { ...CONTEXT, toolsAsText: TOOLS_AS_TEXT_OUTPUT };
    for await (const event of readChatCompletionsStream(bytes(text, 7), context)) events.push(event);
    return events;
  };

  it("reads a call out of the text, cut anywhere, and stops for tool use where the server said stop", async () => {
    const events = await readAsText(
      stream(['Listing.\n\n```tool_call\n{"name":"Bash","arguments":{"command":"ls"}}', "\n```"], "stop"),
    );
    expect(deltaText(events, "text")).toBe("Listing.");
    const call = events.find((event) => event.type === "block_start" && event.block.type === "tool_call");
    expect(call).toMatchObject({ block: { type: "tool_call", name: "Bash" } });
    expect(events.at(-1)).toMatchObject({ type: "done", stopReason: { unified: "tool_use", raw: "stop" } });
  });

  it("passes a block cut off by max_tokens on as text, and says so in the raw stop reason", async () => {
    const events = await readAsText(stream(['```tool_call\n{"name":"Bash","argu'], "length"));
    expect(deltaText(events, "text")).toBe('```tool_call\n{"name":"Bash","argu');
    expect(events.at(-1)).toMatchObject({
      type: "done",
      stopReason: { unified: "max_tokens", raw: `length; ${UNPARSED_TOOL_CALL}` },
    });
  });

  it("ends with plain text as an end of turn", async () => {
    const events = await readAsText(stream(["No call needed."], "stop"));
    expect(deltaText(events, "text")).toBe("No call needed.");
    expect(events.at(-1)).toMatchObject({ type: "done", stopReason: { unified: "end_turn" } });
  });
});
