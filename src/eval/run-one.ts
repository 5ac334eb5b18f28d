import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentSpec, agentCommand, agentGatewayEnv, agentLabel } from "./agents.js";
import { junitRatio, scoreLine } from "./junit.js";
import { networkIsolation } from "./network-isolation.js";
import { restoreProtected, snapshotProtected } from "./protected-paths.js";
import { type GroupRunResult, runInGroup } from "./run-in-group.js";
import type { RunRecord, StepTiming } from "./run-record.js";
import { sessionUsage } from "./session-usage.js";
import type { EvalTask } from "./task-config.js";
import { commitStarter, copyStarter, diffAgainst, isolatedEnv } from "./workdir.js";

export interface RunOnceOptions {
  agent: AgentSpec;
  route: string;
  epoch: number;
  sessionId: string;
  /** The run's id, sent with every agent request so the gateway's turns and the dashboard carry it. */
  runId?: string;
  /** Overrides the task's agent timeout (`--timeout`). */
  agentTimeoutMs?: number;
  /** Where this attempt's logs, diff and record go. */
  runDir: string;
  /** A running Switchyard: the agent is pointed at it, and tokens and cost come from its records. */
  gatewayUrl?: string;
}

const step = (result: GroupRunResult): StepTiming => ({
  exitCode: result.exitCode,
  durationMs: Math.round(result.durationMs),
  timedOut: result.timedOut,
  logBytes: result.logBytes,
});

/** The scorer's environment: fixed zone, locale and hash seed, and a home the agent never saw. */
function scorerEnv(scratch: string): NodeJS.ProcessEnv {
  return isolatedEnv(join(scratch, "scorer-home"), {
    TZ: "UTC",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    PYTHONHASHSEED: "0",
  });
}

