import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../../test/support/postgres-server.js";
import { migratePostgres, POSTGRES_MIGRATIONS } from "./postgres-migrations.js";

describe("migratePostgres, on a real PostgreSQL server", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  const withPool = async <T>(work: (pool: pg.Pool) => Promise<T>): Promise<T> => {
    const pool = new pg.Pool({ connectionString: await server.createDatabase("migrate"), max: 4 });
    // A connection still closing when the server stops reports "terminating connection": not this test's concern.
    pool.on("error", () => {});
    try {
      return await work(pool);
    } finally {
      await pool.end();
    }
  };
  const tables = async (pool: pg.Pool) =>
    (
      await pool.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename != 'switchyard_schema' ORDER BY tablename",
      )
    ).rows.map((row) => row.tablename);
  const version = async (pool: pg.Pool) =>
    (await pool.query<{ version: number }>("SELECT version FROM switchyard_schema")).rows[0]?.version;

  it("applies only the steps a database has not seen, each with its version bump", () =>
    withPool(async (pool) => {
      expect(await migratePostgres(pool, ["CREATE TABLE a (x int)"])).toBe(0);
      expect(await migratePostgres(pool, ["CREATE TABLE a (x int)", "CREATE TABLE b (y int)"])).toBe(1);
      expect(await version(pool)).toBe(2);
      expect(await tables(pool)).toEqual(["a", "b"]);
      expect(await migratePostgres(pool, ["CREATE TABLE a (x int)", "CREATE TABLE b (y int)"])).toBe(2);
    }));

  it("leaves a failed step undone: neither its tables nor its version", () =>
    withPool(async (pool) => {
      await expect(
        migratePostgres(pool, ["CREATE TABLE a (x int)", "CREATE TABLE b (y int); CREATE TABLE a (z int)"]),
      ).rejects.toThrow(/already exists/);
      expect(await version(pool)).toBe(1);
      expect(await tables(pool)).toEqual(["a"]);
      expect(await migratePostgres(pool, ["CREATE TABLE a (x int)", "CREATE TABLE b (y int)"])).toBe(1);
      expect(await tables(pool)).toEqual(["a", "b"]);
    }));

  it("lets gateways that start together migrate once between them", () =>
    withPool(async (pool) => {
      // Not idempotent on purpose: a step applied twice would fail with "already exists".
      const steps = ["CREATE TABLE a (x int)", "CREATE TABLE b (y int)", "CREATE TABLE c (z int)"];
      const befores = await Promise.all([migratePostgres(pool, steps), migratePostgres(pool, steps)]);
      expect(befores).toContain(0);
      expect(await version(pool)).toBe(3);
      expect(await tables(pool)).toEqual(["a", "b", "c"]);
    }));

  it("fills in the reasoning tokens of the turns stored before the column was", () =>
    withPool(async (pool) => {
      await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, -1));
      const insert = `INSERT INTO turns (id, started_at, backend, protocol, endpoint, status, duration_ms, record)
        VALUES ($1, now(), 'local', 'anthropic', 'messages', 200, 1, $2)`;
      await pool.query(insert, ["a", JSON.stringify({ usage: { outputTokens: 9, reasoningTokens: 7 } })]);
      await pool.query(insert, ["b", JSON.stringify({ usage: { outputTokens: 9 } })]);
      // A record the json operators cannot read (\u0000 in a miss's excerpt): no count, and no failed migration.
      await pool.query(insert, ["c", JSON.stringify({ usage: { reasoningTokens: 5 }, note: "bad\u0000text" })]);
      await pool.query(insert, ["d", JSON.stringify({ note: "bad\u0000text" })]);
      await migratePostgres(pool);
      const rows = await pool.query<{ id: string; reasoning_tokens: string | null }>(
        "SELECT id, reasoning_tokens FROM turns ORDER BY id",
      );
      expect(rows.rows).toEqual([
        { id: "a", reasoning_tokens: "7" },
        { id: "b", reasoning_tokens: null },
        { id: "c", reasoning_tokens: null },
        { id: "d", reasoning_tokens: null },
      ]);
    }));
});
