import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProgram } from "./run-program.js";

export const QWEN_BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "qwen");

/**
 * A scratch root for the real Qwen Code CLI (npm @qwen-code/qwen-code): its own HOME, and a working
 * directory that is a one-commit git repository, as a project is.
 */
export function qwenSandbox(): string {
  const root = mkdtempSync(join(tmpdir(), "switchyard-qwen-"));
  for (const directory of ["home", "work"]) mkdirSync(join(root, directory), { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: join(root, "work"), stdio: "ignore" });
  git("init", "-q");
  git("-c", "user.email=test@switchyard", "-c", "user.name=test", "commit", "-q", "--allow-empty", "-m", "init");
  return root;
}

/**
 * Runs Qwen Code in a root made by qwenSandbox with its OpenAI provider at Switchyard's door (model
 * `local`), tools run without asking (`--yolo`), killed after a while. `input` is fed to stdin, else it
 * is closed.
 */
export function runQwen(root: string, gatewayUrl: string, args: string[], input?: string) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: join(root, "home"), TERM: "dumb", NO_COLOR: "1" };
  const flags = ["--auth-type", "openai", "--openai-base-url", `${gatewayUrl}/v1`, "--openai-api-key", "x"];
  return runProgram(QWEN_BIN, [...flags, "-m", "local", "--yolo", ...args], {
    cwd: join(root, "work"),
    env,
    timeoutMs: 240_000,
    ...(input === undefined ? {} : { input }),
  });
}
