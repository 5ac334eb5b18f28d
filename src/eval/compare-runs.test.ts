import { describe, expect, it } from "vitest";
import { comparisonTable, plainLine } from "./compare-format.js";
import { compareRuns, type LoadedRun } from "./compare-runs.js";
import type { RunRecord } from "./run-record.js";
import { bootstrapMeanInterval } from "./stats/bootstrap.js";
import { mcnemarExactP } from "./stats/mcnemar.js";

function record(task: string, passed: boolean, agentMs: number, costUsd: number, epoch = 1): RunRecord {
  return {
    task,
    epoch,
    attempts: 1,
    status: "scored",
    score: passed ? 1 : 0,
    passed,
    agent: "cmd:x",
    route: "r",
    sessionId: `${task}-${epoch}`,
    agentStep: { exitCode: 0, durationMs: agentMs, timedOut: false, logBytes: 0 },
    tamper: [],
    diffBytes: 0,
    network: "unshare",
    overheadMs: 0,
    wallMs: agentMs,
    notes: [],
    phasesMs: {},
    costUsd,
  };
}

// 20 tasks: 13 both pass, 1 only local, 4 only cloud, 2 neither → local 14/20, cloud 17/20.
const outcomes: [boolean, boolean][] = [
  ...Array.from({ length: 13 }, (): [boolean, boolean] => [true, true]),
  [true, false],
  ...Array.from({ length: 4 }, (): [boolean, boolean] => [false, true]),
  [false, false],
  [false, false],
];
const local: LoadedRun = {
  label: "local",
  records: outcomes.map(([passed], index) => record(`t${index}`, passed, 31_000, 0)),
};
const cloud: LoadedRun = {
  label: "cloud",
  records: outcomes.map(([, passed], index) => record(`t${index}`, passed, 10_000, 0.12)),
};

describe("compare: two runs on the same tasks", () => {
  it("one epoch: McNemar exact on the discordant pairs, and the plain line", () => {
    const comparison = compareRuns(local, cloud);
    expect(comparison.test).toBe("mcnemar-exact");
    expect(comparison.mcnemarP).toBe(mcnemarExactP(1, 4));
    expect(comparison.significant).toBe(false);
    expect(comparison.difference.mean).toBeCloseTo(-0.15, 12);
    const interval = bootstrapMeanInterval(
      outcomes.map(([a, b]) => Number(a) - Number(b)),
      { seed: 1 },
    );
    const pp = (value: number) => {
      const rounded = Math.round(value * 100);
      return rounded === 0 ? "0" : rounded < 0 ? `−${-rounded}` : `+${rounded}`;
    };
    expect(plainLine(comparison)).toBe(
      `local 14/20 vs cloud 17/20, Δ −15 pp [${pp(interval.low)}, ${pp(interval.high)}], not significant; 3.1× slower; $0 vs $2.40`,
    );
    expect(comparisonTable(comparison)).toContain("McNemar exact p = 0.375");
  });

  it("several epochs: the bootstrap interval decides, and a task only one side ran is listed, not scored", () => {
    const epochs = (run: LoadedRun, extra: string) => ({
      ...run,
      records: [
        ...run.records.flatMap((r) => [r, { ...r, epoch: 2 }, { ...r, epoch: 3 }]),
        record(extra, true, 1000, 0),
      ],
    });
    const comparison = compareRuns(epochs(local, "only-local"), epochs(cloud, "only-cloud"));
    expect(comparison.test).toBe("bootstrap");
    expect(comparison.mcnemarP).toBeUndefined();
    expect(comparison.unpaired).toEqual(["only-cloud", "only-local"]);
    expect(comparison.a.total).toBe(60);
    expect(comparison.significant).toBe(comparison.difference.high < 0 || comparison.difference.low > 0);
  });

  it("a clear difference is significant", () => {
    const worse: LoadedRun = { label: "local", records: outcomes.map((_, i) => record(`t${i}`, false, 1, 0)) };
    const better: LoadedRun = { label: "cloud", records: outcomes.map((_, i) => record(`t${i}`, true, 1, 0)) };
    const comparison = compareRuns(worse, better);
    expect(comparison.significant).toBe(true);
    expect(plainLine(comparison)).toMatch(
      /^local 0\/20 vs cloud 20\/20, Δ −100 pp \[−100, −100\], significant; 1\.0× slower; \$0 vs \$0$/,
    );
  });
});
