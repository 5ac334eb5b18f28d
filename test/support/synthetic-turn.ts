import type { TurnRecord } from "../../src/telemetry/turn-record.js";

export const SYNTHETIC_BASE = Date.parse("2026-11-01T00:00:00.000Z");

/**
 * A turn record of the gateway's shape for store tests and the store benchmark: `index` makes each
 * unique and orders them in time; sessions, lanes, backends, errors and misses recur with fixed periods.
 */
export function syntheticTurn(index: number, overrides: Partial<TurnRecord> = {}): TurnRecord {
  const local = index % 5 !== 0;
  return {
    id: `turn-${index}`,
    startedAt: new Date(SYNTHETIC_BASE + index * 1000).toISOString(),
    protocol: "anthropic",
    endpoint: "messages",
    requestedModel: "claude-sonnet-4-5",
    backend: local ? "local" : "cloud",
    backendModel: local ? "qwen" : "claude-sonnet-4-5",
    backendLocal: local,
    routeReason: "default",
    stream: true,
    sessionId: `session-${index % 37}`,
    lane: index % 3 === 0 ? "side" : "main",
    laneKind: index % 3 === 0 ? "side" : "main",
    slot: index % 4,
    status: index % 97 === 0 ? 502 : 200,
    ttftMs: 100 + (index % 50),
    durationMs: 900 + index,
    usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: index, cacheWriteTokens: 0 },
    promptTokens: 10 + index,
    reusedTokens: index,
    prefilledTokens: 10,
    outputTokens: 5,
    expectedReuse: index,
    prefillTokensPerSecond: 500,
    decodeTokensPerSecond: 20,
    miss:
      index % 11 === 0
        ? { reason: index % 2 ? "slot-reassigned" : "prompt-changed", explanation: `miss ${index}` }
        : undefined,
    timings: undefined,
    stopReason: { unified: "end_turn", raw: "stop" },
    error: undefined,
    clientAborted: false,
    ...overrides,
  };
}
