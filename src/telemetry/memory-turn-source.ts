import { summarizeSessions } from "./summarize-session.js";
import type { TurnRecord, TurnRecorder } from "./turn-record.js";
import type { SessionSummary, TurnQuery, TurnSource } from "./turn-source.js";

/**
 * A TurnSource over the gateway's in-memory ring of recent turns (what a gateway without a durable
 * store can show). Results follow the TurnSource contract: turns oldest first, sessions newest first.
 */
export class MemoryTurnSource implements TurnSource {
  constructor(private readonly recorder: TurnRecorder) {}

  async turns(query: TurnQuery): Promise<TurnRecord[]> {
    const matching = this.recorder
      .all()
      .filter(
        (turn) =>
          (query.sessionId === undefined || turn.sessionId === query.sessionId) &&
          (query.since === undefined || turn.startedAt >= query.since),
      );
    if (query.limit === undefined) return matching;
    return query.limit > 0 ? matching.slice(-query.limit) : [];
  }

  async sessions(query: { since?: string; limit?: number }): Promise<SessionSummary[]> {
    const since = query.since;
    const turns =
      since === undefined ? this.recorder.all() : this.recorder.all().filter((turn) => turn.startedAt >= since);
    const sessions = summarizeSessions(turns);
    return query.limit === undefined ? sessions : sessions.slice(0, Math.max(0, query.limit));
  }
}
