import { join } from "node:path";
import { CLAUDE_BIN } from "../../test/support/claude-code.js";
import { runProgram } from "../../test/support/run-program.js";
import { anthropicEndpoint } from "./anthropic-endpoint.js";
import { startCaptureServer } from "./capture-server.js";
import { installedVersion, recordingFolder } from "./client-versions.js";
import { baseEnvironment, freshSandbox, type RecordingSandbox } from "./recording-sandbox.js";
import { CLAUDE_CODE_SCRIPTS } from "./session-scripts.js";

/** One `claude -p` run; returns the session id from its JSON result. */
async function claude(sandbox: RecordingSandbox, baseUrl: string, args: string[]): Promise<string> {
  const env = {
    ...baseEnvironment(sandbox),
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: "recording-key",
    // Telemetry and updates off. Non-essential traffic stays on: its probes are part of what is recorded.
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_AUTOUPDATER: "1",
  };
  const run = await runProgram(CLAUDE_BIN, [...args, "--output-format", "json"], {
    cwd: sandbox.workdir,
    env,
    timeoutMs: 180_000,
  });
  if (run.code !== 0) throw new Error(`claude ${args.join(" ")} exited ${run.code}: ${run.stderr}${run.stdout}`);
  const result = JSON.parse(run.stdout) as { session_id: string; is_error: boolean; result: string };
  if (result.is_error) throw new Error(`claude ${args.join(" ")} reported an error: ${result.result}`);
  return result.session_id;
}

/** Each session: the client runs that make it, in order. `run(args)` returns the session id. */
const SESSIONS: Record<string, (run: (args: string[]) => Promise<string>) => Promise<void>> = {
  "basic-session": async (run) => {
    const id = await run(["-p", "[script:basic-1] what does this app do? try a small edit"]);
    await run(["-p", "--resume", id, "[script:basic-2] is anything changed?"]);
  },
  "agent-session": async (run) => {
    await run(["-p", "[script:agent-1] use a subagent to explore this repo, then show the history"]);
  },
  "thinking-session": async (run) => {
    // In -p mode thinking is adaptive with `display: "omitted"` (no thinking text) unless a flag says otherwise.
    const thinking = ["--thinking", "enabled", "--thinking-display", "summarized"];
    await run(["-p", ...thinking, "[script:thinking-1] how many files, and what do they do?"]);
  },
  "compact-session": async (run) => {
    const id = await run(["-p", "[script:compact-1] what does src/app.js do?"]);
    await run(["-p", "--resume", id, "/compact"]);
    await run(["-p", "--resume", id, "[script:compact-2] anything changed since?"]);
  },
  "resumed-session": async (run) => {
    // Default thinking (display omitted): the history carries thinking blocks with a signature and no text.
    await run(["-p", "[script:thinking-1] how many files, and what do they do?"]);
    await run(["-p", "--continue", "[script:thinking-2] and how many commits?"]);
  },
};

export const CLAUDE_CODE_SESSIONS = Object.keys(SESSIONS);

/** Records every Claude Code session into `<fixtures>/claude-code/claude-code-<version>/<session>/`. */
export async function recordClaudeCode(fixturesRoot: string, only: readonly string[]): Promise<string> {
  const version = installedVersion("claude-code");
  const folder = recordingFolder(fixturesRoot, "claude-code", version);
  for (const [session, play] of Object.entries(SESSIONS)) {
    if (!only.includes(session)) continue;
    const sandbox = freshSandbox("claude-code");
    const server = await startCaptureServer(anthropicEndpoint(CLAUDE_CODE_SCRIPTS, sandbox.workdir));
    try {
      server.recordInto(join(folder, session));
      await play((args) => claude(sandbox, server.url, args));
    } finally {
      await server.close();
    }
    process.stdout.write(`claude-code ${version} ${session}: ${server.requests.length} requests\n`);
  }
  return folder;
}
