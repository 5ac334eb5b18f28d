import type { EvalTag } from "./eval-tag.js";
import type { TurnRecord } from "./turn-record.js";

/** Which turns to read: one session's, since a time, newest `limit` (results are oldest first). */
export interface TurnQuery {
  sessionId?: string;
  /** ISO timestamp: turns that started at or after it. */
  since?: string;
  /** Newest this many; `Number.POSITIVE_INFINITY` for all of them (a source may cap other values). */
  limit?: number;
}

/** One session as the dashboard and `switchyard report` list it. */
export interface SessionSummary {
  sessionId: string;
  firstAt: string;
  lastAt: string;
  turns: number;
  /** Turns served by local backends and by the others (clouds). */
  localTurns: number;
  cloudTurns: number;
  promptTokens: number;
  reusedTokens: number;
  prefilledTokens: number;
  outputTokens: number;
  /** Of the output, the tokens the backends counted as reasoning (0 where none said). */
  reasoningTokens: number;
  misses: number;
  errors: number;
  /** The backend of the latest turn. */
  lastBackend: string;
  /** What the session's turns cost in USD (clouds), when the source knows. */
  costUsd?: number;
  /** What its local turns would have cost on the reference cloud model, less their electricity. */
  savedUsd?: number;
  /** The eval run and task of the session's latest tagged turn, when it came from `switchyard eval run`. */
  evalTag?: EvalTag;
  /** The agent of the session's latest turn that named one ("Claude Code 2.1.197"). */
  client?: string;
}

/**
 * Where turn records are read from: the in-memory ring of a running gateway, or a durable store
 * (SQLite by default). The dashboard, `/v1/switchyard/*` and `switchyard report` read through this.
 */
export interface TurnSource {
  turns(query: TurnQuery): Promise<TurnRecord[]>;
  sessions(query: { since?: string; limit?: number }): Promise<SessionSummary[]>;
}
