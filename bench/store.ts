// npm run bench:store — the SQLite turn store with 10,000 and 100,000 turns: what a flush of a batch
// costs, and how long the dashboard's and status line's reads take. Synthetic records of the real shape.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteTurnStore } from "../src/store/sqlite-turn-store.js";
import { syntheticTurn } from "../test/support/synthetic-turns.js";
import { median, printTable, writeResults } from "./bench-support.js";

const SIZES = [10_000, 100_000];
const TURNS_PER_SESSION = 200;
const RUNS = 20;

async function timed(action: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    await action();
    times.push(performance.now() - start);
  }
  return median(times);
}

const results: Array<Record<string, number | string>> = [];
for (const size of SIZES) {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-bench-store-"));
  const store = new SqliteTurnStore({ path: join(directory, "turns.db"), retentionDays: 0 });
  const turn = (index: number) =>
    syntheticTurn(index, { sessionId: `session-${Math.floor(index / TURNS_PER_SESSION)}` });
  // Fill in batches of the size a busy gateway flushes (a few turns per 200 ms), timing each flush.
  const flushes: number[] = [];
  for (let index = 0; index < size; index += 10) {
    for (let offset = 0; offset < 10; offset++) store.add(turn(index + offset));
    const start = performance.now();
    await store.flush();
    flushes.push(performance.now() - start);
  }
  const lastSession = `session-${Math.floor((size - 1) / TURNS_PER_SESSION)}`;
  const hourAgo = turn(size - 3600).startedAt;
  const row = {
    turns: String(size),
    "flush of 10 (ms)": median(flushes),
    "latest 200 (ms)": await timed(() => store.turns({ limit: 200 })),
    "session's 200 (ms)": await timed(() => store.turns({ sessionId: "session-3", limit: 200 })),
    "50 sessions (ms)": await timed(() => store.sessions({ limit: 50 })),
    "sessions, last hour (ms)": await timed(() => store.sessions({ since: hourAgo })),
    "one session (ms)": await timed(() => store.session(lastSession)),
    "miss counts (ms)": await timed(() => store.missCounts({})),
  };
  results.push(row);
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
printTable(
  Object.keys(results[0] ?? {}),
  results.map((row) => Object.values(row)),
);
writeResults("store", { runs: RUNS, turnsPerSession: TURNS_PER_SESSION, results });
