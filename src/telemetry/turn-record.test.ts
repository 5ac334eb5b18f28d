import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { turnRecord } from "../../test/support/turn-records.js";
import { TurnRecorder } from "./turn-record.js";

describe("TurnRecorder's JSONL file", () => {
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-turn-record-"));
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  const lines = (path: string) =>
    readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).id);

  it("makes its folder when missing, and again when it is removed while running", async () => {
    const path = join(scratch, "state", "switchyard", "turns.jsonl");
    const recorder = new TurnRecorder(10, path);
    recorder.add(turnRecord({ id: "a" }));
    recorder.add(turnRecord({ id: "b" }));
    await recorder.flush();
    expect(lines(path)).toEqual(["a", "b"]);
    rmSync(join(scratch, "state"), { recursive: true });
    recorder.add(turnRecord({ id: "c" }));
    await recorder.flush();
    expect(lines(path)).toEqual(["c"]);
  });

  it("writes the lines added while a write is under way together, in order, and flush waits for them", async () => {
    const writes: string[] = [];
    let release = () => {};
    const recorder = new TurnRecorder(10, "turns.jsonl", (_path, text) => {
      writes.push(text);
      return new Promise((resolve) => {
        release = resolve;
      });
    });
    recorder.add(turnRecord({ id: "first" }));
    for (let index = 0; index < 100; index++) recorder.add(turnRecord({ id: `next-${index}` }));
    let flushed = false;
    void recorder.flush().then(() => {
      flushed = true;
    });
    expect(writes).toHaveLength(1);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(2);
    expect(writes[1]?.trim().split("\n")).toHaveLength(100);
    expect(flushed).toBe(false);
    release();
    await recorder.flush();
    expect(flushed).toBe(true);
    const ids = writes.flatMap((text) =>
      text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).id),
    );
    expect(ids).toEqual(["first", ...Array.from({ length: 100 }, (_, index) => `next-${index}`)]);
  });

  it("keeps each write under 128 Ki characters of whole lines", async () => {
    const writes: string[] = [];
    const recorder = new TurnRecorder(10, "turns.jsonl", async (_path, text) => {
      writes.push(text);
    });
    const note = "x".repeat(10_000);
    for (let index = 0; index < 40; index++) recorder.add(turnRecord({ id: `${index}`, requestedModel: note }));
    await recorder.flush();
    expect(writes.length).toBeGreaterThan(2);
    for (const text of writes) {
      expect(text.length).toBeLessThanOrEqual(128 * 1024);
      expect(text.endsWith("\n")).toBe(true);
    }
    expect(writes.join("").trim().split("\n")).toHaveLength(40);
  });

  it("says a run of failed writes once and when it ends, and starts the next record on a line of its own", async () => {
    const writes: string[] = [];
    const recorder = new TurnRecorder(10, "turns.jsonl", async (_path, text) => {
      writes.push(text);
      if (writes.length <= 3) throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    });
    const said: string[] = [];
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((text) => said.push(String(text)) > 0);
    try {
      for (const id of ["a", "b", "c", "d"]) {
        recorder.add(turnRecord({ id }));
        await recorder.flush();
      }
    } finally {
      stderr.mockRestore();
    }
    expect(writes).toHaveLength(4);
    expect(said).toHaveLength(2);
    expect(said[0]).toContain("cannot write turns.jsonl: ENOSPC: no space left on device");
    expect(said[1]).toMatch(/writing turns.jsonl again after \d+ s; 3 turn record\(s\) could not be written/);
    // Whatever part of a line the failed writes left, the record after them parses on its own line.
    const last = writes[3] as string;
    expect(last.startsWith("\n")).toBe(true);
    expect(JSON.parse(last.trim()).id).toBe("d");
  });
});
