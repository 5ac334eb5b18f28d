import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { AgentSpec } from "./agents.js";
import { agentLabel } from "./agents.js";
import { globToRegExp } from "./glob-match.js";
import { runOnce } from "./run-one.js";
import type { RunRecord } from "./run-record.js";
import { type RunSummary, summarize } from "./run-summary.js";
import { type EvalTask, findTaskDirectories, loadTask } from "./task-config.js";

export interface SuiteRunOptions {
  agent: AgentSpec;
  route: string;
  epochs: number;
  parallel: number;
  agentTimeoutMs?: number;
  /** A glob over task names (`--tasks`). */
  tasks?: string;
  outDir: string;
  /** Tags every agent request of the run; the output folder's name by default. */
  runId?: string;
  gatewayUrl?: string;
  onRecord?: (record: RunRecord) => void;
}

export const VALIDATION_FILE = "validation.json";

/** Tasks to run, and those left out with the reason: unreadable task.toml, or excluded by `validate`. */
export function selectTasks(
  directory: string,
  taskGlob?: string,
): { tasks: EvalTask[]; excluded: { task: string; reason: string }[] } {
  const pattern = taskGlob ? globToRegExp(taskGlob) : undefined;
  const validationPath = join(directory, VALIDATION_FILE);
  const validated = existsSync(validationPath)
    ? (JSON.parse(readFileSync(validationPath, "utf8")) as { excluded: { task: string; reason: string }[] }).excluded
    : [];
  const tasks: EvalTask[] = [];
  const excluded: { task: string; reason: string }[] = [];
  for (const taskDir of findTaskDirectories(directory)) {
    const name = taskDir.split("/").at(-1) as string;
    if (pattern && !pattern.test(name)) continue;
    const rejected = validated.find((entry) => entry.task === name);
    if (rejected) {
      excluded.push({ task: name, reason: `validate: ${rejected.reason}` });
      continue;
    }
    try {
      tasks.push(loadTask(taskDir));
    } catch (error) {
      excluded.push({ task: name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { tasks, excluded };
}

/** Runs a pool of `parallel` workers over the jobs; results keep the jobs' order. */
export async function pool<Job, Result>(
  jobs: readonly Job[],
  parallel: number,
  work: (job: Job) => Promise<Result>,
): Promise<Result[]> {
  const results = new Array<Result>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await work(jobs[index] as Job);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, jobs.length)) }, worker));
  return results;
}

/** runOnce never throws by design; if it does anyway (a full disk before its own try), the run is still kept. */
function failedRecord(
  task: EvalTask,
  epoch: number,
  sessionId: string,
  options: SuiteRunOptions,
  error: unknown,
): RunRecord {
  return {
    task: task.name,
    epoch,
    attempts: 1,
    status: "infra_error",
    score: 0,
    passed: false,
    agent: agentLabel(options.agent),
    route: options.route,
    sessionId,
    tamper: [],
    diffBytes: 0,
    network: "none",
    overheadMs: 0,
    wallMs: 0,
    phasesMs: {},
    notes: [error instanceof Error ? error.message : String(error)],
  };
}

/** One attempt, and a second when the first was an infra error; the record says both. */
export async function runWithRetry(task: EvalTask, epoch: number, options: SuiteRunOptions): Promise<RunRecord> {
  const attempt = (number: number) => {
    const sessionId = randomUUID();
    return runOnce(task, {
      agent: options.agent,
      route: options.route,
      epoch,
      sessionId,
      runId: options.runId ?? basename(resolve(options.outDir)),
      ...(options.agentTimeoutMs !== undefined ? { agentTimeoutMs: options.agentTimeoutMs } : {}),
      runDir: join(options.outDir, "runs", task.name, `epoch-${epoch}-attempt-${number}`),
      ...(options.gatewayUrl ? { gatewayUrl: options.gatewayUrl } : {}),
    }).catch((error: unknown) => failedRecord(task, epoch, sessionId, options, error));
  };
  const first = await attempt(1);
  if (first.status !== "infra_error") return first;
  const second = await attempt(2);
  return { ...second, attempts: 2, notes: [`attempt 1: ${first.notes.join("; ")}`, ...second.notes] };
}

export async function runSuite(
  directory: string,
  options: SuiteRunOptions,
): Promise<{ records: RunRecord[]; summary: RunSummary }> {
  const started = performance.now();
  mkdirSync(options.outDir, { recursive: true });
  const { tasks, excluded } = selectTasks(directory, options.tasks);
  const resultsFile = join(options.outDir, "results.jsonl");
  writeFileSync(resultsFile, "");
  const jobs = tasks.flatMap((task) =>
    Array.from({ length: options.epochs }, (_, index) => ({ task, epoch: index + 1 })),
  );
  const records = await pool(jobs, options.parallel, async ({ task, epoch }) => {
    const record = await runWithRetry(task, epoch, options);
    appendFileSync(resultsFile, `${JSON.stringify(record)}\n`);
    options.onRecord?.(record);
    return record;
  });
  const summary = summarize(records, {
    agent: agentLabel(options.agent),
    route: options.route,
    epochs: options.epochs,
    excluded,
    wallMs: Math.round(performance.now() - started),
  });
  writeFileSync(join(options.outDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return { records, summary };
}
