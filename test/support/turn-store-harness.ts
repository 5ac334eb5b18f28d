import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { POSTGRES_MIGRATIONS } from "../../src/store/postgres-migrations.js";
import { PostgresTurnStore } from "../../src/store/postgres-turn-store.js";
import { MIGRATIONS } from "../../src/store/sqlite-migrations.js";
import { SqliteTurnStore } from "../../src/store/sqlite-turn-store.js";
import type { TurnStore } from "../../src/store/turn-store.js";
import { type PostgresServer, startPostgres } from "./postgres-server.js";

export interface OpenOptions {
  retentionDays?: number;
  flushIntervalMs?: number;
  pruneIntervalMs?: number;
  onError?: (message: string) => void;
}

/** The queries whose plans must use an index, and the index each must use. */
export type PlannedQuery = "session" | "time" | "missed";

/**
 * One kind of turn store as the shared suite (src/store/turn-store.test.ts) drives it: a fresh empty
 * place, the store opened on it, and a look at what is committed through a connection of the test's
 * own, as another process would see it.
 */
export interface TurnStoreHarness {
  readonly name: string;
  readonly migrations: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A new empty database: a file path, or a Postgres URL. */
  fresh(): Promise<string>;
  open(location: string, options?: OpenOptions): Promise<TurnStore>;
  committedIds(location: string): Promise<string[]>;
  schemaVersion(location: string): Promise<number>;
  indexes(location: string): Promise<string[]>;
  /** Marks the database as written by a newer Switchyard. */
  setSchemaVersion(location: string, version: number): Promise<void>;
  /** The planner's description of one of the store's queries. */
  plan(location: string, query: PlannedQuery): Promise<string>;
  /** Makes the database refuse (or accept again) new turns, from a connection of its own: a trigger that raises. */
  refuseWrites(location: string, refuse: boolean): Promise<void>;
}

export const sqliteHarness: TurnStoreHarness = {
  name: "SQLite",
  migrations: MIGRATIONS.length,
  async start() {},
  async stop() {},
  async fresh() {
    return join(mkdtempSync(join(tmpdir(), "switchyard-store-")), "turns.db");
  },
  async open(path, options = {}) {
    return new SqliteTurnStore({ path, retentionDays: 0, ...options });
  },
  async committedIds(path) {
    const db = new Database(path, { readonly: true });
    try {
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'turns'").get()) return [];
      return (db.prepare("SELECT id FROM turns ORDER BY started_at").all() as Array<{ id: string }>).map(
        (row) => row.id,
      );
    } finally {
      db.close();
    }
  },
  async schemaVersion(path) {
    const db = new Database(path, { readonly: true });
    try {
      return db.pragma("user_version", { simple: true }) as number;
    } finally {
      db.close();
    }
  },
  async indexes(path) {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]).map(
        (row) => row.name,
      );
    } finally {
      db.close();
    }
  },
  async setSchemaVersion(path, version) {
    const db = new Database(path);
    db.pragma(`user_version = ${version}`);
    db.close();
  },
  async refuseWrites(path, refuse) {
    const db = new Database(path);
    try {
      db.exec(
        refuse
          ? "CREATE TRIGGER refuse_writes BEFORE INSERT ON turns BEGIN SELECT RAISE(ABORT, 'writes refused'); END"
          : "DROP TRIGGER refuse_writes",
      );
    } finally {
      db.close();
    }
  },
  async plan(path, query) {
    const sql = {
      session: "SELECT record FROM turns WHERE session_id = 'x' AND started_at >= '' ORDER BY started_at DESC LIMIT 5",
      time: "SELECT record FROM turns WHERE started_at >= '' ORDER BY started_at DESC LIMIT 5",
      missed: "SELECT record FROM turns WHERE miss_reason = 'x' AND started_at >= '' LIMIT 5",
    }[query];
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>)
        .map((row) => row.detail)
        .join("; ");
    } finally {
      db.close();
    }
  },
};

/** Runs `work` on a connection of its own to `url`. */
async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A harness on a real PostgreSQL server the harness starts (and stops by PID); a database per test. */
export function postgresHarness(): TurnStoreHarness & { server(): PostgresServer } {
  let server: PostgresServer | undefined;
  const running = () => {
    if (!server) throw new Error("the Postgres harness was not started");
    return server;
  };
  return {
    name: "PostgreSQL",
    migrations: POSTGRES_MIGRATIONS.length,
    server: running,
    async start() {
      server = await startPostgres();
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    fresh: () => running().createDatabase("turns"),
    async open(url, options = {}) {
      return PostgresTurnStore.open({ url, retentionDays: 0, ...options });
    },
    committedIds: (url) =>
      withClient(url, async (client) => {
        const exists = await client.query("SELECT to_regclass('turns') IS NOT NULL AS present");
        if (!exists.rows[0]?.present) return [];
        const result = await client.query<{ id: string }>("SELECT id FROM turns ORDER BY started_at, position");
        return result.rows.map((row) => row.id);
      }),
    schemaVersion: (url) =>
      withClient(url, async (client) => {
        const result = await client.query<{ version: number }>("SELECT version FROM switchyard_schema");
        return result.rows[0]?.version ?? 0;
      }),
    indexes: (url) =>
      withClient(url, async (client) => {
        const result = await client.query<{ indexname: string }>(
          "SELECT indexname FROM pg_indexes WHERE tablename = 'turns'",
        );
        return result.rows.map((row) => row.indexname);
      }),
    setSchemaVersion: (url, version) =>
      withClient(url, async (client) => {
        await client.query("CREATE TABLE IF NOT EXISTS switchyard_schema (version integer NOT NULL)");
        await client.query("DELETE FROM switchyard_schema");
        await client.query("INSERT INTO switchyard_schema (version) VALUES ($1)", [version]);
      }),
    plan: (url, query) =>
      withClient(url, async (client) => {
        const sql = {
          session:
            "SELECT record FROM turns WHERE session_id = 'x' AND started_at >= '-infinity' ORDER BY started_at DESC LIMIT 5",
          time: "SELECT record FROM turns WHERE started_at >= '-infinity' ORDER BY started_at DESC LIMIT 5",
          missed: "SELECT record FROM turns WHERE miss_reason = 'x' AND started_at >= '-infinity' LIMIT 5",
        }[query];
        await client.query("ANALYZE turns");
        const result = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`);
        return result.rows.map((row) => row["QUERY PLAN"]).join("; ");
      }),
    refuseWrites: (url, refuse) =>
      withClient(url, async (client) => {
        if (!refuse) {
          await client.query("DROP TRIGGER refuse_writes ON turns");
          return;
        }
        await client.query(
          "CREATE OR REPLACE FUNCTION refuse_writes() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'writes refused'; END $$ LANGUAGE plpgsql",
        );
        await client.query(
          "CREATE TRIGGER refuse_writes BEFORE INSERT ON turns FOR EACH ROW EXECUTE FUNCTION refuse_writes()",
        );
      }),
  };
}
