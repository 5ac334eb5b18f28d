import type { RunRecord, RunStatus } from "./run-record.js";
import { passAtK, passHatK } from "./stats/pass-at-k.js";

export interface TaskSummary {
  task: string;
  n: number;
  c: number;
  meanScore: number;
  pass1: number;
  /** pass@k and pass^k for k = n (the run's epochs), when n > 1. */
  passAtN?: number;
  passHatN?: number;
}

export interface RunSummary {
  agent: string;
  route: string;
  epochs: number;
  /** Runs that passed and all runs, excluded tasks not among them (they were never scored). */
  passed: number;
  total: number;
  statuses: Record<RunStatus, number>;
  excluded: { task: string; reason: string }[];
  tasks: TaskSummary[];
  network: string;
  wallMs: number;
  meanOverheadMs: number;
  tokens?: number;
  costUsd?: number;
}

export function summarize(
  records: readonly RunRecord[],
  meta: { agent: string; route: string; epochs: number; excluded: { task: string; reason: string }[]; wallMs: number },
): RunSummary {
  const statuses: Record<RunStatus, number> = {
    scored: 0,
    agent_timeout: 0,
    agent_error: 0,
    tamper: 0,
    infra_error: 0,
  };
  for (const record of records) statuses[record.status]++;
  const byTask = new Map<string, RunRecord[]>();
  for (const record of records) byTask.set(record.task, [...(byTask.get(record.task) ?? []), record]);
  const tasks = [...byTask].map(([task, runs]): TaskSummary => {
    const n = runs.length;
    const c = runs.filter((run) => run.passed).length;
    return {
      task,
      n,
      c,
      meanScore: runs.reduce((sum, run) => sum + run.score, 0) / n,
      pass1: c / n,
      ...(n > 1 ? { passAtN: passAtK(n, c, n), passHatN: passHatK(n, c, n) } : {}),
    };
  });
  const withTokens = records.filter((record) => record.tokens);
  const withCost = records.filter((record) => record.costUsd !== undefined);
  return {
    ...meta,
    passed: records.filter((record) => record.passed).length,
    total: records.length,
    statuses,
    tasks: tasks.sort((a, b) => a.task.localeCompare(b.task)),
    network: records[0]?.network ?? "none",
    meanOverheadMs: records.length ? records.reduce((sum, record) => sum + record.overheadMs, 0) / records.length : 0,
    ...(withTokens.length
      ? { tokens: withTokens.reduce((sum, r) => sum + (r.tokens ? r.tokens.prompt + r.tokens.output : 0), 0) }
      : {}),
    ...(withCost.length ? { costUsd: withCost.reduce((sum, r) => sum + (r.costUsd ?? 0), 0) } : {}),
  };
}
