import type { SessionTable } from "../sessions/session-table.js";

/**
 * A session's routing state (its mode: auto, escalated, pinned; its placement among several local
 * backends) kept where every replica of a team's gateway sees it (src/store/postgres-session-state.ts).
 * Routing reads it into the session table before it plans, and writes it back when it changed. A
 * failure to reach the store leaves routing with what this replica knows: it never fails a request.
 */
export interface SharedSessionState {
  load(sessionId: string, table: SessionTable): Promise<void>;
  save(sessionId: string, table: SessionTable): void;
}
