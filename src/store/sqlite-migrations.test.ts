import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrate } from "./sqlite-migrations.js";

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
});
