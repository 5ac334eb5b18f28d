import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import { join } from "node:path";
import type { SwitchyardConfig } from "../../config/config-schema.js";
import { loadConfig } from "../../config/load-config.js";
import { startSwitchyard } from "../../gateway/start-switchyard.js";
import { ensureTestModel } from "../../test-model/test-model-cache.js";
import { findProgram } from "../find-program.js";
import { installEngine } from "./engine-command.js";

const say = (message: string) => process.stderr.write(`${message}\n`);

export interface GatewayInfo {
  contextWindow: number | undefined;
}

/** Asks a running Switchyard for what an agent needs to know; undefined when none answers. */
export async function askGateway(url: string, apiKey: string | undefined): Promise<GatewayInfo | undefined> {
  try {
    const response = await fetch(`${url}/v1/switchyard/info`, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) return undefined;
    return (await response.json()) as GatewayInfo;
  } catch {
    return undefined;
  }
}

/**
 * The Switchyard an agent launched by `switchyard code` or `switchyard codex` talks to: the one at `url`,
 * else one started for the session (its engine built and the test model made when nothing is
 * configured), which `stop` closes.
 */
async function gatewayForSession(
  url: string,
  apiKey: string | undefined,
  config: SwitchyardConfig,
  configPath: string | undefined,
): Promise<{ url: string; info: GatewayInfo | undefined; stop?: () => Promise<void> }> {
  const info = await askGateway(url, apiKey);
  if (info) return { url, info };
  say(`no Switchyard at ${url}; starting one for this session`);
  const running = await startSwitchyard({
    config,
    port: 0,
    engineBinary: async () => (await installEngine({ configPath })).path,
    testModel: () => ensureTestModel({}, say),
    say: () => {},
  });
  if (running.usingTestModel)
    say("note: serving the built-in test model (random weights); see `switchyard serve --help`");
  return { url: running.url, info: await askGateway(running.url, apiKey), stop: () => running.close() };
}

/**
 * Runs an agent in this terminal on the Switchyard at `url` (or one started for it) until the agent
 * exits, then closes a Switchyard started for it; resolves with the agent's exit code.
 *
 * Signals: Ctrl-C reaches the agent and this launcher alike (one foreground group), and the agent decides
 * what it means (Claude Code and Codex interrupt the turn), so once the agent runs the launcher ignores
 * SIGINT: by default it would exit, and the gateway it started, with its engine, would go while the agent
 * runs on. SIGTERM and SIGHUP are passed on to the agent, whose exit ends the launch as usual. Before the
 * agent starts (an engine build can take minutes), each of them ends the launcher. The listeners go in
 * before the gateway starts, so its engine's group is ended only with this process (util/run-command.ts).
 */
export async function launchAgent(
  agent: { program: string; install: string },
  options: { url: string; configPath: string | undefined },
  launch: (session: { url: string; info: GatewayInfo | undefined; apiKey: string | undefined }) => {
    args: string[];
    env: NodeJS.ProcessEnv;
  },
): Promise<number> {
  const config = loadConfig(options.configPath);
  const program = findProgram(agent.program, [join(import.meta.dirname, "..", "..", "..", "node_modules", ".bin")]);
  if (!program) throw new Error(agent.install);
  const apiKey = process.env.SWITCHYARD_API_KEY || config.gateway.apiKey;
  let child: ChildProcess | undefined;
  const exitBy = (signal: NodeJS.Signals) => process.exit(128 + (constants.signals[signal] ?? 0));
  const interrupted = () => {
    if (!child) exitBy("SIGINT");
  };
  const passOn = (signal: NodeJS.Signals) => {
    if (child) child.kill(signal);
    else exitBy(signal);
  };
  process.on("SIGINT", interrupted);
  process.on("SIGTERM", passOn);
  process.on("SIGHUP", passOn);
  try {
    const session = await gatewayForSession(options.url, apiKey, config, options.configPath);
    const { args, env } = launch({ ...session, apiKey });
    const started = spawn(program, args, { stdio: "inherit", env });
    child = started;
    const code = await new Promise<number>((resolve) =>
      started.on("close", (exit, signal) => resolve(exit ?? 128 + (signal ? constants.signals[signal] : 0))),
    );
    await session.stop?.();
    return code;
  } finally {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", passOn);
    process.off("SIGHUP", passOn);
  }
}
