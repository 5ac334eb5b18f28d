import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { NODE_RELEASES, nodeBinary } from "./node-releases.js";
import { runProgram } from "./run-program.js";

export const PI_BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "pi");

/**
 * A PATH whose `node` is a Node.js 22 release (node-releases.ts, fetched on first use) before the
 * machine's own: pi 1.x needs Node.js ≥ 22.19 (its `engines`; on 20 it dies loading its first module), and
 * its `bin` starts with `#!/usr/bin/env node`, as it does on a pi user's machine.
 */
export async function piPath(): Promise<string> {
  return `${dirname(await nodeBinary(NODE_RELEASES[0]))}:${process.env.PATH ?? ""}`;
}

/** A pi model entry in models.json (see pi's docs/models.md). */
export interface PiModel {
  id: string;
  name?: string;
  reasoning: boolean;
  input: string[];
  contextWindow: number;
  maxTokens: number;
  /** pi's compatibility settings for the endpoint (pi's docs/models-configuration.md). */
  compat?: Record<string, unknown>;
}

/** The OpenAI APIs pi's providers speak: Chat Completions, or Responses. */
export type PiOpenAIApi = "openai-completions" | "openai-responses";

/**
 * pi's agent directory for one provider: `models.json` with an OpenAI provider at `baseUrl` (Chat
 * Completions unless told another; see pi's docs/models.md) and `settings.json` with retries off, so a
 * failure shows at once.
 */
export function writePiAgentConfig(
  agentDir: string,
  provider: { name: string; baseUrl: string; apiKey: string; models: readonly PiModel[]; api?: PiOpenAIApi },
): void {
  const { name, api = "openai-completions", ...fields } = provider;
  writeFileSync(join(agentDir, "models.json"), JSON.stringify({ providers: { [name]: { ...fields, api } } }));
  writeFileSync(join(agentDir, "settings.json"), JSON.stringify({ retry: { enabled: false } }));
}

/** The flags every pi run here shares: print mode, one model, nothing from the machine's own setup. */
export function piFlags(model: string, session: string): string[] {
  return ["--print", "--model", model, "--no-context-files", "--no-extensions", "--no-skills", "--session", session];
}

/**
 * A scratch root for the real pi CLI (npm @earendil-works/pi-coding-agent): its own HOME, agent
 * directory, working directory and sessions, and one provider, Switchyard's OpenAI door.
 */
export function piSandbox(gatewayUrl: string, models: PiModel[], api?: PiOpenAIApi): string {
  const root = mkdtempSync(join(tmpdir(), "switchyard-pi-"));
  for (const directory of ["home", "agent", "work", "sessions"]) mkdirSync(join(root, directory), { recursive: true });
  writePiAgentConfig(join(root, "agent"), {
    name: "switchyard",
    baseUrl: `${gatewayUrl}/v1`,
    apiKey: "switchyard-test",
    models,
    api,
  });
  return root;
}

/** pi's environment in a sandbox made by piSandbox, with `extra` on top. */
async function piEnvironment(root: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  return {
    ...extra,
    PATH: await piPath(),
    HOME: join(root, "home"),
    TERM: "dumb",
    PI_CODING_AGENT_DIR: join(root, "agent"),
    // No update check, no install telemetry: nothing leaves the machine.
    PI_OFFLINE: "1",
  };
}

/** Runs the real pi CLI in a sandbox made by piSandbox, stdin closed, killed after a while. */
export async function runPi(args: string[], root: string, timeoutMs = 120_000, extraEnv: NodeJS.ProcessEnv = {}) {
  return runProgram(PI_BIN, args, { cwd: join(root, "work"), env: await piEnvironment(root, extraEnv), timeoutMs });
}

/** `provider`'s entry in pi's stored catalogs; undefined while the file is missing or half written. */
function storedEntry(store: string, provider: string): unknown {
  if (!existsSync(store)) return undefined;
  try {
    return (JSON.parse(readFileSync(store, "utf8")) as Record<string, unknown>)[provider];
  } catch {
    return undefined;
  }
}

/**
 * Has the real pi read `provider`'s model catalog from the network and store it (`models-store.json`), as
 * it does when it starts interactive or RPC mode (print mode reads only the stored catalog): starts
 * `pi --mode rpc`, waits for the provider's entry, then stops it by its PID. The stored entry.
 */
export async function refreshPiCatalog(
  root: string,
  provider: string,
  extraEnv: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<unknown> {
  const store = join(root, "agent", "models-store.json");
  const child = spawn(PI_BIN, ["--mode", "rpc"], {
    cwd: join(root, "work"),
    // The refresh is the network step PI_OFFLINE would skip; without PI_OFFLINE, pi would also ask pi.dev
    // for its latest version and send install telemetry (pi's docs/environment-variables.md): both off.
    env: {
      ...(await piEnvironment(root, extraEnv)),
      PI_OFFLINE: undefined,
      PI_SKIP_VERSION_CHECK: "1",
      PI_TELEMETRY: "0",
    },
    stdio: ["pipe", "ignore", "ignore"],
  });
  try {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
      const entry = storedEntry(store, provider);
      if (entry) return entry;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`pi stored no ${provider} catalog within ${timeoutMs} ms`);
  } finally {
    child.kill("SIGTERM");
  }
}
