import pg from "pg";
import type { SlotBookFactory } from "../backends/llama-server/slot-scheduler.js";
import { readClientName } from "../sessions/client-name.js";
import { evalTagColumn } from "../telemetry/eval-tag.js";
import { turnCostView } from "../telemetry/read-turn-extras.js";
import type { TurnRecord } from "../telemetry/turn-record.js";
import type { SessionSummary, TurnQuery } from "../telemetry/turn-source.js";
import { PostgresChanges } from "./postgres-changes.js";
import { PostgresCooldowns, type SharedCooldownOptions } from "./postgres-cooldowns.js";
import { migratePostgres } from "./postgres-migrations.js";
import { PostgresSessionState, type SessionStateOptions } from "./postgres-session-state.js";
import { PostgresSlotLeases, type SlotLeaseOptions } from "./postgres-slot-leases.js";
import { sessionSummaryOf } from "./session-row.js";
import type { MissCount, TurnStore } from "./turn-store.js";
import { WaitingTurns } from "./waiting-turns.js";

export interface PostgresTurnStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq's URL form, as the `pg` driver reads it). */
  url: string;
  /** Turns older than this many days are deleted at start and then hourly; 0 keeps everything. */
  retentionDays: number;
  flushIntervalMs?: number;
  pruneIntervalMs?: number;
  /** Where write failures are reported (they never reach the request that made the record). */
  onError?: (message: string) => void;
  /** Connections in the pool: one writer and the dashboard's readers. */
  maxConnections?: number;
}

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 100_000;
const DAY_MS = 86_400_000;
/** Every query ends: a database that stops answering fails the read or keeps the batch queued. */
const QUERY_TIMEOUT_MS = 30_000;

/** The columns written, in order, with the array type each travels as (one `unnest` per batch). */
const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ["id", "text"],
  ["started_at", "timestamptz"],
  ["session_id", "text"],
  ["lane", "text"],
  ["lane_kind", "text"],
  ["backend", "text"],
  ["backend_local", "boolean"],
  ["protocol", "text"],
  ["endpoint", "text"],
  ["status", "integer"],
  ["error_code", "text"],
  ["ttft_ms", "float8"],
  ["duration_ms", "float8"],
  ["prompt_tokens", "bigint"],
  ["reused_tokens", "bigint"],
  ["prefilled_tokens", "bigint"],
  ["output_tokens", "bigint"],
  ["miss_reason", "text"],
  ["route_reason", "text"],
  ["routing", "jsonb"],
  ["cost_usd", "float8"],
  ["reference_usd", "float8"],
  ["energy_usd", "float8"],
  ["record", "json"],
  ["eval_tag", "text"],
  ["client", "text"],
  ["reasoning_tokens", "bigint"],
];

/**
 * A whole batch in one statement with one parameter per column, whatever its size (a multi-row VALUES
 * list would need 24 parameters a row and meet the 65,535-parameter limit); `unnest` keeps the rows in
 * order, so `position` follows the order turns were added.
 */
const INSERT = `INSERT INTO turns (${COLUMNS.map(([name]) => name).join(", ")})
  SELECT * FROM unnest(${COLUMNS.map(([, type], index) => `$${index + 1}::${type}[]`).join(", ")})
  ON CONFLICT (id) DO NOTHING`;

function columnValues(turn: TurnRecord): unknown[] {
  const cost = turnCostView(turn);
  return [
    turn.id,
    turn.startedAt,
    turn.sessionId ?? null,
    turn.lane ?? null,
    turn.laneKind ?? null,
    turn.backend,
    turn.backendLocal ?? null,
    turn.protocol,
    turn.endpoint,
    turn.status,
    turn.error?.code ?? null,
    turn.ttftMs ?? null,
    turn.durationMs,
    turn.promptTokens ?? null,
    turn.reusedTokens ?? null,
    turn.prefilledTokens ?? null,
    turn.outputTokens ?? null,
    turn.miss?.reason ?? null,
    turn.routeReason || null,
    turn.routing === undefined ? null : JSON.stringify(turn.routing),
    cost?.usd ?? null,
    cost?.referenceUsd ?? null,
    cost?.energyUsd ?? null,
    JSON.stringify(turn),
    evalTagColumn(turn),
    readClientName(turn.client) ?? null,
    turn.usage?.reasoningTokens ?? null,
  ];
}

