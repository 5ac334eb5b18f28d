import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAnthropicStream } from "../src/protocols/anthropic/anthropic-sse-checker.js";
import { fixtureRequests, fixtureSessions, replayHeaders } from "./support/fixtures.js";
import { startTestGateway } from "./support/test-gateway.js";

/**
 * Every recorded Claude Code request, replayed through Switchyard to the real llama-server: each stream
 * must be a strictly valid Anthropic SSE sequence, and count_tokens must equal the prompt tokens
 * llama-server reports for the same request (prefilled + reused).
 */
describe.each(fixtureSessions())("replaying %s through Switchyard", (session) => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("serves every request with a valid stream and an exact token count", async () => {
    for (const request of fixtureRequests(session)) {
      const label = `${session}/${request.file}`;
      if (request.method === "HEAD") {
        const probe = await fetch(`${gateway.url}${request.url}`, { method: "HEAD" });
        expect(probe.status, label).toBe(200);
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
