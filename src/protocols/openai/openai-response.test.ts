import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CanonicalEvent } from "../../core/canonical.js";
import { MessageCollector } from "../../core/collect-message.js";
import { openAIChatCompletionBody } from "./openai-response.js";

/** A real non-streaming OpenAI answer with two parallel tool calls (see fixtures/README.md). */
const RECORDED = JSON.parse(
  readFileSync(join(import.meta.dirname, "fixtures/openai-two-tool-calls-completion.json"), "utf8"),
) as { choices: Array<{ message: Record<string, unknown> }> } & Record<string, unknown>;

const usage = { inputTokens: 100, outputTokens: 60, cacheReadTokens: 49, cacheWriteTokens: 0 };

function collect(events: CanonicalEvent[]) {
  const collector = new MessageCollector();
  for (const event of events) collector.add(event);
  return collector.message;
}

/** The recorded answer's two tool calls, as canonical events. */
const toolCallEvents = (withThinking: boolean): CanonicalEvent[] => [
  { type: "message_start", id: "chatcmpl-ABfvyvfNWKcl7Ohqos4UFrmMs1v4C", model: "gpt-4o-2024-08-06", usage },
  ...(withThinking
    ? ([
        { type: "block_start", index: 0, block: { type: "thinking" } },
        { type: "block_delta", index: 0, delta: { type: "thinking", text: "Two tools." } },
        { type: "block_delta", index: 0, delta: { type: "signature", signature: "sig" } },
        { type: "block_end", index: 0 },
      ] satisfies CanonicalEvent[])
    : []),
  {
    type: "block_start",
    index: 1,
    block: { type: "tool_call", id: "call_fdNz3vOBKYgOIpMdWotB9MjY", name: "GetWeatherArgs" },
  },
  { type: "block_delta", index: 1, delta: { type: "tool_input", json: '{"city": "Edinburgh", ' } },
  { type: "block_delta", index: 1, delta: { type: "tool_input", json: '"country": "GB", "units": "c"}' } },
  { type: "block_end", index: 1 },
  {
    type: "block_start",
    index: 2,
    block: { type: "tool_call", id: "call_h1DWI1POMJLb0KwIyQHWXD4p", name: "get_stock_price" },
  },
  { type: "block_delta", index: 2, delta: { type: "tool_input", json: '{"ticker": "AAPL", "exchange": "NASDAQ"}' } },
  { type: "block_end", index: 2 },
  { type: "done", stopReason: { unified: "tool_use", raw: "tool_calls" }, usage },
];

describe("openAIChatCompletionBody", () => {
  it("matches the recorded OpenAI body for the same two tool calls", () => {
    const body = openAIChatCompletionBody(collect(toolCallEvents(false)), 1727346166);
    // OpenAI adds system_fingerprint and completion_tokens_details, which we have no values for.
    const { system_fingerprint: _fingerprint, usage: recordedUsage, ...recorded } = RECORDED;
    const { completion_tokens_details: _details, ...recordedCounts } = recordedUsage as Record<string, unknown>;
    const { usage: ourUsage, ...ours } = body;
    expect(ours).toEqual(recorded);
    expect(ourUsage).toEqual({ ...recordedCounts, prompt_tokens_details: { cached_tokens: 49 } });
  });

  it("adds reasoning_content when the model thought, and content when it wrote", () => {
    const events = toolCallEvents(true);
    events.splice(
      -1,
      0,
      { type: "block_start", index: 3, block: { type: "text" } },
      { type: "block_delta", index: 3, delta: { type: "text", text: "Checking " } },
      { type: "block_delta", index: 3, delta: { type: "text", text: "both." } },
      { type: "block_end", index: 3 },
    );
    const message = openAIChatCompletionBody(collect(events), 1).choices[0]?.message;
    expect(message?.reasoning_content).toBe("Two tools.");
    expect(message?.content).toBe("Checking both.");
    expect(message?.tool_calls).toHaveLength(2);
  });

  it("answers a plain text reply with finish_reason stop and no tool_calls or reasoning fields", () => {
    const body = openAIChatCompletionBody(
      collect([
        { type: "message_start", id: "msg_1", model: "qwen3.5-local", usage },
        { type: "block_start", index: 0, block: { type: "text" } },
        { type: "block_delta", index: 0, delta: { type: "text", text: "Hello." } },
        { type: "block_end", index: 0 },
        { type: "done", stopReason: { unified: "end_turn", raw: "stop" }, usage },
      ]),
      42,
    );
    expect(body).toEqual({
      id: "msg_1",
      object: "chat.completion",
      created: 42,
      model: "qwen3.5-local",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello.", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 149,
        completion_tokens: 60,
        total_tokens: 209,
        prompt_tokens_details: { cached_tokens: 49 },
      },
    });
  });

  it("maps max_tokens to length and gives a call without arguments {}", () => {
    const body = openAIChatCompletionBody(
      collect([
        { type: "message_start", id: "msg_1", model: "m", usage },
        { type: "block_start", index: 0, block: { type: "tool_call", id: "call_1", name: "now" } },
        { type: "block_end", index: 0 },
        { type: "done", stopReason: { unified: "max_tokens", raw: "length" }, usage },
      ]),
      1,
    );
    expect(body.choices[0]?.finish_reason).toBe("length");
    expect(body.choices[0]?.message.content).toBeNull();
    expect(body.choices[0]?.message.tool_calls?.[0]?.function.arguments).toBe("{}");
  });
});
