import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { TurnRecord } from "./turn-record.js";
import type { SessionSummary, TurnQuery, TurnSource } from "./turn-source.js";

/**
 * Turn records read back from the JSONL file the recorder appends to. The file is read whole per
 * query (it is the fallback until the store exists); a line that is not a record (a torn last write)
 * is skipped and counted in `skippedLines`.
 */
export class JsonlTurnSource implements TurnSource {
  skippedLines = 0;

  constructor(readonly path: string) {}

  private async *records(): AsyncGenerator<TurnRecord> {
    if (!existsSync(this.path)) return;
    const lines = createInterface({ input: createReadStream(this.path, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line.trim() === "") continue;
      try {
        const record = JSON.parse(line) as TurnRecord;
        if (typeof record.id === "string" && typeof record.startedAt === "string") yield record;
        else this.skippedLines++;
      } catch {
        this.skippedLines++;
      }
    }
  }

  async turns(query: TurnQuery): Promise<TurnRecord[]> {
    const since = query.since ? Date.parse(query.since) : undefined;
    const found: TurnRecord[] = [];
    for await (const record of this.records()) {
      if (query.sessionId !== undefined && record.sessionId !== query.sessionId) continue;
      if (since !== undefined && Date.parse(record.startedAt) < since) continue;
      found.push(record);
    }
    found.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    return query.limit === undefined ? found : found.slice(-query.limit);
  }

  async sessions(query: { since?: string; limit?: number }): Promise<SessionSummary[]> {
    const bySession = new Map<string, SessionSummary>();
    for (const turn of await this.turns({ since: query.since })) {
      if (!turn.sessionId) continue;
      const summary = bySession.get(turn.sessionId) ?? {
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
      summary.lastAt = turn.startedAt;
      summary.turns++;
      if (turn.backendLocal === true) summary.localTurns++;
      if (turn.backendLocal === false) summary.cloudTurns++;
      summary.promptTokens += turn.promptTokens ?? 0;
      summary.reusedTokens += turn.reusedTokens ?? 0;
      summary.prefilledTokens += turn.prefilledTokens ?? 0;
      summary.outputTokens += turn.outputTokens ?? 0;
      if (turn.miss) summary.misses++;
      if (turn.error || turn.status >= 400) summary.errors++;
      summary.lastBackend = turn.backend;
      bySession.set(turn.sessionId, summary);
    }
    const sessions = [...bySession.values()].sort((a, b) => b.lastAt.localeCompare(a.lastAt));
    return query.limit === undefined ? sessions : sessions.slice(0, query.limit);
  }
}
