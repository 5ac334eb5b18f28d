import { describe, expect, it } from "vitest";
import { checkAnthropicStream } from "./support/anthropic-sse-checker.js";
import {
  CURRENT_RECORDINGS,
  FIXTURE_ROOT,
  fixtureRequests,
  fixtureSessions,
  replayHeaders,
  replayRequest,
} from "./support/fixtures.js";
import { PROBE_STATUS } from "./support/probe-status.js";
import { describeSessionReplays } from "./support/session-replays.js";

/**
 * Every recorded Claude Code request (2.1.197 and the version in devDependencies), replayed through
 * Switchyard to the real llama-server: each stream must be a strictly valid Anthropic SSE sequence, each
 * probe must get the status in probe-status.ts, and count_tokens must equal the prompt tokens llama-server
 * reports for the same request (prefilled + reused).
 */
describeSessionReplays([FIXTURE_ROOT, ...CURRENT_RECORDINGS.anthropic], async (gatewayUrl, request, label) => {
  const response = await replayRequest(gatewayUrl, request);
  if (request.body === null) {
    expect(response.status, label).toBe(PROBE_STATUS[`${request.method} ${request.url}`]?.switchyard);
    return;
  }
  expect(response.status, label).toBe(200);
  expect(response.headers.get("content-type"), label).toMatch(/^text\/event-stream/);
  const check = checkAnthropicStream(await response.text());
  expect(check.violations, label).toEqual([]);
  expect(check.message?.stop_reason, label).toBe("end_turn");

  const { max_tokens: _maxTokens, stream: _stream, ...countBody } = request.body;
  const counted = await fetch(`${gatewayUrl}/v1/messages/count_tokens?beta=true`, {
    method: "POST",
    headers: replayHeaders(request),
    body: JSON.stringify(countBody),
  });
  expect(counted.status, label).toBe(200);
  expect(counted.headers.get("x-switchyard-token-count"), label).toBe("exact");
  const { input_tokens: countedTokens } = (await counted.json()) as { input_tokens: number };
  const usage = check.message?.usage;
  expect(usage, label).toBeDefined();
  expect(countedTokens, label).toBe(
    (usage?.input_tokens ?? Number.NaN) + (usage?.cache_read_input_tokens ?? Number.NaN),
  );
  expect(countedTokens, label).toBeGreaterThan(100);
});

describe("the probes of today's Claude Code", () => {
  it("are each answered with the real API's status", () => {
    const probes = CURRENT_RECORDINGS.anthropic.flatMap((root) =>
      fixtureSessions(root).flatMap((session) =>
        fixtureRequests(session, root)
          .filter((request) => request.body === null)
          .map((request) => `${request.method} ${request.url}`),
      ),
    );
    expect(probes.length).toBeGreaterThan(0);
    for (const probe of new Set(probes)) {
      expect(PROBE_STATUS[probe], probe).toBeDefined();
      expect(PROBE_STATUS[probe]?.switchyard, probe).toBe(PROBE_STATUS[probe]?.realApi);
    }
  });
});
