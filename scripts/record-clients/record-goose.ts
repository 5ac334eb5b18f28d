import { join } from "node:path";
import { type GooseProvider, gooseBinary, gooseEnvironment } from "../../test/support/goose.js";
import { runProgram } from "../../test/support/run-program.js";
import { anthropicEndpoint } from "./anthropic-endpoint.js";
import { startCaptureServer } from "./capture-server.js";
import { installedVersion, recordingFolder } from "./client-versions.js";
import { openAIEndpoint } from "./openai-endpoint.js";
import { baseEnvironment, freshSandbox } from "./recording-sandbox.js";
import { GOOSE_SCRIPTS } from "./session-scripts.js";

/**
 * `goose run` with its Anthropic provider, then with its OpenAI one, pointed at the scripted endpoint (as
 * test/goose-e2e.test.ts configures them): one prompt with a tool loop and a title, then `--resume` with a
 * second prompt. Each provider's session goes to a folder of its own (`anthropic/`, `openai/`).
 */
export async function recordGoose(fixturesRoot: string): Promise<string> {
  const version = installedVersion("goose");
  const folder = recordingFolder(fixturesRoot, "goose", version);
  const binary = await gooseBinary();
  for (const provider of ["anthropic", "openai"] as const satisfies GooseProvider[]) {
    const sandbox = freshSandbox(`goose-${provider}`);
    const scripts = GOOSE_SCRIPTS[provider];
    const endpoint = provider === "anthropic" ? anthropicEndpoint : openAIEndpoint;
    const server = await startCaptureServer(endpoint(scripts, sandbox.workdir));
    try {
      server.recordInto(join(folder, provider, "tool-session"));
      const env = { ...gooseEnvironment(sandbox.home, server.url, provider), ...baseEnvironment(sandbox) };
      const [first, second] = Object.keys(scripts);
      const runs = [
        ["run", "-t", `[script:${first}] what does this app do?`],
        ["run", "--resume", "-t", `[script:${second}] is anything changed?`],
      ];
      for (const args of runs) {
        const run = await runProgram(binary, args, { cwd: sandbox.workdir, env, timeoutMs: 180_000 });
        if (run.code !== 0) throw new Error(`goose exited ${run.code}: ${run.stderr}${run.stdout}`);
      }
    } finally {
      await server.close();
    }
    process.stdout.write(`goose ${version} ${provider} tool-session: ${server.requests.length} requests\n`);
  }
  return folder;
}
