import { describe, expect, it } from "vitest";
import { syntheticTurn } from "../../test/support/synthetic-turns.js";
import type { SessionStatus } from "../gateway/session-summary-route.js";
import { summarizeSession } from "../telemetry/summarize-session.js";
import { formatStatusLine, parseStatusInput } from "./status-line.js";

const status = (session: Partial<NonNullable<SessionStatus["session"]>>, ttftMs = 250): SessionStatus => ({
  session: { ...(summarizeSession("s", [syntheticTurn(1)]) as NonNullable<SessionStatus["session"]>), ...session },
  lastTurn: {
    startedAt: "",
    backend: "local",
    backendModel: "qwen3.6",
    backendLocal: true,
    requestedModel: "claude-sonnet-4-5",
    status: 200,
    ttftMs,
    promptTokens: 1000,
    reusedTokens: 975,
    prefilledTokens: 25,
    outputTokens: 10,
    missReason: null,
  },
});

describe("formatStatusLine", () => {
  it("prefers the records' own saving over Claude Code's estimate", () => {
    const input = parseStatusInput(JSON.stringify({ session_id: "s", cost: { total_cost_usd: 9 } }));
    expect(formatStatusLine(input, status({ costUsd: 0.1, savedUsd: 1.5 }))).toBe(
      "⇄ local · qwen3.6 · TTFT 0.25s · reuse 98% · $0.10 spent, ~$1.50 saved",
    );
  });

  it("falls back to Claude Code's estimate less what the clouds were paid, and whole seconds for long waits", () => {
    const input = parseStatusInput(JSON.stringify({ session_id: "s", cost: { total_cost_usd: 2 } }));
    expect(formatStatusLine(input, status({ costUsd: 0.5 }, 12_400))).toBe(
      "⇄ local · qwen3.6 · TTFT 12s · reuse 98% · $0.50 spent, ~$1.50 saved",
    );
    expect(formatStatusLine(parseStatusInput("{}"), status({ costUsd: 0 }))).toMatch(/ · \$0\.00 spent$/);
  });
});
