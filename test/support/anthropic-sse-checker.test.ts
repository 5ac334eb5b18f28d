import { describe, expect, it } from "vitest";
import { checkAnthropicStream, parseSse } from "./anthropic-sse-checker.js";

type EventSpec = [name: string, payload: Record<string, unknown>];

const toSse = (events: EventSpec[]): string =>
  events.map(([name, payload]) => `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`).join("");

const messageStart = (): EventSpec => [
  "message_start",
  {
    type: "message_start",
    message: {
      id: "msg_test",
      type: "message",
      role: "assistant",
      content: [],
      model: "test-model",
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 3, cache_creation_input_tokens: 0 },
    },
  },
];
const blockStart = (index: number, contentBlock: Record<string, unknown>): EventSpec => [
  "content_block_start",
  { type: "content_block_start", index, content_block: contentBlock },
];
const blockDelta = (index: number, delta: Record<string, unknown>): EventSpec => [
  "content_block_delta",
  { type: "content_block_delta", index, delta },
];
const blockStop = (index: number): EventSpec => ["content_block_stop", { type: "content_block_stop", index }];
const textBlock = (index: number, text: string): EventSpec[] => [
  blockStart(index, { type: "text", text: "" }),
  blockDelta(index, { type: "text_delta", text }),
  blockStop(index),
];
const toolUseBlock = (index: number, ...partialJsonPieces: string[]): EventSpec[] => [
  blockStart(index, { type: "tool_use", id: `toolu_${index}`, name: "get_weather", input: {} }),
  ...partialJsonPieces.map((partialJson) => blockDelta(index, { type: "input_json_delta", partial_json: partialJson })),
  blockStop(index),
];
const messageDelta = (stopReason: string): EventSpec => [
  "message_delta",
  { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 42 } },
];
const messageStop: EventSpec = ["message_stop", { type: "message_stop" }];
const ping: EventSpec = ["ping", { type: "ping" }];
const overloaded: EventSpec = ["error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }];

const violationsOf = (events: EventSpec[]): string[] => checkAnthropicStream(toSse(events)).violations;
const textStream = (): EventSpec[] => [messageStart(), ...textBlock(0, "Hi"), messageDelta("end_turn"), messageStop];

// The "Basic streaming request" response from https://docs.anthropic.com/en/api/messages-streaming, verbatim.
const DOCUMENTED_TEXT_STREAM = `event: message_start
data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-1-20250805", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 0}

event: message_delta
data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

event: message_stop
data: {"type": "message_stop"}

`;

describe("parseSse", () => {
  it("frames events per the WHATWG rules: CRLF, comments, joined data lines, optional space", () => {
    const text = "\uFEFF: keep-alive\r\nevent: one\r\ndata: first\r\ndata:second\r\nid: 7\r\n\r\n\r\ndata: lone\r\r";
    expect(parseSse(text)).toEqual([
      { event: "one", data: "first\nsecond" },
      { event: undefined, data: "lone" },
    ]);
  });

  it("flags an event that is not terminated by a blank line", () => {
    expect(parseSse('event: ping\ndata: {"type":"ping"}\n\nevent: message_stop\ndata: {"type"')).toEqual([
      { event: "ping", data: '{"type":"ping"}' },
      { event: "message_stop", data: '{"type"', truncated: true },
    ]);
  });
});

describe("checkAnthropicStream accepts", () => {
  it("the documented text stream and rebuilds its message", () => {
    const result = checkAnthropicStream(DOCUMENTED_TEXT_STREAM);
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.events.map((event) => event.type)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(result.message).toEqual({
      id: "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY",
      type: "message",
      role: "assistant",
      model: "claude-opus-4-1-20250805",
      content: [{ type: "text", text: "Hello!" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 25, output_tokens: 15 },
    });
  });

  it("thinking, redacted thinking, text and tool_use blocks, with pings anywhere", () => {
    const result = checkAnthropicStream(
      toSse([
        messageStart(),
        ping,
        blockStart(0, { type: "thinking", thinking: "" }),
        blockDelta(0, { type: "thinking_delta", thinking: "Weather " }),
        ping,
        blockDelta(0, { type: "thinking_delta", thinking: "needs a tool." }),
        blockDelta(0, { type: "signature_delta", signature: "sig-123" }),
        blockStop(0),
        blockStart(1, { type: "redacted_thinking", data: "opaque" }),
        blockStop(1),
        ...textBlock(2, "Checking."),
        ...toolUseBlock(3, "", '{"location":', ' "Paris"}'),
        ...toolUseBlock(4),
        messageDelta("tool_use"),
        ping,
        messageStop,
      ]),
    );
    expect(result.violations).toEqual([]);
    expect(result.message?.content).toEqual([
      { type: "thinking", thinking: "Weather needs a tool.", signature: "sig-123" },
      { type: "redacted_thinking", data: "opaque" },
      { type: "text", text: "Checking." },
      { type: "tool_use", id: "toolu_3", name: "get_weather", input: { location: "Paris" } },
      { type: "tool_use", id: "toolu_4", name: "get_weather", input: {} },
    ]);
    expect(result.message?.stop_reason).toBe("tool_use");
    expect(result.message?.usage).toEqual({
      input_tokens: 10,
      output_tokens: 42,
      cache_read_input_tokens: 3,
      cache_creation_input_tokens: 0,
    });
  });

  it("a tool_use block with stop_reason end_turn", () => {
    expect(violationsOf([messageStart(), ...toolUseBlock(0, "{}"), messageDelta("end_turn"), messageStop])).toEqual([]);
  });

  it("an error that ends the stream while a block is open", () => {
    const result = checkAnthropicStream(
      toSse([
        messageStart(),
        blockStart(0, { type: "text", text: "" }),
        blockDelta(0, { type: "text_delta", text: "Hel" }),
        overloaded,
      ]),
    );
    expect(result.violations).toEqual([]);
    expect(result.error).toEqual({ type: "overloaded_error", message: "Overloaded" });
    expect(result.message?.stop_reason).toBeNull();
  });

  it("an error as the only event", () => {
    expect(checkAnthropicStream(toSse([overloaded])).ok).toBe(true);
  });
});

describe("checkAnthropicStream rejects", () => {
  it("message_stop before message_delta", () => {
    expect(violationsOf([...textStream().slice(0, -2), messageStop, messageDelta("end_turn")])).toEqual([
      "event 5 (message_stop): message_stop without a preceding message_delta",
      "event 6 (message_delta): event after message_stop",
    ]);
  });

  it("a stream without message_stop", () => {
    expect(violationsOf(textStream().slice(0, -1))).toEqual(["stream ended without message_stop"]);
  });

  it("a delta for a block that was already closed", () => {
    const events = textStream();
    events.splice(4, 0, blockDelta(0, { type: "text_delta", text: "late" }));
    expect(violationsOf(events)).toEqual([
      "event 5 (content_block_delta): content_block_delta for index 0, but no block is open",
    ]);
  });

  it("a block index that skips a number", () => {
    expect(
      violationsOf([messageStart(), ...textBlock(0, "a"), ...textBlock(2, "b"), messageDelta("end_turn"), messageStop]),
    ).toEqual(["event 5 (content_block_start): content_block_start index 2, expected 1"]);
  });

  it("tool input whose partial_json does not add up to JSON", () => {
    expect(
      violationsOf([
        messageStart(),
        ...toolUseBlock(0, '{"location":', ' "Par'),
        messageDelta("tool_use"),
        messageStop,
      ]),
    ).toEqual(['event 5 (content_block_stop): tool_use block 0 input is not valid JSON: {"location": "Par']);
  });

  it("tool input that is JSON but not an object", () => {
    expect(violationsOf([messageStart(), ...toolUseBlock(0, "[1]"), messageDelta("end_turn"), messageStop])).toEqual([
      "event 4 (content_block_stop): tool_use block 0 input is not a JSON object: [1]",
    ]);
  });

  it("a thinking block closed without a signature", () => {
    const thinkingBlock = [
      blockStart(0, { type: "thinking", thinking: "" }),
      blockDelta(0, { type: "thinking_delta", thinking: "Hmm." }),
      blockStop(0),
    ];
    expect(violationsOf([messageStart(), ...thinkingBlock, messageDelta("end_turn"), messageStop])).toEqual([
      "event 4 (content_block_stop): thinking block 0 closed without a signature_delta",
    ]);
  });

  it("an event name that differs from the data type", () => {
    const events = textStream();
    events.splice(1, 0, ["keepalive", { type: "ping" }]);
    expect(violationsOf(events)).toEqual(['event 2 (ping): event name "keepalive" does not match data type "ping"']);
  });

  it("an event after message_stop", () => {
    expect(violationsOf([...textStream(), ping])).toEqual(["event 7 (ping): event after message_stop"]);
  });

  it("a final event without its terminating blank line", () => {
    const text = toSse(textStream()).replace(/\n\n$/, "");
    expect(checkAnthropicStream(text).violations).toEqual([
      "final event is not terminated by a blank line (truncated stream)",
    ]);
  });

  it("a stream cut off inside the final event's data", () => {
    const text = toSse(textStream()).replace(/"message_stop"\}\n\n$/, "");
    expect(checkAnthropicStream(text).violations).toEqual([
      "event 6 (message_stop): data is not valid JSON",
      "final event is not terminated by a blank line (truncated stream)",
      "stream ended without message_stop",
    ]);
  });

  it("a second message_start", () => {
    expect(violationsOf([messageStart(), ...textStream()])).toEqual([
      "event 2 (message_start): duplicate message_start",
    ]);
  });

  it('stop_reason "tool_use" without a tool_use block', () => {
    expect(violationsOf([messageStart(), ...textBlock(0, "Hi"), messageDelta("tool_use"), messageStop])).toEqual([
      'event 5 (message_delta): stop_reason "tool_use" without a tool_use block',
    ]);
  });

  it("an unknown event type", () => {
    const events = textStream();
    events.splice(1, 0, ["surprise", { type: "surprise" }]);
    expect(violationsOf(events)).toEqual(['event 2 (surprise): unknown event type "surprise"']);
  });

  it("a delta type that does not belong to the open block", () => {
    const events = textStream();
    events.splice(2, 0, blockDelta(0, { type: "input_json_delta", partial_json: "{}" }));
    expect(violationsOf(events)).toEqual([
      "event 3 (content_block_delta): input_json_delta is not allowed in a text block",
    ]);
  });

  it("a message_start whose message breaks the documented shape", () => {
    const [, start] = messageStart();
    const message = { ...(start.message as object), role: "user", stop_reason: "end_turn", usage: { input_tokens: 1 } };
    expect(violationsOf([["message_start", { ...start, message }], ...textStream().slice(1)])).toEqual([
      'event 1 (message_start): message.role must be "assistant"',
      "event 1 (message_start): message.stop_reason must be null",
      "event 1 (message_start): message.usage.output_tokens must be a number",
    ]);
  });

  it("an unknown stop_reason and a missing message_delta usage", () => {
    const badDelta: EventSpec = [
      "message_delta",
      { type: "message_delta", delta: { stop_reason: "done", stop_sequence: null } },
    ];
    expect(violationsOf([messageStart(), ...textBlock(0, "Hi"), badDelta, messageStop])).toEqual([
      'event 5 (message_delta): stop_reason "done" is not one of end_turn, max_tokens, stop_sequence, tool_use, pause_turn, refusal',
      "event 5 (message_delta): usage.output_tokens must be a number",
    ]);
  });

  it("hostile input without throwing", () => {
    const inheritedNames = [
      messageStart(),
      blockStart(0, { type: "constructor" }),
      blockDelta(0, { type: "toString" }),
      blockStop(0),
    ];
    expect(violationsOf(inheritedNames)).toContain(
      'event 2 (content_block_start): unknown content block type "constructor"',
    );
    expect(checkAnthropicStream("data: null\n\ndata: {\n\n").violations).toEqual([
      "event 1 (unnamed): data is not a JSON object",
      "event 2 (unnamed): data is not valid JSON",
      "missing message_start",
    ]);
  });

  it("an event after an error, and an empty stream", () => {
    expect(violationsOf([messageStart(), overloaded, ping])).toEqual(["event 3 (ping): event after error"]);
    expect(checkAnthropicStream(": nothing but a comment\n\n").violations).toEqual(["stream has no events"]);
  });
});
