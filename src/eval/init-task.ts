import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { matchesAny } from "./glob-match.js";
import { listFiles } from "./task-config.js";

export interface InitOptions {
  fromGit: string;
  commit: string;
  tests: string;
  solution?: string;
  instruction?: string;
}

/**
 * A task folder from a commit of a git repository: its tree (no history) becomes `repo/`, the files the
 * tests glob matches move to `tests/` (hidden, at the same paths), and task.toml is written for editing.
 */
export function initTask(directory: string, options: InitOptions): { hidden: string[] } {
  if (existsSync(join(directory, "task.toml"))) throw new Error(`${directory} already holds a task.toml`);
  const repo = join(directory, "repo");
  mkdirSync(repo, { recursive: true });
  const archive = spawnSync("git", ["-C", options.fromGit, "archive", "--format=tar", options.commit], {
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (archive.status !== 0) throw new Error(`git archive ${options.commit}: ${archive.stderr.toString().trim()}`);
  const untar = spawnSync("tar", ["-x", "-C", repo], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar: ${untar.stderr.toString().trim()}`);
  const isTest = matchesAny([options.tests]);
  const hidden = listFiles(repo).filter(isTest);
  if (hidden.length === 0) throw new Error(`--tests '${options.tests}' matches no file at ${options.commit}`);
  for (const path of hidden) {
    const target = join(directory, "tests", path);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(join(repo, path), target);
  }
  if (options.solution) copyFileSync(options.solution, join(directory, "solution.patch"));
  const instruction = options.instruction
    ? readFileSync(options.instruction, "utf8").trim()
    : "Describe the task here.";
  writeFileSync(
    join(directory, "task.toml"),
    [
      `instruction = ${JSON.stringify(instruction)}`,
      "# The scorer: exits 0 when the hidden tests pass. Runs without network, TZ=UTC, LANG=C.UTF-8.",
      `test = "echo 'set test in task.toml' && exit 1"`,
      `hidden_tests = "."`,
      `agent_timeout = "20m"`,
      `scorer_timeout = "60s"`,
      "# Paths the agent must not change (its visible tests, the test script); the hidden tests are added.",
      "protected = []",
      "",
    ].join("\n"),
  );
  return { hidden };
}
