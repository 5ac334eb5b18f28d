#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerBenchCommand } from "./commands/bench-command.js";
import { registerCodeCommands } from "./commands/code-command.js";
import { registerDoctorCommand } from "./commands/doctor-command.js";
import { registerEngineCommands } from "./commands/engine-command.js";
import { registerEvalCommands } from "./commands/eval-command.js";
import { registerFitCommands } from "./commands/fit-command.js";
import { registerKeyCommand } from "./commands/key-command.js";
import { registerPullCommand } from "./commands/pull-command.js";
import { registerReportCommand } from "./commands/report-command.js";
import { registerServeCommand } from "./commands/serve-command.js";
import { registerStatuslineCommand } from "./commands/statusline-command.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command()
  .name("switchyard")
  .description("A gateway between coding agents and local model servers")
  .version(version)
  .option("--config <file>", "config file (default: $SWITCHYARD_CONFIG or ~/.config/switchyard/config.json)");

registerEngineCommands(program);
registerServeCommand(program);
registerCodeCommands(program);
registerDoctorCommand(program);
registerReportCommand(program);
registerFitCommands(program);
registerPullCommand(program);
registerStatuslineCommand(program);
registerKeyCommand(program);
registerBenchCommand(program);
registerEvalCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`switchyard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
