import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { MIGRATIONS, migrate } from "./sqlite-migrations.js";

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (row) => row.name,
  );

describe("migrate", () => {
  it("applies only the steps a database has not seen, each with its version bump", () => {
    const db = new Database(":memory:");
    expect(migrate(db, ["CREATE TABLE a (x)"])).toBe(0);
    expect(migrate(db, ["CREATE TABLE a (x)", "CREATE TABLE b (y)"])).toBe(1);
    expect(db.pragma("user_version", { simple: true })).toBe(2);
    expect(tables(db)).toEqual(["a", "b"]);
    expect(migrate(db, ["CREATE TABLE a (x)", "CREATE TABLE b (y)"])).toBe(2);
  });

  it("leaves a failed step undone: neither its tables nor its version", () => {
    const db = new Database(":memory:");
    expect(() => migrate(db, ["CREATE TABLE a (x)", "CREATE TABLE b (y); CREATE TABLE a (z)"])).toThrow(
      /already exists/,
    );
    expect(db.pragma("user_version", { simple: true })).toBe(1);
    expect(tables(db)).toEqual(["a"]);
    expect(migrate(db, ["CREATE TABLE a (x)", "CREATE TABLE b (y)"])).toBe(1);
    expect(tables(db)).toEqual(["a", "b"]);
  });

  it("fills in the reasoning tokens of the turns stored before the column was", () => {
    const db = new Database(":memory:");
    migrate(db, MIGRATIONS.slice(0, -1));
    const insert =
      db.prepare(`INSERT INTO turns (id, started_at, backend, protocol, endpoint, status, duration_ms, record)
      VALUES (?, '2026-12-07T00:00:00.000Z', 'local', 'anthropic', 'messages', 200, 1, ?)`);
    insert.run("a", JSON.stringify({ usage: { outputTokens: 9, reasoningTokens: 7 } }));
    insert.run("b", JSON.stringify({ usage: { outputTokens: 9 } }));
    insert.run("c", "not json");
    migrate(db);
    expect(db.prepare("SELECT id, reasoning_tokens FROM turns ORDER BY id").all()).toEqual([
      { id: "a", reasoning_tokens: 7 },
      { id: "b", reasoning_tokens: null },
      { id: "c", reasoning_tokens: null },
    ]);
  });
});
