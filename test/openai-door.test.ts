import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accumulateOpenAIStream } from "./support/openai-chunk-accumulator.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

const notes = Array.from({ length: 300 }, (_, index) => `rule ${index}: keep it short.`).join("\n");

describe("the OpenAI Chat Completions door on the real llama-server", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("streams chunks with reasoning, content, a finish reason and cached tokens in the usage", async () => {
    const messages = [
      { role: "developer", content: notes },
      { role: "user", content: "hi" },
    ];
    const body = {
      model: "local",
      stream: true,
      stream_options: { include_usage: true },
      reasoning_effort: "low",
      messages,
    };
    const first = accumulateOpenAIStream(
      await (await post(gateway.url, body, { "x-session-id": "openai-door" })).text(),
    );
    expect(first.problems).toEqual([]);
    expect(first.sawDone).toBe(true);
    expect(first.reasoningContent.length).toBeGreaterThan(0);
    expect(first.content.length).toBeGreaterThan(0);
    expect(first.finishReason).toBe("stop");
    const secondBody = {
      ...body,
      messages: [...messages, { role: "assistant", content: first.content }, { role: "user", content: "again" }],
    };
    const second = accumulateOpenAIStream(
      await (await post(gateway.url, secondBody, { "x-session-id": "openai-door" })).text(),
    );
    const usage = second.usage as {
      prompt_tokens: number;
      prompt_tokens_details: { cached_tokens: number };
      completion_tokens: number;
      completion_tokens_details: { reasoning_tokens: number };
    };
    expect(usage.prompt_tokens_details.cached_tokens).toBeGreaterThan(usage.prompt_tokens / 2);
    // The test model's reasoning is seven tokens ("Nothing to reason about; answering now", its chain in
    // src/test-model/chain-plan.ts); `</think>` and the blank line after it are the answer's.
    expect(second.reasoningContent).toBe("Nothing to reason about; answering now");
    expect(usage.completion_tokens_details.reasoning_tokens).toBe(7);
    expect(usage.completion_tokens).toBeGreaterThan(7);
    const record = (await waitForTurns(gateway.recorder, 2)).at(-1);
    expect(record?.protocol).toBe("openai");
    expect(record?.sessionId).toBe("openai-door");
    expect(record?.miss).toBeUndefined();
  });

  it("answers without streaming in chat.completion shape", async () => {
    const response = await post(gateway.url, { model: "local", messages: [{ role: "user", content: "hi" }] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      object: string;
      choices: Array<{ message: { role: string; content: string }; finish_reason: string }>;
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]?.message.role).toBe("assistant");
    expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("answers a session whose history holds a call cut at the output limit (its arguments `{`)", async () => {
    const messages = [
      { role: "user", content: "Run the tool" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_cut", type: "function", function: { name: "exec_command", arguments: "{" } }],
      },
      { role: "tool", tool_call_id: "call_cut", content: "failed to parse function arguments" },
    ];
    const tools = [{ type: "function", function: { name: "exec_command", parameters: { type: "object" } } }];
    const response = await post(gateway.url, { model: "local", max_tokens: 8, messages, tools });
    expect(response.status).toBe(200);
  });

  it("answers bad input and a context overflow with OpenAI-shaped errors", async () => {
    const bad = await post(gateway.url, { model: "local", messages: [] });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: { type: string; message: string } };
    expect(badBody.error.type).toBe("invalid_request_error");
    expect(badBody.error.message).toMatch(/messages/);
    const huge = Array.from({ length: 40000 }, (_, index) => `w${index}`).join(" ");
    const overflow = await post(gateway.url, { model: "local", messages: [{ role: "user", content: huge }] });
    expect(overflow.status).toBe(400);
    expect(((await overflow.json()) as { error: { code: string } }).error.code).toBe("context_length_exceeded");
  });
});
