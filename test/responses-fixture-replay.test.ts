import { expect } from "vitest";
import { CURRENT_RECORDINGS, replayRequest } from "./support/fixtures.js";
import { checkResponsesStream } from "./support/responses-sse-checker.js";
import { describeSessionReplays } from "./support/session-replays.js";

/**
 * Every recorded Codex request, replayed through Switchyard's Responses door to the real llama-server:
 * among them a resumed session, reasoning sent back, and a command that failed. Each stream must pass the
 * strict checker and complete with usage.
 */
describeSessionReplays(CURRENT_RECORDINGS.responses, async (gatewayUrl, request, label) => {
  expect(`${request.method} ${request.url}`, label).toBe("POST /v1/responses");
  const response = await replayRequest(gatewayUrl, request);
  expect(response.status, label).toBe(200);
  expect(response.headers.get("content-type"), label).toMatch(/^text\/event-stream/);
  const stream = checkResponsesStream(await response.text());
  expect(stream.violations, label).toEqual([]);
  expect(stream.ending, label).toBe("response.completed");
  const usage = stream.response?.usage as { input_tokens: number } | undefined;
  expect(usage?.input_tokens, label).toBeGreaterThan(100);
});
