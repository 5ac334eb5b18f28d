import { turnCostView } from "./read-turn-extras.js";
import type { TurnRecord, TurnRecorder } from "./turn-record.js";
import type { SessionSummary, TurnQuery, TurnSource } from "./turn-source.js";

/** Newest first by last activity, like the dashboard lists them. */
const byLastActivity = (a: SessionSummary, b: SessionSummary) => b.lastAt.localeCompare(a.lastAt);

/** Folds turns (oldest first) into one summary per session; turns without a session are left out. */
export function summarizeSessions(turns: readonly TurnRecord[]): SessionSummary[] {
  const sessions = new Map<string, SessionSummary>();
  for (const turn of turns) {
    if (turn.sessionId === undefined || turn.endpoint === "count_tokens") continue;
    let summary = sessions.get(turn.sessionId);
    if (!summary) {
      summary = {
        sessionId: turn.sessionId,
        firstAt: turn.startedAt,
        lastAt: turn.startedAt,
        turns: 0,
        localTurns: 0,
        cloudTurns: 0,
        promptTokens: 0,
        reusedTokens: 0,
        prefilledTokens: 0,
        outputTokens: 0,
        misses: 0,
        errors: 0,
        lastBackend: turn.backend,
      };
      sessions.set(turn.sessionId, summary);
    }
    summary.turns++;
    if (turn.backendLocal === true) summary.localTurns++;
    if (turn.backendLocal === false) summary.cloudTurns++;
    summary.promptTokens += turn.promptTokens ?? 0;
    summary.reusedTokens += turn.reusedTokens ?? 0;
    summary.prefilledTokens += turn.prefilledTokens ?? 0;
    summary.outputTokens += turn.outputTokens ?? 0;
    if (turn.miss) summary.misses++;
    if (turn.error || turn.status >= 400) summary.errors++;
    if (turn.startedAt >= summary.lastAt) {
      summary.lastAt = turn.startedAt;
      summary.lastBackend = turn.backend;
    }
    if (turn.startedAt < summary.firstAt) summary.firstAt = turn.startedAt;
    const cost = turnCostView(turn);
    if (cost) {
      summary.costUsd = (summary.costUsd ?? 0) + (cost.usd ?? 0);
      summary.savedUsd = (summary.savedUsd ?? 0) + (cost.savedUsd ?? 0);
    }
  }
  return [...sessions.values()].sort(byLastActivity);
}

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
