import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { readClientName } from "../sessions/client-name.js";
import { evalTagColumn } from "../telemetry/eval-tag.js";
import { turnCostView } from "../telemetry/read-turn-extras.js";
import type { TurnRecord } from "../telemetry/turn-record.js";
import type { SessionSummary, TurnQuery } from "../telemetry/turn-source.js";
import { sessionSummaryOf } from "./session-row.js";
import { migrate } from "./sqlite-migrations.js";
import type { MissCount, TurnStore } from "./turn-store.js";
import { WaitingTurns } from "./waiting-turns.js";

export interface SqliteTurnStoreOptions {
  /** The database file (created with its directory); `:memory:` for a throw-away store. */
  path: string;
  /** Turns older than this many days are deleted at start and then hourly; 0 keeps everything. */
  retentionDays: number;
  /** How long a record may wait in memory before it is committed. */
  flushIntervalMs?: number;
  pruneIntervalMs?: number;
  /**
   * Where write failures are reported (they never reach the request that made the record): the first
   * of a run of them, and when writing works again.
   */
  onError?: (message: string) => void;
}

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 100_000;
const DAY_MS = 86_400_000;

const INSERT = `INSERT OR IGNORE INTO turns (
  id, started_at, session_id, lane, lane_kind, backend, backend_local, protocol, endpoint, status, error_code,
  ttft_ms, duration_ms, prompt_tokens, reused_tokens, prefilled_tokens, output_tokens, miss_reason, route_reason,
  routing, cost_usd, reference_usd, energy_usd, record, eval_tag, client, reasoning_tokens
) VALUES (
  @id, @startedAt, @sessionId, @lane, @laneKind, @backend, @backendLocal, @protocol, @endpoint, @status, @errorCode,
  @ttftMs, @durationMs, @promptTokens, @reusedTokens, @prefilledTokens, @outputTokens, @missReason, @routeReason,
  @routing, @costUsd, @referenceUsd, @energyUsd, @record, @evalTag, @client, @reasoningTokens
)`;

/** One session's totals over its turns `t` (grouped by session). */
const SESSION_TOTALS = `t.session_id AS sessionId, min(t.started_at) AS firstAt, max(t.started_at) AS lastAt,
  count(*) AS turns, coalesce(sum(t.backend_local = 1), 0) AS localTurns, coalesce(sum(t.backend_local = 0), 0) AS cloudTurns,
  coalesce(sum(t.prompt_tokens), 0) AS promptTokens, coalesce(sum(t.reused_tokens), 0) AS reusedTokens,
  coalesce(sum(t.prefilled_tokens), 0) AS prefilledTokens, coalesce(sum(t.output_tokens), 0) AS outputTokens,
  coalesce(sum(t.reasoning_tokens), 0) AS reasoningTokens, count(t.miss_reason) AS misses, coalesce(sum(t.status >= 400 OR t.error_code IS NOT NULL), 0) AS errors,
  coalesce(sum(t.cost_usd), 0) AS costUsd,
  coalesce(sum(t.reference_usd - coalesce(t.energy_usd, 0)), 0) AS savedUsd`;

/** count_tokens calls are not conversation turns: sessions leave them out, like summarizeSessions. */
const CONVERSATION = "endpoint != 'count_tokens'";

/**
 * Adds the latest turn's backend to grouped totals (outside the grouping, so once per session, not per turn),
 * and the latest eval tag and client name among the turns totalled (from `firstAt` on), as summarizeSessions does.
 */
const withLastBackend = (totals: string) => `SELECT totals.*, (SELECT backend FROM turns AS latest
    WHERE latest.session_id = totals.sessionId AND latest.${CONVERSATION} ORDER BY latest.started_at DESC, latest.rowid DESC LIMIT 1) AS lastBackend,
  (SELECT tagged.eval_tag FROM turns AS tagged
    WHERE tagged.session_id = totals.sessionId AND tagged.${CONVERSATION} AND tagged.eval_tag IS NOT NULL
      AND tagged.started_at >= totals.firstAt
    ORDER BY tagged.started_at DESC, tagged.rowid DESC LIMIT 1) AS evalTag,
  (SELECT named.client FROM turns AS named
    WHERE named.session_id = totals.sessionId AND named.${CONVERSATION} AND named.client IS NOT NULL
      AND named.started_at >= totals.firstAt
    ORDER BY named.started_at DESC, named.rowid DESC LIMIT 1) AS client
  FROM (${totals}) AS totals ORDER BY totals.lastAt DESC`;

/**
 * Sessions are derived from the turns table rather than kept in a table of their own: one write path,
 * totals that always agree with the turns (retention included), and the (session_id, started_at) index
 * makes the grouping an index scan. `recent` picks the sessions first so the totals touch only theirs.
 */
