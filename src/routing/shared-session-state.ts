import type { SessionTable } from "../sessions/session-table.js";

/**
 * A session's routing state (its mode: auto, escalated, pinned; its placement among several local
 * backends) kept where every replica of a team's gateway sees it (src/store/postgres-session-state.ts).
 * Routing reads it into the session table before it plans, and writes it back when it changed (a
 * finished turn's write is done before the turn's answer ends, so the next turn finds it on any replica
 * that has heard the write announced by then: NOTIFY reaches the others some time after the commit). A
 * failure to reach the store leaves routing with what this replica knows: it never fails a request.
 */
export interface SharedSessionState {
  load(sessionId: string, table: SessionTable): Promise<void>;
  /** Writes the session's state if it changed; resolves once written or failed, never rejects. */
  save(sessionId: string, table: SessionTable): Promise<void>;
}
