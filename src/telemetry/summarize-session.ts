import { readClientName } from "../sessions/client-name.js";
import { readEvalTag } from "./eval-tag.js";
import { turnCostView } from "./read-turn-extras.js";
import type { TurnRecord } from "./turn-record.js";
import type { SessionSummary } from "./turn-source.js";

/** The counters a session summary adds up over turns (and the dashboard's totals over sessions). */
export const ZERO_COUNTS = {
  turns: 0,
  localTurns: 0,
  cloudTurns: 0,
  promptTokens: 0,
  reusedTokens: 0,
  prefilledTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
  misses: 0,
  errors: 0,
} as const;

/** Newest first by last activity, like the dashboard and `switchyard report` list them. */
const byLastActivity = (a: SessionSummary, b: SessionSummary) => b.lastAt.localeCompare(a.lastAt);

/**
 * Folds turns (oldest first) into one summary per session, newest first. Turns without a session are
 * left out, and so are count_tokens calls: they are not conversation turns and carry no usage. The
 * SQLite store's SQL computes the same totals (its test compares the two on the same turns).
 */
export function summarizeSessions(turns: readonly TurnRecord[]): SessionSummary[] {
  const sessions = new Map<string, SessionSummary & { costUsd: number; savedUsd: number }>();
  const taggedAt = new Map<string, string>();
  const namedAt = new Map<string, string>();
  for (const turn of turns) {
    if (turn.sessionId === undefined || turn.endpoint === "count_tokens") continue;
    let summary = sessions.get(turn.sessionId);
    if (!summary) {
      summary = {
        sessionId: turn.sessionId,
        firstAt: turn.startedAt,
        lastAt: turn.startedAt,
        ...ZERO_COUNTS,
        lastBackend: turn.backend,
        costUsd: 0,
        savedUsd: 0,
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
    summary.reasoningTokens += turn.usage?.reasoningTokens ?? 0;
    if (turn.miss) summary.misses++;
    if (turn.error || turn.status >= 400) summary.errors++;
    if (turn.startedAt >= summary.lastAt) {
      summary.lastAt = turn.startedAt;
      summary.lastBackend = turn.backend;
    }
    if (turn.startedAt < summary.firstAt) summary.firstAt = turn.startedAt;
    // The latest tagged turn's tag, as the stores' SQL picks it (a record from disk is read defensively).
    const tag = readEvalTag(turn.evalTag);
    if (tag && turn.startedAt >= (taggedAt.get(turn.sessionId) ?? "")) {
      summary.evalTag = tag;
      taggedAt.set(turn.sessionId, turn.startedAt);
    }
    const client = readClientName(turn.client);
    if (client && turn.startedAt >= (namedAt.get(turn.sessionId) ?? "")) {
      summary.client = client;
      namedAt.set(turn.sessionId, turn.startedAt);
    }
    const cost = turnCostView(turn);
    summary.costUsd += cost?.usd ?? 0;
    summary.savedUsd += cost?.savedUsd ?? 0;
  }
  return [...sessions.values()].sort(byLastActivity);
}

/** One session's totals from its turns (oldest first); undefined when it has no conversation turn. */
export function summarizeSession(sessionId: string, turns: readonly TurnRecord[]): SessionSummary | undefined {
  return summarizeSessions(turns.filter((turn) => turn.sessionId === sessionId))[0];
}
