import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { summarizeSessions } from "./summarize-session.js";
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
    const sessions = summarizeSessions(await this.turns({ since: query.since }));
    return query.limit === undefined ? sessions : sessions.slice(0, Math.max(0, query.limit));
  }
}
