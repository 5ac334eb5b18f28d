import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { withScheme } from "../../backends/registry/identify-server.js";
import { configPermissionWarning } from "../../config/config-permissions.js";
import { loadConfig } from "../../config/load-config.js";
import { startSwitchyard } from "../../gateway/start-switchyard.js";
import { isHfReference } from "../../pull/hf-reference.js";
import { ensureTestModel } from "../../test-model/test-model-cache.js";
import { compileOnFirstCall } from "../../util/compile-on-first-call.js";
import { defaultConfigPath } from "../../util/paths.js";
import { installEngine } from "./engine-command.js";
import { pullAndPlan, withPlanFlags } from "./pull-command.js";
import { stopOnSignals } from "./serve-signals.js";

const say = (message: string) => process.stderr.write(`${message}\n`);

interface ServeOptions {
  model?: string;
  host?: string;
  port?: number;
  backend: string[];
}

const TEST_MODEL_NOTICE = `
No backend was given or found, so Switchyard is serving its built-in TEST MODEL: the real Qwen3.5
tokenizer and chat template with random weights. Its answers are a fixed sentence, not intelligence;
it exists so that everything else (slots, prefix caching, timings) can be seen working without a download.

To use a real model, either point Switchyard at a server you run (llama-server on port 8080 is found by
itself, or pass --backend http://HOST:PORT), or serve a chat GGUF from Hugging Face: Switchyard pulls it
(resumable, sha256-verified) and starts llama-server with the context and offload that fit this machine:
  npm start -- --model hf:<org>/<model>-GGUF:Q4_K_M
(\`npx switchyard fit hf:<org>/<model>-GGUF\` first shows which quants and contexts fit), or with a file:
  npm start -- --model ~/models/<file>.gguf`;

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run the gateway (Anthropic Messages API) in front of local and cloud backends")
    .option(
      "--model <file.gguf|hf:ORG/REPO[:QUANT]>",
      "serve this model with a supervised llama-server (hf: pulls it first, launched with fit's flags)",
    )
    .option(
      "--backend <url>",
      "a backend server to use (repeatable; http:// when no scheme is given)",
      (value, all: string[]) => [...all, withScheme(value)],
      [],
    )
    .option("--host <host>", "address to listen on (default 127.0.0.1)")
    .option("--port <port>", "port to listen on (default 4747; 0 picks a free port)", (value) =>
      Number.parseInt(value, 10),
    )
    .action(async (options: ServeOptions) => {
      const signals = stopOnSignals(say);
      compileOnFirstCall();
      const configPath = program.opts<{ config?: string }>().config;
      let config = loadConfig(configPath);
      const permissionWarning = configPermissionWarning(configPath ?? defaultConfigPath());
      if (permissionWarning) say(permissionWarning);
      let model = options.model && !isHfReference(options.model) ? resolve(options.model) : undefined;
      if (options.model && isHfReference(options.model)) {
        // The slots and unified KV serve launches with; the context is the largest that fits, capped by the config's.
        const { pulled, plan } = await pullAndPlan(options.model, {
          ctx: config.engine.contextSize > 0 ? String(config.engine.contextSize) : "max",
          parallel: String(config.engine.slots),
          kvUnified: true,
        });
        say(
          `pulled ${pulled.paths[0]} (${pulled.verified ? "verified: sha256" : "NOT verified: the hub gave no sha256"})`,
        );
        say(`fit: ${plan.fits ? "fits" : "DOES NOT FIT (starting anyway)"}; llama-server ${plan.flags.join(" ")}`);
        model = pulled.paths[0];
        config = withPlanFlags(config, plan);
      }
      if (model && !existsSync(model)) throw new Error(`--model: no such file ${model}`);
      const running = await startSwitchyard({
        config,
        host: options.host,
        port: options.port,
        backendUrls: options.backend,
        modelFile: model,
        engineBinary: async () => (await installEngine({ configPath })).path,
        testModel: () => ensureTestModel({}, say),
        say,
      });
      // Before it says it is ready: a signal sent on seeing `listening on` closes the gateway.
      signals.ready(() => running.close());
      if (running.usingTestModel) say(TEST_MODEL_NOTICE);
      const backends = running.backends.map((backend) => `${backend.name} (${backend.kind} at ${backend.baseUrl})`);
      const claude = running.router.claudeRoute();
      const claudeChoice =
        claude && claude.choices > 1
          ? `\nClaude model names (opus, sonnet, haiku) go to ${claude.route.model}, the first of ${claude.choices} models ${claude.route.backend.name} serves; another: "models": {"claude-*": "${claude.route.backend.name}/MODEL"} in the config.`
          : "";
      say(`
Switchyard is ready. Backends: ${backends.join(", ")}.${claudeChoice}
Run Claude Code through it:
  npx switchyard code            (or: eval "$(npx switchyard env)" && claude)
Or call the Anthropic Messages API yourself:
  curl ${running.url}/v1/messages -H 'content-type: application/json' \\
    -d '{"model":"sonnet","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}'
Press Ctrl-C to stop.`);
      console.log(`listening on ${running.url}`);
    });
}
