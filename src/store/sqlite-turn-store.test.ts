import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteTurnStore } from "./sqlite-turn-store.js";

// The behaviour every store shares is tested once for SQLite and PostgreSQL in turn-store.test.ts.
describe("SqliteTurnStore", () => {
  it("opens its file in WAL mode (a committed batch survives the process being killed)", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "switchyard-store-")), "turns.db");
    await new SqliteTurnStore({ path, retentionDays: 0 }).close();
    const db = new Database(path);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });
});
