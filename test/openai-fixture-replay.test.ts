import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accumulateOpenAIStream } from "../src/protocols/openai/openai-chunk-accumulator.js";
import { CURRENT_RECORDINGS, fixtureRequests, fixtureSessions, replayHeaders } from "./support/fixtures.js";
import { startTestGateway } from "./support/test-gateway.js";

const recordings = CURRENT_RECORDINGS.openai.flatMap((root) =>
  fixtureSessions(root).map((session) => ({ label: `${basename(root)}/${session}`, root, session })),
);

/**
 * Every recorded pi and opencode request, replayed through Switchyard's OpenAI door to the real
 * llama-server: each stream must fold back into one message with no framing problem, end with
 * `data: [DONE]`, give a finish reason and (both clients ask for it) usage.
 */
describe.each(recordings)("replaying $label through Switchyard", ({ label: sessionLabel, root, session }) => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("serves every request with a valid stream", async () => {
    const requests = fixtureRequests(session, root);
    expect(requests.every((request) => request.method === "POST")).toBe(true);
    for (const request of requests) {
      const label = `${sessionLabel}/${request.file}`;
      const response = await fetch(`${gateway.url}${request.url}`, {
        method: request.method,
        headers: replayHeaders(request),
        body: JSON.stringify(request.body),
      });
      expect(response.status, label).toBe(200);
      expect(response.headers.get("content-type"), label).toMatch(/^text\/event-stream/);
      const stream = accumulateOpenAIStream(await response.text());
      expect(stream.problems, label).toEqual([]);
      expect(stream.sawDone, label).toBe(true);
      expect(stream.error, label).toBeUndefined();
      expect(stream.finishReason, label).toBe("stop");
      expect(stream.usage?.prompt_tokens, label).toBeGreaterThan(100);
    }
  });
});