/** Timestamps go back to the records' own form (`toISOString`), so totals compare equal to the fold's. */
const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The same totals as SQLite's and summarizeSessions'; sums as float8 so the driver gives numbers, not strings. */
const SESSION_TOTALS = `t.session_id AS "sessionId", ${ISO("min(t.started_at)")} AS "firstAt", ${ISO("max(t.started_at)")} AS "lastAt",
  count(*)::float8 AS turns, count(*) FILTER (WHERE t.backend_local)::float8 AS "localTurns",
  count(*) FILTER (WHERE NOT t.backend_local)::float8 AS "cloudTurns",
  coalesce(sum(t.prompt_tokens), 0)::float8 AS "promptTokens", coalesce(sum(t.reused_tokens), 0)::float8 AS "reusedTokens",
  coalesce(sum(t.prefilled_tokens), 0)::float8 AS "prefilledTokens", coalesce(sum(t.output_tokens), 0)::float8 AS "outputTokens",
  coalesce(sum(t.reasoning_tokens), 0)::float8 AS "reasoningTokens", count(t.miss_reason)::float8 AS misses, count(*) FILTER (WHERE t.status >= 400 OR t.error_code IS NOT NULL)::float8 AS errors,
  coalesce(sum(t.cost_usd), 0)::float8 AS "costUsd",
  coalesce(sum(t.reference_usd - coalesce(t.energy_usd, 0)), 0)::float8 AS "savedUsd"`;

const CONVERSATION = "endpoint != 'count_tokens'";

const withLastBackend = (totals: string) => `SELECT totals.*, (SELECT backend FROM turns AS latest
    WHERE latest.session_id = totals."sessionId" AND latest.${CONVERSATION}
    ORDER BY latest.started_at DESC, latest.position DESC LIMIT 1) AS "lastBackend",
  (SELECT tagged.eval_tag FROM turns AS tagged
    WHERE tagged.session_id = totals."sessionId" AND tagged.${CONVERSATION} AND tagged.eval_tag IS NOT NULL
      AND tagged.started_at >= totals."firstAt"::timestamptz
    ORDER BY tagged.started_at DESC, tagged.position DESC LIMIT 1) AS "evalTag",
  (SELECT named.client FROM turns AS named
    WHERE named.session_id = totals."sessionId" AND named.${CONVERSATION} AND named.client IS NOT NULL
      AND named.started_at >= totals."firstAt"::timestamptz
    ORDER BY named.started_at DESC, named.position DESC LIMIT 1) AS client
  FROM (${totals}) AS totals ORDER BY totals."lastAt" DESC`;

const SESSIONS = `WITH recent AS (
    SELECT session_id, max(started_at) AS last_at FROM turns
    WHERE session_id IS NOT NULL AND started_at >= $1 AND ${CONVERSATION}
    GROUP BY session_id ORDER BY last_at DESC LIMIT $2
  )
  ${withLastBackend(`SELECT ${SESSION_TOTALS} FROM recent JOIN turns AS t ON t.session_id = recent.session_id
    WHERE t.started_at >= $1 AND t.${CONVERSATION} GROUP BY t.session_id`)}`;

const SESSION = withLastBackend(
  `SELECT ${SESSION_TOTALS} FROM turns AS t WHERE t.session_id = $1 AND t.${CONVERSATION} GROUP BY t.session_id`,
);

/** `LIMIT NULL` is no limit in Postgres: for `switchyard report`, which totals every turn in its range. */
function clampLimit(limit: number | undefined): number | null {
  if (limit === Number.POSITIVE_INFINITY) return null;
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 0), MAX_LIMIT);
}

/**
 * A `since` as a timestamp. Empty means all; text that is no time matches nothing, as it does in SQLite
 * (where it sorts after every ISO timestamp).
 */
function normalizeSince(since: string | undefined): string {
  if (!since) return "-infinity";
  const time = Date.parse(since);
  return Number.isNaN(time) ? "infinity" : new Date(time).toISOString();
}

const parseRecords = (rows: Array<{ record: string }>) => rows.map((row) => JSON.parse(row.record) as TurnRecord);

