import type pg from "pg";
import { StoreVersionError } from "./sqlite-migrations.js";

/**
 * The Postgres schema, as a list of steps applied in order, like SQLite's (src/store/sqlite-migrations.ts).
 * `switchyard_schema` holds how many a database has seen; each step runs in one transaction with its
 * version bump, under an advisory lock, so two gateways starting together do not both migrate. Never
 * edit a step that has shipped: append a new one.
 *
 * `record` is `json`, not `jsonb`: it keeps the text as written (so a record reads back exactly, key
 * order included) and accepts any string the record holds (`jsonb` refuses `\u0000`, which a miss's diff
 * of the user's code may carry), while `record->>'field'` still reaches a field no column copies.
 * `position` is the insertion order, which breaks ties between turns that started at the same instant
 * (SQLite's rowid).
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE turns (
     position bigint GENERATED ALWAYS AS IDENTITY,
     id text PRIMARY KEY,
     started_at timestamptz NOT NULL,
     session_id text,
     lane text,
     lane_kind text,
     backend text NOT NULL,
     backend_local boolean,
     protocol text NOT NULL,
     endpoint text NOT NULL,
     status integer NOT NULL,
     error_code text,
     ttft_ms double precision,
     duration_ms double precision NOT NULL,
     prompt_tokens bigint,
     reused_tokens bigint,
     prefilled_tokens bigint,
     output_tokens bigint,
     miss_reason text,
     route_reason text,
     routing jsonb,
     cost_usd double precision,
     reference_usd double precision,
     energy_usd double precision,
     record json NOT NULL
   );
   CREATE INDEX turns_by_time ON turns (started_at);
   CREATE INDEX turns_by_session ON turns (session_id, started_at);
   CREATE INDEX turns_by_lane ON turns (lane, started_at);
   CREATE INDEX turns_by_backend ON turns (backend, started_at);
   CREATE INDEX turns_failed ON turns (status, started_at) WHERE status >= 400 OR error_code IS NOT NULL;
   CREATE INDEX turns_missed ON turns (miss_reason, started_at) WHERE miss_reason IS NOT NULL;`,
  // Replicas of a team's gateway share their llama-servers' slot pins (src/store/postgres-slot-leases.ts):
  // one row per slot; the unique index makes a lane's second slot impossible.
  `CREATE TABLE slot_leases (
     backend text NOT NULL,
     slot integer NOT NULL,
     lane_session text,
     lane_name text,
     lane_kind text,
     busy_token text,
     busy_until timestamptz,
     last_used timestamptz NOT NULL DEFAULT 'epoch',
     PRIMARY KEY (backend, slot)
   );
   CREATE UNIQUE INDEX slot_leases_one_slot_per_lane ON slot_leases (backend, lane_session, lane_name)
     WHERE lane_session IS NOT NULL;`,
  // Each session's routing mode and placement, shared by the replicas (src/store/postgres-session-state.ts).
  `CREATE TABLE session_state (
     session_id text PRIMARY KEY,
     state jsonb NOT NULL,
     version bigint NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE INDEX session_state_by_time ON session_state (updated_at);`,
  // The eval run's tag (docs/design/eval.md), a copy of record.evalTag as JSON text: the session list
  // reads it without parsing whole records (a record holding \u0000 cannot be parsed as json at all).
  "ALTER TABLE turns ADD COLUMN eval_tag text;",
  // Backend cooldowns shared by the replicas (src/store/postgres-cooldowns.ts): a server is its name and URL.
  `CREATE TABLE backend_cooldowns (
     backend text NOT NULL,
     url text NOT NULL,
     failures integer NOT NULL,
     until timestamptz NOT NULL,
     last_error text NOT NULL,
     PRIMARY KEY (backend, url)
   );`,
  // The agent that sent the turn (src/sessions/client-name.ts), a copy of record.client for the session list.
  "ALTER TABLE turns ADD COLUMN client text;",
  // Of the output, the tokens the backend counted as reasoning (record.usage.reasoningTokens), for the
  // session totals; filled in for the turns already stored that name them. A json operator fails on a whole
  // record holding \u0000 (or half a surrogate pair) anywhere, so each row is read on its own, and one it
  // cannot read keeps no count rather than failing the migration.
  `ALTER TABLE turns ADD COLUMN reasoning_tokens bigint;
   DO $$
   DECLARE turn record;
   BEGIN
     FOR turn IN SELECT id, record FROM turns WHERE strpos(record::text, '"reasoningTokens"') > 0 LOOP
       BEGIN
         UPDATE turns SET reasoning_tokens = (turn.record->'usage'->>'reasoningTokens')::bigint WHERE id = turn.id;
       EXCEPTION WHEN others THEN NULL;
       END;
     END LOOP;
   END $$;`,
];

/** Any constant both gateways agree on: the key of the advisory lock migrations hold. */
const MIGRATION_LOCK = 7_301_920_261;

/** Brings the database up to the latest schema; returns the version it was at before. */
export async function migratePostgres(
  pool: pg.Pool,
  migrations: readonly string[] = POSTGRES_MIGRATIONS,
): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS switchyard_schema (version integer NOT NULL)");
    const read = await client.query<{ version: number }>("SELECT version FROM switchyard_schema");
    if (read.rows.length === 0) await client.query("INSERT INTO switchyard_schema (version) VALUES (0)");
    await client.query("COMMIT");
    const before = read.rows[0]?.version ?? 0;
    if (before > migrations.length) {
      throw new StoreVersionError(
        `the database has schema version ${before}, newer than this Switchyard knows (${migrations.length}); upgrade Switchyard or point store.url elsewhere`,
      );
    }
    for (let version = before; version < migrations.length; version++) {
      await client.query("BEGIN");
      try {
        await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
        // Another gateway may have applied this step while we waited for the lock.
        const now = await client.query<{ version: number }>("SELECT version FROM switchyard_schema FOR UPDATE");
        if ((now.rows[0]?.version ?? 0) > version) {
          await client.query("COMMIT");
          continue;
        }
        await client.query(migrations[version] as string);
        await client.query("UPDATE switchyard_schema SET version = $1", [version + 1]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
    return before;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
