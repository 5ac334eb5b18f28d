import { describe, expect, it } from "vitest";
import { generatedTurns } from "../../test/support/synthetic-turns.js";
import { MemoryTurnSource } from "./memory-turn-source.js";
import { TurnRecorder } from "./turn-record.js";

function sourceWith(count: number, sessions: number) {
  const recorder = new TurnRecorder(100_000);
  const turns = generatedTurns({ turns: count, sessions, cloudEvery: 5, missEvery: 7 });
  for (const turn of turns) recorder.add(turn);
  return { source: new MemoryTurnSource(recorder), turns };
}

describe("MemoryTurnSource", () => {
  it("returns one session's newest turns, oldest first, and honours since", async () => {
    const { source, turns } = sourceWith(300, 3);
    const mine = turns.filter((turn) => turn.sessionId === "session-0001");
    const latest = await source.turns({ sessionId: "session-0001", limit: 10 });
    expect(latest.map((turn) => turn.id)).toEqual(mine.slice(-10).map((turn) => turn.id));
    const since = turns[250]?.startedAt as string;
    const recent = await source.turns({ since });
    expect(recent.map((turn) => turn.id)).toEqual(turns.slice(250).map((turn) => turn.id));
    expect(await source.turns({ limit: 0 })).toEqual([]);
  });

  it("summarizes sessions newest first with sums that match the records", async () => {
    const { source, turns } = sourceWith(1000, 40);
    const sessions = await source.sessions({});
    expect(sessions).toHaveLength(40);
    expect(sessions[0]?.sessionId).toBe(turns.at(-1)?.sessionId);
    for (const summary of sessions) {
      const mine = turns.filter((turn) => turn.sessionId === summary.sessionId);
      const sum = (pick: (turn: (typeof mine)[number]) => number) =>
        mine.reduce((total, turn) => total + pick(turn), 0);
      expect(summary.turns).toBe(mine.length);
      expect(summary.localTurns + summary.cloudTurns).toBe(mine.length);
      expect(summary.cloudTurns).toBe(mine.filter((turn) => turn.backendLocal === false).length);
      expect(summary.reusedTokens).toBe(sum((turn) => turn.reusedTokens ?? 0));
      expect(summary.prefilledTokens).toBe(sum((turn) => turn.prefilledTokens ?? 0));
      expect(summary.misses).toBe(mine.filter((turn) => turn.miss).length);
      const cost = (turn: unknown) =>
        (turn as { cost: { usd?: number; referenceUsd?: number; energyUsd?: number } }).cost;
      expect(summary.costUsd).toBeCloseTo(
        sum((turn) => cost(turn).usd ?? 0),
        9,
      );
      const saved = (turn: unknown) =>
        cost(turn).referenceUsd === undefined ? 0 : (cost(turn).referenceUsd ?? 0) - (cost(turn).energyUsd ?? 0);
      expect(summary.savedUsd).toBeCloseTo(sum(saved), 9);
      expect(summary.firstAt).toBe(mine[0]?.startedAt);
      expect(summary.lastAt).toBe(mine.at(-1)?.startedAt);
    }
    expect(sessions.filter((summary) => (summary.savedUsd ?? 0) > 0).length).toBeGreaterThan(0);
    expect(sessions.filter((summary) => (summary.costUsd ?? 0) > 0).length).toBeGreaterThan(0);
    expect(await source.sessions({ limit: 5 })).toEqual(sessions.slice(0, 5));
  });

  it("counts no cost and no saving when no turn carries cost, as the store does", async () => {
    const recorder = new TurnRecorder(100);
    for (const turn of generatedTurns({ turns: 10, sessions: 2 })) {
      const { cost: _cost, ...withoutCost } = turn as typeof turn & { cost?: unknown };
      recorder.add(withoutCost);
    }
    const sessions = await new MemoryTurnSource(recorder).sessions({});
    expect(sessions.map((session) => [session.costUsd, session.savedUsd])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});