/** A URL with its password replaced, for messages. */
export function redactedStoreUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://(unparseable URL)";
  }
}

/**
 * Turn records in PostgreSQL, for a team's shared gateway or several replicas (docs/design/store.md).
 * The same behaviour as SqliteTurnStore: `add` queues, a timer commits the queue in one statement, reads
 * commit the queue first; a batch the database refuses stays queued and is retried.
 */
export class PostgresTurnStore implements TurnStore {
  private readonly queue: WaitingTurns;
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** Commits run one after another, so turns reach the table in the order they were added. */
  private writing: Promise<void> = Promise.resolve();
  /** The commit queued behind the one in flight, not started yet: every caller until it starts joins it. */
  private waiting: Promise<void> | undefined;
  private readonly flushIntervalMs: number;
  private readonly onError: (message: string) => void;
  private closed = false;
  private changeFeed: PostgresChanges | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresTurnStoreOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.onError = options.onError ?? ((message) => process.stderr.write(`switchyard store: ${message}\n`));
    this.queue = new WaitingTurns(this.where, Math.max(this.flushIntervalMs, 1000), this.onError);
    // An idle connection the server drops must not take the process down with an unhandled 'error'.
    pool.on("error", (error) => this.onError(`connection to ${this.where} lost: ${error.message}`));
  }

  /** Connects, migrates and prunes; fails when the database cannot be reached or is from a newer Switchyard. */
  static async open(options: PostgresTurnStoreOptions): Promise<PostgresTurnStore> {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 8,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      query_timeout: QUERY_TIMEOUT_MS,
      application_name: "switchyard",
    });
    const store = new PostgresTurnStore(pool, options);
    try {
      await migratePostgres(pool);
      if (options.retentionDays > 0) {
        await store.pruneExpired();
        store.pruneTimer = setInterval(() => void store.pruneExpired(), options.pruneIntervalMs ?? 3_600_000);
        store.pruneTimer.unref();
      }
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return store;
  }

  /** Slot pins of llama-servers shared with the other replicas on this database, as leases. */
  slotBook(options: SlotLeaseOptions): SlotBookFactory {
    return (backend, slots) => new PostgresSlotLeases(this.pool, backend, slots, options);
  }

  /** The other replicas' changes to shared routing state, heard on one LISTEN connection (opened on first use). */
  private get changes(): PostgresChanges {
    this.changeFeed ??= new PostgresChanges(this.options.url, this.onError);
    return this.changeFeed;
  }

  /** Sessions' routing mode and placement shared with the other replicas on this database. */
  sessionState(options: Omit<SessionStateOptions, "changes"> = {}): PostgresSessionState {
    return new PostgresSessionState(this.pool, { ...options, changes: this.changes });
  }

  /** Backend cooldowns shared with the other replicas on this database. */
  cooldowns(options: Omit<SharedCooldownOptions, "changes">): PostgresCooldowns {
    return new PostgresCooldowns(this.pool, { ...options, changes: this.changes });
  }

  /** Resolves once the other replicas' changes are heard (tests; routing works before, on its time bound). */
  listening(): Promise<void> {
    return this.changes.ready();
  }

  /** Where the store is, without its password. */
  get where(): string {
    return redactedStoreUrl(this.options.url);
  }

  add(turn: TurnRecord): void {
    if (this.closed) return;
    this.queue.push(turn);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.commitQueue(), this.flushIntervalMs);
      this.flushTimer.unref();
    }
  }

  /**
   * Queues the turn and commits the queue after the commit already running, if any: turns that finish
   * while one INSERT is in flight share the next (a group commit), so there is never more than one
   * write in flight and a burst costs a round trip per batch, not per turn.
   */
  commit(turn: TurnRecord): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.queue.push(turn);
    // A database that refused the last batch holds no client: the turn waits in the queue for the retry.
    if (this.queue.failing && this.flushTimer) return Promise.resolve();
    return this.commitQueue();
  }

  async flush(): Promise<void> {
    await this.commitQueue();
  }

  /**
   * The commit that will take everything queued by the time it starts: the one waiting behind the
   * write in flight, joined by every caller until it starts, else a new one. So at most one INSERT is
   * in flight and the next takes all that finished meanwhile (a step per caller instead would let the
   * first caller to resume after a commit start the next one alone: a round trip per turn under load).
   * On failure the batch is kept for the retry.
   */
  private commitQueue(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.waiting) return this.waiting;
    this.waiting = this.writing.then(async () => {
      this.waiting = undefined;
      if (this.queue.length === 0) return;
      const batch = this.queue.take();
      try {
        const columns: unknown[][] = COLUMNS.map(() => []);
        for (const turn of batch)
          for (const [index, value] of columnValues(turn).entries()) columns[index]?.push(value);
        await this.pool.query(INSERT, columns);
        this.queue.written(batch);
      } catch (error) {
        this.queue.refused(batch, error as Error);
        if (!this.closed && !this.flushTimer) {
          this.flushTimer = setTimeout(() => void this.commitQueue(), Math.max(this.flushIntervalMs, 1000));
          this.flushTimer.unref();
        }
      }
    });
    this.writing = this.waiting;
    return this.waiting;
  }

  private async pruneExpired(): Promise<void> {
    try {
      await this.deleteBefore(new Date(Date.now() - this.options.retentionDays * DAY_MS).toISOString());
    } catch (error) {
      this.onError(`cannot prune ${this.where}: ${(error as Error).message}`);
    }
  }

  private async deleteBefore(cutoff: string): Promise<number> {
    return (await this.pool.query("DELETE FROM turns WHERE started_at < $1", [cutoff])).rowCount ?? 0;
  }

  async prune(cutoff: string): Promise<number> {
    await this.commitQueue();
    return this.deleteBefore(normalizeSince(cutoff));
  }

  private async records(conditions: string[], values: unknown[], limit: number | undefined): Promise<TurnRecord[]> {
    await this.commitQueue();
    const limitParameter = `$${values.length + 1}`;
    const result = await this.pool.query<{ record: string }>(
      `SELECT record::text AS record FROM (SELECT record, started_at, position FROM turns WHERE ${conditions.join(" AND ")}
       ORDER BY started_at DESC, position DESC LIMIT ${limitParameter}) AS newest ORDER BY started_at, position`,
      [...values, clampLimit(limit)],
    );
    return parseRecords(result.rows);
  }

  async turns(query: TurnQuery): Promise<TurnRecord[]> {
    if (query.sessionId === undefined)
      return this.records(["started_at >= $1"], [normalizeSince(query.since)], query.limit);
    return this.records(
      ["session_id = $1", "started_at >= $2"],
      [query.sessionId, normalizeSince(query.since)],
      query.limit,
    );
  }

  async misses(query: TurnQuery & { reason?: string }): Promise<TurnRecord[]> {
    const values: unknown[] = [normalizeSince(query.since)];
    const conditions = ["started_at >= $1"];
    if (query.reason) {
      values.push(query.reason);
      conditions.push(`miss_reason = $${values.length}`);
    } else conditions.push("miss_reason IS NOT NULL");
    if (query.sessionId !== undefined) {
      values.push(query.sessionId);
      conditions.push(`session_id = $${values.length}`);
    }
    return this.records(conditions, values, query.limit);
  }

  async missCounts(query: { since?: string }): Promise<MissCount[]> {
    await this.commitQueue();
    const result = await this.pool.query<MissCount>(
      `SELECT miss_reason AS reason, count(*)::float8 AS turns FROM turns
       WHERE miss_reason IS NOT NULL AND started_at >= $1 GROUP BY miss_reason ORDER BY turns DESC`,
      [normalizeSince(query.since)],
    );
    return result.rows;
  }

  async sessions(query: { since?: string; limit?: number }): Promise<SessionSummary[]> {
    await this.commitQueue();
    const result = await this.pool.query<SessionSummary>(SESSIONS, [
      normalizeSince(query.since),
      clampLimit(query.limit),
    ]);
    return result.rows.map(sessionSummaryOf);
  }

  async session(sessionId: string): Promise<SessionSummary | undefined> {
    await this.commitQueue();
    const row = (await this.pool.query<SessionSummary>(SESSION, [sessionId])).rows[0];
    return row && sessionSummaryOf(row);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.commitQueue();
    this.closed = true;
    clearInterval(this.pruneTimer);
    clearTimeout(this.flushTimer);
    await this.changeFeed?.close();
    await this.pool.end();
  }
}
