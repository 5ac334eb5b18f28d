// npm run bench:turn-commit — what the end of a stream waits for since a completed turn is committed
// before its answer's last event (docs/design/store.md): the group commit of each store, for one turn
// alone, for turns finishing at the same moment, and under a steady stream of turns from many clients.
// SQLite on a temporary file; PostgreSQL on a real server started here (test/support/postgres-server.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostgresTurnStore } from "../src/store/postgres-turn-store.js";
import { SqliteTurnStore } from "../src/store/sqlite-turn-store.js";
import type { TurnStore } from "../src/store/turn-store.js";
import { startPostgres } from "../test/support/postgres-server.js";
import { syntheticTurn } from "../test/support/synthetic-turns.js";
import { median, percentile, printTable, writeResults } from "./bench-support.js";

const RUNS = 200;
/** Clients streaming at once, each committing its turns one after another, for the throughput row. */
const CLIENTS = 50;
const TURNS_PER_CLIENT = 40;

let next = 0;
const turn = () => syntheticTurn(next++, { sessionId: `session-${next % 97}` });

/** Time until every one of `count` turns finishing in the same tick is committed (ms), median of RUNS. */
async function together(store: TurnStore, count: number): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const turns = Array.from({ length: count }, turn);
    const start = performance.now();
    await Promise.all(turns.map((each) => store.commit(each)));
    times.push(performance.now() - start);
  }
  return median(times);
}

/** CLIENTS clients, each committing TURNS_PER_CLIENT turns back to back: turns/s and each turn's wait. */
async function steady(store: TurnStore): Promise<{ perSecond: number; p50: number; p99: number }> {
  const waits: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let index = 0; index < TURNS_PER_CLIENT; index++) {
        const record = turn();
        const began = performance.now();
        await store.commit(record);
        waits.push(performance.now() - began);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: waits.length / seconds, p50: percentile(waits, 0.5), p99: percentile(waits, 0.99) };
}

async function measure(name: string, store: TurnStore): Promise<Record<string, number | string>> {
  await together(store, 1); // warm: prepared statements, pool connections
  const one = await together(store, 1);
  const ten = await together(store, 10);
  const hundred = await together(store, 100);
  const load = await steady(store);
  await store.close();
  return {
    store: name,
    "1 turn (ms)": one,
    "10 at once (ms)": ten,
    "100 at once (ms)": hundred,
    [`${CLIENTS} clients: turns/s`]: Math.round(load.perSecond),
    "wait p50 (ms)": load.p50,
    "wait p99 (ms)": load.p99,
  };
}

const results: Array<Record<string, number | string>> = [];
const directory = mkdtempSync(join(tmpdir(), "switchyard-bench-commit-"));
try {
  results.push(await measure("SQLite", new SqliteTurnStore({ path: join(directory, "turns.db"), retentionDays: 0 })));
} finally {
  rmSync(directory, { recursive: true, force: true });
}
const postgres = await startPostgres();
try {
  const url = await postgres.createDatabase("bench");
  results.push(await measure("PostgreSQL (loopback)", await PostgresTurnStore.open({ url, retentionDays: 0 })));
} finally {
  await postgres.stop();
}
printTable(
  Object.keys(results[0] ?? {}),
  results.map((row) => Object.values(row)),
);
writeResults("turn-commit", { runs: RUNS, clients: CLIENTS, turnsPerClient: TURNS_PER_CLIENT, results });
