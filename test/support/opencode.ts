import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProgram } from "./run-program.js";

export const OPENCODE_BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "opencode");

/**
 * The environment for the real opencode CLI: its config, data, cache and state under `home`, its config
 * from `config`, and nothing fetched from the internet (models catalog, updates, sharing, language servers).
 */
export function opencodeEnvironment(home: string, config: unknown): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    OPENCODE_CONFIG_CONTENT: JSON.stringify(config),
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_SHARE: "1",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
  };
}

/**
 * opencode's config with one @ai-sdk/openai-compatible provider serving model `local`, chosen: Switchyard's
 * OpenAI door at a gateway URL, or any provider.
 */
export function opencodeConfig(
  target: string | { id: string; name: string; baseURL: string; apiKey: string },
): Record<string, unknown> {
  const provider =
    typeof target === "string"
      ? { id: "switchyard", name: "Switchyard", baseURL: `${target}/v1`, apiKey: "switchyard-test" }
      : target;
  return {
    autoupdate: false,
    share: "disabled",
    provider: {
      [provider.id]: {
        npm: "@ai-sdk/openai-compatible",
        name: provider.name,
        options: { baseURL: provider.baseURL, apiKey: provider.apiKey },
        models: { local: { name: `Local via ${provider.name}` } },
      },
    },
    model: `${provider.id}/local`,
  };
}

/** A scratch root for the real opencode CLI (npm opencode-ai): its own HOME and working directory. */
export function opencodeSandbox(): string {
  const root = mkdtempSync(join(tmpdir(), "switchyard-opencode-"));
  for (const directory of ["home", "work"]) mkdirSync(join(root, directory), { recursive: true });
  return root;
}

/** Runs the real opencode CLI non-interactively in a sandbox, stdin closed, killed after a while. */
export function runOpencode(args: string[], root: string, config: unknown, timeoutMs = 150_000) {
  const env = opencodeEnvironment(join(root, "home"), config);
  return runProgram(OPENCODE_BIN, args, { cwd: join(root, "work"), env, timeoutMs });
}
