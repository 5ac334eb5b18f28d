import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { turnRecord } from "../../test/support/turn-records.js";
import { JsonlTurnSource } from "./jsonl-turn-source.js";

describe("JSONL turn source", () => {
  it("reads records back, filters by session and time, keeps the newest `limit`, and skips torn lines", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-jsonl-")), "turns.jsonl");
    const records = [
      turnRecord({ id: "a", startedAt: "2026-12-01T10:00:00.000Z" }),
      turnRecord({
        id: "b",
        startedAt: "2026-12-01T11:00:00.000Z",
        sessionId: "s2",
        backend: "cloud",
        backendLocal: false,
      }),
      turnRecord({
        id: "c",
        startedAt: "2026-12-01T12:00:00.000Z",
        miss: { reason: "prompt-changed", explanation: "x" },
      }),
    ];
    writeFileSync(path, records.map((record) => JSON.stringify(record)).join("\n"));
    appendFileSync(path, '\n{"id":"torn",');
    const source = new JsonlTurnSource(path);
    expect((await source.turns({})).map((turn) => turn.id)).toEqual(["a", "b", "c"]);
    expect(source.skippedLines).toBe(1);
    expect((await source.turns({ sessionId: "s1" })).map((turn) => turn.id)).toEqual(["a", "c"]);
    expect((await source.turns({ since: "2026-12-01T11:00:00.000Z" })).map((turn) => turn.id)).toEqual(["b", "c"]);
    expect((await source.turns({ limit: 1 })).map((turn) => turn.id)).toEqual(["c"]);
    const sessions = await source.sessions({});
    expect(sessions.map((session) => session.sessionId)).toEqual(["s1", "s2"]);
    expect(sessions[0]).toMatchObject({ turns: 2, localTurns: 2, cloudTurns: 0, reusedTokens: 180, misses: 1 });
    expect(sessions[1]).toMatchObject({ turns: 1, cloudTurns: 1, lastBackend: "cloud" });
  });

  it("reads a missing file as no records", async () => {
    expect(await new JsonlTurnSource(join(tmpdir(), "no-such-switchyard-file.jsonl")).turns({})).toEqual([]);
  });
});
