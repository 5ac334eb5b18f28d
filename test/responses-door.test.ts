import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkResponsesStream } from "./support/responses-sse-checker.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

interface StreamEvent {
  type: string;
  sequence_number: number;
  delta?: string;
  response?: {
    status: string;
    output: Array<{ type: string; content?: Array<{ type: string; text: string }> }>;
    usage: {
      input_tokens: number;
      input_tokens_details: { cached_tokens: number };
      output_tokens_details: { reasoning_tokens: number };
    } | null;
  };
}

/** A Responses SSE body's events, the stream checked by the strict checker first. */
function events(text: string): StreamEvent[] {
  expect(checkResponsesStream(text).violations).toEqual([]);
  return text
    .split("\n\n")
    .filter((frame) => frame.trim() !== "")
    .map((frame) => {
      const event = /^event: (.+)$/m.exec(frame)?.[1];
      const data = JSON.parse(/^data: (.+)$/m.exec(frame)?.[1] ?? "null") as StreamEvent;
      expect(data.type).toBe(event);
      return data;
    });
}

const notes = Array.from({ length: 300 }, (_, index) => `rule ${index}: keep it short.`).join("\n");

describe("the OpenAI Responses door on the real llama-server", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("streams reasoning and text as output items, and the next turn reuses the prompt with the reasoning sent back", async () => {
    const input: unknown[] = [
      { type: "message", role: "developer", content: [{ type: "input_text", text: notes }] },
      { type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] },
    ];
    const body = { model: "local", stream: true, reasoning: { effort: "low" }, store: false, input };
    const headers = { "session-id": "responses-door" };
    const first = events(await (await post(gateway.url, body, headers)).text());
    expect(first.map((event) => event.sequence_number)).toEqual(first.map((_, index) => index));
    const completed = first.at(-1);
    expect(completed?.type).toBe("response.completed");
    const output = completed?.response?.output ?? [];
    expect(output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    const text = first.filter((event) => event.type === "response.output_text.delta").map((event) => event.delta);
    expect(output[1]?.content?.[0]?.text).toBe(text.join(""));
    expect(text.join("").length).toBeGreaterThan(0);

    // As Codex does: the output items go back in the next request's input, then the new message.
    const second = events(
      await (
        await post(gateway.url, { ...body, input: [...input, ...output, { role: "user", content: "again" }] }, headers)
      ).text(),
    );
    const usage = second.at(-1)?.response?.usage;
    expect(usage?.input_tokens_details.cached_tokens).toBeGreaterThan((usage?.input_tokens ?? 0) / 2);
    // The test model's seven reasoning tokens (its chain in src/test-model/chain-plan.ts), which Codex shows.
    expect(usage?.output_tokens_details.reasoning_tokens).toBe(7);
    const records = await waitForTurns(gateway.recorder, 2);
    expect(records.map((record) => [record.protocol, record.endpoint, record.sessionId])).toEqual([
      ["openai", "responses", "responses-door"],
      ["openai", "responses", "responses-door"],
    ]);
    expect(records[1]?.miss).toBeUndefined();
    expect(records[1]?.reusedTokens).toBeGreaterThanOrEqual(records[0]?.promptTokens ?? Number.POSITIVE_INFINITY);
  });

  it("answers without streaming in the response object's shape", async () => {
    const response = await post(gateway.url, { model: "local", input: "hi", max_output_tokens: 40 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as StreamEvent["response"] & { object: string; id: string };
    expect(body.object).toBe("response");
    expect(body.id).toMatch(/^resp_/);
    expect(["completed", "incomplete"]).toContain(body.status);
    expect(body.output.at(-1)?.type).toBe("message");
    expect(body.usage?.input_tokens).toBeGreaterThan(0);
  });

  it("counts a request's input tokens exactly: what the same request then prefills", async () => {
    const body = {
      model: "local",
      instructions: "Count me.",
      input: [{ role: "user", content: "How many tokens is this?" }],
      tools: [{ type: "function", name: "exec_command", parameters: { type: "object", properties: {} } }],
    };
    const counted = await fetch(`${gateway.url}/v1/responses/input_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(counted.status).toBe(200);
    expect(counted.headers.get("x-switchyard-token-count")).toBe("exact");
    const count = (await counted.json()) as { object: string; input_tokens: number };
    expect(count.object).toBe("response.input_tokens");
    const answered = (await (await post(gateway.url, { ...body, max_output_tokens: 8 })).json()) as {
      usage: { input_tokens: number };
    };
    expect(count.input_tokens).toBe(answered.usage.input_tokens);
    const bad = await fetch(`${gateway.url}/v1/responses/input_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });

  it("answers a session whose history holds a call cut at the output limit (its arguments `{`)", async () => {
    const tools = [{ type: "function", name: "exec_command", parameters: { type: "object", properties: {} } }];
    const input = [
      { role: "user", content: "Run the tool" },
      { type: "function_call", call_id: "call_cut", name: "exec_command", arguments: "{" },
      { type: "function_call_output", call_id: "call_cut", output: "failed to parse function arguments" },
    ];
    const next = await post(gateway.url, { model: "local", input, tools, max_output_tokens: 8 });
    expect(next.status).toBe(200);
  });

  it("answers bad input, stored state and a context overflow with OpenAI-shaped errors", async () => {
    const bad = await post(gateway.url, { model: "local" });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: { type: string; message: string } };
    expect(badBody.error.type).toBe("invalid_request_error");
    expect(badBody.error.message).toMatch(/^input:/);
    const stored = await post(gateway.url, { model: "local", input: "hi", previous_response_id: "resp_1" });
    expect(stored.status).toBe(400);
    expect(((await stored.json()) as { error: { message: string } }).error.message).toMatch(/previous_response_id/);
    const huge = Array.from({ length: 40000 }, (_, index) => `w${index}`).join(" ");
    const overflow = await post(gateway.url, { model: "local", stream: true, input: huge });
    expect(overflow.status).toBe(400);
    // The code Codex compacts on.
    expect(((await overflow.json()) as { error: { code: string } }).error.code).toBe("context_length_exceeded");
    const wrongMethod = await fetch(`${gateway.url}/v1/responses`);
    expect(wrongMethod.status).toBe(404);
    expect(((await wrongMethod.json()) as { error: { type: string } }).error.type).toBe("not_found_error");
  });
});