/** One attempt at one task: fresh copy, agent, diff, restore, hidden tests, scorer. Never throws. */
export async function runOnce(task: EvalTask, options: RunOnceOptions): Promise<RunRecord> {
  const started = performance.now();
  mkdirSync(options.runDir, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-eval-"));
  const work = join(scratch, "work");
  const isolation = networkIsolation();
  const record: RunRecord = {
    task: task.name,
    epoch: options.epoch,
    attempts: 1,
    status: "scored",
    score: 0,
    passed: false,
    agent: agentLabel(options.agent),
    route: options.route,
    sessionId: options.sessionId,
    ...(options.runId === undefined ? {} : { runId: options.runId }),
    tamper: [],
    diffBytes: 0,
    network: isolation.kind,
    overheadMs: 0,
    wallMs: 0,
    notes: [],
    phasesMs: {},
  };
  const stepsMs = () => (record.agentStep?.durationMs ?? 0) + (record.scorerStep?.durationMs ?? 0);
  try {
    copyStarter(join(task.directory, "repo"), work);
    if (task.setup) {
      const setup = await runInGroup(task.setup, {
        cwd: work,
        env: isolatedEnv(join(scratch, "setup-home")),
        timeoutMs: task.scorerTimeoutMs,
        logFile: join(options.runDir, "setup.log"),
      });
      if (setup.exitCode !== 0) throw new Error(`setup failed (exit ${setup.exitCode}): ${setup.tail.slice(-500)}`);
    }
    const base = commitStarter(work);
    const before = snapshotProtected(work, task.protectedGlobs);
    record.phasesMs.prepare = Math.round(performance.now() - started);

    const agent = await runInGroup(agentCommand(options.agent, task.directory), {
      cwd: work,
      env: isolatedEnv(join(scratch, "home"), {
        SWITCHYARD_EVAL_SESSION_ID: options.sessionId,
        SWITCHYARD_EVAL_ROUTE: options.route,
        SWITCHYARD_EVAL_INSTRUCTION: task.instruction,
        ...agentGatewayEnv(options.agent, options.gatewayUrl, join(scratch, "home"), {
          tag: options.runId === undefined ? undefined : { run: options.runId, task: task.name },
          route: options.route,
          sessionId: options.sessionId,
        }),
      }),
      timeoutMs: options.agentTimeoutMs ?? task.agentTimeoutMs,
      logFile: join(options.runDir, "agent.log"),
      stdin: task.instruction,
    });
    record.agentStep = step(agent);
    if (options.gatewayUrl && options.agent.kind !== "oracle" && options.agent.kind !== "null") {
      const usage = await sessionUsage(options.gatewayUrl, options.sessionId);
      if (usage) Object.assign(record, { tokens: usage.tokens, costUsd: usage.costUsd, gatewayTurns: usage.turns });
      else record.notes.push(`the gateway recorded no turn for session ${options.sessionId}`);
    }
    if (agent.timedOut) {
      record.status = "agent_timeout";
      record.notes.push(`agent killed with its process group after ${record.agentStep.durationMs} ms`);
    } else if (agent.exitCode !== 0) {
      record.status = "agent_error";
      record.notes.push(
        agent.spawnError ?? `agent exited ${agent.exitCode ?? agent.signal}: ${agent.tail.slice(-300)}`,
      );
    }

    if (!existsSync(work)) {
      record.status = "tamper";
      record.tamper.push("deleted the working directory");
      return record;
    }
    const afterAgent = performance.now();
    const diff = diffAgainst(work, base);
    writeFileSync(join(options.runDir, "diff.patch"), diff);
    record.diffBytes = Buffer.byteLength(diff);
    record.tamper = restoreProtected(work, task.protectedGlobs, before);
    if (record.tamper.length > 0) record.status = "tamper";
    if (record.status === "agent_timeout" || record.status === "tamper") return record;

    cpSync(join(task.directory, "tests"), join(work, task.hiddenTestsDir), { recursive: true });
    record.phasesMs.diffRestore = Math.round(performance.now() - afterAgent);
    const scorerOptions = {
      cwd: work,
      env: scorerEnv(scratch),
      wrapper: isolation.wrapper,
      timeoutMs: task.scorerTimeoutMs,
    };
    const test = await runInGroup(task.test, { ...scorerOptions, logFile: join(options.runDir, "scorer.log") });
    record.scorerStep = step(test);
    if (test.timedOut || (test.spawnError && existsSync(work))) {
      record.status = "infra_error";
      record.notes.push(test.spawnError ?? `scorer timed out after ${task.scorerTimeoutMs} ms`);
      return record;
    }
    record.score = await scoreOf(task, work, test, scorerOptions, options.runDir, record);
    record.passed = record.score >= task.passThreshold;
  } catch (error) {
    record.status = "infra_error";
    record.score = 0;
    record.passed = false;
    record.notes.push(error instanceof Error ? error.message : String(error));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    record.wallMs = Math.round(performance.now() - started);
    record.overheadMs = Math.max(0, record.wallMs - stepsMs());
    writeFileSync(join(options.runDir, "record.json"), `${JSON.stringify(record, null, 2)}\n`);
  }
  return record;
}

/** The fraction: the JUnit ratio, else 0 for a failing test command, else the score line, else 1. */
async function scoreOf(
  task: EvalTask,
  work: string,
  test: GroupRunResult,
  scorerOptions: { cwd: string; env: NodeJS.ProcessEnv; wrapper: string[]; timeoutMs: number },
  runDir: string,
  record: RunRecord,
): Promise<number> {
  if (task.junit) {
    const path = join(work, task.junit);
    const ratio = existsSync(path) ? junitRatio(readFileSync(path, "utf8")) : undefined;
    if (!ratio) record.notes.push(`no JUnit report at ${task.junit}`);
    return ratio ? ratio.passed / ratio.total : 0;
  }
  if (test.exitCode !== 0) return 0;
  if (!task.score) return 1;
  const score = await runInGroup(task.score, { ...scorerOptions, logFile: join(runDir, "score.log") });
  if (record.scorerStep) record.scorerStep.durationMs += Math.round(score.durationMs);
  if (score.timedOut) {
    record.status = "infra_error";
    record.notes.push(`score command timed out after ${task.scorerTimeoutMs} ms`);
    return 0;
  }
  const value = scoreLine(score.tail);
  if (value === undefined) record.notes.push("score command printed no score=<0..1> line");
  return value ?? 0;
}
