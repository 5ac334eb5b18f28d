import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAnthropicStream } from "../src/protocols/anthropic/anthropic-sse-checker.js";
import {
  CURRENT_RECORDINGS,
  FIXTURE_ROOT,
  fixtureRequests,
  fixtureSessions,
  replayHeaders,
} from "./support/fixtures.js";
import { PROBE_STATUS } from "./support/probe-status.js";
import { startTestGateway } from "./support/test-gateway.js";

const recordings = [FIXTURE_ROOT, ...CURRENT_RECORDINGS.anthropic].flatMap((root) =>
  fixtureSessions(root).map((session) => ({ label: `${basename(root)}/${session}`, root, session })),
);

/**
 * Every recorded Claude Code request (2.1.197 and the version in devDependencies), replayed through
 * Switchyard to the real llama-server: each stream must be a strictly valid Anthropic SSE sequence, each
 * probe must get the status in probe-status.ts, and count_tokens must equal the prompt tokens llama-server
 * reports for the same request (prefilled + reused).
 */
describe.each(recordings)("replaying $label through Switchyard", ({ label: sessionLabel, root, session }) => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("serves every request with a valid stream and an exact token count", async () => {
    for (const request of fixtureRequests(session, root)) {
      const label = `${sessionLabel}/${request.file}`;
      if (request.method === "HEAD") {
        const probe = await fetch(`${gateway.url}${request.url}`, { method: "HEAD" });
        expect(probe.status, label).toBe(PROBE_STATUS[`HEAD ${request.url}`]?.switchyard);
        continue;
      }
      const response = await fetch(`${gateway.url}${request.url}`, {
        method: request.method,
        headers: replayHeaders(request),
        body: JSON.stringify(request.body),
      });
      expect(response.status, label).toBe(200);
      expect(response.headers.get("content-type"), label).toMatch(/^text\/event-stream/);
      const check = checkAnthropicStream(await response.text());
      expect(check.violations, label).toEqual([]);
      expect(check.message?.stop_reason, label).toBe("end_turn");

      const { max_tokens: _maxTokens, stream: _stream, ...countBody } = request.body ?? {};
      const counted = await fetch(`${gateway.url}/v1/messages/count_tokens?beta=true`, {
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
    }
  });
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
