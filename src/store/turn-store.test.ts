import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generatedTurns, SYNTHETIC_BASE, syntheticTurn as turn } from "../../test/support/synthetic-turns.js";
import {
  type OpenOptions,
  postgresHarness,
  sqliteHarness,
  type TurnStoreHarness,
} from "../../test/support/turn-store-harness.js";
import { summarizeSession, summarizeSessions } from "../telemetry/summarize-session.js";
import type { TurnRecord } from "../telemetry/turn-record.js";
import type { SessionSummary } from "../telemetry/turn-source.js";
import type { TurnStore } from "./turn-store.js";

const DAY = 86_400_000;
const BASE = SYNTHETIC_BASE;

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * The one suite every turn store passes: SQLite (a file per test) and PostgreSQL (a real server the
 * harness starts as an unprivileged user on a free port, a database per test). What differs between
 * them (how to look at the committed rows, the schema version, the planner) is in the harness.
 */
describe.each([sqliteHarness, postgresHarness()])("$name turn store", (harness: TurnStoreHarness) => {
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  const stores: TurnStore[] = [];
  async function open(location: string, options: OpenOptions = {}): Promise<TurnStore> {
    const store = await harness.open(location, options);
    stores.push(store);
    return store;
  }
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it("creates the schema at the latest version and opens it again without change", async () => {
    const location = await harness.fresh();
    await (await harness.open(location)).close();
    expect(await harness.schemaVersion(location)).toBe(harness.migrations);
    expect(await harness.indexes(location)).toEqual(
      expect.arrayContaining(["turns_by_time", "turns_by_session", "turns_missed"]),
    );
    const again = await open(location);
    expect(await harness.schemaVersion(location)).toBe(harness.migrations);
    again.add(turn(1));
    expect((await again.turns({})).map((record) => record.id)).toEqual(["turn-1"]);
  });

  it("refuses a database from a newer Switchyard instead of writing into it", async () => {
    const location = await harness.fresh();
    await harness.setSchemaVersion(location, harness.migrations + 1);
    await expect(open(location)).rejects.toThrow(/newer than this Switchyard/);
    expect(await harness.committedIds(location)).toEqual([]);
  });

  it("queues records and commits them in one batch after the flush interval, not on add", async () => {
    const location = await harness.fresh();
    const store = await open(location, { flushIntervalMs: 150 });
    for (let index = 0; index < 25; index++) store.add(turn(index));
    // Nothing is written synchronously on the request path.
    expect(await harness.committedIds(location)).toEqual([]);
    await until(async () => (await harness.committedIds(location)).length > 0);
    expect(await harness.committedIds(location)).toHaveLength(25);
  });

  it("commits a completed turn before commit resolves, in one group commit with the turns finishing with it", async () => {
    const location = await harness.fresh();
    const store = await open(location, { flushIntervalMs: 600_000 });
    // A failed turn's record, batched; then three turns completing at the same moment.
    store.add(turn(1));
    const commits = [store.commit(turn(2)), store.commit(turn(3)), store.commit(turn(4))];
    await commits[0];
    // The first commit's promise already covers the others (and the batched record before them).
    expect(await harness.committedIds(location)).toEqual(["turn-1", "turn-2", "turn-3", "turn-4"]);
    await Promise.all(commits);
    // A turn completing after that commit gets one of its own, as promptly.
    await store.commit(turn(5));
    expect(await harness.committedIds(location)).toHaveLength(5);
  });

  it("commits what is queued on close", async () => {
    const location = await harness.fresh();
    const store = await open(location, { flushIntervalMs: 60_000 });
    store.add(turn(1));
    store.add(turn(2));
    await store.close();
    expect(await harness.committedIds(location)).toEqual(["turn-1", "turn-2"]);
  });

  it("says a run of refused writes once, lets turns wait for the retry, and writes them once it can", async () => {
    const location = await harness.fresh();
    const said: string[] = [];
    // A minute between retries: within this test only the first refused commit tries to write.
    const store = await open(location, { flushIntervalMs: 60_000, onError: (message) => said.push(message) });
    await store.commit(turn(0));
    await harness.refuseWrites(location, true);
    for (let index = 1; index <= 50; index++) await store.commit(turn(index));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /^cannot write 1 turn\(s\) to .*writes refused; keeping up to 50000 in memory and trying again every 60 s/,
    );

    await harness.refuseWrites(location, false);
    await store.flush();
    expect(said).toHaveLength(2);
    expect(said[1]).toMatch(
      /^wrote the 50 turn\(s\) kept while .* could not be written \(\d+ s, 1 failed attempt\(s\)\)$/,
    );
    expect(await harness.committedIds(location)).toHaveLength(51);
  });

  it("keeps the whole record, including optional fields it has no column for, and sums cost", async () => {
    const store = await open(await harness.fresh());
    const record = {
      ...turn(5),
      routing: { rule: "escalate-after-tool-errors", target: "cloud" },
      cost: { usd: 0.0125 },
      // A NUL in the user's code (a miss's diff can carry it) must not make the batch unwritable.
      note: "a\u0000b",
      // An eval run's tag on that record: its session still sums, tag included.
      evalTag: { run: "run-nul", task: "t" },
    } as unknown as TurnRecord;
    store.add(record);
    const [read] = await store.turns({});
    expect(read).toEqual(record);
    expect((await store.session("session-5"))?.costUsd).toBeCloseTo(0.0125);
    // A local turn priced on the reference model, with its electricity: what it saved.
    const local = { ...turn(42), cost: { referenceUsd: 0.3, energyUsd: 0.01, modelPriced: "claude-sonnet-4-5" } };
    store.add(local as TurnRecord);
    const summary = await store.session("session-5");
    expect(summary?.savedUsd).toBeCloseTo(0.29);
    expect(summary).toEqual(summarizeSession("session-5", [record, local as TurnRecord]));
    expect(summary?.evalTag).toEqual({ run: "run-nul", task: "t" });
  });

  it("gives the same session totals in SQL as summarizeSessions on the same turns", async () => {
    // Mixed on purpose: count_tokens calls (not conversation turns), turns without a session, errors,
    // electricity without a reference price, records without cost, and two turns at the same instant.
    const turns = generatedTurns({ turns: 400, sessions: 9, cloudEvery: 5, missEvery: 7 }).map((record, index, all) => {
      const changed: TurnRecord = { ...record };
      if (index % 11 === 3) changed.endpoint = "count_tokens";
      if (index % 17 === 4) changed.sessionId = undefined;
      if (index % 19 === 5) changed.status = 529;
      if (index % 13 === 6) changed.cost = { energyUsd: 0.002, modelPriced: undefined };
      if (index % 23 === 7) changed.cost = undefined;
      if (index === 399) changed.startedAt = all[398]?.startedAt ?? record.startedAt;
      if (index % 3 === 1 && record.usage) changed.usage = { ...record.usage, reasoningTokens: index };
      // One eval session, every turn tagged (as the harness's agents send it), and a malformed tag from
      // another version in a session of its own, which no reader takes.
      if (record.sessionId === all[0]?.sessionId) changed.evalTag = { run: "run-a", task: "fizzbuzz" };
      if (record.sessionId === all[1]?.sessionId && index % 2 === 0)
        changed.evalTag = { run: 5 } as unknown as TurnRecord["evalTag"];
      // Clients: a session whose later turns come from a newer version (the latest named turn's name
      // wins), one whose latest turns name none (the last name stands), and a malformed name from another
      // version, which no reader takes.
      if (record.sessionId === all[2]?.sessionId) changed.client = index < 200 ? "Codex 0.171.0" : "Codex 0.172.0";
      if (record.sessionId === all[3]?.sessionId && index < 300) changed.client = "Claude Code 2.1.197";
      if (record.sessionId === all[4]?.sessionId && index % 2 === 0) changed.client = "bad\u0000name";
      return changed;
    });
    // The last session also ends with only a count_tokens call: its latest backend is the conversation's.
    const late = "2026-02-01T00:00:00.000Z";
    turns.push({
      ...turn(9_000),
      startedAt: late,
      sessionId: turns[390]?.sessionId,
      endpoint: "count_tokens",
      backend: "other",
      client: "Counter 1.0",
    });
    const store = await open(await harness.fresh());
    for (const record of turns) store.add(record);
    const rounded = (summaries: SessionSummary[]) =>
      summaries.map((summary) => ({
        ...summary,
        costUsd: Number(summary.costUsd?.toFixed(9)),
        savedUsd: Number(summary.savedUsd?.toFixed(9)),
      }));
    const byId = (summaries: SessionSummary[]) =>
      rounded(summaries).sort((a, b) => a.sessionId.localeCompare(b.sessionId));
    const expected = summarizeSessions(turns);
    expect(expected.some((summary) => summary.errors > 0 && (summary.costUsd ?? 0) > 0)).toBe(true);
    expect(expected.filter((summary) => summary.reasoningTokens > 0).length).toBeGreaterThan(1);
    expect(expected.filter((summary) => summary.evalTag)).toEqual([
      expect.objectContaining({ sessionId: turns[0]?.sessionId, evalTag: { run: "run-a", task: "fizzbuzz" } }),
    ]);
    expect(
      byId(expected)
        .filter((summary) => summary.client)
        .map((summary) => [summary.sessionId, summary.client]),
    ).toEqual(
      [
        [turns[2]?.sessionId, "Codex 0.172.0"],
        [turns[3]?.sessionId, "Claude Code 2.1.197"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(byId(await store.sessions({}))).toEqual(byId(expected));
    const since = turns[300]?.startedAt as string;
    const recent = summarizeSessions(turns.filter((record) => record.startedAt >= since));
    expect(byId(await store.sessions({ since }))).toEqual(byId(recent));
    for (const summary of expected) {
      expect(rounded([(await store.session(summary.sessionId)) as SessionSummary])).toEqual(rounded([summary]));
    }
    const onlyCounting = { ...turn(9_001), sessionId: "only-count-tokens", endpoint: "count_tokens" as const };
    store.add(onlyCounting);
    expect(await store.session("only-count-tokens")).toBeUndefined();
    expect(summarizeSession("only-count-tokens", [onlyCounting])).toBeUndefined();
  });

  it("deletes turns older than the retention at start", async () => {
    const location = await harness.fresh();
    const writer = await open(location);
    const now = Date.now();
    writer.add(turn(1, { id: "old", startedAt: new Date(now - 31 * DAY).toISOString() }));
    writer.add(turn(2, { id: "recent", startedAt: new Date(now - 29 * DAY).toISOString() }));
    await writer.close();
    expect(await harness.committedIds(location)).toEqual(["old", "recent"]);
    await open(location, { retentionDays: 30 });
    expect(await harness.committedIds(location)).toEqual(["recent"]);
  });

  it("keeps pruning while it runs", async () => {
    const location = await harness.fresh();
    const store = await open(location, { retentionDays: 30, pruneIntervalMs: 50 });
    store.add(turn(1, { id: "expired", startedAt: new Date(Date.now() - 31 * DAY).toISOString() }));
    store.add(turn(2, { id: "kept", startedAt: new Date().toISOString() }));
    await store.flush();
    // The timer may prune between the flush and this look (a look from another connection takes time).
    expect(await harness.committedIds(location)).toContain("kept");
    await until(async () => (await harness.committedIds(location)).length === 1);
    expect(await harness.committedIds(location)).toEqual(["kept"]);
  });

  it("prunes on demand by cutoff", async () => {
    const store = await open(await harness.fresh());
    for (let index = 0; index < 10; index++) store.add(turn(index));
    expect(await store.prune(new Date(BASE + 4000).toISOString())).toBe(4);
    expect((await store.turns({})).map((record) => record.id)).toEqual([
      "turn-4",
      "turn-5",
      "turn-6",
      "turn-7",
      "turn-8",
      "turn-9",
    ]);
  });

  describe("with 10,000 turns", () => {
    const COUNT = 10_000;
    const all = Array.from({ length: COUNT }, (_, index) => turn(index));
    let store: TurnStore;
    let location: string;
    afterAll(() => store?.close());

    it("stores them", async () => {
      location = await harness.fresh();
      store = await harness.open(location);
      for (const record of all) store.add(record);
      await store.flush();
      expect(await harness.committedIds(location)).toHaveLength(COUNT);
    });

    it("reads the newest `limit` turns oldest first, by session and since", async () => {
      expect((await store.turns({ limit: 3 })).map((record) => record.id)).toEqual([
        "turn-9997",
        "turn-9998",
        "turn-9999",
      ]);
      const session = all.filter((record) => record.sessionId === "session-7");
      expect(await store.turns({ sessionId: "session-7", limit: 100_000 })).toEqual(session);
      const since = all[9990]?.startedAt;
      expect((await store.turns({ sessionId: "session-7", since })).map((record) => record.id)).toEqual(
        session.filter((record) => record.startedAt >= (since as string)).map((record) => record.id),
      );
      expect(await store.turns({ limit: 0 })).toEqual([]);
      expect(await store.turns({})).toHaveLength(1000);
      expect(await store.turns({ limit: Number.POSITIVE_INFINITY })).toHaveLength(COUNT);
    });

    it("summarises sessions with the same totals as the turns give, newest first", async () => {
      const sessions = await store.sessions({ limit: 5 });
      expect(sessions).toHaveLength(5);
      // The newest turns belong to sessions 9999 % 37 = 9, then 8, 7, …
      expect(sessions.map((summary) => summary.sessionId)).toEqual([
        "session-9",
        "session-8",
        "session-7",
        "session-6",
        "session-5",
      ]);
      for (const summary of sessions) {
        const turns = all.filter((record) => record.sessionId === summary.sessionId);
        expect(summary).toEqual(summarizeSession(summary.sessionId, turns));
        expect(await store.session(summary.sessionId)).toEqual(summary);
      }
      expect(await store.sessions({})).toHaveLength(37);
      const since = all[COUNT - 10]?.startedAt;
      expect((await store.sessions({ since })).map((summary) => summary.sessionId).sort()).toEqual(
        [...new Set(all.slice(-10).map((record) => record.sessionId))].sort(),
      );
      expect(await store.session("no-such-session")).toBeUndefined();
    });

    it("finds misses by reason and counts them", async () => {
      const misses = all.filter((record) => record.miss);
      const counts = await store.missCounts({});
      const expected = new Map<string, number>();
      for (const record of misses) expected.set(record.miss!.reason, (expected.get(record.miss!.reason) ?? 0) + 1);
      expect(new Map(counts.map((count) => [count.reason, count.turns]))).toEqual(expected);
      const slotMisses = await store.misses({ reason: "slot-reassigned", limit: 100_000 });
      expect(slotMisses).toEqual(misses.filter((record) => record.miss?.reason === "slot-reassigned"));
      expect((await store.misses({ limit: 2 })).map((record) => record.id)).toEqual(
        misses.slice(-2).map((record) => record.id),
      );
    });

    it("answers with indexes, not table scans", async () => {
      expect(await harness.plan(location, "session")).toMatch(/turns_by_session/);
      expect(await harness.plan(location, "time")).toMatch(/turns_by_time/);
      expect(await harness.plan(location, "missed")).toMatch(/turns_missed/);
    });
  });
});
