import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CURRENT_RECORDINGS, fixtureRequests, recordingsOf, replayRequest } from "./support/fixtures.js";
import { checkResponsesStream } from "./support/responses-sse-checker.js";
import { describeSessionReplays } from "./support/session-replays.js";
import { startTestGateway } from "./support/test-gateway.js";
import { waitForTurns } from "./support/turn-records.js";

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

/**
 * Codex's sub-agent (multi_agent_v1's spawn_agent) names the root thread's session in `session-id` and its
 * own thread in `thread-id`: its turns are a subagent lane of the session, on a slot of their own, so the
 * root's next turn finds its prompt where it left it.
 */
describe("replaying Codex's agent-session through Switchyard", () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("keeps the sub-agent in a lane of its own, and the root's prompt in its slot", async () => {
    const root = recordingsOf("codex");
    const requests = fixtureRequests("agent-session", root);
    for (const request of requests) {
      const response = await replayRequest(gateway.url, request);
      expect(checkResponsesStream(await response.text()).violations, request.file).toEqual([]);
    }
    const turns = await waitForTurns(gateway.recorder, requests.length);
    const session = requests[0]?.headers["session-id"];
    const subagent = requests.find((request) => request.headers["thread-id"] !== session)?.headers["thread-id"];
    expect(turns.map((turn) => [turn.sessionId, turn.lane])).toEqual([
      [session, "main"],
      [session, "main"],
      [session, `subagent:${subagent}`],
      [session, `subagent:${subagent}`],
      [session, "main"],
      [session, "main"],
    ]);
    expect(new Set(turns.map((turn) => turn.slot)).size).toBe(2);
    expect(turns.map((turn) => turn.miss?.reason)).toEqual(turns.map(() => undefined));
  });
});
