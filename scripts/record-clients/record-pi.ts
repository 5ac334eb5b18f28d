import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PI_BIN, piPath, writePiAgentConfig } from "../../test/support/pi.js";
import { runProgram } from "../../test/support/run-program.js";
import { startCaptureServer } from "./capture-server.js";
import { installedVersion, recordingFolder } from "./client-versions.js";
import { openAIEndpoint } from "./openai-endpoint.js";
import { baseEnvironment, freshSandbox } from "./recording-sandbox.js";
import { PI_SCRIPTS } from "./session-scripts.js";

/**
 * pi in print mode with an openai-completions provider pointed at the scripted endpoint (as test/pi-e2e.test.ts
 * configures it): one prompt with a tool loop, then a second prompt in the same session file.
 */
export async function recordPi(fixturesRoot: string): Promise<string> {
  const version = installedVersion("pi");
  const folder = recordingFolder(fixturesRoot, "pi", version);
  const sandbox = freshSandbox("pi");
  const agentDir = join(sandbox.home, ".pi-agent");
  mkdirSync(agentDir, { recursive: true });
  const server = await startCaptureServer(openAIEndpoint(PI_SCRIPTS, sandbox.workdir));
  try {
    writePiAgentConfig(agentDir, {
      name: "recorder",
      baseUrl: `${server.url}/v1`,
      apiKey: "recording-key",
      models: [{ id: "local", reasoning: true, input: ["text"], contextWindow: 65536, maxTokens: 2048 }],
    });
    server.recordInto(join(folder, "tool-session"));
    const session = join(sandbox.home, "session.jsonl");
    const flags = ["--print", "--model", "recorder/local", "--no-context-files", "--no-extensions", "--no-skills"];
    const env = { ...baseEnvironment(sandbox), PATH: await piPath(), PI_CODING_AGENT_DIR: agentDir, PI_OFFLINE: "1" };
    for (const prompt of ["[script:pi-1] what does this app do?", "[script:pi-2] is anything changed?"]) {
      const run = await runProgram(PI_BIN, [...flags, "--session", session, prompt], {
        cwd: sandbox.workdir,
        env,
        timeoutMs: 180_000,
      });
      if (run.code !== 0) throw new Error(`pi exited ${run.code}: ${run.stderr}${run.stdout}`);
    }
  } finally {
    await server.close();
  }
  process.stdout.write(`pi ${version} tool-session: ${server.requests.length} requests\n`);
  return folder;
}
