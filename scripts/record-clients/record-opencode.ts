import { join } from "node:path";
import { OPENCODE_BIN, opencodeConfig, opencodeEnvironment } from "../../test/support/opencode.js";
import { runProgram } from "../../test/support/run-program.js";
import { startCaptureServer } from "./capture-server.js";
import { installedVersion, recordingFolder } from "./client-versions.js";
import { openAIEndpoint } from "./openai-endpoint.js";
import { baseEnvironment, freshSandbox } from "./recording-sandbox.js";
import { OPENCODE_SCRIPTS } from "./session-scripts.js";

/**
 * `opencode run` with an @ai-sdk/openai-compatible provider pointed at the scripted endpoint (as
 * test/opencode-e2e.test.ts configures it): one prompt with a tool loop, then `--continue`.
 */
export async function recordOpencode(fixturesRoot: string): Promise<string> {
  const version = installedVersion("opencode");
  const folder = recordingFolder(fixturesRoot, "opencode", version);
  const sandbox = freshSandbox("opencode");
  const server = await startCaptureServer(openAIEndpoint(OPENCODE_SCRIPTS, sandbox.workdir));
  try {
    const config = {
      ...opencodeConfig({ id: "recorder", name: "Recorder", baseURL: `${server.url}/v1`, apiKey: "recording-key" }),
      permission: { bash: "allow", read: "allow" },
    };
    const env = { ...opencodeEnvironment(sandbox.home, config), ...baseEnvironment(sandbox) };
    server.recordInto(join(folder, "tool-session"));
    const runs = [
      ["run", "--model", "recorder/local", "[script:opencode-1]", "what", "does", "this", "app", "do?"],
      ["run", "--continue", "--model", "recorder/local", "[script:opencode-2]", "is", "anything", "changed?"],
    ];
    for (const args of runs) {
      const run = await runProgram(OPENCODE_BIN, args, { cwd: sandbox.workdir, env, timeoutMs: 180_000 });
      if (run.code !== 0) throw new Error(`opencode exited ${run.code}: ${run.stderr}${run.stdout}`);
    }
  } finally {
    await server.close();
  }
  process.stdout.write(`opencode ${version} tool-session: ${server.requests.length} requests\n`);
  return folder;
}
