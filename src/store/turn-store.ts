import type { TurnRecord } from "../telemetry/turn-record.js";
import type { SessionSummary, TurnQuery, TurnSource } from "../telemetry/turn-source.js";

/** Misses by reason over a time range (for the dashboard and reports). */
export interface MissCount {
  reason: string;
  turns: number;
}

/**
 * A durable home for turn records: SQLite by default, a shared database (Postgres) for a team's
 * gateway. Writes are queued and committed in batches, off the request path; reads go through the
 * TurnSource interface everyone else uses. See docs/design/store.md.
 */
export interface TurnStore extends TurnSource {
  /** Queues a record; it is committed within one flush interval. Never throws on the request path. */
  add(turn: TurnRecord): void;
  /**
   * Adds a record and commits it now, together with whatever else is queued or finishing at the same
   * moment (a group commit). Resolves once that commit is done, or at once when it failed or the store is
   * failing (the record then stays queued for the retry); never rejects. The gateway awaits it before it
   * writes a completed answer's last event, so a turn a client saw complete survives the process dying.
   */
  commit(turn: TurnRecord): Promise<void>;
  /** Commits everything queued so far. */
  flush(): Promise<void>;
  /** One session's totals, when it has turns in the store. */
  session(sessionId: string): Promise<SessionSummary | undefined>;
  /** Turns that reused less than expected (newest `limit`, oldest first), optionally of one reason. */
  misses(query: TurnQuery & { reason?: string }): Promise<TurnRecord[]>;
  missCounts(query: { since?: string }): Promise<MissCount[]>;
  /** Deletes turns that started before `cutoff` (ISO timestamp); returns how many. */
  prune(cutoff: string): Promise<number>;
  /** Flushes, stops the timers and closes the database. */
  close(): Promise<void>;
}
