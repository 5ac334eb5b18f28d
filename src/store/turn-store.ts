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
