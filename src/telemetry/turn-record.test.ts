import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
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
});
