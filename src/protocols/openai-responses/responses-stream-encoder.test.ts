import { describe, expect, it } from "vitest";
import { checkResponsesStream } from "../../../test/support/responses-sse-checker.js";
import { type CanonicalEvent, emptyUsage } from "../../core/canonical.js";
import { MessageCollector } from "../../core/collect-message.js";
import { SwitchyardError } from "../../core/errors.js";
import { responsesBody } from "./responses-output.js";
import { ResponsesStreamEncoder } from "./responses-stream-encoder.js";
import { ResponsesToolNames } from "./responses-tools.js";

const names = new ResponsesToolNames([
  { type: "function", name: "exec_command" },
  { type: "namespace", name: "agents", tools: [{ type: "function", name: "spawn_agent" }] },
  { type: "custom", name: "apply_patch" },
]);
const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 90, cacheWriteTokens: 0 };

/** A reasoning block, text, then a call to each kind of tool, as a backend streams them. */
const EVENTS: CanonicalEvent[] = [
  { type: "message_start", id: "m1", model: "local", usage: emptyUsage() },
  { type: "block_start", index: 0, block: { type: "thinking" } },
  { type: "block_delta", index: 0, delta: { type: "thinking", text: "Let me " } },
  { type: "block_delta", index: 0, delta: { type: "thinking", text: "look." } },
  { type: "block_end", index: 0 },
  { type: "block_start", index: 1, block: { type: "text" } },
  { type: "block_delta", index: 1, delta: { type: "text", text: "Running." } },
  { type: "block_end", index: 1 },
  { type: "block_start", index: 2, block: { type: "tool_call", id: "c1", name: "exec_command" } },
  { type: "block_delta", index: 2, delta: { type: "tool_input", json: '{"cmd":' } },
  { type: "block_delta", index: 2, delta: { type: "tool_input", json: '"ls"}' } },
  { type: "block_end", index: 2 },
  { type: "block_start", index: 3, block: { type: "tool_call", id: "c2", name: "spawn_agent" } },
  { type: "block_delta", index: 3, delta: { type: "tool_input", json: "{}" } },
  { type: "block_end", index: 3 },
  { type: "block_start", index: 4, block: { type: "tool_call", id: "c3", name: "apply_patch" } },
  { type: "block_delta", index: 4, delta: { type: "tool_input", json: '{"input":"*** Begin Patch\\n"}' } },
  // No block_end: the stream's end closes it.
  { type: "done", stopReason: { unified: "tool_use", raw: "tool_calls" }, usage },
];

function encodeAll(events: CanonicalEvent[]) {
  const encoder = new ResponsesStreamEncoder({ id: "resp_1", model: "local", createdAt: 1, names });
  const text = events.map((event) => encoder.encode(event)).join("");
  expect(checkResponsesStream(text).violations).toEqual([]);
  return text
    .split("\n\n")
    .filter((frame) => frame !== "")
    .map((frame) => {
      const [eventLine, dataLine] = frame.split("\n");
      const data = JSON.parse((dataLine ?? "").slice("data: ".length)) as Record<string, unknown> & { type: string };
      expect(eventLine).toBe(`event: ${data.type}`);
      return data;
    });
}

describe("ResponsesStreamEncoder", () => {
  it("streams each block as an output item, numbers every event, and completes with all items and the usage", () => {
    const events = encodeAll(EVENTS);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events.map((event) => event.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.reasoning_text.delta",
      "response.reasoning_text.delta",
      "response.reasoning_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.custom_tool_call_input.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const completed = events.at(-1)?.response as {
      status: string;
      output: Array<Record<string, unknown>>;
      usage: unknown;
    };
    expect(completed.status).toBe("completed");
    expect(completed.output.map(({ id: _id, ...item }) => item)).toEqual([
      { type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: "Let me look." }] },
      {
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "Running.", annotations: [], logprobs: [] }],
      },
      { type: "function_call", status: "completed", call_id: "c1", name: "exec_command", arguments: '{"cmd":"ls"}' },
      {
        type: "function_call",
        status: "completed",
        call_id: "c2",
        name: "spawn_agent",
        namespace: "agents",
        arguments: "{}",
      },
      { type: "custom_tool_call", status: "completed", call_id: "c3", name: "apply_patch", input: "*** Begin Patch\n" },
    ]);
    expect(completed.usage).toEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 90 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 105,
    });
    // Each item's done event carries the item the completed response holds at its index.
    const done = events.filter((event) => event.type === "response.output_item.done");
    expect(done.map((event) => event.item)).toEqual(completed.output);
    expect(done.map((event) => event.output_index)).toEqual([0, 1, 2, 3, 4]);
  });

  it("ends at the output limit with response.incomplete, and a failure with response.failed and OpenAI's code", () => {
    const limit = encodeAll([
      EVENTS[0] as CanonicalEvent,
      { type: "done", stopReason: { unified: "max_tokens", raw: "length" }, usage },
    ]);
    expect(limit.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    });
    const error = new SwitchyardError("prompt is too long", { kind: "invalid_request", code: "context_overflow" });
    const failed = encodeAll([...EVENTS.slice(0, 7), { type: "error", error, usage }]);
    expect(failed.at(-1)).toMatchObject({
      type: "response.failed",
      response: { status: "failed", error: { code: "context_length_exceeded", message: "prompt is too long" } },
    });
    // The finished reasoning item is in the failed response; the text still open is not.
    expect((failed.at(-1)?.response as { output: unknown[] } | undefined)?.output).toHaveLength(1);
  });

  it("gives a non-streamed answer the same items as the stream's completed response", () => {
    const collector = new MessageCollector();
    for (const event of EVENTS) collector.add(event);
    const body = responsesBody(collector.message, names, 1);
    const streamed = encodeAll(EVENTS).at(-1)?.response as { output: Array<Record<string, unknown>> };
    const withoutIds = (items: Array<Record<string, unknown>>) => items.map(({ id: _id, ...item }) => item);
    expect(withoutIds(body.output)).toEqual(withoutIds(streamed.output));
    expect(body).toMatchObject({ object: "response", status: "completed", model: "local" });
  });
});
