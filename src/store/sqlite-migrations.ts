import type Database from "better-sqlite3";

/**
 * The schema, as a list of steps applied in order. A database records how many it has seen in
 * `PRAGMA user_version`; each new step runs in the same transaction as the version bump, so a crash
 * leaves the schema at one version or the next, never between. Never edit a step that has shipped:
 * append a new one.
 *
 * The record itself is stored whole as JSON (`record`), so optional fields added to TurnRecord later
 * (routing decisions, cost) need no migration; the other columns are copies for indexes and queries.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE turns (
     id TEXT PRIMARY KEY,
     started_at TEXT NOT NULL,
     session_id TEXT,
     lane TEXT,
     lane_kind TEXT,
     backend TEXT NOT NULL,
     backend_local INTEGER,
     protocol TEXT NOT NULL,
     endpoint TEXT NOT NULL,
     status INTEGER NOT NULL,
     error_code TEXT,
     ttft_ms REAL,
     duration_ms REAL NOT NULL,
     prompt_tokens INTEGER,
     reused_tokens INTEGER,
     prefilled_tokens INTEGER,
     output_tokens INTEGER,
     miss_reason TEXT,
     route_reason TEXT,
     routing TEXT,
     cost_usd REAL,
     reference_usd REAL,
     energy_usd REAL,
     record TEXT NOT NULL
   ) STRICT;
   CREATE INDEX turns_by_time ON turns (started_at);
   CREATE INDEX turns_by_session ON turns (session_id, started_at);
   CREATE INDEX turns_by_lane ON turns (lane, started_at);
   CREATE INDEX turns_by_backend ON turns (backend, started_at);
   CREATE INDEX turns_failed ON turns (status, started_at) WHERE status >= 400 OR error_code IS NOT NULL;
   CREATE INDEX turns_missed ON turns (miss_reason, started_at) WHERE miss_reason IS NOT NULL;`,
  // The eval run's tag (docs/design/eval.md), a copy of record.evalTag as JSON, so the session list reads
  // it without parsing whole records.
  "ALTER TABLE turns ADD COLUMN eval_tag TEXT;",
  // The agent that sent the turn (src/sessions/client-name.ts), a copy of record.client for the session list.
  "ALTER TABLE turns ADD COLUMN client TEXT;",
  // Of the output, the tokens the backend counted as reasoning (record.usage.reasoningTokens), for the
  // session totals; filled in for the turns already stored.
  `ALTER TABLE turns ADD COLUMN reasoning_tokens INTEGER;
   UPDATE turns SET reasoning_tokens = json_extract(record, '$.usage.reasoningTokens')
     WHERE json_valid(record) AND json_type(record, '$.usage.reasoningTokens') = 'integer';`,
];

export class StoreVersionError extends Error {
  readonly code = "store_too_new";
}

/** Brings the database up to the latest schema; returns the version it was at before. */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const before = db.pragma("user_version", { simple: true }) as number;
  if (before > migrations.length) {
    throw new StoreVersionError(
      `${db.name} has schema version ${before}, newer than this Switchyard knows (${migrations.length}); upgrade Switchyard or point store.path elsewhere`,
    );
  }
  for (let version = before; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return before;
}
