import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { codexConfig } from "../../src/clients/codex-config.js";
import { codexBinary } from "../../test/support/codex.js";
import { runProgram } from "../../test/support/run-program.js";
import { startCaptureServer } from "./capture-server.js";
import { installedVersion, recordingFolder } from "./client-versions.js";
import { baseEnvironment, freshSandbox } from "./recording-sandbox.js";
import { responsesEndpoint } from "./responses-endpoint.js";
import { CODEX_SCRIPTS } from "./session-scripts.js";

/**
 * `codex exec` with a model provider at the scripted endpoint in its config.toml (the lines `switchyard env
 * --client codex` prints, reasoning at medium):
 * - `tool-session`: one prompt with a tool loop (a command that fails among them), then `codex exec resume
 *   --last` with a second prompt in the same session;
 * - `agent-session`: a prompt whose answer spawns a sub-agent and waits for it, then runs a command.
 */
export async function recordCodex(fixturesRoot: string): Promise<string> {
  const version = installedVersion("codex");
  const folder = recordingFolder(fixturesRoot, "codex", version);
  const binary = await codexBinary(version);
  await recordSession(binary, join(folder, "tool-session"), [
    ["[script:codex-1] what does this app do?"],
    ["resume", "--last", "[script:codex-2] is anything changed?"],
  ]);
  await recordSession(binary, join(folder, "agent-session"), [["[script:codex-agent] have a sub-agent look at src"]]);
  return folder;
}

/** One sandbox and one Codex home, each run `codex exec` with its arguments after the shared ones. */
async function recordSession(binary: string, into: string, runs: string[][]): Promise<void> {
  const sandbox = freshSandbox("codex");
  const server = await startCaptureServer(responsesEndpoint(CODEX_SCRIPTS, sandbox.workdir));
  try {
    // Top-level keys come before the provider's table.
    const config = codexConfig({ baseUrl: server.url, apiKey: "recording-key", contextWindow: 65_536 });
    writeFileSync(join(sandbox.home, "config.toml"), `model_reasoning_effort = "medium"\n${config}\n`);
    server.recordInto(into);
    const env = {
      ...baseEnvironment(sandbox),
      CODEX_HOME: sandbox.home,
      SWITCHYARD_API_KEY: "recording-key",
      NO_COLOR: "1",
    };
    const exec = ["exec", "--skip-git-repo-check", "--sandbox", "danger-full-access"];
    for (const args of runs) {
      const run = await runProgram(binary, [...exec, ...args], { cwd: sandbox.workdir, env, timeoutMs: 180_000 });
      if (run.code !== 0) throw new Error(`codex exited ${run.code}: ${run.stderr}${run.stdout}`);
    }
  } finally {
    await server.close();
  }
  process.stdout.write(`codex ${into}: ${server.requests.length} requests\n`);
}
