import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { RunRecord } from "./run-record.js";
import type { RunSummary } from "./run-summary.js";
import { bootstrapMeanInterval, type Interval } from "./stats/bootstrap.js";
import { mcnemarExactP } from "./stats/mcnemar.js";

export interface LoadedRun {
  label: string;
  summary?: RunSummary;
  records: RunRecord[];
}

export function loadRun(directory: string): LoadedRun {
  const resultsFile = join(directory, "results.jsonl");
  if (!existsSync(resultsFile)) throw new Error(`${directory}: no results.jsonl (not an eval run folder)`);
  const records = readFileSync(resultsFile, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as RunRecord);
  const summaryFile = join(directory, "summary.json");
  const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, "utf8")) as RunSummary) : undefined;
  return { label: summary?.route ?? basename(directory), ...(summary ? { summary } : {}), records };
}

export interface SideTotals {
  label: string;
  passed: number;
  total: number;
  agentSeconds: number;
  tokens?: number;
  costUsd?: number;
}

export interface Comparison {
  a: SideTotals;
  b: SideTotals;
  /** Per task: pass rates, and the mean agent seconds and gateway tokens per run (null when unknown). */
  tasks: {
    task: string;
    a: number;
    b: number;
    aSeconds: number;
    bSeconds: number;
    aTokens: number | null;
    bTokens: number | null;
  }[];
  unpaired: string[];
  /** Mean over tasks of (A's pass rate − B's), with its seeded bootstrap interval. */
  difference: Interval;
  /** McNemar exact p when both runs have one epoch per task; else undefined (the interval decides). */
  mcnemarP?: number;
  test: "mcnemar-exact" | "bootstrap";
  significant: boolean;
  timeRatio?: number;
  tokenRatio?: number;
  costRatio?: number;
}

function totals(label: string, records: readonly RunRecord[]): SideTotals {
  const withTokens = records.filter((record) => record.tokens);
  const withCost = records.filter((record) => record.costUsd !== undefined);
  return {
    label,
    passed: records.filter((record) => record.passed).length,
    total: records.length,
    agentSeconds: records.reduce((sum, record) => sum + (record.agentStep?.durationMs ?? 0), 0) / 1000,
    ...(withTokens.length === records.length && records.length > 0
      ? { tokens: withTokens.reduce((sum, r) => sum + (r.tokens ? r.tokens.prompt + r.tokens.output : 0), 0) }
      : {}),
    ...(withCost.length === records.length && records.length > 0
      ? { costUsd: withCost.reduce((sum, r) => sum + (r.costUsd ?? 0), 0) }
      : {}),
  };
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 ? a / b : undefined;

/** Pairs two runs on the tasks both ran; a task only one side ran is listed, never silently scored. */
export function compareRuns(runA: LoadedRun, runB: LoadedRun, { seed = 1 } = {}): Comparison {
  const group = (records: readonly RunRecord[]) => {
    const byTask = new Map<string, RunRecord[]>();
    for (const record of records) byTask.set(record.task, [...(byTask.get(record.task) ?? []), record]);
    return byTask;
  };
  const aTasks = group(runA.records);
  const bTasks = group(runB.records);
  const paired = [...aTasks.keys()].filter((task) => bTasks.has(task)).sort();
  const unpaired = [...new Set([...aTasks.keys(), ...bTasks.keys()])].filter((task) => !paired.includes(task)).sort();
  const rate = (runs: readonly RunRecord[]) => runs.filter((run) => run.passed).length / runs.length;
  const seconds = (runs: readonly RunRecord[]) =>
    runs.reduce((sum, run) => sum + (run.agentStep?.durationMs ?? 0), 0) / 1000 / runs.length;
  const tokens = (runs: readonly RunRecord[]) =>
    runs.every((run) => run.tokens)
      ? runs.reduce((sum, run) => sum + (run.tokens ? run.tokens.prompt + run.tokens.output : 0), 0) / runs.length
      : null;
  const tasks = paired.map((task) => {
    const aRuns = aTasks.get(task) ?? [];
    const bRuns = bTasks.get(task) ?? [];
    return {
      task,
      a: rate(aRuns),
      b: rate(bRuns),
      aSeconds: seconds(aRuns),
      bSeconds: seconds(bRuns),
      aTokens: tokens(aRuns),
      bTokens: tokens(bRuns),
    };
  });
  const difference = bootstrapMeanInterval(
    tasks.map((task) => task.a - task.b),
    { seed },
  );
  const oneEpoch = paired.every((task) => aTasks.get(task)?.length === 1 && bTasks.get(task)?.length === 1);
  const pairedRecords = (byTask: Map<string, RunRecord[]>) => paired.flatMap((task) => byTask.get(task) ?? []);
  const a = totals(runA.label, pairedRecords(aTasks));
  const b = totals(runB.label === runA.label ? `${runB.label} (B)` : runB.label, pairedRecords(bTasks));
  let mcnemarP: number | undefined;
  if (oneEpoch) {
    const onlyA = tasks.filter((task) => task.a === 1 && task.b === 0).length;
    const onlyB = tasks.filter((task) => task.a === 0 && task.b === 1).length;
    mcnemarP = mcnemarExactP(onlyA, onlyB);
  }
  const significant =
    mcnemarP !== undefined ? mcnemarP < 0.05 : tasks.length > 0 && (difference.low > 0 || difference.high < 0);
  return {
    a,
    b,
    tasks,
    unpaired,
    difference,
    ...(mcnemarP !== undefined ? { mcnemarP } : {}),
    test: oneEpoch ? "mcnemar-exact" : "bootstrap",
    significant,
    ...optional("timeRatio", ratio(a.agentSeconds, b.agentSeconds)),
    ...optional("tokenRatio", ratio(a.tokens, b.tokens)),
    ...optional("costRatio", ratio(a.costUsd, b.costUsd)),
  };
}

function optional<Key extends string>(key: Key, value: number | undefined): Partial<Record<Key, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<Key, number>);
}
