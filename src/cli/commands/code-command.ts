import { spawn } from "node:child_process";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { DEFAULT_PORT } from "../../config/config-schema.js";
import { loadConfig } from "../../config/load-config.js";
import { compactWindowNote } from "../../doctor/compact-window.js";
import { startSwitchyard } from "../../gateway/start-switchyard.js";
import { ensureTestModel } from "../../test-model/test-model-cache.js";
import { claudeCodeEnv, shellExports } from "../claude-code-env.js";
import { statusLineSettingsArgs } from "../claude-code-statusline.js";
import { codexConfig } from "../codex-config.js";
import { findProgram } from "../find-program.js";
import { gooseEnv } from "../goose-env.js";
import { installEngine } from "./engine-command.js";

const say = (message: string) => process.stderr.write(`${message}\n`);

interface GatewayInfo {
  contextWindow: number | undefined;
}

/** Asks a running Switchyard for what Claude Code needs to know; undefined when none answers. */
async function askGateway(url: string, apiKey: string | undefined): Promise<GatewayInfo | undefined> {
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

const INSTALL_CLAUDE = "Claude Code is not installed. Install it with:\n  npm install -g @anthropic-ai/claude-code";

export function registerCodeCommands(program: Command): void {
  program
    .command("env")
    .description(
      "print what points an agent at a running Switchyard: shell exports (Claude Code, Goose), config.toml lines (Codex)",
    )
    .option("--url <url>", "the Switchyard to use", `http://127.0.0.1:${DEFAULT_PORT}`)
    .addOption(
      new Option("--client <name>", "the agent the exports are for")
        .choices(["claude", "goose", "codex"])
        .default("claude"),
    )
    .action(async (options: { url: string; client: "claude" | "goose" | "codex" }) => {
      const config = loadConfig(program.opts<{ config?: string }>().config);
      const apiKey = process.env.SWITCHYARD_API_KEY || config.gateway.apiKey;
      const info = await askGateway(options.url, apiKey);
      if (!info) say(`# no Switchyard answered at ${options.url}; start one with: npx switchyard serve`);
      const input = { baseUrl: options.url, apiKey, contextWindow: info?.contextWindow };
      if (options.client === "goose") {
        console.log(shellExports(gooseEnv(input)));
        return;
      }
      if (options.client === "codex") {
        say("# for ~/.codex/config.toml (Codex speaks only the Responses API: Switchyard's /v1/responses)");
        if (apiKey) say("# and export SWITCHYARD_API_KEY with the gateway's key");
        console.log(codexConfig(input));
        return;
      }
      const note = compactWindowNote(info?.contextWindow);
      if (note) say(`# ${note}`);
      console.log(shellExports(claudeCodeEnv(input)));
    });

  program
    .command("code")
    .description("start Claude Code wired to Switchyard (starting Switchyard first if none runs)")
    .option("--url <url>", "use the Switchyard at this URL", `http://127.0.0.1:${DEFAULT_PORT}`)
    .option("--statusline", "show Switchyard's status line in Claude Code (backend, TTFT, reuse, cost) for this run")
    .allowUnknownOption(true)
    .argument("[claude-args...]", "arguments passed to claude (put them after --)")
    .action(async (claudeArgs: string[], options: { url: string; statusline?: boolean }) => {
      const configPath = program.opts<{ config?: string }>().config;
      const config = loadConfig(configPath);
      const localBin = join(import.meta.dirname, "..", "..", "..", "node_modules", ".bin");
      const claude = findProgram("claude", [localBin]);
      if (!claude) throw new Error(INSTALL_CLAUDE);
      const apiKey = process.env.SWITCHYARD_API_KEY || config.gateway.apiKey;
      let url = options.url;
      let info = await askGateway(url, apiKey);
      let stop: (() => Promise<void>) | undefined;
      if (!info) {
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
        url = running.url;
        info = await askGateway(url, apiKey);
        stop = () => running.close();
      }
      const note = compactWindowNote(info?.contextWindow);
      if (note) say(`note: ${note}`);
      const env = { ...process.env, ...claudeCodeEnv({ baseUrl: url, apiKey, contextWindow: info?.contextWindow }) };
      // Claude Code prefers ANTHROPIC_API_KEY over the token we set; cloud keys are Switchyard's to use, not claude's.
      delete env.ANTHROPIC_API_KEY;
      const statusLine = options.statusline ? statusLineSettingsArgs(url) : undefined;
      if (statusLine?.notice) say(statusLine.notice);
      const child = spawn(claude, [...(statusLine?.args ?? []), ...claudeArgs], { stdio: "inherit", env });
      const code = await new Promise<number>((resolve) => child.on("close", (exit) => resolve(exit ?? 1)));
      await stop?.();
      process.exit(code);
    });
}
