import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findTaskDirectories } from "../src/eval/task-config.js";
import { validateSuite } from "../src/eval/validate.js";
import { runCli } from "./cli.js";

const TASKS = join(import.meta.dirname, "..", "eval", "tasks");

describe("eval: the starter suite under eval/tasks", () => {
  it("has at least 12 tasks in Node, Python and C, one scored by JUnit and one by mutation testing", () => {
    const names = findTaskDirectories(TASKS).map((path) => path.split("/").at(-1) as string);
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const prefix of ["node-", "py-", "c-"]) expect(names.some((name) => name.startsWith(prefix))).toBe(true);
    expect(names).toContain("node-mutation-clamp");
    expect(names).toContain("node-csv-junit");
  });

  it("validate --reps 3 admits every task: the reference passes 3/3, the starter fails 3/3", async () => {
    const started = performance.now();
    const result = await validateSuite(TASKS, { reps: 3, parallel: 2, writeFile: false });
    // Printed, never asserted: wall-clock depends on the machine (the budget is 60 s).
    console.log(
      `validate --reps 3: ${result.admitted.length} tasks in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(result.excluded).toEqual([]);
    expect(result.admitted).toHaveLength(findTaskDirectories(TASKS).length);
  });

  it("run --json: oracle passes every task, null passes none", async () => {
    const total = findTaskDirectories(TASKS).length;
    for (const [agent, passed] of [
      ["oracle", total],
      ["null", 0],
    ] as const) {
      const out = mkdtempSync(join(tmpdir(), "switchyard-eval-cli-"));
      const result = await runCli(["eval", "run", TASKS, "--agent", agent, "--parallel", "2", "--json", "--out", out]);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as { passed: number; total: number; statuses: Record<string, number> };
      expect({ agent, passed: summary.passed, total: summary.total }).toEqual({ agent, passed, total });
      expect(summary.statuses.scored).toBe(total);
    }
  });
});
