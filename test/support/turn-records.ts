import { setTimeout as delay } from "node:timers/promises";
import type { TurnRecord, TurnRecorder } from "../../src/telemetry/turn-record.js";

/** A complete local turn record for unit tests, with the fields a test cares about overridden. */
export function turnRecord(overrides: Partial<TurnRecord>): TurnRecord {
  return {
    id: overrides.id ?? Math.random().toString(36).slice(2),
    startedAt: "2026-12-01T10:00:00.000Z",
    protocol: "anthropic",
    endpoint: "messages",
    requestedModel: "sonnet",
    backend: "local",
    backendModel: "test",
    backendLocal: true,
    routeReason: "default",
    stream: true,
    sessionId: "s1",
    lane: "main",
    laneKind: "main",
    slot: 0,
    status: 200,
    ttftMs: 10,
    durationMs: 20,
    usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 90, cacheWriteTokens: 0 },
    promptTokens: 100,
    reusedTokens: 90,
    prefilledTokens: 10,
    outputTokens: 5,
    expectedReuse: undefined,
    prefillTokensPerSecond: undefined,
    decodeTokensPerSecond: undefined,
    miss: undefined,
    timings: undefined,
    stopReason: undefined,
    error: undefined,
    clientAborted: false,
    ...overrides,
  };
}

/** Waits until the recorder holds `count` turns (records are written just after the response ends). */
export async function waitForTurns(recorder: TurnRecorder, count: number): Promise<TurnRecord[]> {
  for (let polls = 0; polls < 400; polls++) {
    const turns = recorder.recent(100_000);
    if (turns.length >= count) return turns;
    await delay(25);
  }
  throw new Error(`expected ${count} turn records, have ${recorder.recent(100_000).length}`);
}
