import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pruneSlotFiles } from "./slot-file-budget.js";

describe("pruneSlotFiles", () => {
  it("deletes the oldest slot files until the rest fit, and leaves other files alone", async () => {
    const directory = mkdtempSync(join(tmpdir(), "switchyard-slots-"));
    const files = ["switchyard-aa.bin", "switchyard-bb.bin", "switchyard-cc.bin", "switchyard-dd.bin"];
    // Written newest first, so names and ages disagree: only the modification time may decide.
    for (const [index, name] of files.entries()) {
      writeFileSync(join(directory, name), Buffer.alloc(1000));
      const age = new Date(Date.UTC(2026, 0, 10 - index));
      utimesSync(join(directory, name), age, age);
    }
    writeFileSync(join(directory, "notes.txt"), Buffer.alloc(5000));
    expect(await pruneSlotFiles(directory, 2500)).toEqual(["switchyard-dd.bin", "switchyard-cc.bin"]);
    expect(readdirSync(directory).sort()).toEqual(["notes.txt", "switchyard-aa.bin", "switchyard-bb.bin"]);
    expect(await pruneSlotFiles(directory, 2500)).toEqual([]);
    expect(await pruneSlotFiles(directory, 0)).toHaveLength(2);
    expect(readdirSync(directory)).toEqual(["notes.txt"]);
  });

  it("is a no-op for a directory that does not exist", async () => {
    expect(await pruneSlotFiles(join(tmpdir(), "switchyard-no-such-dir-xyz"), 0)).toEqual([]);
  });
});
