import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runProgram } from "../../test/support/run-program.js";
import { startCaptureServer } from "./capture-server.js";
import { openAIEndpoint } from "./openai-endpoint.js";
import { baseEnvironment, freshSandbox } from "./recording-sandbox.js";
import { OPENCODE_SCRIPTS } from "./session-scripts.js";

const PACKAGE = join(import.meta.dirname, "..", "..", "node_modules", "opencode-ai", "package.json");
const OPENCODE = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "opencode");

export function opencodeVersion(): string {
  return (JSON.parse(readFileSync(PACKAGE, "utf8")) as { version: string }).version;
}

/**
 * `opencode run` with an @ai-sdk/openai-compatible provider pointed at the scripted endpoint (as
 * test/opencode-e2e.test.ts configures it): one prompt with a tool loop, then `--continue`.
 */
export async function recordOpencode(fixturesRoot: string): Promise<string> {
  const version = opencodeVersion();
  const folder = join(fixturesRoot, "opencode", `opencode-${version}`);
  const sandbox = freshSandbox("opencode");
  const server = await startCaptureServer(openAIEndpoint(OPENCODE_SCRIPTS, sandbox.workdir));
  try {
    const config = {
      autoupdate: false,
      share: "disabled",
      permission: { bash: "allow", read: "allow" },
      provider: {
        recorder: {
          npm: "@ai-sdk/openai-compatible",
          name: "Recorder",
          options: { baseURL: `${server.url}/v1`, apiKey: "recording-key" },
          models: { local: { name: "Local" } },
        },
      },
      model: "recorder/local",
    };
    const home = sandbox.home;
    const env = {
      ...baseEnvironment(sandbox),
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_DATA_HOME: join(home, ".local", "share"),
      XDG_CACHE_HOME: join(home, ".cache"),
      XDG_STATE_HOME: join(home, ".local", "state"),
      OPENCODE_CONFIG_CONTENT: JSON.stringify(config),
      // No models catalog from the internet, no auto-update, no sharing, no language-server downloads.
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      OPENCODE_DISABLE_SHARE: "1",
      OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
    };
    server.recordInto(join(folder, "tool-session"));
    const runs = [
      ["run", "--model", "recorder/local", "[script:opencode-1]", "what", "does", "this", "app", "do?"],
      ["run", "--continue", "--model", "recorder/local", "[script:opencode-2]", "is", "anything", "changed?"],
    ];
    for (const args of runs) {
      const run = await runProgram(OPENCODE, args, { cwd: sandbox.workdir, env, timeoutMs: 180_000 });
      if (run.code !== 0) throw new Error(`opencode exited ${run.code}: ${run.stderr}${run.stdout}`);
    }
  } finally {
    await server.close();
  }
  process.stdout.write(`opencode ${version} tool-session: ${server.requests.length} requests\n`);
  return folder;
}
