import { join } from "node:path";
import type { Command } from "commander";
import { parseDuration } from "../../bench/parse-bench-options.js";
import { parseAgent } from "../../eval/agents.js";
import { initTask } from "../../eval/init-task.js";
import type { RunRecord } from "../../eval/run-record.js";
import { runSuite } from "../../eval/run-suite.js";
import { formatRunTable } from "../../eval/run-table.js";
import { validateSuite } from "../../eval/validate.js";
import { registerEvalCompareCommand } from "./eval-compare-command.js";

const out = (line = "") => process.stdout.write(`${line}\n`);
const err = (line = "") => process.stderr.write(`${line}\n`);

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: expected a whole number ≥ 1, got "${text}"`);
  return value;
}

export function registerEvalCommands(program: Command): void {
  const evalCommand = program
    .command("eval")
    .description("compare agents and routes on your own tasks: fresh copies, hidden tests, tamper checks");

  evalCommand
    .command("init <dir>")
    .description("make a task folder from a commit: repo/ (no history), tests/ (hidden), task.toml to edit")
    .requiredOption("--from-git <repo>", "the git repository")
    .requiredOption("--commit <commit>", "the commit whose tree becomes the starter")
    .requiredOption("--tests <glob>", "the files that become the hidden tests, e.g. 'tests/**'")
    .option("--solution <patch>", "the reference patch (solution.patch)")
    .option("--instruction <file>", "the instruction for the agent")
    .action(
      (
        dir: string,
        options: { fromGit: string; commit: string; tests: string; solution?: string; instruction?: string },
      ) => {
        const { hidden } = initTask(dir, options);
        out(
          `${dir}: ${hidden.length} hidden test file(s); edit ${join(dir, "task.toml")}, then: switchyard eval validate ${dir}`,
        );
      },
    );

  evalCommand
    .command("validate <dir>")
    .description("admit only tasks whose reference passes every time and whose starter never does")
    .option("--reps <n>", "runs of each", "3")
    .option("--parallel <n>", "runs at once", "2")
    .option("--json", "print JSON")
    .action(async (dir: string, options: { reps: string; parallel: string; json?: boolean }) => {
      const result = await validateSuite(dir, {
        reps: positiveInteger("--reps", options.reps),
        parallel: positiveInteger("--parallel", options.parallel),
        onTask: (task, reason) => {
          if (!options.json) out(`${reason ? "excluded" : "admitted"}  ${task}${reason ? `: ${reason}` : ""}`);
        },
      });
      if (options.json) out(JSON.stringify(result, null, 2));
      else
        out(
          `${result.admitted.length} admitted, ${result.excluded.length} excluded, ${result.reps} reps, ${(result.wallMs / 1000).toFixed(1)} s; logs in ${result.logs}`,
        );
      if (result.excluded.length > 0) process.exitCode = 1;
    });

  evalCommand
    .command("run <dir>")
    .description("run an agent on every task: status, score and pass@k per task")
    .requiredOption("--agent <agent>", "oracle | null | claude | pi | opencode | codex | cmd:'…'")
    .option("--url <url>", "a running Switchyard: agents go through it; tokens and cost come from its records")
    .option("--max-turns <n>", "Claude Code's --max-turns", "80")
    .option("--model <name>", "the model pi asks Switchyard for", "local")
    .option("--route <route>", "local | cloud (sent as x-switchyard-route) | a backend name (recorded only)", "local")
    .option("--epochs <n>", "runs per task", "1")
    .option("--parallel <n>", "runs at once", "1")
    .option("--timeout <duration>", "the agent's time limit, e.g. 20m or 5s (default: the task's)")
    .option("--tasks <glob>", "only the tasks whose name matches")
    .option("--out <dir>", "where results go (default .switchyard/eval/<time>)")
    .option("--json", "print the summary as JSON")
    .action(
      async (
        dir: string,
        options: {
          agent: string;
          url?: string;
          maxTurns: string;
          model: string;
          route: string;
          epochs: string;
          parallel: string;
          timeout?: string;
          tasks?: string;
          out?: string;
          json?: boolean;
        },
      ) => {
        const agent = parseAgent(options.agent, { maxTurns: positiveInteger("--max-turns", options.maxTurns) });
        if (agent.kind === "claude" && !options.url)
          throw new Error("--agent claude needs --url of a running Switchyard");
        const outDir = options.out ?? join(".switchyard", "eval", new Date().toISOString().replace(/[:.]/g, "-"));
        const { records, summary } = await runSuite(dir, {
          agent,
          route: options.route,
          epochs: positiveInteger("--epochs", options.epochs),
          parallel: positiveInteger("--parallel", options.parallel),
          ...(options.timeout ? { agentTimeoutMs: parseDuration(options.timeout) } : {}),
          ...(options.tasks ? { tasks: options.tasks } : {}),
          outDir,
          ...(options.url ? { gatewayUrl: options.url } : {}),
          onRecord: (record: RunRecord) => {
            if (!options.json) err(`${record.task} #${record.epoch}: ${record.status} ${record.score.toFixed(2)}`);
          },
        });
        if (options.json) out(JSON.stringify({ ...summary, outDir, runs: records }, null, 2));
        else {
          out(formatRunTable(summary));
          out(`results in ${outDir}`);
        }
      },
    );

  registerEvalCompareCommand(evalCommand);
}
