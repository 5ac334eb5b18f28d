import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ProgramRun, runProgram } from "./run-program.js";

export const CLAUDE_BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "claude");

export type ClaudeRun = ProgramRun;

/** A scratch HOME and a scratch git work tree, so the user's own Claude Code settings never leak in. */
export function claudeSandbox(): { home: string; workdir: string } {
  const root = mkdtempSync(join(tmpdir(), "switchyard-claude-"));
  return { home: join(root, "home"), workdir: root };
}

/** Runs the real Claude Code CLI against `baseUrl`, killing it (by PID) after `timeoutMs`. */
export function runClaude(
  args: string[],
  options: { baseUrl: string; home: string; cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<ClaudeRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("ANTHROPIC_") && !name.startsWith("CLAUDE")) env[name] = value;
  }
  Object.assign(env, {
    HOME: options.home,
    ANTHROPIC_BASE_URL: options.baseUrl,
    ANTHROPIC_API_KEY: "switchyard-test",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    ...options.env,
  });
  return runProgram(CLAUDE_BIN, args, { cwd: options.cwd, env, timeoutMs: options.timeoutMs });
}
