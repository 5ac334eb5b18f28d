import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { parse } from "smol-toml";
import { z } from "zod";
import { parseDuration } from "../bench/parse-bench-options.js";

/** `task.toml` as written: the instruction, the commands, the timeouts and the protected globs. */
const TaskToml = z
  .object({
    instruction: z.string().optional(),
    instruction_file: z.string().optional(),
    /** Run in the fresh copy before its one commit (installs, builds); never sees the hidden tests. */
    setup: z.string().optional(),
    /** The scorer: passes when it exits 0, unless `score` or `junit` give a fraction. */
    test: z.string(),
    /** Prints `score=<0..1>` on a line of its own; the fraction replaces pass/fail. */
    score: z.string().optional(),
    /** A JUnit XML file the test command writes; the fraction is passed/total. */
    junit: z.string().optional(),
    pass_threshold: z.number().min(0).max(1).default(1),
    agent_timeout: z.string().default("20m"),
    scorer_timeout: z.string().default("60s"),
    /** Where in the working copy the hidden tests go (the task's `tests/` folder is copied there). */
    hidden_tests: z.string().default("tests"),
    protected: z.array(z.string()).default([]),
  })
  .strict()
  .refine((toml) => toml.instruction !== undefined || toml.instruction_file !== undefined, {
    message: "task.toml needs `instruction` or `instruction_file`",
  });

export interface EvalTask {
  name: string;
  directory: string;
  instruction: string;
  setup?: string;
  test: string;
  score?: string;
  junit?: string;
  passThreshold: number;
  agentTimeoutMs: number;
  scorerTimeoutMs: number;
  hiddenTestsDir: string;
  /** Relative paths (in the working copy) the hidden tests will occupy. */
  hiddenTestPaths: string[];
  /** The task's own globs plus the hidden-test paths and the JUnit file: any change to them is tamper. */
  protectedGlobs: string[];
  hasSolution: boolean;
}

/** Every file below `directory`, as `/`-separated paths relative to it. */
export function listFiles(directory: string, skip: (path: string) => boolean = () => false): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const rel = relative(directory, path).split(sep).join("/");
      if (skip(rel)) continue;
      if (entry.isDirectory()) walk(path);
      else files.push(rel);
    }
  };
  if (existsSync(directory)) walk(directory);
  return files.sort();
}

export function loadTask(taskDirectory: string): EvalTask {
  // Absolute: the oracle reads solution.patch from inside the working copy, far from here.
  const directory = resolve(taskDirectory);
  const tomlPath = join(directory, "task.toml");
  let raw: unknown;
  try {
    raw = parse(readFileSync(tomlPath, "utf8"));
  } catch (error) {
    throw new Error(`${tomlPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = TaskToml.safeParse(raw);
  if (!parsed.success) throw new Error(`${tomlPath}: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
  const toml = parsed.data;
  if (!existsSync(join(directory, "repo")) || !statSync(join(directory, "repo")).isDirectory())
    throw new Error(`${directory}: no repo/ folder (the starter)`);
  // "." puts the hidden tests at the root of the working copy, mirroring their paths in tests/.
  const hiddenTestsDir = toml.hidden_tests.replace(/\/+$/, "").replace(/^\.\//, "") || ".";
  const hiddenTestPaths = listFiles(join(directory, "tests")).map((path) =>
    hiddenTestsDir === "." ? path : `${hiddenTestsDir}/${path}`,
  );
  const instruction =
    toml.instruction ?? readFileSync(join(directory, toml.instruction_file as string), "utf8").trimEnd();
  return {
    name: basename(directory),
    directory,
    instruction,
    setup: toml.setup,
    test: toml.test,
    score: toml.score,
    junit: toml.junit,
    passThreshold: toml.pass_threshold,
    agentTimeoutMs: parseDuration(toml.agent_timeout),
    scorerTimeoutMs: parseDuration(toml.scorer_timeout),
    hiddenTestsDir,
    hiddenTestPaths,
    // The hidden-test folder's own path too: a file or symlink there (to a folder outside) would
    // redirect the copy of the hidden tests; a real folder is not a file, so it never matches.
    protectedGlobs: [
      ...toml.protected,
      ...hiddenTestPaths,
      ...(hiddenTestsDir === "." ? [] : [hiddenTestsDir]),
      ...(toml.junit ? [toml.junit] : []),
    ],
    hasSolution: existsSync(join(directory, "solution.patch")),
  };
}

/** DIR is one task (it holds task.toml) or a suite of task folders; `filter` keeps names matching a glob. */
export function findTaskDirectories(directory: string): string[] {
  if (existsSync(join(directory, "task.toml"))) return [directory];
  if (!existsSync(directory)) throw new Error(`${directory}: no such folder`);
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(directory, entry.name, "task.toml")))
    .map((entry) => join(directory, entry.name))
    .sort();
}
