import { describe, expect, it } from "vitest";
import { checkAnthropicStream } from "../../../test/support/anthropic-sse-checker.js";
import type { CanonicalEvent } from "../../core/canonical.js";
import { anthropicStreamEncoder, encodeAnthropicEvent } from "./anthropic-stream-encoder.js";

const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 };

/** A streamed answer: a text block, then one tool call whose arguments arrive in `pieces`. */
function answer(pieces: string[]): CanonicalEvent[] {
  return [
    { type: "message_start", id: "msg_1", model: "m", usage },
    { type: "block_start", index: 0, block: { type: "text" } },
    { type: "block_delta", index: 0, delta: { type: "text", text: "Running it." } },
    { type: "block_end", index: 0 },
    { type: "block_start", index: 1, block: { type: "tool_call", id: "toolu_1", name: "Bash" } },
    ...pieces.map((json): CanonicalEvent => ({ type: "block_delta", index: 1, delta: { type: "tool_input", json } })),
    { type: "block_end", index: 1 },
    { type: "done", stopReason: { unified: "tool_use", raw: "tool_calls" }, usage },
  ];
}

const encoded = (events: CanonicalEvent[]) => {
  const encoder = anthropicStreamEncoder();
  return events.map((event) => encoder.encode(event)).join("");
};
const toolInput = (text: string) => checkAnthropicStream(text).message?.content[1];

describe("anthropicStreamEncoder", () => {
  it("streams arguments that open an object as they come", () => {
    const text = encoded(answer([" ", '{"command":', ' "ls"}']));
    expect(checkAnthropicStream(text).violations).toEqual([]);
    expect(toolInput(text)).toMatchObject({ type: "tool_use", input: { command: "ls" } });
    // The whitespace waits for the brace; the rest streams delta by delta.
    expect(text.match(/input_json_delta/g)).toHaveLength(2);
  });

  it.each([
    [["[1,", " 2]"], { _unparsed_arguments: "[1, 2]" }],
    [['"a.ts"'], { _unparsed_arguments: '"a.ts"' }],
    [['"{\\"command\\": ', '\\"ls\\"}"'], { command: "ls" }],
  ])("sends arguments %j that hold no object as the object the non-streaming answer gives", (pieces, input) => {
    // Passed on as they came, a client would keep an input the API refuses in every later request.
    expect(checkAnthropicStream(answer(pieces).map(encodeAnthropicEvent).join("")).ok).toBe(false);
    const text = encoded(answer(pieces));
    expect(checkAnthropicStream(text).violations).toEqual([]);
    expect(toolInput(text)).toMatchObject({ type: "tool_use", input });
    expect(text.match(/input_json_delta/g)).toHaveLength(1);
  });

  it("leaves a call without arguments, and one cut off inside its object, as they are", () => {
    expect(toolInput(encoded(answer([])))).toMatchObject({ input: {} });
    const cut = encoded(answer(['{"command": "l']));
    expect(cut).toContain(JSON.stringify('{"command": "l'));
  });
});
