import { join } from "node:path";
import { type ProgramRun, runProgram } from "./run-program.js";

const MAIN = join(import.meta.dirname, "..", "..", "src", "cli", "main.ts");

/**
 * What Claude Code 2.1 writes on a status-line command's stdin (field names as in its status-line
 * documentation and the object its CLI builds: session_id, transcript_path, cwd, model, workspace,
 * version, output_style, cost, context_window), for the given session.
 */
export function claudeCodeStatusJson(sessionId: string, costUsd: number): string {
  return JSON.stringify({
    hook_event_name: "Status",
    session_id: sessionId,
    transcript_path: `/home/dev/.claude/projects/-home-dev-demo-app/${sessionId}.jsonl`,
    cwd: "/home/dev/demo-app",
    model: { id: "claude-sonnet-4-5-20250929", display_name: "Sonnet 4.5" },
    workspace: { current_dir: "/home/dev/demo-app", project_dir: "/home/dev/demo-app", added_dirs: [] },
    version: "2.1.332",
    output_style: { name: "default" },
    cost: {
      total_cost_usd: costUsd,
      total_duration_ms: 45_000,
      total_api_duration_ms: 2_300,
      total_lines_added: 0,
      total_lines_removed: 0,
    },
    context_window: {
      total_input_tokens: 15_234,
      total_output_tokens: 4_521,
      context_window_size: 65_536,
      current_usage: {
        input_tokens: 8_500,
        output_tokens: 1_200,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 2_000,
      },
    },
    exceeds_200k_tokens: false,
  });
}

/** Runs `switchyard statusline` as Claude Code does: JSON on stdin, one line expected on stdout. */
export function runStatusline(stdin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ProgramRun> {
  return runProgram(process.execPath, ["--import", "tsx", MAIN, "statusline", ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    input: stdin,
    // A generous bound for a loaded machine; the command's own deadline is far below it.
    timeoutMs: 60_000,
  });
}
