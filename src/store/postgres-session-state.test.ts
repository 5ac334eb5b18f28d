import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../../test/support/postgres-server.js";
import type { SessionRoutingState } from "../sessions/session-entry.js";
import { SessionTable } from "../sessions/session-table.js";
import { PostgresChanges } from "./postgres-changes.js";
import { migratePostgres } from "./postgres-migrations.js";
import { PostgresSessionState } from "./postgres-session-state.js";

const escalated: SessionRoutingState = {
  mode: "cloud",
  rule: "escalate-after-tool-errors",
  reason: "3 tool errors in a row",
  turnsInMode: 0,
  explicit: false,
  pendingFailure: undefined,
  decisions: 4,
};

describe("sessions' routing mode and placement shared by replicas", () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: await server.createDatabase("sessions") });
    pool.on("error", () => {});
    await migratePostgres(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  const settle = () => pool.query("SELECT 1");
  async function until(condition: () => Promise<boolean>) {
    while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  it("gives a session escalated and placed on one replica the same mode and placement on the other", async () => {
    const [tableA, tableB] = [new SessionTable(), new SessionTable()];
    const [a, b] = [new PostgresSessionState(pool, { cacheMs: 0 }), new PostgresSessionState(pool, { cacheMs: 0 })];
    await a.load("s1", tableA);
    const entry = tableA.session("s1");
    entry.routing = { ...escalated };
    entry.placement = "gpu-box-2";
    a.save("s1", tableA);
    await until(async () => (await pool.query("SELECT 1 FROM session_state WHERE session_id = 's1'")).rowCount === 1);
    await b.load("s1", tableB);
    expect(tableB.peek("s1")?.routing).toEqual(escalated);
    expect(tableB.peek("s1")?.placement).toBe("gpu-box-2");
    // Back on a: b de-escalates; a's next load takes the newer version.
    const onB = tableB.session("s1");
    onB.routing = { ...escalated, mode: "auto", rule: "de-escalate", decisions: 5 };
    b.save("s1", tableB);
    await until(async () => {
      const { rows } = await pool.query("SELECT version FROM session_state WHERE session_id = 's1'");
      return Number(rows[0]?.version) === 2;
    });
    await a.load("s1", tableA);
    expect(tableA.peek("s1")?.routing?.mode).toBe("auto");
    await settle();
  });

  /**
   * Session `id` read by b (its cache an hour long, hearing no announcement), then escalated and written
   * by a: b's copy is now older than the row.
   */
  async function writtenBehindB(id: string) {
    const [tableA, tableB] = [new SessionTable(), new SessionTable()];
    const a = new PostgresSessionState(pool, { cacheMs: 0 });
    const b = new PostgresSessionState(pool, { cacheMs: 3_600_000 });
    await b.load(id, tableB);
    await a.load(id, tableA);
    tableA.session(id).routing = { ...escalated };
    await a.save(id, tableA);
    return { b, tableB };
  }

  it("reads a session's row at most once per cache interval", async () => {
    const { b, tableB } = await writtenBehindB("s2");
    await b.load("s2", tableB);
    // Within its cache interval b keeps what it read: no query per request.
    expect(tableB.peek("s2")?.routing).toBeUndefined();
  });

  // A replica that has not heard another's write yet (NOTIFY comes some time after the commit; here its
  // cache is an hour long and nothing announces) decides on its old copy. Its write must not put that old
  // state back over the newer one: the write is refused, and its next load takes the row.
  it("never writes a copy older than the row over it: the stale write is refused and the row read again", async () => {
    const { b, tableB } = await writtenBehindB("s4");
    // b still has the session as it was before a's write, and places it.
    expect(tableB.peek("s4")?.routing).toBeUndefined();
    tableB.session("s4").placement = "gpu-box-1";
    await b.save("s4", tableB);
    const { rows } = await pool.query("SELECT state, version FROM session_state WHERE session_id = 's4'");
    expect(rows[0]?.state.routing?.mode).toBe("cloud");
    expect(Number(rows[0]?.version)).toBe(1);
    // Refused, b's copy is stale however long its cache: its next turn plans on a's state.
    await b.load("s4", tableB);
    expect(tableB.peek("s4")?.routing?.mode).toBe("cloud");
    // From there b's writes go through, each after its own last one.
    tableB.session("s4").placement = "gpu-box-1";
    const first = b.save("s4", tableB);
    tableB.session("s4").routing = { ...escalated, mode: "local", rule: "header", explicit: true };
    await Promise.all([first, b.save("s4", tableB)]);
    const after = await pool.query("SELECT state, version FROM session_state WHERE session_id = 's4'");
    expect(after.rows[0]?.state).toMatchObject({ placement: "gpu-box-1", routing: { mode: "local" } });
    expect(Number(after.rows[0]?.version)).toBe(3);
  });

  it("drops a session's copy the moment another replica announces a write, however long the cache", async () => {
    const url = await server.createDatabase("sessions-notified");
    const own = new pg.Pool({ connectionString: url });
    own.on("error", () => {});
    await migratePostgres(own);
    const [changesA, changesB] = [new PostgresChanges(url, () => {}), new PostgresChanges(url, () => {})];
    /** Resolves when `changes` has delivered a notification about session `id` (to every listener). */
    const heard = (changes: PostgresChanges, id: string) =>
      new Promise<void>((resolve) =>
        changes.subscribe({ changed: (payload) => payload.endsWith(`:${id}`) && resolve(), reset: () => {} }),
      );
    try {
      const [tableA, tableB] = [new SessionTable(), new SessionTable()];
      const a = new PostgresSessionState(own, { cacheMs: 3_600_000, changes: changesA });
      const b = new PostgresSessionState(own, { cacheMs: 3_600_000, changes: changesB });
      await Promise.all([changesA.ready(), changesB.ready()]);
      await a.load("s3", tableA);
      await b.load("s3", tableB);
      // b's copy is fresh for an hour; a's announced write makes b read the row at its next turn.
      // Every listener hears every write, its own replica's included: wait for a's own to reach a too.
      const [toB, backToA] = [heard(changesB, "s3"), heard(changesA, "s3")];
      tableA.session("s3").routing = { ...escalated };
      await a.save("s3", tableA);
      await Promise.all([toB, backToA]);
      await b.load("s3", tableB);
      expect(tableB.peek("s3")?.routing?.mode).toBe("cloud");
      // And the other way: b's write reaches a, whose copy was as fresh.
      const toA = heard(changesA, "s3");
      tableB.session("s3").routing = { ...escalated, mode: "local", rule: "header", explicit: true };
      await b.save("s3", tableB);
      await toA;
      await a.load("s3", tableA);
      expect(tableA.peek("s3")?.routing?.mode).toBe("local");
    } finally {
      await changesA.close();
      await changesB.close();
      await own.end();
    }
  });
});
