import type { Command } from "commander";
import { loadConfig, updateConfigFile } from "../../config/load-config.js";
import type { Accelerator } from "../../engine/build-flavor.js";
import { ensureEngine, locateEngine, verifyLlamaServer } from "../../engine/engine-locate.js";
import { ensureLlamaSource } from "../../engine/llama-source.js";
import { scriptCallsTool, TEST_MODEL_SCRIPTS, type TestModelScript } from "../../test-model/family-script.js";
import { type TestModelTemplate, writeTestModel } from "../../test-model/test-model.js";
import type { TestModelSize } from "../../test-model/test-model-shapes.js";
import { defaultConfigPath } from "../../util/paths.js";
import { buildProgressPrinter } from "../build-progress-printer.js";

const say = (message: string) => process.stderr.write(`${message}\n`);

/** Finds or builds llama-server, printing progress on stderr. */
export async function installEngine(options: {
  configPath?: string;
  force?: boolean;
  accelerator?: Accelerator;
  jobs?: number;
}) {
  const config = loadConfig(options.configPath);
  let progress: ReturnType<typeof buildProgressPrinter> | undefined;
  const engine = await ensureEngine(config, {
    force: options.force,
    accelerator: options.accelerator,
    jobs: options.jobs,
    report: say,
    onProgress: (percent) => {
      progress ??= buildProgressPrinter();
      progress.update(percent);
    },
  });
  progress?.done();
  return engine;
}

const choice =
  <T extends string>(allowed: readonly T[], name: string) =>
  (value: string): T => {
    if (!allowed.includes(value as T)) throw new Error(`${name} must be one of ${allowed.join(", ")}, not ${value}`);
    return value as T;
  };

export function registerEngineCommands(program: Command): void {
  const engine = program.command("engine").description("build, adopt or locate llama-server; write test models");

  engine
    .command("install")
    .description("build llama-server from the pinned llama.cpp source (cached), or adopt one with --use")
    .option("--use <path>", "adopt an existing llama-server binary (saved in the config)")
    .option("--force", "rebuild even when a cached build exists")
    .option(
      "--accelerator <kind>",
      "cpu, cuda, metal or vulkan (default: detected)",
      choice(["cpu", "cuda", "metal", "vulkan"] as const, "--accelerator"),
    )
    .option("--jobs <n>", "parallel compile jobs (default: number of cores)", (value) => Number.parseInt(value, 10))
    .action(async (options: { use?: string; force?: boolean; accelerator?: Accelerator; jobs?: number }) => {
      const configPath = program.opts<{ config?: string }>().config ?? defaultConfigPath();
      if (options.use) {
        const adopted = await verifyLlamaServer(options.use);
        updateConfigFile((raw) => {
          raw.engine = { ...((raw.engine as object | undefined) ?? {}), llamaServer: adopted.path };
        }, configPath);
        say(`using ${adopted.path} (${adopted.version}); saved as engine.llamaServer in ${configPath}`);
        console.log(adopted.path);
        return;
      }
      const found = await installEngine({
        configPath,
        force: options.force,
        accelerator: options.accelerator,
        jobs: options.jobs,
      });
      say(`llama-server ready (${found.origin === "build" ? "built from source" : `from ${found.origin}`})`);
      console.log(found.path);
    });

  engine
    .command("path")
    .description("print the absolute path of the llama-server Switchyard uses (building it first if needed)")
    .action(async () => {
      const configPath = program.opts<{ config?: string }>().config;
      const found = (await locateEngine(loadConfig(configPath))) ?? (await installEngine({ configPath }));
      console.log(found.path);
    });

  engine
    .command("test-model <out>")
    .description("write a test model: real Qwen3.5 vocabulary, a real chat template, random weights")
    .option(
      "--template <name>",
      "qwen3.5, qwen3-coder or a file in llama.cpp's models/templates/ (e.g. openai-gpt-oss-120b.jinja)",
      "qwen3.5",
    )
    .option(
      "--script <script>",
      "text (a fixed reply), tool-call (calls Bash, answers once the result is in), malformed-tool-call or unscripted (no reply planned: babbles until max_tokens)",
      choice(TEST_MODEL_SCRIPTS, "--script"),
      "text",
    )
    .option("--tool <name>", "the tool the tool-call scripts call (pi's is bash, Codex's exec_command)", "Bash")
    .option("--argument <name>", "the name of the tool's one argument (Codex's exec_command takes cmd)", "command")
    .option(
      "--size <size>",
      "tiny (fast tests) or small (prefill cost visible)",
      choice(["tiny", "small"] as const, "--size"),
      "tiny",
    )
    .option("--seed <n>", "random seed; the same seed writes the same bytes", (value) => Number.parseInt(value, 10), 1)
    .action(
      async (
        out: string,
        options: {
          template: TestModelTemplate;
          script: TestModelScript;
          tool: string;
          argument: string;
          size: TestModelSize;
          seed: number;
        },
      ) => {
        if (!Number.isInteger(options.seed) || options.seed < 0)
          throw new Error("--seed must be a non-negative integer");
        const source = await ensureLlamaSource(say);
        await writeTestModel({ llamaSource: source.directory, outputPath: out, ...options });
        say(
          `wrote ${out} (${options.size}, ${options.template} template, ${options.script} script${scriptCallsTool(options.script) ? `, tool ${options.tool}${options.argument === "command" ? "" : `(${options.argument})`}` : ""}, seed ${options.seed})`,
        );
      },
    );
}
