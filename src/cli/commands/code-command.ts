import { type Command, Option } from "commander";
import { claudeCodeEnv, shellExports } from "../../clients/claude-code-env.js";
import { CODEX_KEY_VARIABLE, codexConfig, codexOverrides } from "../../clients/codex-config.js";
import { gooseEnv } from "../../clients/goose-env.js";
import { piEnv } from "../../clients/pi-env.js";
import { DEFAULT_PORT } from "../../config/config-schema.js";
import { loadConfig } from "../../config/load-config.js";
import { compactWindowNote } from "../../doctor/compact-window.js";
import { statusLineSettingsArgs } from "../claude-code-statusline.js";
import { askGateway, launchAgent } from "./session-gateway.js";

const say = (message: string) => process.stderr.write(`${message}\n`);

const INSTALL_CLAUDE = "Claude Code is not installed. Install it with:\n  npm install -g @anthropic-ai/claude-code";
const INSTALL_CODEX = "Codex is not installed. Install it with:\n  npm install -g @openai/codex";

export function registerCodeCommands(program: Command): void {
  program
    .command("env")
    .description(
      "print what points an agent at a running Switchyard: shell exports (Claude Code, Goose, pi), config.toml lines (Codex)",
    )
    .option("--url <url>", "the Switchyard to use", `http://127.0.0.1:${DEFAULT_PORT}`)
    .addOption(
      new Option("--client <name>", "the agent the exports are for")
        .choices(["claude", "goose", "codex", "pi"])
        .default("claude"),
    )
    .action(async (options: { url: string; client: "claude" | "goose" | "codex" | "pi" }) => {
      const config = loadConfig(program.opts<{ config?: string }>().config);
      const apiKey = process.env.SWITCHYARD_API_KEY || config.gateway.apiKey;
      const info = await askGateway(options.url, apiKey);
      if (!info) say(`# no Switchyard answered at ${options.url}; start one with: npx switchyard serve`);
      const input = { baseUrl: options.url, apiKey, contextWindow: info?.contextWindow };
      if (options.client === "goose") {
        console.log(shellExports(gooseEnv(input)));
        return;
      }
      if (options.client === "pi") {
        say("# pi's built-in llama.cpp provider: start pi, and Switchyard's models are in /model");
        console.log(shellExports(piEnv(input)));
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
      const claude = { program: "claude", install: INSTALL_CLAUDE };
      const code = await launchAgent(claude, { url: options.url, configPath }, ({ url, info, apiKey }) => {
        const note = compactWindowNote(info?.contextWindow);
        if (note) say(`note: ${note}`);
        const env = { ...process.env, ...claudeCodeEnv({ baseUrl: url, apiKey, contextWindow: info?.contextWindow }) };
        // Claude Code prefers ANTHROPIC_API_KEY over the token we set; cloud keys are Switchyard's to use, not claude's.
        delete env.ANTHROPIC_API_KEY;
        const statusLine = options.statusline ? statusLineSettingsArgs(url) : undefined;
        if (statusLine?.notice) say(statusLine.notice);
        return { args: [...(statusLine?.args ?? []), ...claudeArgs], env };
      });
      process.exit(code);
    });

  program
    .command("codex")
    .description("start Codex wired to Switchyard's Responses door (starting Switchyard first if none runs)")
    .option("--url <url>", "use the Switchyard at this URL", `http://127.0.0.1:${DEFAULT_PORT}`)
    .allowUnknownOption(true)
    .argument("[codex-args...]", "arguments passed to codex (put them after --: -- exec 'fix the tests')")
    .action(async (codexArgs: string[], options: { url: string }) => {
      const configPath = program.opts<{ config?: string }>().config;
      const codex = { program: "codex", install: INSTALL_CODEX };
      const code = await launchAgent(codex, { url: options.url, configPath }, ({ url, info, apiKey }) => ({
        // The provider as -c overrides: the user's own config.toml, sign-in and history stay as they are.
        args: [
          ...codexOverrides({ baseUrl: url, apiKey, contextWindow: info?.contextWindow }, codexArgs),
          ...codexArgs,
        ],
        env: { ...process.env, ...(apiKey ? { [CODEX_KEY_VARIABLE]: apiKey } : {}) },
      }));
      process.exit(code);
    });
}
