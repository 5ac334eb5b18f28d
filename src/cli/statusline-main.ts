#!/usr/bin/env node
// `switchyard statusline` without loading the rest of the CLI: Claude Code runs it every few hundred
// milliseconds, so its start-up time is the status line's latency. Same options as the subcommand.
import { runStatusline } from "./commands/statusline-command.js";

const urlAt = process.argv.indexOf("--url");
await runStatusline({ url: urlAt > 0 ? process.argv[urlAt + 1] : undefined });
