import { expect } from "vitest";
import { CURRENT_RECORDINGS, replayRequest } from "./support/fixtures.js";
import { accumulateOpenAIStream } from "./support/openai-chunk-accumulator.js";
import { describeSessionReplays } from "./support/session-replays.js";

/**
 * Every recorded pi, opencode and Goose request, replayed through Switchyard's OpenAI door to the real
 * llama-server: each stream must fold back into one message with no framing problem, end with
 * `data: [DONE]`, give a finish reason and (all ask for it) usage. Goose 1.52 lists the models first:
 * that gets OpenAI's list.
 */
describeSessionReplays(CURRENT_RECORDINGS.openai, async (gatewayUrl, request, label) => {
  if (request.method === "GET") {
    expect(request.url, label).toBe("/v1/models");
    const listed = await replayRequest(gatewayUrl, request);
    expect(listed.status, label).toBe(200);
    const list = (await listed.json()) as { object: string; data: Array<{ id: string; object: string }> };
    expect(list.object, label).toBe("list");
    expect(list.data.length, label).toBeGreaterThan(0);
    expect(
      list.data.every((model) => model.object === "model" && model.id),
      label,
    ).toBe(true);
    return;
  }
  expect(request.method, label).toBe("POST");
  const response = await replayRequest(gatewayUrl, request);
  expect(response.status, label).toBe(200);
  expect(response.headers.get("content-type"), label).toMatch(/^text\/event-stream/);
  const stream = accumulateOpenAIStream(await response.text());
  expect(stream.problems, label).toEqual([]);
  expect(stream.sawDone, label).toBe(true);
  expect(stream.error, label).toBeUndefined();
  expect(stream.finishReason, label).toBe("stop");
  expect(stream.usage?.prompt_tokens, label).toBeGreaterThan(100);
});
