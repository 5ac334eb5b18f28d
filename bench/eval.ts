// npm run bench:eval — the eval harness's own overhead per run (copy, commit, restore, scorer launch),
// over 30 scripted runs of the starter suite (the oracle agent: a script applying each reference patch).
// The budget: ≤ 1.5 s overhead per run, and 30 scripted runs in ≤ 3 minutes. Printed, not asserted.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { networkIsolation } from "../src/eval/network-isolation.js";
import { runInGroup } from "../src/eval/run-in-group.js";
import { runSuite } from "../src/eval/run-suite.js";
import { findTaskDirectories } from "../src/eval/task-config.js";
import { median, percentile, printTable, writeResults } from "./bench-support.js";

const RUNS = 30;
const PARALLEL = 2;
const suite = join(import.meta.dirname, "..", "eval", "tasks");
const taskCount = findTaskDirectories(suite).length;
const outDir = mkdtempSync(join(tmpdir(), "switchyard-bench-eval-"));

// The bare cost of launching a scorer: `unshare -n sh -c 'exit 0'`, ten times.
const launches: number[] = [];
for (let i = 0; i < 10; i++) {
  const result = await runInGroup("exit 0", {
    cwd: outDir,
    env: { PATH: process.env.PATH },
    timeoutMs: 10_000,
    logFile: join(outDir, `launch-${i}.log`),
    wrapper: networkIsolation().wrapper,
  });
  launches.push(result.durationMs);
}

const started = performance.now();
const { records, summary } = await runSuite(suite, {
  agent: { kind: "oracle" },
  route: "bench",
  epochs: Math.ceil(RUNS / taskCount),
  parallel: PARALLEL,
  outDir,
});
const wallSeconds = (performance.now() - started) / 1000;
const scripted = records.slice(0, RUNS);

const column = (pick: (record: (typeof records)[number]) => number) => {
  const values = scripted.map(pick);
  return [median(values), percentile(values, 0.95), Math.max(...values)].map((value) => String(Math.round(value)));
};
printTable(
  ["per run (ms)", "median", "p95", "max"],
  [
    ["harness overhead", ...column((r) => r.overheadMs)],
    ["  prepare (copy, commit, snapshot)", ...column((r) => r.phasesMs.prepare ?? 0)],
    ["  diff, restore, hidden tests", ...column((r) => r.phasesMs.diffRestore ?? 0)],
    [
      "  scorer launch (unshare + sh)",
      ...[median(launches), percentile(launches, 0.95), Math.max(...launches)].map((value) =>
        String(Math.round(value)),
      ),
    ],
    ["agent (oracle: git apply)", ...column((r) => r.agentStep?.durationMs ?? 0)],
    ["scorer (the task's tests)", ...column((r) => r.scorerStep?.durationMs ?? 0)],
    ["whole run", ...column((r) => r.wallMs)],
  ],
);
const overheadP95 = percentile(
  scripted.map((r) => r.overheadMs),
  0.95,
);
console.log(
  `\n${records.length} runs (${summary.passed}/${summary.total} passed) in ${wallSeconds.toFixed(1)} s at --parallel ${PARALLEL}; ` +
    `overhead p95 ${Math.round(overheadP95)} ms (budget 1500 ms: ${overheadP95 <= 1500 ? "met" : "NOT met"}); ` +
    `30 runs ${wallSeconds * (RUNS / records.length) <= 180 ? "within" : "OVER"} 3 minutes; scorer network isolation: ${networkIsolation().kind}`,
);
writeResults(`eval-${new Date().toISOString().replace(/[:.]/g, "-")}`, {
  runs: records.length,
  parallel: PARALLEL,
  wallSeconds,
  passed: summary.passed,
  network: networkIsolation().kind,
  launchesMs: launches,
  records: records.map((r) => ({ task: r.task, overheadMs: r.overheadMs, phasesMs: r.phasesMs, wallMs: r.wallMs })),
});
