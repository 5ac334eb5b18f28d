import { turnCostView } from "./read-turn-extras.js";
import type { TurnRecord } from "./turn-record.js";
import type { SessionSummary } from "./turn-source.js";

/** One session's totals from its turns (oldest first), as a store computes them with a query. */
export function summarizeSession(sessionId: string, turns: readonly TurnRecord[]): SessionSummary | undefined {
  const first = turns[0];
  const last = turns.at(-1);
  if (!first || !last) return undefined;
  const summary: SessionSummary & { costUsd: number; savedUsd: number } = {
    sessionId,
    firstAt: first.startedAt,
    lastAt: last.startedAt,
    turns: turns.length,
    localTurns: 0,
    cloudTurns: 0,
    promptTokens: 0,
    reusedTokens: 0,
    prefilledTokens: 0,
    outputTokens: 0,
    misses: 0,
    errors: 0,
    lastBackend: last.backend,
    costUsd: 0,
    savedUsd: 0,
  };
  for (const turn of turns) {
    if (turn.backendLocal === true) summary.localTurns++;
    if (turn.backendLocal === false) summary.cloudTurns++;
    summary.promptTokens += turn.promptTokens ?? 0;
    summary.reusedTokens += turn.reusedTokens ?? 0;
    summary.prefilledTokens += turn.prefilledTokens ?? 0;
    summary.outputTokens += turn.outputTokens ?? 0;
    if (turn.miss) summary.misses++;
    if (turn.status >= 400 || turn.error) summary.errors++;
    const cost = turnCostView(turn);
    summary.costUsd += cost?.usd ?? 0;
    summary.savedUsd += cost?.savedUsd ?? 0;
  }
  return summary;
}