const SESSIONS = `WITH recent AS (
    SELECT session_id, max(started_at) AS last_at FROM turns
    WHERE session_id IS NOT NULL AND started_at >= @since AND ${CONVERSATION}
    GROUP BY session_id ORDER BY last_at DESC LIMIT @limit
  )
  ${withLastBackend(`SELECT ${SESSION_TOTALS} FROM recent JOIN turns AS t ON t.session_id = recent.session_id
    WHERE t.started_at >= @since AND t.${CONVERSATION} GROUP BY t.session_id`)}`;

const SESSION = withLastBackend(
  `SELECT ${SESSION_TOTALS} FROM turns AS t WHERE t.session_id = ? AND t.${CONVERSATION} GROUP BY t.session_id`,
);

function clampLimit(limit: number | undefined): number {
  // SQLite reads a negative LIMIT as none: for `switchyard report`, which totals every turn in its range.
  if (limit === Number.POSITIVE_INFINITY) return -1;
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 0), MAX_LIMIT);
}

/** ISO timestamps compare as text only in one format: normalise what callers pass. */
function normalizeSince(since: string | undefined): string {
  if (!since) return "";
  const time = Date.parse(since);
  return Number.isNaN(time) ? since : new Date(time).toISOString();
}

function rowFor(turn: TurnRecord): Record<string, unknown> {
  const cost = turnCostView(turn);
  return {
    id: turn.id,
    startedAt: turn.startedAt,
    sessionId: turn.sessionId ?? null,
    lane: turn.lane ?? null,
    laneKind: turn.laneKind ?? null,
    backend: turn.backend,
    backendLocal: turn.backendLocal === undefined ? null : turn.backendLocal ? 1 : 0,
    protocol: turn.protocol,
    endpoint: turn.endpoint,
    status: turn.status,
    errorCode: turn.error?.code ?? null,
    ttftMs: turn.ttftMs ?? null,
    durationMs: turn.durationMs,
    promptTokens: turn.promptTokens ?? null,
    reusedTokens: turn.reusedTokens ?? null,
    prefilledTokens: turn.prefilledTokens ?? null,
    outputTokens: turn.outputTokens ?? null,
    missReason: turn.miss?.reason ?? null,
    routeReason: turn.routeReason || null,
    routing: turn.routing === undefined ? null : JSON.stringify(turn.routing),
    costUsd: cost?.usd ?? null,
    referenceUsd: cost?.referenceUsd ?? null,
    energyUsd: cost?.energyUsd ?? null,
    record: JSON.stringify(turn),
    evalTag: evalTagColumn(turn),
    client: readClientName(turn.client) ?? null,
    reasoningTokens: turn.usage?.reasoningTokens ?? null,
  };
}

const parseRecords = (rows: unknown[]) =>
  rows.map((row) => JSON.parse((row as { record: string }).record) as TurnRecord);

/**
 * Turn records in SQLite (WAL, synchronous=NORMAL). `add` only queues; a timer commits the queue in one
 * transaction, so a finished turn is in the file within `flushIntervalMs` and survives the process being
 * killed. Reads commit the queue first, so they see every turn added before them.
 */
