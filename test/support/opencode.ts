import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProgram } from "./run-program.js";

const OPENCODE = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "opencode");

/** A scratch root for the real opencode CLI (npm opencode-ai): its own HOME and working directory. */
export function opencodeSandbox(): string {
  const root = mkdtempSync(join(tmpdir(), "switchyard-opencode-"));
  for (const directory of ["home", "work"]) mkdirSync(join(root, directory), { recursive: true });
  return root;
}

/** opencode's config: one provider, Switchyard's OpenAI door, with one model `switchyard/local`. */
export function opencodeConfig(gatewayUrl: string): unknown {
  return {
    autoupdate: false,
    share: "disabled",
    provider: {
      switchyard: {
        npm: "@ai-sdk/openai-compatible",
        name: "Switchyard",
        options: { baseURL: `${gatewayUrl}/v1`, apiKey: "switchyard-test" },
        models: { local: { name: "Local via Switchyard" } },
      },
    },
    model: "switchyard/local",
  };
}

/** Runs the real opencode CLI non-interactively in a sandbox, stdin closed, killed after a while. */
export function runOpencode(args: string[], root: string, config: unknown, timeoutMs = 150_000) {
  const home = join(root, "home");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
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
  return runProgram(OPENCODE, args, { cwd: join(root, "work"), env, timeoutMs });
}
