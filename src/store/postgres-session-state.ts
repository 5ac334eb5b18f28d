import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { SharedSessionState } from "../routing/shared-session-state.js";
import type { SessionRoutingState } from "../sessions/session-entry.js";
import type { SessionTable } from "../sessions/session-table.js";
import { CHANGES_CHANNEL, type ChangeListener, type PostgresChanges } from "./postgres-changes.js";

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

export interface SessionStateOptions {
  /** How long a read stays fresh when no notification can drop it (not listening). */
  cacheMs?: number;
  /** Other replicas' writes, announced: a session another replica wrote is read again at its next turn. */
  changes?: PostgresChanges;
  onError?: (message: string) => void;
}

/**
 * Sessions' routing mode and placement in the shared store's `session_state`, one row per session
 * with a version. `load` reads the row unless this replica's copy is fresh, and takes it when it is
 * newer than what this replica has; `save` writes the state when it differs from what was read or
 * written last, bumping the version, and announces the write (NOTIFY) in the same statement. A write
 * goes only over the version this replica's copy came from: a copy another replica has written over
 * since (its announcement not heard yet) is refused rather than put back over the newer state, and the
 * row is read again at the session's next turn.
 *
 * Fresh means: while listening for the other replicas' writes, until one of them writes this session
 * (a round-robin balancer alternates a session's turns between replicas, so a time-bound cache alone
 * would decide every other turn on the state of two turns ago, and write it back over the newer one);
 * while not listening, for `cacheMs`. A session's writes from one replica go in order, one at a time.
 */
export class PostgresSessionState implements SharedSessionState, ChangeListener {
  private readonly known = new Map<string, Known>();
  private readonly cacheMs: number;
  private readonly writer = randomUUID();
  /** Each session's last write, so the next one goes after it (and a load waits for it). */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: SessionStateOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 2_000;
    options.changes?.subscribe(this);
  }

  changed(payload: string): void {
    const prefix = "session:";
    if (!payload.startsWith(prefix)) return;
    const rest = payload.slice(prefix.length);
    const colon = rest.indexOf(":");
    if (rest.slice(0, colon) === this.writer) return;
    const known = this.known.get(rest.slice(colon + 1));
    if (known) known.readAt = Number.NEGATIVE_INFINITY;
  }

  reset(): void {
    for (const known of this.known.values()) known.readAt = Number.NEGATIVE_INFINITY;
  }

  private fresh(known: Known | undefined): boolean {
    if (!known) return false;
    if (this.options.changes?.listening) return known.readAt !== Number.NEGATIVE_INFINITY;
    return Date.now() - known.readAt < this.cacheMs;
  }

  async load(sessionId: string, table: SessionTable): Promise<void> {
    let known = this.known.get(sessionId);
    if (this.fresh(known)) return;
    // The moment of the read, taken before it: a change announced while it runs makes it stale again.
    const readAt = Date.now();
    if (known) known.readAt = readAt;
    try {
      await this.writes.get(sessionId);
      known = this.known.get(sessionId);
      const { rows } = await this.pool.query<{ state: SharedState; version: string }>(
        "SELECT state, version FROM session_state WHERE session_id = $1",
        [sessionId],
      );
      const row = rows[0];
      if (!row) {
        this.remember(sessionId, {
          readAt: known?.readAt ?? readAt,
          version: known?.version ?? 0,
          json: known?.json ?? "",
        });
        return;
      }
      const version = Number(row.version);
      if (!known || version > known.version) {
        const entry = table.session(sessionId);
        entry.routing = row.state.routing ?? undefined;
        entry.placement = row.state.placement ?? undefined;
      }
      this.remember(sessionId, {
        readAt: known?.readAt ?? readAt,
        version: Math.max(version, known?.version ?? 0),
        json: stateJson(row.state),
      });
    } catch (error) {
      const failed = this.known.get(sessionId);
      if (failed) failed.readAt = Number.NEGATIVE_INFINITY;
      this.report(`cannot read session ${sessionId}'s routing state: ${(error as Error).message}`);
    }
  }

  /** Writes the session's state when it changed; resolves once written (or failed), never rejects. */
  save(sessionId: string, table: SessionTable): Promise<void> {
    const entry = table.peek(sessionId);
    if (!entry) return Promise.resolve();
    const json = stateJson({ routing: entry.routing, placement: entry.placement });
    const known = this.known.get(sessionId);
    if (known?.json === json) return this.writes.get(sessionId) ?? Promise.resolve();
    this.remember(sessionId, {
      readAt: known?.readAt ?? Number.NEGATIVE_INFINITY,
      version: known?.version ?? 0,
      json,
    });
    const write = (this.writes.get(sessionId) ?? Promise.resolve())
      .then(() =>
        // Only over the version this replica's copy came from (taken now, after its own earlier writes).
        this.pool.query<{ version: string }>(
          `WITH saved AS (
             INSERT INTO session_state (session_id, state, version) VALUES ($1, $2, 1)
             ON CONFLICT (session_id) DO UPDATE SET state = EXCLUDED.state, version = session_state.version + 1, updated_at = now()
               WHERE session_state.version = $4
             RETURNING version)
           SELECT version, pg_notify('${CHANGES_CHANNEL}', $3) FROM saved`,
          [sessionId, json, `session:${this.writer}:${sessionId}`, this.known.get(sessionId)?.version ?? 0],
        ),
      )
      .then(({ rows }) => {
        const now = this.known.get(sessionId);
        if (!now) return;
        const row = rows[0];
        if (row) now.version = Number(row.version);
        else {
          // Another replica wrote since this one's copy was read: refused, and read again at the next turn,
          // taking the row whatever its version (-1: older than any).
          now.readAt = Number.NEGATIVE_INFINITY;
          now.version = -1;
          now.json = "";
        }
      })
      .catch((error: Error) => this.report(`cannot write session ${sessionId}'s routing state: ${error.message}`))
      .finally(() => {
        if (this.writes.get(sessionId) === write) this.writes.delete(sessionId);
      });
    this.writes.set(sessionId, write);
    return write;
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