export class SqliteTurnStore implements TurnStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertBatch: (turns: TurnRecord[]) => void;
  private readonly queue: WaitingTurns;
  private flushTimer: NodeJS.Timeout | undefined;
  /** The group commit turns finishing in this turn of the event loop join. */
  private groupCommit: Promise<void> | undefined;
  private readonly pruneTimer: NodeJS.Timeout | undefined;
  private readonly flushIntervalMs: number;
  private readonly onError: (message: string) => void;
  private closed = false;

  constructor(private readonly options: SqliteTurnStoreOptions) {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma("journal_mode = WAL");
    // With WAL, NORMAL syncs at checkpoints, not at every commit: a committed batch is in the OS's page
    // cache and survives the process dying; only an OS crash or power loss can take the last commits.
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 500");
    migrate(this.db);
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.onError = options.onError ?? ((message) => process.stderr.write(`switchyard store: ${message}\n`));
    this.queue = new WaitingTurns(options.path, this.retryMs, this.onError);
    this.insert = this.db.prepare(INSERT);
    this.insertBatch = this.db.transaction((turns: TurnRecord[]) => {
      for (const turn of turns) this.insert.run(rowFor(turn));
    });
    if (options.retentionDays > 0) {
      this.pruneExpired();
      this.pruneTimer = setInterval(() => this.pruneExpired(), options.pruneIntervalMs ?? 3_600_000);
      this.pruneTimer.unref();
    }
  }

  get path(): string {
    return this.options.path;
  }

  add(turn: TurnRecord): void {
    if (this.closed) return;
    this.queue.push(turn);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.commitQueue(), this.flushIntervalMs);
      this.flushTimer.unref();
    }
  }

  /**
   * Joins the group commit that runs once this turn of the event loop's callbacks are done: every turn
   * finishing meanwhile shares one transaction. The commit is a `write()` into the WAL (no fsync, see
   * docs/design/store.md), some tens of microseconds; from then on the turn survives the process dying.
   */
  commit(turn: TurnRecord): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.queue.push(turn);
    // A database that refused the last batch: the turn waits in the queue for the retry, and its answer
    // does not wait for it (each turn trying the whole queue again blocked the event loop for 18 ms per
    // turn with 1,500 turns queued on a full disk, growing with the queue).
    if (this.queue.failing && this.flushTimer) return Promise.resolve();
    this.groupCommit ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.groupCommit = undefined;
        this.commitQueue();
        resolve();
      }),
    );
    return this.groupCommit;
  }

  async flush(): Promise<void> {
    this.commitQueue();
  }

  /** Between attempts while the database refuses writes. */
  private get retryMs(): number {
    return Math.max(this.flushIntervalMs, 1000);
  }

  /** Commits the queue in one transaction; on failure keeps it for the next attempt. */
  private commitQueue(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.queue.length === 0 || !this.db.open) return;
    const batch = this.queue.take();
    try {
      // While the database refuses writes, the oldest turn alone first: SQLite builds a whole batch in
      // memory before its commit fails. (Written twice when it works: the insert ignores a known id.)
      if (this.queue.failing) this.insertBatch(batch.slice(0, 1));
      this.insertBatch(batch);
      this.queue.written(batch);
    } catch (error) {
      this.queue.refused(batch, error as Error);
      if (!this.closed) {
        this.flushTimer = setTimeout(() => this.commitQueue(), this.retryMs);
        this.flushTimer.unref();
      }
    }
  }

  private pruneExpired(): void {
    try {
      this.pruneSync(new Date(Date.now() - this.options.retentionDays * DAY_MS).toISOString());
    } catch (error) {
      this.onError(`cannot prune ${this.options.path}: ${(error as Error).message}`);
    }
  }

  private pruneSync(cutoff: string): number {
    return this.db.prepare("DELETE FROM turns WHERE started_at < ?").run(cutoff).changes;
  }

  async prune(cutoff: string): Promise<number> {
    this.commitQueue();
    return this.pruneSync(normalizeSince(cutoff));
  }

  async turns(query: TurnQuery): Promise<TurnRecord[]> {
    this.commitQueue();
    const where =
      query.sessionId === undefined ? "started_at >= @since" : "session_id = @session AND started_at >= @since";
    const rows = this.db
      .prepare(
        `SELECT record FROM (SELECT record, started_at, rowid AS position FROM turns WHERE ${where}
         ORDER BY started_at DESC, rowid DESC LIMIT @limit) ORDER BY started_at, position`,
      )
      .all({ session: query.sessionId, since: normalizeSince(query.since), limit: clampLimit(query.limit) });
    return parseRecords(rows);
  }

  async misses(query: TurnQuery & { reason?: string }): Promise<TurnRecord[]> {
    this.commitQueue();
    const conditions = ["started_at >= @since", query.reason ? "miss_reason = @reason" : "miss_reason IS NOT NULL"];
    if (query.sessionId !== undefined) conditions.push("session_id = @session");
    const rows = this.db
      .prepare(
        `SELECT record FROM (SELECT record, started_at, rowid AS position FROM turns WHERE ${conditions.join(" AND ")}
         ORDER BY started_at DESC, rowid DESC LIMIT @limit) ORDER BY started_at, position`,
      )
      .all({
        session: query.sessionId,
        reason: query.reason,
        since: normalizeSince(query.since),
        limit: clampLimit(query.limit),
      });
    return parseRecords(rows);
  }

  async missCounts(query: { since?: string }): Promise<MissCount[]> {
    this.commitQueue();
    return this.db
      .prepare(
        `SELECT miss_reason AS reason, count(*) AS turns FROM turns
         WHERE miss_reason IS NOT NULL AND started_at >= ? GROUP BY miss_reason ORDER BY turns DESC`,
      )
      .all(normalizeSince(query.since)) as MissCount[];
  }

  async sessions(query: { since?: string; limit?: number }): Promise<SessionSummary[]> {
    this.commitQueue();
    return this.db
      .prepare(SESSIONS)
      .all({ since: normalizeSince(query.since), limit: clampLimit(query.limit) })
      .map((row) => sessionSummaryOf(row as SessionSummary));
  }

  async session(sessionId: string): Promise<SessionSummary | undefined> {
    this.commitQueue();
    const row = this.db.prepare(SESSION).get(sessionId) as SessionSummary | undefined;
    return row && sessionSummaryOf(row);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commitQueue();
    this.closed = true;
    clearInterval(this.pruneTimer);
    clearTimeout(this.flushTimer);
    this.db.close();
  }
}
