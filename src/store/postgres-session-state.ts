import type pg from "pg";
import type { SharedSessionState } from "../routing/shared-session-state.js";
import type { SessionRoutingState } from "../sessions/session-entry.js";
import type { SessionTable } from "../sessions/session-table.js";

interface Known {
  /** When this replica last read the row (ms, its own clock). */
  readAt: number;
  version: number;
  /** The state as last read or written, to write only changes. */
  json: string;
}

interface SharedState {
  routing: SessionRoutingState | undefined;
  placement: string | undefined;
}

/** Sessions whose state this replica remembers reading; the oldest go first beyond this. */
const MAX_KNOWN = 10_000;

/**
 * Sessions' routing mode and placement in the shared store's `session_state`, one row per session
 * with a version. `load` reads the row at most once per `cacheMs` per session (a short local cache: a
 * session's turns come seconds apart, and the decision it carries changes rarely) and takes it when it
 * is newer than what this replica has; `save` writes the state when it differs from what was read or
 * written last, bumping the version. The last writer wins, which for a mode is what the newest turn of
 * the session decided.
 */
export class PostgresSessionState implements SharedSessionState {
  private readonly known = new Map<string, Known>();
  private readonly cacheMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { cacheMs?: number; onError?: (message: string) => void } = {},
  ) {
    this.cacheMs = options.cacheMs ?? 2_000;
  }

  async load(sessionId: string, table: SessionTable): Promise<void> {
    const known = this.known.get(sessionId);
    if (known && Date.now() - known.readAt < this.cacheMs) return;
    try {
      const { rows } = await this.pool.query<{ state: SharedState; version: string }>(
        "SELECT state, version FROM session_state WHERE session_id = $1",
        [sessionId],
      );
      const row = rows[0];
      if (!row) {
        this.remember(sessionId, { readAt: Date.now(), version: known?.version ?? 0, json: known?.json ?? "" });
        return;
      }
      const version = Number(row.version);
      if (!known || version > known.version) {
        const entry = table.session(sessionId);
        entry.routing = row.state.routing ?? undefined;
        entry.placement = row.state.placement ?? undefined;
      }
      this.remember(sessionId, {
        readAt: Date.now(),
        version: Math.max(version, known?.version ?? 0),
        json: stateJson(row.state),
      });
    } catch (error) {
      this.report(`cannot read session ${sessionId}'s routing state: ${(error as Error).message}`);
    }
  }

  save(sessionId: string, table: SessionTable): void {
    const entry = table.peek(sessionId);
    if (!entry) return;
    const json = stateJson({ routing: entry.routing, placement: entry.placement });
    const known = this.known.get(sessionId);
    if (known?.json === json) return;
    this.remember(sessionId, { readAt: known?.readAt ?? 0, version: known?.version ?? 0, json });
    void this.pool
      .query<{ version: string }>(
        `INSERT INTO session_state (session_id, state, version) VALUES ($1, $2, 1)
         ON CONFLICT (session_id) DO UPDATE SET state = EXCLUDED.state, version = session_state.version + 1, updated_at = now()
         RETURNING version`,
        [sessionId, json],
      )
      .then(({ rows }) => {
        const now = this.known.get(sessionId);
        if (now && now.json === json) now.version = Number(rows[0]?.version ?? now.version);
      })
      .catch((error: Error) => this.report(`cannot write session ${sessionId}'s routing state: ${error.message}`));
  }

  private remember(sessionId: string, known: Known): void {
    this.known.delete(sessionId);
    this.known.set(sessionId, known);
    if (this.known.size > MAX_KNOWN) this.known.delete(this.known.keys().next().value as string);
  }

  private report(message: string): void {
    (this.options.onError ?? ((text) => process.stderr.write(`switchyard sessions: ${text}\n`)))(message);
  }
}

/** The shared part of a session's state, as stored (undefined fields left out, so equal states are equal text). */
function stateJson(state: SharedState): string {
  return JSON.stringify({ routing: state.routing ?? null, placement: state.placement ?? null });
}
