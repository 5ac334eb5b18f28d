import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { installEngine } from "../src/cli/commands/engine-command.js";
import { ensureLlamaSource } from "../src/engine/llama-source.js";
import { ensureTestModel } from "../src/test-model/test-model-cache.js";

declare module "vitest" {
  export interface ProvidedContext {
    llamaServer: string;
    llamaSource: string;
    testModel: string;
  }
}

/** The real engine and a real test model for every test: built once, cached outside the repo. */
export default async function setup(project: TestProject): Promise<() => void> {
  const say = (message: string) => process.stderr.write(`[setup] ${message}\n`);
  // Tests never touch the user's own state or config: turn records, the store and the config file go to
  // a scratch directory for this run (the workers inherit it). The engine build cache is shared on purpose.
  const scratch = mkdtempSync(join(tmpdir(), "switchyard-test-state-"));
  process.env.XDG_STATE_HOME = join(scratch, "state");
  process.env.XDG_CONFIG_HOME = join(scratch, "config");
  process.env.SWITCHYARD_CONFIG = join(scratch, "config", "switchyard", "config.json");
  const engine = await installEngine({});
  const source = await ensureLlamaSource(say);
  const model = await ensureTestModel({ size: "tiny", template: "qwen3.5" }, say);
  say(`llama-server ${engine.path}\n[setup] test model ${model}`);
  project.provide("llamaServer", engine.path);
  project.provide("llamaSource", source.directory);
  project.provide("testModel", model);
  return () => rmSync(scratch, { recursive: true, force: true });
}
