import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../config/load-config.js";
import { agentEngineArgs } from "../../engine/engine-args.js";
import { EngineSupervisor } from "../../engine/engine-supervisor.js";
import { ensureTestModel } from "../../test-model/test-model-cache.js";
import { installEngine } from "./engine-command.js";

const say = (message: string) => process.stderr.write(`${message}\n`);

interface ServeOptions {
  model?: string;
  host: string;
  port?: number;
}

const TEST_MODEL_NOTICE = `
No model given, so Switchyard is serving its built-in TEST MODEL: the real Qwen3.5 tokenizer and chat
template with random weights. Its answers are a fixed sentence, not intelligence; it exists so that
everything else (slots, prefix caching, timings) can be seen working without a download.

To serve a real model, download a chat GGUF from Hugging Face yourself (Switchyard never downloads
models), for example with the Hugging Face CLI:
  pip install -U huggingface_hub
  hf download <org>/<model>-GGUF <file>.gguf --local-dir ~/models
then start with it:
  npm start -- --model ~/models/<file>.gguf`;

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run llama-server under supervision with flags suited to agent work")
    .option("--model <file.gguf>", "the model to serve (default: the built-in test model)")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (default: a free port)", (value) => Number.parseInt(value, 10))
    .action(async (options: ServeOptions) => {
      const configPath = program.opts<{ config?: string }>().config;
      const config = loadConfig(configPath);
      const engine = await installEngine({ configPath });
      let model = options.model ? resolve(options.model) : undefined;
      if (model && !existsSync(model)) throw new Error(`--model: no such file ${model}`);
      model ??= await ensureTestModel({}, say);
      say(`starting ${engine.path}\n  model ${model}`);
      const supervisor = await EngineSupervisor.start({
        binary: engine.path,
        model,
        host: options.host,
        port: options.port,
        args: agentEngineArgs(config.engine),
        onEvent: (event) => {
          if (event.type === "exited") say(`llama-server exited (code ${event.code}, signal ${event.signal})`);
          if (event.type === "restarting") say(`restarting llama-server (attempt ${event.attempt})`);
          if (event.type === "gave-up") {
            say(`giving up: ${event.reason}\n--- last lines of the llama-server log ---\n${event.logTail}`);
            process.exit(1);
          }
        },
      });
      const props = await supervisor.props();
      const slots = props.total_slots ?? "?";
      const context = (props.default_generation_settings as { n_ctx?: number } | undefined)?.n_ctx ?? "?";
      if (!options.model) say(TEST_MODEL_NOTICE);
      say(`
llama-server is ready (PID ${supervisor.pid}, ${slots} slots, ${context}-token context).
Try it:
  curl ${supervisor.url}/v1/chat/completions -H 'content-type: application/json' \\
    -d '{"messages":[{"role":"user","content":"hi"}],"max_tokens":64}'
Press Ctrl-C to stop.`);
      console.log(`listening on ${supervisor.url}`);
      const shutdown = async () => {
        await supervisor.stop();
        process.exit(0);
      };
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
    });
}
