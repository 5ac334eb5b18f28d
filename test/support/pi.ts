import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProgram } from "./run-program.js";

export const PI_BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "pi");

/** A pi model entry in models.json (see pi's docs/models.md). */
export interface PiModel {
  id: string;
  name?: string;
  reasoning: boolean;
  input: string[];
  contextWindow: number;
  maxTokens: number;
}

/**
 * pi's agent directory for one provider: `models.json` with an openai-completions provider at `baseUrl`
 * (see pi's docs/models.md) and `settings.json` with retries off, so a failure shows at once.
 */
export function writePiAgentConfig(
  agentDir: string,
  provider: { name: string; baseUrl: string; apiKey: string; models: readonly PiModel[] },
): void {
  const { name, ...fields } = provider;
  writeFileSync(
    join(agentDir, "models.json"),
    JSON.stringify({ providers: { [name]: { ...fields, api: "openai-completions" } } }),
  );
  writeFileSync(join(agentDir, "settings.json"), JSON.stringify({ retry: { enabled: false } }));
}

/** The flags every pi run here shares: print mode, one model, nothing from the machine's own setup. */
export function piFlags(model: string, session: string): string[] {
  return ["--print", "--model", model, "--no-context-files", "--no-extensions", "--no-skills", "--session", session];
}

/**
 * A scratch root for the real pi CLI (npm @mariozechner/pi-coding-agent): its own HOME, agent
 * directory, working directory and sessions, and one provider, Switchyard's OpenAI door.
 */
export function piSandbox(gatewayUrl: string, models: PiModel[]): string {
  const root = mkdtempSync(join(tmpdir(), "switchyard-pi-"));
  for (const directory of ["home", "agent", "work", "sessions"]) mkdirSync(join(root, directory), { recursive: true });
  writePiAgentConfig(join(root, "agent"), {
    name: "switchyard",
    baseUrl: `${gatewayUrl}/v1`,
    apiKey: "switchyard-test",
    models,
  });
  return root;
}

/** Runs the real pi CLI in a sandbox made by piSandbox, stdin closed, killed after a while. */
export function runPi(args: string[], root: string, timeoutMs = 120_000) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(root, "home"),
    TERM: "dumb",
    PI_CODING_AGENT_DIR: join(root, "agent"),
    // No update check, no install telemetry: nothing leaves the machine.
    PI_OFFLINE: "1",
  };
  return runProgram(PI_BIN, args, { cwd: join(root, "work"), env, timeoutMs });
}
