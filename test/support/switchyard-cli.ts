import { join } from "node:path";
import { type ProgramRun, runProgram } from "./run-program.js";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");

/** `node --import tsx src/cli/main.ts`: the CLI of this checkout, as a child process's arguments. */
export const SWITCHYARD_CLI = ["--import", "tsx", join(REPO_ROOT, "src", "cli", "main.ts")];

/** The environment a CLI test runs with: no user config. */
export const CLI_TEST_ENV = { ...process.env, SWITCHYARD_CONFIG: "/nonexistent/switchyard-cli-test.json" };

/** Runs `switchyard ARGS…` from this checkout, killed (by PID) after `timeoutMs`. */
export const runSwitchyard = (args: string[], timeoutMs: number): Promise<ProgramRun> =>
  runProgram(process.execPath, [...SWITCHYARD_CLI, ...args], { cwd: REPO_ROOT, env: CLI_TEST_ENV, timeoutMs });
