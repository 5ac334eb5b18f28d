import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentSpec } from "./agents.js";
import { runOnce } from "./run-one.js";
import type { RunRecord } from "./run-record.js";
import { pool, VALIDATION_FILE } from "./run-suite.js";
import { type EvalTask, findTaskDirectories, loadTask } from "./task-config.js";

export interface ValidationResult {
  reps: number;
  admitted: string[];
  excluded: { task: string; reason: string }[];
  logs: string;
  wallMs: number;
}

/** Why a task cannot judge, or undefined when its reference passes every time and its starter never does. */
export function verdict(reference: readonly RunRecord[], starter: readonly RunRecord[]): string | undefined {
  const describe = (runs: readonly RunRecord[]) => {
    const broken = runs.find((run) => run.status !== "scored");
    return broken ? `${broken.status}${broken.notes.length ? ` (${broken.notes.join("; ").slice(0, 200)})` : ""}` : "";
  };
  const referenceBroken = describe(reference);
  if (referenceBroken) return `reference run ended ${referenceBroken}`;
  const starterBroken = describe(starter);
  if (starterBroken) return `starter run ended ${starterBroken}`;
  const referencePassed = reference.filter((run) => run.passed).length;
  const starterPassed = starter.filter((run) => run.passed).length;
  if (referencePassed !== reference.length)
    return `flaky or broken: the reference passed ${referencePassed}/${reference.length}`;
  if (starterPassed !== 0) return `the starter passed ${starterPassed}/${starter.length}: the tests do not judge`;
  const scores = new Set(reference.map((run) => run.score));
  if (scores.size > 1) return `the reference scored differently each time: ${[...scores].join(", ")}`;
  return undefined;
}

/** Runs oracle and null `reps` times per task; writes DIR/validation.json, which `run` honours. */
export async function validateSuite(
  directory: string,
  {
    reps = 3,
    parallel = 2,
    writeFile = true,
    onTask,
  }: { reps?: number; parallel?: number; writeFile?: boolean; onTask?: (task: string, reason?: string) => void } = {},
): Promise<ValidationResult> {
  const started = performance.now();
  const logs = mkdtempSync(join(tmpdir(), "switchyard-eval-validate-"));
  const excluded: { task: string; reason: string }[] = [];
  const tasks: EvalTask[] = [];
  for (const taskDir of findTaskDirectories(directory)) {
    try {
      const task = loadTask(taskDir);
      if (task.hasSolution) tasks.push(task);
      else excluded.push({ task: task.name, reason: "no solution.patch: nothing shows the task can be passed" });
    } catch (error) {
      excluded.push({
        task: taskDir.split("/").at(-1) as string,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    const last = excluded.at(-1);
    if (last && last.task === taskDir.split("/").at(-1)) onTask?.(last.task, last.reason);
  }
  const agents: [string, AgentSpec][] = [
    ["reference", { kind: "oracle" }],
    ["starter", { kind: "null" }],
  ];
  const jobs = tasks.flatMap((task) =>
    agents.flatMap(([role, agent]) => Array.from({ length: reps }, (_, rep) => ({ task, role, agent, rep: rep + 1 }))),
  );
  const records = await pool(jobs, parallel, (job) =>
    runOnce(job.task, {
      agent: job.agent,
      route: "validate",
      epoch: job.rep,
      sessionId: `validate-${job.task.name}-${job.role}-${job.rep}`,
      runDir: join(logs, job.task.name, `${job.role}-${job.rep}`),
    }),
  );
  const admitted: string[] = [];
  for (const task of tasks) {
    const of = (role: string) => records.filter((_, index) => jobs[index]?.task === task && jobs[index]?.role === role);
    const reason = verdict(of("reference"), of("starter"));
    if (reason) excluded.push({ task: task.name, reason });
    else admitted.push(task.name);
    onTask?.(task.name, reason);
  }
  const result = { reps, admitted, excluded, logs, wallMs: Math.round(performance.now() - started) };
  if (writeFile)
    writeFileSync(join(directory, VALIDATION_FILE), `${JSON.stringify({ reps, admitted, excluded }, null, 2)}\n`);
  return result;
}
