import { describe, expect, it } from "vitest";
import { turnRecord } from "../../test/support/turn-records.js";
import { buildReport, formatReport, parseSince } from "./session-report.js";

describe("session report", () => {
  it("sums turns, tokens, reuse, cost and savings per session and in total", () => {
    const turns = [
      turnRecord({
        sessionId: "a",
        client: "Codex 0.171.0",
        cost: { referenceUsd: 0.5, energyUsd: 0.01, modelPriced: "claude-sonnet-5-5" },
      }),
      turnRecord({
        sessionId: "a",
        backendLocal: false,
        backend: "cloud",
        cost: { usd: 0.25, modelPriced: "claude-opus-4-6" },
      }),
      turnRecord({
        sessionId: "b",
        usage: { inputTokens: 100, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 3 },
        prefilledTokens: 100,
        reusedTokens: 0,
        cost: { referenceUsd: 0.1, modelPriced: "x" },
      }),
      turnRecord({ sessionId: "b", endpoint: "count_tokens" }),
      turnRecord({
        sessionId: "b",
        status: 502,
        error: { code: "backend_unreachable", message: "down" },
        usage: undefined,
        prefilledTokens: undefined,
        reusedTokens: undefined,
        outputTokens: undefined,
      }),
    ];
    const report = buildReport(turns);
    expect(report.sessions.map((row) => row.sessionId)).toEqual(["a", "b"]);
    const [a, b] = report.sessions;
    expect(a).toMatchObject({ localTurns: 1, cloudTurns: 1, prefilledTokens: 20, reusedTokens: 180, cloudUsd: 0.25 });
    expect(a?.reuse).toBeCloseTo(0.9, 10);
    expect(a?.savedUsd).toBeCloseTo(0.49, 10);
    expect(b).toMatchObject({ localTurns: 2, errors: 1, prefilledTokens: 100, reusedTokens: 0, reuse: 0 });
    // Reasoning as the backend counted it; a turn without the count adds none.
    expect([a?.reasoningTokens, b?.reasoningTokens, report.total.reasoningTokens]).toEqual([0, 3, 3]);
    expect(report.total).toMatchObject({
      localTurns: 3,
      cloudTurns: 1,
      errors: 1,
      prefilledTokens: 120,
      reusedTokens: 180,
    });
    expect(report.total.referenceUsd).toBeCloseTo(0.6, 10);
    const table = formatReport(report);
    expect(table.split("\n")).toHaveLength(6);
    expect(table).toMatch(/^total\s+3\s+1\s+120\s+180\s+15\s+3\s/m);
    // The agent of a session's latest turn that named one; none for the total, or a session without one.
    expect(report.sessions.map((row) => row.client)).toEqual(["Codex 0.171.0", ""]);
    expect(table).toMatch(/^a\s+Codex 0\.171\.0\s+1\s+1\s+20\s+180/m);
  });

  it("reads --since as a duration back from now or as an ISO time", () => {
    const now = Date.parse("2026-12-01T12:00:00.000Z");
    expect(parseSince("30m", now)).toBe("2026-12-01T11:30:00.000Z");
    expect(parseSince("2d", now)).toBe("2026-11-29T12:00:00.000Z");
    expect(parseSince("2026-11-30T08:00:00Z", now)).toBe("2026-11-30T08:00:00.000Z");
    expect(() => parseSince("yesterday-ish", now)).toThrow(/duration/);
  });
});
